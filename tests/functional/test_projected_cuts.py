"""Nothing the room needs is cut, or left where no key can bring it into view.

test_snapshot_matrix reads the text of every picture it takes (every activity kind, hidden
and revealed, split or not, at each size, in both themes) and fails on a cut in the visible
frame. This reads the rest: every case (hidden-and-split, drawn as hidden and so not
pictured, and the spectrum's practices panel too) at 80x24, 100x30 and 160x45, paged down
to the end of its body, and the progress review the same way. A cut is '…' straight after a letter or digit (a median, a gap, a
count, a group's name, a review date, an indicator statement or a stage name cut short); a
line of the body that Page Down never brings onto the screen is cut too, and End reaches
the bottom.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from app_fixtures import fixed_session, make_app, make_config, screen_text, squeeze
from projected_screens import CASES, PRACTICES, SIZES, Case, body_scroll, case_app, cuts, open_review, review_app, scrolled_frames, unreachable
from screens import KeyFooter
from screens._activity_view import Canvas

SCANNED = (*CASES, PRACTICES)


async def settle(pilot) -> None:
    for _ in range(6):
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("case", SCANNED, ids=lambda case: case.name)
async def test_nothing_the_room_needs_is_cut_or_out_of_reach(case: Case, size: tuple[int, int], tmp_path: Path) -> None:
    app = case_app(case, tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in case.keys:
            await pilot.press(key)
        await settle(pilot)
        frames = await scrolled_frames(pilot, settle)
        missing = unreachable(app, frames)
        scroll = body_scroll(app)
        at_end = []
        if scroll is not None:
            at_end.append(scroll.scroll_y == scroll.max_scroll_y)
            await pilot.press("home")
            await settle(pilot)
            at_end.append(scroll.scroll_y == 0)
            await pilot.press("end")
            await settle(pilot)
            at_end.append(scroll.scroll_y == scroll.max_scroll_y)
    text = "\n".join(frames)
    assert frames[0].strip(), "nothing drawn"
    assert cuts(text) == [], f"cut with '…' on {case.name} at {size}:\n{text}"
    assert missing == [], f"out of reach on {case.name} at {size}, Page Down never shows:\n" + "\n".join(missing)
    assert all(at_end), f"Page Down, Home and End on {case.name} at {size}: {at_end}"


@pytest.mark.parametrize("room_view", [False, True], ids=["keys", "room-view"])
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_the_progress_review_is_never_cut_and_reaches_its_end(size: tuple[int, int], room_view: bool, tmp_path: Path) -> None:
    """The review's widest figures ('5 of 11 (45%) → 3 of 9 (33%)'), labels, stage names, dates and the keys themselves stay whole."""
    app, baseline = review_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if room_view:
            await pilot.press("z")
        open_review(app, baseline)
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        keys = [f"{key.key_display} {key.description}" for key in footer.query(FooterKey) if key.display and key.region.area]
        keys_cut = [key for key in keys if key not in screen_text(app)]
        frames = await scrolled_frames(pilot, settle)
        missing = unreachable(app, frames)
        scroll = body_scroll(app)
        assert scroll is not None
        at_end = [scroll.scroll_y == scroll.max_scroll_y]
        await pilot.press("home")
        await settle(pilot)
        at_end.append(scroll.scroll_y == 0)
        await pilot.press("end")
        await settle(pilot)
        at_end.append(scroll.scroll_y == scroll.max_scroll_y)
    baseline.close()
    text = "\n".join(frames)
    assert "Progress review" in frames[0] and "Source:" in frames[-1]
    assert cuts(text) == [], f"cut with '…' on the review at {size}:\n{text}"
    assert missing == [], f"out of reach on the review at {size}, Page Down never shows:\n" + "\n".join(missing)
    assert all(at_end), f"Page Down, Home and End on the review at {size}: {at_end}"
    assert keys and keys_cut == [], f"footer keys cut on the review at {size}: {keys_cut}"


DOWN_CASES = tuple(case for case in CASES if case.name in ("spectrum-revealed-split", "grid-revealed-split", "indicators-hidden", "questions"))


@pytest.mark.parametrize("case", DOWN_CASES, ids=lambda case: case.name)
async def test_down_moves_the_selection_then_scrolls_to_the_end_of_the_body_at_80x24(case: Case, tmp_path: Path) -> None:
    """Past the selection's last row Down scrolls on, so the figures under a chart are reached with the arrows alone."""
    app = case_app(case, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        scroll = body_scroll(app)
        assert scroll is not None and scroll.max_scroll_y > 0, "the case is taller than the screen"
        for _ in range(30):
            await pilot.press("down")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y


async def test_a_vote_arriving_leaves_a_revealed_body_where_the_room_scrolled_it_at_80x24(tmp_path: Path) -> None:
    """End shows the figures under the revealed chart; a phone's vote redraws them and the body stays at the end."""
    case = next(case for case in CASES if case.name == "indicators-revealed")
    app = case_app(case, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        scroll = body_scroll(app)
        assert scroll is not None and scroll.max_scroll_y > 0, "the revealed indicators are taller than 80x24"
        await pilot.press("end")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y > 0
        canvas = app.screen.query_one("#body", Canvas)
        drawn = canvas.drawing(canvas.size.width).plain
        session = app.session
        assert session is not None
        activity = session.current_activity
        pid = session.join("Ola", "service_user")[0].id  # a phone joins and answers, as through the phone page
        session.cast_vote(pid, activity.id, activity.statements[0].id, "met")
        await settle(pilot)
        await settle(pilot)
        assert canvas.drawing(canvas.size.width).plain != drawn, "the vote was drawn"
        assert scroll.max_scroll_y > 0 and scroll.scroll_y == scroll.max_scroll_y, "the body stayed at the end"


LONG_TARGET = (
    "Service users and carers co-chair the governance meeting, set its agenda with the staff lead, "
    "and see its papers a week before it, in plain words, with a named person to ask about them"
)


@pytest.mark.parametrize("room_view", [False, True], ids=["keys", "room-view"])
async def test_down_and_end_reach_the_last_line_of_long_targets_at_80x24(room_view: bool, tmp_path: Path) -> None:
    """Down moves to the last target, then scrolls on to its last line; Up comes back to the top; End and Home too."""
    config = make_config(tmp_path)
    session = fixed_session(config, current="targets")
    for number in range(3, 9):
        session.add_target("targets", f"{LONG_TARGET} (target {number}).", owner=f"Ward team {number} and the service user group", review_date="2027-06-30")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        if room_view:
            await pilot.press("z")
            await settle(pilot)
        scroll = body_scroll(app)
        assert scroll is not None and scroll.max_scroll_y > 10, "the targets are far taller than the screen"
        view = app.screen.query_one("TargetsView")
        for _ in range(40):
            await pilot.press("down")
        await settle(pilot)
        assert view.selected == len(view.targets) - 1
        assert scroll.scroll_y == scroll.max_scroll_y, "Down at the last target scrolls on to the end"
        canvas = app.screen.query_one("#body", Canvas)
        last = [line.plain.strip() for line in canvas.drawing(canvas.size.width).wrap(canvas.size.width) if line.plain.strip()][-1]
        assert last in screen_text(app) and "Ward team 8" in screen_text(app), f"the body's last line, {last!r}, and the last target's owner are on the screen"
        for _ in range(40):
            await pilot.press("up")
        await settle(pilot)
        assert view.selected == 0 and scroll.scroll_y == 0, "Up at the first target scrolls back to the top"
        await pilot.press("end")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("home")
        await settle(pilot)
        assert scroll.scroll_y == 0


INDICATOR_CASES = tuple(case for case in CASES if case.kind == "indicators")


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("case", INDICATOR_CASES, ids=lambda case: case.name)
async def test_every_indicator_keeps_its_words_whatever_the_height(case: Case, size: tuple[int, int], tmp_path: Path) -> None:
    """A statement's name alone does not say what the room is judging; where they do not all fit, the body scrolls."""
    app = case_app(case, tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        canvas = app.screen.query_one("#body", Canvas)
        drawn = squeeze(canvas.drawing(canvas.size.width).plain)
        statements = app.session.current_activity.statements
    missing = [statement.name for statement in statements if squeeze(f"{statement.name} — {statement.text}") not in drawn]
    assert statements and missing == [], f"{case.name} at {size} shows only the name of: {missing}"
