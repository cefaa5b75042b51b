"""The phone page at large text and at 200 % zoom, in Debian's Chromium.

WCAG 1.4.4 (resize text) and 1.4.10 (reflow): at double the text size, or
at 200 % zoom, on a 360 px and a 320 px phone, every word stays whole on
its line and nothing spills out of its box, on every kind of activity and
with the built-in session plans' real wording. Also: Back never brings a
stale choice back, an over-long comment is refused with its reason, and
"the room has moved on" appears where the person is typing. Each page is
checked as first shown and again with everything a person can make it
say (answers saved, the comment counter over the cap, the refusal's
reason, the moved-on notice), and axe-core's WCAG 2.2 AA rules pass on it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from accessibility import axe_violations, describe
from conftest_intake import launched_chromium, serving
from sessions import COMMENT_MAX, LiveSession, SessionStore, TemplateLibrary
from sessions.intake import IntakeLimits, IntakeServer
from sessions.intake._pages import comment_too_long

pytestmark = pytest.mark.browser

# Every built-in session plan: together they cover every kind the phone page draws, each in its own wording.
PLANS = tuple(entry.name for entry in TemplateLibrary().entries() if entry.builtin)

PHONES = {"360x740": (360, 740), "320x568": (320, 568)}

BROKEN_WORDS = r"""
() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  // A word piece; a line may end after a hyphen or a slash, which is not a broken word.
  const piece = /[^\s\-\u2010-\u2014\/]+[\-\u2010-\u2014\/]?/g;
  while ((node = walker.nextNode())) {
    const text = node.textContent;
    let match;
    piece.lastIndex = 0;
    while ((match = piece.exec(text))) {
      if (match[0].length < 2) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}
"""

SPILLS = r"""
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.display === 'inline' || el.getClientRects().length === 0) continue;
    if (['TEXTAREA', 'SELECT', 'INPUT', 'OPTION'].includes(el.tagName)) continue;
    const box = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' "' + (el.textContent || '').trim().slice(0, 30) + '"';
    if (el.scrollWidth > el.clientWidth + 1 && style.overflowX === 'visible') found.push('content wider than ' + name);
    if (box.right > width + 0.5 || box.left < -0.5) found.push('off screen: ' + name);
  }
  return found;
}
"""

OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"

DOUBLE_ROOT_TEXT = """
() => {
  const html = document.documentElement;
  const size = parseFloat(getComputedStyle(html).fontSize);
  html.style.setProperty('font-size', (2 * size) + 'px', 'important');
}
"""


def plan_session(root: Path, name: str) -> LiveSession:
    template = TemplateLibrary().find(name)
    assert template.path is not None
    return SessionStore(root).create(template, template.path.read_text(encoding="utf-8"))


@pytest.fixture(params=PLANS)
async def plan_server(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[IntakeServer]:
    session = plan_session(tmp_path / "sessions", request.param)
    session.add_target(
        next(a.id for a in session.template.activities if a.kind == "targets"),
        "Service users co-chair the quarterly involvement review",
        owner="Involvement lead and the user group",
        review_date="2027-01-31",
    )
    # The test moves the page itself: a page following the room on its own would race it.
    try:
        async with serving(session, limits=IntakeLimits(poll_interval=3600)) as intake:
            yield intake
    finally:
        session.close()


async def _join(page: Any, server: IntakeServer) -> None:
    await page.goto(server.join_url)
    await page.get_by_label("Your name (optional)").fill("Gwen")
    await page.get_by_role("button", name="Join").click()


async def _check_page(page: Any, where: str) -> None:
    broken = await page.evaluate(BROKEN_WORDS)
    assert broken == [], f"{where}: words broken across lines: {broken[:12]}"
    scroll_width, client_width = await page.evaluate(OVERFLOW)
    assert scroll_width <= client_width, f"{where}: page {scroll_width}px wide in {client_width}px"
    spills = await page.evaluate(SPILLS)
    assert spills == [], f"{where}: {spills[:8]}"


async def _enlarged_context(browser: Any, phone: str, enlarged: str) -> Any:
    width, height = PHONES[phone]
    if enlarged == "zoom-200":
        # 200 % zoom: each CSS pixel is two device pixels, so the page lays out in half the width.
        return await browser.new_context(viewport={"width": width // 2, "height": height // 2}, device_scale_factor=4, bypass_csp=True)
    return await browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=2, bypass_csp=True)


# Everything the page can be made to say, shown as a person would bring it about: the
# last (longest) choice of every group saved, the comment box over the cap, the server's
# refusal of it, and the moved-on notice in each form.
SAY_EVERYTHING = r"""
(refusal) => {
  for (const group of document.querySelectorAll('form.answers fieldset:not(:has(fieldset))')) {
    const radios = group.querySelectorAll('input[type=radio]');
    if (radios.length) radios[radios.length - 1].checked = true;
  }
  const box = document.getElementById('comment-text');
  if (box) {
    box.value = 'Staff decide the agenda and we are told afterwards. '.repeat(7);
    box.dispatchEvent(new Event('input', {bubbles: true}));
    document.getElementById('comment-error').textContent = refusal;
  }
  document.querySelectorAll('.moved').forEach(note => { note.hidden = false; });
}
"""


@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("enlarged", ["text-200", "zoom-200"])
async def test_every_activity_holds_at_large_text(
    browser: Any, plan_server: IntakeServer, axe_script_path: Path, phone: str, enlarged: str, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    context = await _enlarged_context(browser, phone, enlarged)
    page = await context.new_page()
    session = plan_server.session
    await _join(page, plan_server)
    refusal = comment_too_long(len(("Staff decide the agenda and we are told afterwards. " * 7).strip()))
    for index, activity in enumerate(session.template.activities):
        session.go_to(index)
        await page.goto(plan_server.room_url + "s")
        await page.wait_for_selector(f"body[data-version^='{index}.']")
        if enlarged == "text-200":
            await page.evaluate(DOUBLE_ROOT_TEXT)
        # Open every stage's practices: they must hold too.
        await page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        where = f"{session.template.name} {activity.kind} '{activity.title}' at {phone}, {enlarged}"
        try:
            await _check_page(page, where)
            if activity.votable:
                await page.evaluate(SAY_EVERYTHING, refusal)
                await page.locator("form.answers button[type=submit]").click()
                await expect(page.locator("form.answers .confirm")).to_contain_text("Saved: ")
            else:
                await page.evaluate(SAY_EVERYTHING, refusal)
            await expect(page.locator("#comment-count")).to_contain_text("characters too many")
            await _check_page(page, where + ", saying everything")
        except AssertionError as problem:
            shot = tmp_path / f"{activity.id}.png"
            await page.screenshot(path=str(shot), full_page=True)
            raise AssertionError(f"{problem} (screenshot: {shot})") from None
        violations = await axe_violations(page, axe_script_path)
        assert not violations, f"{where}:\n{describe(violations)}"
    await context.close()


@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("enlarged", ["text-200", "zoom-200"])
async def test_the_pages_before_joining_hold_at_large_text(
    browser: Any, spectrum_server: IntakeServer, axe_script_path: Path, phone: str, enlarged: str, tmp_path: Path
) -> None:
    """The room-code page (and its refusal), the join page with its role choices, and a page that says sorry."""
    context = await _enlarged_context(browser, phone, enlarged)
    page = await context.new_page()

    async def code_refused() -> None:
        await page.goto(spectrum_server.room_url)
        await page.get_by_label("Room code").fill("NOPE42")
        await page.get_by_role("button", name="Continue").click()
        await page.wait_for_selector(".error")

    steps = {
        "the room-code page": lambda: page.goto(spectrum_server.room_url),
        "the room code refused": code_refused,
        "the join page": lambda: page.goto(spectrum_server.join_url),
        "a page that is not there": lambda: page.goto(spectrum_server.room_url + "j/no-such-session"),
    }
    try:
        for where, step in steps.items():
            await step()
            if enlarged == "text-200":
                await page.evaluate(DOUBLE_ROOT_TEXT)
            try:
                await _check_page(page, f"{where} at {phone}, {enlarged}")
            except AssertionError as problem:
                shot = tmp_path / f"{where.replace(' ', '-')}.png"
                await page.screenshot(path=str(shot), full_page=True)
                raise AssertionError(f"{problem} (screenshot: {shot})") from None
            violations = await axe_violations(page, axe_script_path)
            assert not violations, f"{where} at {phone}, {enlarged}:\n{describe(violations)}"
    finally:
        await context.close()


# -- Back, the comment cap and the moved-on notice ------------------------------------


@pytest.fixture
async def spectrum_server(tmp_path: Path) -> AsyncIterator[IntakeServer]:
    session = plan_session(tmp_path / "sessions", "where-are-we")
    session.go_to(next(i for i, a in enumerate(session.template.activities) if a.kind == "spectrum"))
    try:
        async with serving(session, limits=IntakeLimits(poll_interval=0.5)) as intake:
            yield intake
    finally:
        session.close()


def _radio(page: Any, position: int) -> Any:
    return page.locator(f"input[type=radio][value='{position}']")


def _said(page: Any) -> Any:
    """What the page says went well: on a fresh page without JavaScript, below the button with it."""
    return page.locator(".saved:not(:empty), .confirm:not(:empty)")


@pytest.fixture
async def phone_browser(chromium_path: str) -> AsyncIterator[Any]:
    """Chromium with its back/forward cache on, as on a phone (Playwright turns it off by default)."""
    async with launched_chromium(chromium_path, ignore_default_args=["--disable-back-forward-cache"]) as chromium:
        yield chromium


FROM_MEMORY = "() => window.__involveLeftHere === true"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_back_never_restores_a_stale_choice(phone_browser: Any, spectrum_server: IntakeServer, javascript: bool) -> None:
    from playwright.async_api import expect

    context = await phone_browser.new_context(java_script_enabled=javascript)
    page = await context.new_page()
    await _join(page, spectrum_server)
    session = spectrum_server.session
    (participant_id,) = session.participants
    await _radio(page, 3).check()
    await page.get_by_role("button", name="Save my answer").click()
    await expect(_said(page)).to_contain_text("Saved: 3 ")
    # A choice left unsaved on this page, then a fresh page where 5 is saved.
    await _radio(page, 4).check()
    assert await page.locator("form.answers").get_attribute("autocomplete") == "off"
    await page.evaluate("() => { window.__involveLeftHere = true; }")  # gone if the page is fetched afresh
    fresh = await page.goto(spectrum_server.room_url + "s")
    assert fresh is not None and "no-store" in (await fresh.all_headers())["cache-control"]
    await _radio(page, 5).check()
    await page.get_by_role("button", name="Save my answer").click()
    await expect(_said(page)).to_contain_text("Saved: 5 ")
    assert session.vote_of(participant_id, "spectrum", "place").value == 5
    # Back to the page where 4 was left checked (with JavaScript a save adds no page
    # to the history; without it, each save is a page): it shows what is on record,
    # fetched afresh rather than brought back from the browser's memory.
    for _ in range(1 if javascript else 2):
        await page.go_back(wait_until="commit")  # a page out of memory fires no load event
        # Let the page it went to be drawn before going back again: a second go_back while the
        # first is still committing found no page attached ("Not attached to an active page").
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("spectrum"))
    await expect(_radio(page, 5)).to_be_checked()
    for stale in (3, 4):
        await expect(_radio(page, stale)).not_to_be_checked()
    assert not await page.evaluate(FROM_MEMORY), "the page came back from the back/forward cache"
    await context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_an_over_long_comment_is_refused_with_its_reason(browser: Any, spectrum_server: IntakeServer, javascript: bool) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(java_script_enabled=javascript)
    page = await context.new_page()
    await _join(page, spectrum_server)
    box = page.get_by_label("Your comment")
    text = ("Staff decide the agenda and we are told afterwards. " * 7).strip()
    over = len(text) - COMMENT_MAX
    assert over > 0
    counter = page.locator("#comment-count")
    # Without JavaScript the counter says the cap; with it, it counts.
    await expect(counter).to_have_text(f"0 of {COMMENT_MAX} characters" if javascript else f"Up to {COMMENT_MAX} characters.")
    topic = page.get_by_label("What is it about?")
    await topic.select_option(label="Good involvement")
    chosen = await topic.input_value()
    await box.fill(text)
    # The whole text is in the box: nothing was cut as it was typed or pasted.
    assert await box.input_value() == text
    if javascript:
        await expect(counter).to_have_text(f"{over} characters too many: comments can be up to {COMMENT_MAX}. Shorten it before sending.")
    await page.get_by_role("button", name="Send comment").click()
    if javascript:
        # Refused before sending, the box keeps the focus and every word.
        await expect(box).to_be_focused()
        await expect(box).to_have_attribute("aria-invalid", "true")
    else:
        await expect(page.locator("#comment-error")).to_have_text(
            f"Your comment is {len(text)} characters long; comments can be up to {COMMENT_MAX}. Nothing was sent: shorten it and send it again."
        )
        await expect(counter).to_contain_text(f"{over} characters too many")
    await expect(_said(page)).to_have_count(0)
    assert await box.input_value() == text
    await expect(topic).to_have_value(chosen)  # what it was about is still chosen
    assert spectrum_server.session.comments == {}
    # Shortened, it goes through, and the counter says how much room is left on the way.
    await box.fill(text[:COMMENT_MAX])
    if javascript:
        await expect(counter).to_have_text(f"{COMMENT_MAX} of {COMMENT_MAX} characters")
    await page.get_by_role("button", name="Send comment").click()
    await expect(_said(page)).to_contain_text("Thanks")
    assert [c.text for c in spectrum_server.session.comments.values()] == [text[:COMMENT_MAX].strip()]
    await context.close()


async def test_the_room_moving_on_is_said_beside_the_choices_being_made(browser: Any, spectrum_server: IntakeServer) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 360, "height": 740})
    page = await context.new_page()
    await _join(page, spectrum_server)
    await _radio(page, 4).check()
    spectrum_server.session.go_to(spectrum_server.session.current_index + 1)
    note = page.locator("form.answers .moved")
    await expect(note).to_be_visible(timeout=5000)
    await expect(page.locator("form.comment .moved")).to_be_hidden()
    # Straight after the choices, within a screen of the radio just pressed.
    radio_box = await _radio(page, 4).bounding_box()
    note_box = await note.bounding_box()
    assert radio_box is not None and note_box is not None
    assert 0 < note_box["y"] - radio_box["y"] < 740
    await expect(_radio(page, 4)).to_be_checked()
    await context.close()


@pytest.mark.parametrize("enlarged", [False, True], ids=["text-100", "text-200"])
@pytest.mark.parametrize("touched", ["grid radio", "comment box"])
async def test_the_room_moving_on_is_said_where_the_person_is(browser: Any, tmp_path: Path, touched: str, enlarged: bool) -> None:
    """On the longest form (the grid), right under the choice touched or the comment being typed, within a screen of it."""
    from playwright.async_api import expect

    session = plan_session(tmp_path / "sessions", "where-are-we")
    grid = next(i for i, a in enumerate(session.template.activities) if a.kind == "grid")
    session.go_to(grid)
    intake = IntakeServer(session, host="127.0.0.1", port=0, limits=IntakeLimits(poll_interval=0.5))
    await intake.start()
    context = await browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = await context.new_page()
        await _join(page, intake)
        await page.wait_for_selector(f"body[data-version^='{grid}.']")
        if enlarged:
            await page.evaluate(DOUBLE_ROOT_TEXT)
        if touched == "grid radio":
            field = page.locator("input[type=radio][name='setting:now'][value='2']")
            await field.check()
            form, other = "form.answers", "form.comment"
        else:
            field = page.get_by_label("Your comment")
            await field.fill("We were not asked about the new rota.")
            form, other = "form.comment", "form.answers"
        session.go_to(grid + 1)
        note = page.locator(f"{form} .moved")
        await expect(note).to_be_visible(timeout=5000)
        await expect(page.locator(f"{other} .moved")).to_be_hidden()
        field_box = await field.bounding_box()
        note_box = await note.bounding_box()
        assert field_box is not None and note_box is not None
        assert 0 < note_box["y"] - field_box["y"] < 740 - note_box["height"], f"{touched}: notice {note_box} not within a screen of the field {field_box}"
        await _check_page(page, f"the moved-on notice by the {touched}")
        if touched == "comment box":
            await expect(field).to_have_value("We were not asked about the new rota.")
        else:
            await expect(field).to_be_checked()
    finally:
        await context.close()
        await intake.stop()
        session.close()
