"""The facilitator's console on a phone, in Debian's Chromium, with and without JavaScript.

Pair, approve and hide comments, move the room on, reveal, count hands and
count the lobby, as a facilitator walking the room would; axe-core's WCAG 2.2
AA rules on every state; targets of at least 44 px; no sideways scrolling at
320 px; whole words at double text size.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from accessibility import axe_violations, axe_violations_without_js, describe
from conftest_intake import SPECTRUM
from sessions import CommentState, LiveSession, Role, RoleGroup
from sessions.intake import IntakeServer
from test_phone_large_text_browser import BROKEN_WORDS, DOUBLE_ROOT_TEXT, OVERFLOW, SPILLS

pytestmark = pytest.mark.browser

SMALL_TARGETS = r"""
() => {
  const small = [];
  const targets = document.querySelectorAll(
    'button, nav a, .waiting-count a, label.choice, label:has(> input[type=radio]), label:has(> input[type=checkbox]),'
    + ' select, textarea, input[type=number]');
  for (const el of targets) {
    if (el.getClientRects().length === 0) continue;
    const box = el.getBoundingClientRect();
    if (box.width < 44 || box.height < 44) {
      const name = (el.textContent || el.name || '').trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}
"""


SHORT_LINKS = r"""
() => {
  const short = [];
  for (const el of document.querySelectorAll('a[href], button, input[type=submit]')) {
    if (el.getClientRects().length === 0) continue;
    const box = el.getBoundingClientRect();
    if (box.height < 44) {
      short.push(`${el.tagName.toLowerCase()} "${(el.textContent || '').trim().slice(0, 30)}" ${Math.round(box.height)} px tall`);
    }
  }
  return short;
}
"""
"""Every link and button on the page, not just the console's usual targets: at least 44 px tall."""


async def refusal_problems(page: Any, name: str, axe_script_path: Path, *, javascript: bool) -> dict[str, str]:
    """`page_problems`, plus any link or button on a refusal page under 44 px tall."""
    found = await page_problems(page, name, axe_script_path, javascript=javascript)
    short = await page.evaluate(SHORT_LINKS)
    if short:
        found[f"{name} links"] = ", ".join(short)
    return found


def fill_the_queue(session: LiveSession) -> list[str]:
    ana = session.join("Ana", Role.SERVICE_USER)[0]
    bo = session.join("Bo", Role.STAFF)[0]
    texts = [
        (ana, "welcome", "", "The ward round decides everything before we arrive, and nobody explains why afterwards."),
        (bo, "spectrum", "beginnings", "We ask people for feedback but rarely tell them what changed."),
        (ana, "spectrum", "good", "I want to end my life some days, and nobody on the ward asks."),
        (bo, "grid", "care:now", "Care plans are written for people, not with them."),
    ]
    return [session.add_comment(activity, text, item=item, participant_id=who.id, author=who.name).id for who, activity, item, text in texts]


async def page_problems(page: Any, name: str, axe_script_path: Path, *, javascript: bool) -> dict[str, str]:
    """axe-core's WCAG 2.2 AA findings and targets under 44 px on the page as it is, by `name`."""
    found: dict[str, str] = {}
    violations = await (axe_violations if javascript else axe_violations_without_js)(page, axe_script_path)
    if violations:
        found[name] = describe(violations)
    small = await page.evaluate(SMALL_TARGETS)
    if small:
        found[f"{name} targets"] = ", ".join(small)
    return found


async def pair_in_browser(page: Any, server: IntakeServer, javascript: bool) -> None:
    from playwright.async_api import expect

    await page.goto(server.room_url + "console")
    code = (await page.locator(".pair-code").inner_text()).strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    assert server.session.consoles.pair(code)  # the facilitator types it into the app
    if not javascript:
        await page.get_by_role("button", name="I've typed it into the app — continue").click()
    await expect(page).to_have_url(re.compile(r"/console/comments$"), timeout=10_000)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Comments")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
async def test_a_facilitator_runs_the_room_from_a_phone(
    browser: Any, console_server: IntakeServer, live_session: LiveSession, axe_script_path: Path, javascript: bool, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True, java_script_enabled=javascript)
    page = await context.new_page()
    session = live_session
    ids = fill_the_queue(session)
    found: dict[str, str] = {}
    checked: list[str] = []

    async def check(name: str) -> None:
        checked.append(name)
        found.update(await page_problems(page, name, axe_script_path, javascript=javascript))

    async def check_refusal(name: str) -> None:
        checked.append(name)
        found.update(await refusal_problems(page, name, axe_script_path, javascript=javascript))

    # A link that signs nobody in: the console's own refusal, with the way back to pairing.
    refused = await page.goto(console_server.room_url + "console/link/not-a-link")
    assert refused is not None and refused.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Link already used")
    await expect(page.get_by_role("navigation", name="Console")).to_have_count(0)
    await check_refusal("refusal, not signed in")
    await page.get_by_role("link", name="Pair this console").click()
    await expect(page.locator(".pair-code")).to_be_visible()
    await check("pairing")
    await pair_in_browser(page, console_server, javascript)
    await check("comments waiting")

    # Waiting comments in full, the possible disclosure first and marked in words.
    cards = page.locator("li.comment-card")
    await expect(cards).to_have_count(4)
    await expect(cards.first).to_contain_text("⚑ Flagged:")
    await expect(cards.first).to_contain_text("I want to end my life some days, and nobody on the ward asks.")
    await expect(page.locator(".waiting-count")).to_have_text("✉ 4 comments waiting")

    # Approve one.
    first_plain = page.locator(f"#comment-{ids[0]}")
    await first_plain.get_by_role("button", name="Approve").click()
    await expect(page.locator("#status")).to_have_text("Approved: 1 on the wall.")
    assert session.comments[ids[0]].state is CommentState.APPROVED
    await expect(page.locator(".waiting-count")).to_have_text("✉ 3 comments waiting")

    # Hide two at once.
    await page.get_by_label(f"Tick comment {ids[1]}").check()
    await page.get_by_label(f"Tick comment {ids[3]}").check()
    await check("comments ticked")
    await page.get_by_role("button", name="Hide ticked").click()
    await expect(page.locator("#status")).to_have_text("Hidden: 2. The room does not see it.")
    assert [session.comments[i].state for i in ids] == [CommentState.APPROVED, CommentState.HIDDEN, CommentState.PENDING, CommentState.HIDDEN]

    # "Approve ticked" with nothing ticked: refused on the console's page, navigation and count in view.
    await page.get_by_role("button", name="Approve ticked").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nothing ticked")
    await expect(page.get_by_role("navigation", name="Console")).to_be_visible()
    await expect(page.locator(".waiting-count")).to_have_text("✉ 1 comment waiting")
    await check_refusal("refusal, signed in")
    await page.get_by_role("link", name="Back to the comments").click()
    await expect(page.locator("li.comment-card")).to_have_count(1)

    await page.get_by_role("link", name=re.compile(r"^On the wall")).click()
    await expect(page.locator("li.comment-card")).to_have_count(1)
    await check("comments wall")
    await page.get_by_role("link", name=re.compile(r"^Hidden")).click()
    await expect(page.locator("li.comment-card")).to_have_count(2)
    await check("comments hidden")

    # A comment heard aloud, on the wall as the facilitator's.
    await page.get_by_label("The comment (up to").fill("Someone at the back: meetings are at times carers cannot make.")
    await page.get_by_role("button", name="Put it on the wall").click()
    await expect(page.locator("#status")).to_have_text("Your comment is on the wall as the facilitator's.")
    assert any(c.from_facilitator and c.state is CommentState.APPROVED for c in session.comments.values())

    # Move the room on, and reveal.
    await page.get_by_role("link", name="Room", exact=True).click()
    await expect(page.get_by_role("heading", level=2, name=re.compile("On screen now: 1 of 6"))).to_be_visible()
    await check("room")
    await page.get_by_role("button", name="Next ▶").click()
    await expect(page.locator("#status")).to_have_text("The room is on this activity now.")
    assert session.current_index == SPECTRUM
    await page.get_by_role("button", name="Show results").click()
    await expect(page.locator("#status")).to_have_text("Results shown to the room.")
    assert session.is_revealed("spectrum")
    await check("room revealed")

    # Count hands: everyone, then staff.
    await page.get_by_role("link", name="Hands", exact=True).click()
    await check("hands")
    await page.get_by_role("button", name="+ one: Positions on the line, 3", exact=False).click()
    await expect(page.locator("#status")).to_have_text("Counted.")
    await page.get_by_role("button", name=re.compile(r"^\+ one: Positions on the line, 3")).click()
    await expect(page.locator("#cell-3")).to_contain_text(": 2")
    assert session.tally_count("spectrum", "place", 3) == 2
    await page.get_by_role("link", name="Staff", exact=True).click()
    await page.get_by_role("button", name=re.compile(r"^\+ one: Positions on the line, 1")).click()
    await expect(page.locator("#cell-1")).to_contain_text(": 1")
    assert session.tally_count("spectrum", "place", 1, Role.STAFF) == 1
    await check("hands staff")

    # The lobby: people without phones.
    await page.get_by_role("link", name="Lobby", exact=True).click()
    await check("lobby")
    await page.get_by_role("button", name="+ one: Service users and carers").click()
    await expect(page.locator("#status")).to_have_text("Counts saved.")
    assert session.present_without_phones[RoleGroup.LIVED] == 1

    if javascript:
        # Live: a phone's comment appears on the open page within about a second.
        await page.get_by_role("link", name="Comments", exact=True).click()
        session.add_comment("spectrum", "Arrived while the console was open.")
        await expect(page.get_by_text("Arrived while the console was open.")).to_be_visible(timeout=5_000)
        await expect(page.locator(".waiting-count")).to_have_text("✉ 2 comments waiting")

    await context.close()
    assert len(checked) == 12
    assert not found, "\n\n".join(f"{name}:\n{text}" for name, text in found.items())


async def test_too_many_pairing_codes_are_refused_on_a_console_page(browser: Any, live_session: LiveSession, axe_script_path: Path) -> None:
    """The 429 of too many pairing codes: the console's page, every target at least 44 px tall, no axe findings."""
    from playwright.async_api import expect

    from conftest_intake import serving
    from sessions.intake import IntakeLimits

    async with serving(live_session, limits=IntakeLimits(pairing_tries=1, pairing_window=60)) as intake:
        context = await browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
        page = await context.new_page()
        await page.goto(intake.room_url + "console")
        await context.clear_cookies()  # a browser without its code asks for another
        refused = await page.goto(intake.room_url + "console")
        assert refused is not None and refused.status == 429
        await expect(page.get_by_role("heading", level=1)).to_have_text("Please wait")
        await expect(page.get_by_role("link", name="Pair this console")).to_be_visible()
        found = await refusal_problems(page, "too many codes", axe_script_path, javascript=True)
        await context.close()
    assert not found, "\n\n".join(f"{name}:\n{text}" for name, text in found.items())


PAGES = ("/console", "/console/comments", "/console/comments?view=wall", "/console/room", "/console/hands", "/console/lobby")


@pytest.mark.parametrize("width", [320, 360])
async def test_every_console_page_fits_a_small_phone_at_double_text(
    browser: Any, console_server: IntakeServer, live_session: LiveSession, width: int, tmp_path: Path
) -> None:
    session = live_session
    ids = fill_the_queue(session)
    session.moderate(ids[0], CommentState.PINNED)
    session.go_to(2)  # the grid: the most cells to count
    context = await browser.new_context(viewport={"width": width, "height": 640}, java_script_enabled=False)
    page = await context.new_page()
    await page.goto(console_server.room_url + "console")
    await check_layout(page, f"pairing at {width}px", tmp_path, double=False)
    await check_layout(page, f"pairing at {width}px, 200 % text", tmp_path, double=True)
    await pair_in_browser(page, console_server, javascript=False)
    for path in PAGES[1:]:
        await page.goto(console_server.room_url + path.lstrip("/"))
        await check_layout(page, f"{path} at {width}px", tmp_path, double=False)
        await check_layout(page, f"{path} at {width}px, 200 % text", tmp_path, double=True)
    await context.close()


async def check_layout(page: Any, where: str, tmp_path: Path, *, double: bool) -> None:
    if double:
        await page.evaluate(DOUBLE_ROOT_TEXT)
    try:
        scroll_width, client_width = await page.evaluate(OVERFLOW)
        assert scroll_width <= client_width, f"{where}: page {scroll_width}px wide in {client_width}px"
        spills = await page.evaluate(SPILLS)
        assert spills == [], f"{where}: {spills[:8]}"
        broken = await page.evaluate(BROKEN_WORDS)
        assert broken == [], f"{where}: words broken across lines: {broken[:12]}"
        small = await page.evaluate(SMALL_TARGETS)
        assert small == [], f"{where}: targets under 44 px: {small[:8]}"
    except AssertionError as problem:
        shot = tmp_path / (re.sub(r"\W+", "-", where) + ".png")
        await page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(f"{problem} (screenshot: {shot})") from None
    finally:
        if double:
            await page.reload()


async def test_a_facilitator_typing_is_told_when_the_session_changes(browser: Any, console_server: IntakeServer, live_session: LiveSession) -> None:
    """The console's notice sits outside its forms: the page still shows it, rather than reload over the words."""
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 360, "height": 740})
    page = await context.new_page()
    await pair_in_browser(page, console_server, javascript=True)
    box = page.locator("#heard-text")
    await box.fill("Two people said the rota is never discussed.")
    ana = live_session.join("Ana", Role.SERVICE_USER)[0]
    live_session.add_comment("welcome", "Nobody asked us about the new rota.", participant_id=ana.id, author=ana.name)
    await expect(page.locator(".moved")).to_be_visible(timeout=5000)
    await expect(box).to_have_value("Two people said the rota is never discussed.")
    await context.close()
