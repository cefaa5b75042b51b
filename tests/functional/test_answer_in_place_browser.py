"""The phone page answers in place: with JavaScript, votes and comments go by fetch,
the page is not loaded again, focus and scroll stay where they were, and the
confirmation is put in a live region a screen reader announces."""

from __future__ import annotations

from typing import Any

import pytest

from conftest_intake import GRID, SPECTRUM
from sessions import CommentState, LiveSession
from sessions.intake import IntakeLimits, IntakeServer

pytestmark = pytest.mark.browser

# Runs before the page's own script: notes every text a live region is given, as a
# screen reader would hear it, and every page load (a reload would start the list again).
WATCH_REGIONS = """
window.__loads = (window.__loads || 0) + 1;
window.__heard = [];
document.addEventListener("DOMContentLoaded", () => {
  for (const region of document.querySelectorAll("[role=status], [role=alert]")) {
    new MutationObserver(() => {
      const text = region.textContent.trim();
      if (text) window.__heard.push([region.getAttribute("role"), text]);
    }).observe(region, { childList: true, characterData: true, subtree: true });
  }
});
"""


@pytest.fixture
def limits() -> IntakeLimits:
    return IntakeLimits(poll_interval=0.5)


async def _joined(browser: Any, server: IntakeServer, live_session: LiveSession, activity: int) -> tuple[Any, Any, list[str]]:
    """A phone with JavaScript that has joined and is looking at `activity`; and its list of page loads."""
    from playwright.async_api import expect

    live_session.go_to(activity)
    context = await browser.new_context(viewport={"width": 360, "height": 640})
    await context.add_init_script(WATCH_REGIONS)
    page = await context.new_page()
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    await page.goto(server.join_url)
    await page.get_by_role("radio", name="Carer").check()
    await page.get_by_role("button", name="Join").click()
    await expect(page.locator("body[data-in-place]")).to_have_count(1)
    loads.clear()
    return context, page, loads


async def test_a_vote_is_saved_in_place_and_announced(browser: Any, server: IntakeServer, live_session: LiveSession) -> None:
    from playwright.async_api import expect

    context, page, loads = await _joined(browser, server, live_session, SPECTRUM)
    (participant_id,) = live_session.participants
    button = page.get_by_role("button", name="Save my answer")
    await page.get_by_role("radio", name="4 Halfway between Good and User led").check()
    await button.scroll_into_view_if_needed()
    await button.focus()
    scrolled = await page.evaluate("window.scrollY")
    assert scrolled > 0  # the button is below the first screen, so keeping the scroll means something
    await page.keyboard.press("Enter")

    status = page.locator("form.answers").get_by_role("status")
    await expect(status).to_have_text("Saved: 4 – Halfway between Good and User led")
    await expect(status).to_be_in_viewport()  # just below the button, where the person is looking
    assert live_session.vote_of(participant_id, "spectrum", "place").value == 4
    assert await page.evaluate("window.__loads") == 1 and loads == []
    assert await page.evaluate("window.__heard") == [["status", "Saved: 4 – Halfway between Good and User led"]]
    assert await page.evaluate("document.activeElement.textContent") == "Save my answer"
    assert await page.evaluate("window.scrollY") == scrolled
    await expect(page.get_by_role("radio", name="4 Halfway between Good and User led")).to_be_checked()

    # Saving the same answer again is announced again, not left silent.
    await page.keyboard.press("Enter")
    await page.wait_for_function("() => window.__heard.length === 2")
    assert live_session.vote_of(participant_id, "spectrum", "place").value == 4

    # Changing one's mind replaces the answer, still in place.
    await page.get_by_role("radio", name="5 User led").check()
    await button.click()
    await expect(status).to_have_text("Saved: 5 – User led")
    assert [v.value for v in live_session.votes_for("spectrum")] == [5]
    assert loads == []
    await context.close()


async def test_grid_answers_and_a_comment_in_place(browser: Any, server: IntakeServer, live_session: LiveSession) -> None:
    from playwright.async_api import expect

    context, page, loads = await _joined(browser, server, live_session, GRID)
    (participant_id,) = live_session.participants
    await page.get_by_role("group", name="Policy").get_by_role("group", name="Now").get_by_role("radio", name="2 Limited involvement").check()
    await page.get_by_role("group", name="Policy").get_by_role("group", name="Where we want to be").get_by_role("radio", name="4 Collaboration").check()
    await page.get_by_role("button", name="Save my answers").click()
    await expect(page.locator("form.answers").get_by_role("status")).to_have_text(
        "Saved: Policy, now: 2 Limited involvement; Policy, where we want to be: 4 Collaboration"
    )
    answers = {v.item: v.value for v in live_session.votes_for("grid") if v.participant_id == participant_id}
    assert answers == {"policy:now": 2, "policy:target": 4}

    await page.get_by_label("What is it about?").select_option(label="Policy")
    box = page.get_by_label("Your comment")
    await box.fill("Budget decisions need us in the room")
    send = page.get_by_role("button", name="Send comment")
    await send.click()
    await expect(page.locator("form.comment").get_by_role("status")).to_have_text("Thanks — your comment is with the facilitator.")
    await expect(box).to_have_value("")
    await expect(send).to_be_focused()
    (comment,) = live_session.comments.values()
    assert (comment.text, comment.item, comment.state) == ("Budget decisions need us in the room", "policy", CommentState.PENDING)
    assert loads == []
    heard = await page.evaluate("window.__heard")
    assert heard[-1] == ["status", "Thanks — your comment is with the facilitator."]
    await context.close()


async def test_a_refusal_is_announced_and_the_words_are_kept(browser: Any, server: IntakeServer, live_session: LiveSession) -> None:
    from playwright.async_api import expect

    context, page, loads = await _joined(browser, server, live_session, SPECTRUM)
    box = page.get_by_label("Your comment")
    await box.fill("Said just as answers close")
    live_session.set_intake_open(False)
    await page.get_by_role("button", name="Send comment").click()
    alert = page.locator("form.comment").get_by_role("alert")
    await expect(alert).to_have_text("The facilitator has closed answers for now.")
    await expect(box).to_have_value("Said just as answers close")
    assert live_session.comments == {}
    assert loads == []
    assert ["alert", "The facilitator has closed answers for now."] in await page.evaluate("window.__heard")

    # The room moves on while an answer is on its way: the phone is told, and offered the new question.
    live_session.set_intake_open(True)
    await page.get_by_role("radio", name="2 Halfway between Beginnings and Good").check()
    live_session.go_to(GRID)
    await page.get_by_role("button", name="Save my answer").click()
    await expect(page.locator("form.answers").get_by_role("alert")).to_have_text("That question has closed, so this answer was not saved.")
    await expect(page.locator("form.answers .moved")).to_be_visible()
    await expect(box).to_have_value("Said just as answers close")
    assert live_session.votes_for("spectrum") == []
    await context.close()
