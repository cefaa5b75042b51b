"""The console in Chromium drives the projected app: every change shows on the room's screen.

The real app runs under Pilot with its real phone page (so the console is
served from the app's own event loop, as in a workshop); a phone-sized
Chromium pairs, approves and hides comments, moves the room on, reveals,
counts hands and draws the curtain; after each step the projected screen is
read as text.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from app_fixtures import make_config, new_session, screen_text
from sessions import CommentState, Role
from sessions.intake import IntakeServer
from tui.app import InvolveApp

pytestmark = pytest.mark.browser

SIZE = (100, 30)


async def shown(app: InvolveApp, pilot: Any, text: str, *, timeout: float = 10.0) -> str:
    """Wait until the projected screen shows `text`; return the screen."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await pilot.pause()
        screen = screen_text(app)
        if text in screen:
            return screen
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{text!r} never appeared on the projected screen:\n{screen}")
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
async def test_the_projected_app_shows_each_change_made_on_the_console(browser: Any, tmp_path: Path, javascript: bool) -> None:
    from playwright.async_api import expect

    config = make_config(tmp_path, public_url="")
    session = new_session(config, title="Ward 7 review")
    spectrum = next(i for i, a in enumerate(session.template.activities) if a.kind == "spectrum")
    session.go_to(spectrum - 1)
    ana = session.join("Ana", Role.SERVICE_USER)[0]
    first = session.add_comment(session.template.activities[spectrum].id, "Meetings happen when carers are at work.", participant_id=ana.id, author="Ana")
    second = session.add_comment(session.template.activities[spectrum].id, "Name and shame the ward manager.", participant_id=ana.id)
    app = InvolveApp(config, session=session, landing="activity", server_factory=IntakeServer)
    async with app.run_test(size=SIZE) as pilot:
        while not app.room_url:
            await pilot.pause(0.05)
        context = await browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript)
        page = await context.new_page()
        await page.goto(app.room_url + "console")
        code = (await page.locator(".pair-code").inner_text()).strip()
        assert code not in screen_text(app)
        assert session.consoles.pair(code)  # as the app's pairing dialog does
        if not javascript:
            await page.get_by_role("button", name="I've typed it into the app — continue").click()
        await expect(page).to_have_url(re.compile(r"/console/comments$"), timeout=10_000)

        # Move the room on to the spectrum: the projector follows.
        await page.get_by_role("link", name="Room", exact=True).click()
        await page.get_by_role("button", name="Next ▶").click()
        await expect(page.locator("#status")).to_have_text("The room is on this activity now.")
        title = session.template.activities[spectrum].title
        screen = await shown(app, pilot, f"Activity {spectrum + 1} of")
        assert title in screen
        # Neither waiting comment is on the projected screen.
        assert "Meetings happen" not in screen and "Name and shame" not in screen

        # Approve one, hide the other: only the approved one reaches the wall.
        await page.get_by_role("link", name="Comments", exact=True).click()
        await page.locator(f"#comment-{first.id}").get_by_role("button", name="Approve").click()
        await expect(page.locator("#status")).to_have_text("Approved: 1 on the wall.")
        await page.locator(f"#comment-{second.id}").get_by_role("button", name="Hide").click()
        await expect(page.locator("#status")).to_have_text("Hidden: 1. The room does not see it.")
        assert session.comments[second.id].state is CommentState.HIDDEN
        screen = await shown(app, pilot, "Meetings happen when carers")
        assert "Name and shame" not in screen

        # Reveal, then count hands: the projected results follow.
        await page.get_by_role("link", name="Room", exact=True).click()
        await page.get_by_role("button", name="Show results").click()
        await expect(page.locator("#status")).to_have_text("Results shown to the room.")
        await shown(app, pilot, "◉ results shown")
        await page.get_by_role("link", name="Hands", exact=True).click()
        for _ in range(3):
            await page.get_by_role("button", name=re.compile(r"^\+ one: Positions on the line, 4 ")).click()
            await expect(page.locator("#status")).to_have_text("Counted.")
        assert session.tally_count(session.current_activity.id, "place", 4) == 3
        await shown(app, pilot, "3 answers (3 by hand)")

        # The curtain, drawn from the phone: the projector shows the title and nothing else.
        await page.get_by_role("link", name="Room", exact=True).click()
        await page.get_by_role("button", name="Draw the curtain (blank the projector)").click()
        await expect(page.locator("#status")).to_have_text("The curtain is drawn: the projector shows only the session title.")
        deadline = asyncio.get_running_loop().time() + 10
        while [line.strip() for line in screen_text(app).splitlines() if line.strip()] != ["Ward 7 review"]:
            assert asyncio.get_running_loop().time() < deadline, screen_text(app)
            await pilot.pause(0.1)
        await page.get_by_role("button", name="Lift the curtain").click()
        await shown(app, pilot, "Meetings happen when carers")
        await context.close()
