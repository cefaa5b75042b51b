"""A real browser (Debian's Chromium through Playwright) on the phone page:
with JavaScript, without it, and at a small phone's size."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest_intake import GRID, INDICATORS, QUESTIONS, SPECTRUM, TARGETS
from sessions import CommentState, LiveSession
from sessions.intake import IntakeLimits, IntakeServer

pytestmark = pytest.mark.browser

RELOAD_WAIT_MS = 5000

UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id || el.outerHTML.slice(0, 60))
"""

SMALL_TARGETS = """
() => Array.from(document.querySelectorAll('label.choice, button, .button, summary, input[type=text], select, textarea'))
  .filter(el => el.offsetParent !== null)
  .filter(el => el.getBoundingClientRect().height < 48)
  .map(el => el.outerHTML.slice(0, 80))
"""

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def limits() -> IntakeLimits:
    """Pages poll twice a second here, so following the room takes no long waits."""
    return IntakeLimits(poll_interval=0.5)


def _only_participant(session: LiveSession) -> str:
    (participant_id,) = session.participants
    return participant_id


async def test_join_place_rate_and_comment_with_javascript(browser: Any, server: IntakeServer, live_session: LiveSession) -> None:
    from playwright.async_api import expect

    context = await browser.new_context()
    page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    await page.goto(server.join_url)
    await page.get_by_label("Your name (optional)").fill("Gwen")
    await page.get_by_role("radio", name="Service user").check()
    await page.get_by_role("button", name="Join").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    participant_id = _only_participant(live_session)
    assert live_session.participants[participant_id].name == "Gwen"

    # The facilitator moves on; the page follows by itself.
    live_session.go_to(SPECTRUM)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Where do we sit?", timeout=RELOAD_WAIT_MS)
    await page.get_by_role("radio", name="4 Halfway between Good and User led").check()
    await page.get_by_role("button", name="Save my answer").click()
    # With JavaScript the answer is saved in place and confirmed just below its button.
    await expect(page.locator("form.answers .confirm")).to_have_text("Saved: 4 – Halfway between Good and User led")
    assert live_session.vote_of(participant_id, "spectrum", "place").value == 4

    live_session.go_to(GRID)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Now and next", timeout=RELOAD_WAIT_MS)
    for area, when, level in (
        ("Individual care", "Now", "2 Limited involvement"),
        ("Individual care", "Where we want to be", "4 Collaboration"),
        ("Policy", "Now", "1 No involvement"),
        ("Policy", "Where we want to be", "3 Growing involvement"),
    ):
        await page.get_by_role("group", name=area).get_by_role("group", name=when).get_by_role("radio", name=level).check()
    await page.get_by_role("button", name="Save my answers").click()
    await expect(page.locator("form.answers .confirm")).to_contain_text("Saved: Individual care, now: 2 Limited involvement")
    answers = {v.item: v.value for v in live_session.votes_for("grid") if v.participant_id == participant_id}
    assert answers == {"care:now": 2, "care:target": 4, "policy:now": 1, "policy:target": 3}

    await page.get_by_label("What is it about?").select_option(label="Policy")
    await page.get_by_label("Your comment").fill("Budget decisions need us in the room")
    await page.get_by_role("button", name="Send comment").click()
    await expect(page.locator("form.comment .confirm")).to_have_text("Thanks — your comment is with the facilitator.")
    (comment,) = live_session.comments.values()
    assert (comment.text, comment.item, comment.author, comment.state) == (
        "Budget decisions need us in the room",
        "policy",
        "Gwen",
        CommentState.PENDING,
    )

    # Someone mid-sentence is never reloaded away from their words.
    box = page.get_by_label("Your comment")
    await box.fill("half a thought")
    live_session.go_to(INDICATORS)
    # Said beside the box being typed in, not at the top of the page.
    await expect(page.locator("form.comment .moved")).to_be_visible(timeout=RELOAD_WAIT_MS)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Now and next")
    await expect(box).to_have_value("half a thought")
    await page.locator("form.comment").get_by_role("link", name="Show what is on screen now").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Indicators")

    base = server.room_url
    assert requested and all(url.startswith(base) or url.startswith("data:") for url in requested), requested
    await context.close()


async def test_the_whole_flow_works_without_javascript(browser: Any, server: IntakeServer, live_session: LiveSession) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(server.room_url)
    await page.get_by_label("Room code").fill(live_session.room_code.lower())
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Taking part")
    await page.get_by_role("radio", name="Staff").check()
    await page.get_by_role("button", name="Join").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    await expect(page.locator(".body")).to_contain_text("Second line & <em>not markup</em>.")
    participant_id = _only_participant(live_session)
    assert live_session.participants[participant_id].name == ""

    live_session.go_to(SPECTRUM)
    await page.reload()
    await page.get_by_role("radio", name="2 Halfway between Beginnings and Good").check()
    await page.get_by_role("button", name="Save my answer").click()
    await expect(page.locator(".saved")).to_have_text("Saved: 2 – Halfway between Beginnings and Good")
    await expect(page.get_by_role("radio", name="2 Halfway between Beginnings and Good")).to_be_checked()
    # Changing one's mind replaces the answer.
    await page.get_by_role("radio", name="5 User led").check()
    await page.get_by_role("button", name="Save my answer").click()
    await expect(page.locator(".saved")).to_have_text("Saved: 5 – User led")
    assert [v.value for v in live_session.votes_for("spectrum")] == [5]

    live_session.go_to(GRID)
    await page.goto(server.room_url + "s")
    await page.get_by_role("group", name="Policy").get_by_role("group", name="Now").get_by_role("radio", name="2 Limited involvement").check()
    await page.get_by_role("button", name="Save my answers").click()
    await expect(page.locator(".saved")).to_have_text("Saved: Policy, now: 2 Limited involvement")
    assert live_session.vote_of(participant_id, "grid", "policy:now").value == 2

    await page.get_by_label("Your comment").fill("Said without scripts")
    await page.get_by_role("button", name="Send comment").click()
    await expect(page.locator(".saved")).to_have_text("Thanks — your comment is with the facilitator.")
    assert [c.text for c in live_session.comments.values()] == ["Said without scripts"]

    # The facilitator closes answers while the form is still on the phone.
    await page.get_by_label("Your comment").fill("Too late")
    live_session.set_intake_open(False)
    await page.get_by_role("button", name="Send comment").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Answers are closed")
    await expect(page.locator("main")).to_contain_text("The facilitator has closed answers for now")
    assert len(live_session.comments) == 1
    await context.close()


async def test_phone_sized_pages_fit_and_every_control_is_labelled(browser: Any, server: IntakeServer, live_session: LiveSession, tmp_path: Path) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    live_session.add_target("targets", "A" * 300 + " then a long plain sentence about co-chairing", owner="The whole team", review_date="2027-01-31")

    async def check(name: str) -> None:
        await page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
        scroll_width, inner_width = await page.evaluate(OVERFLOW)
        assert scroll_width <= inner_width, f"{name}: {scroll_width}px wide in a {inner_width}px screen"
        assert await page.evaluate(UNLABELLED_CONTROLS) == [], name
        assert await page.evaluate(SMALL_TARGETS) == [], name
        assert await page.evaluate("() => document.documentElement.lang") == "en-GB"

    await page.goto(server.room_url)
    await check("room-code")
    await page.goto(server.join_url)
    await check("join")
    await page.get_by_label("Your name (optional)").fill("W" * 40)
    await page.get_by_role("button", name="Join").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    await check("info")
    for index, name in ((SPECTRUM, "spectrum"), (GRID, "grid"), (INDICATORS, "indicators"), (QUESTIONS, "questions"), (TARGETS, "targets")):
        live_session.go_to(index)
        await page.goto(server.room_url + "s")
        await expect(page.locator("body")).to_have_attribute("data-version", re.compile(rf"^{index}\."))
        await check(name)
    await expect(page.locator(".targets")).to_contain_text("31 January 2027")
    await context.close()


async def test_support_is_one_tap_away_without_javascript_and_shown_again_after_a_comment(
    browser: Any, server: IntakeServer, live_session: LiveSession
) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = await context.new_page()
    await page.goto(server.join_url)
    support = page.get_by_role("region", name="Need support now?")
    await expect(support).to_contain_text("NHS 111")
    await expect(support).to_contain_text("116 123")
    await page.get_by_role("button", name="Join").click()
    await page.get_by_role("link", name="Need support now?").click()
    assert page.url.endswith("#support")
    await expect(support).to_be_in_viewport()
    again = page.locator("[data-support-again]")
    await expect(again).to_be_hidden()
    await page.get_by_label("Your comment").fill("That was hard to say")
    await page.get_by_role("button", name="Send comment").click()
    await expect(page.locator(".saved")).to_have_text("Thanks — your comment is with the facilitator.")
    await expect(again).to_be_visible()
    await again.get_by_role("link").click()
    await expect(support).to_be_in_viewport()
    await context.close()
