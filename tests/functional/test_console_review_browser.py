"""Recording how the earlier targets went, from the facilitator's console, in Debian's Chromium.

With and without JavaScript: choose an outcome, write what happened, save; the
page says so, keeps the choice, and the review session has it. axe-core's WCAG
2.2 AA rules on each state, targets of at least 44 px, and the page whole at
320 px with double text size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sessions import LiveSession, Outcome
from sessions.intake import IntakeServer
from test_console_browser import check_layout, page_problems, pair_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def live_session(review_session: LiveSession) -> LiveSession:
    """The console serves this module's review session."""
    return review_session


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
async def test_a_facilitator_records_how_an_earlier_target_went_from_a_phone(
    browser: Any, console_server: IntakeServer, live_session: LiveSession, axe_script_path: Path, javascript: bool
) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True, java_script_enabled=javascript)
    page = await context.new_page()
    found: dict[str, str] = {}

    async def check(name: str) -> None:
        found.update(await page_problems(page, name, axe_script_path, javascript=javascript))

    await pair_in_browser(page, console_server, javascript)
    await page.get_by_role("link", name="Review").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("How the earlier targets went")
    await expect(page.get_by_text("0 of 2 reviewed")).to_be_visible()
    second = page.locator("#target-2")
    await expect(second.get_by_role("heading", level=2)).to_have_text("2. Carers see the care plan <b>before</b> it is signed.")
    await check("review, nothing recorded")

    await second.get_by_label("Partly").check()
    await second.get_by_label("What happened?").fill("Half the plans so far.")
    await second.get_by_label("How did working together on it go?").fill("Carers came to two meetings.")
    await second.get_by_role("button", name="Save how target 2 went").click()
    await expect(page.get_by_text("Saved: how target 2 went.")).to_be_visible()
    await expect(page.get_by_text("1 of 2 reviewed")).to_be_visible()
    second = page.locator("#target-2")
    await expect(second.get_by_label("Partly")).to_be_checked()
    await expect(second.get_by_label("What happened?")).to_have_value("Half the plans so far.")
    recorded = next(iter(live_session.outcomes.values()))
    assert (recorded.outcome, recorded.what_happened) == (Outcome.PARTLY, "Half the plans so far.")
    await check("review, one recorded")

    # Saving without choosing is refused with its reason, and what was typed stays.
    first = page.locator("#target-1")
    await first.get_by_label("What happened?").fill("We met twice.")
    await first.get_by_role("button", name="Save how target 1 went").click()
    await expect(page.get_by_text("Choose how it went: done, partly or not yet.")).to_be_visible()
    await expect(page.locator("#target-1").get_by_label("What happened?")).to_have_value("We met twice.")
    assert len(live_session.outcomes) == 1
    await check("review, refused")
    await context.close()
    assert not found, "\n".join(f"{name}: {problem}" for name, problem in found.items())


async def test_the_review_page_fits_a_small_phone_at_double_text(browser: Any, console_server: IntakeServer, tmp_path: Path) -> None:
    context = await browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = await context.new_page()
    await pair_in_browser(page, console_server, javascript=False)
    await page.goto(console_server.room_url + "console/review")
    await check_layout(page, "review at 320px", tmp_path, double=False)
    await check_layout(page, "review at 320px, 200 % text", tmp_path, double=True)
    await context.close()
