"""The activity views driven from the keyboard with Pilot, on a real LiveSession."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.app import App

from screens._grid_view import GridView
from screens._review_screen import ReviewScreen
from screens._target_form import TargetForm
from sessions import SPECTRUM_ITEM, LiveSession, Role, SessionStore, TemplateLibrary, numbers
from view_harness import ViewHarness, make_session, screen_text

SIZE = (100, 30)
SMALL = (80, 24)


@pytest.fixture
def session(tmp_path: Path) -> LiveSession:
    live = make_session(tmp_path / "store")
    yield live
    live.close()


def vote(session: LiveSession, role: Role | None, activity: str, item: str, value) -> None:
    participant, _ = session.join("", role)
    session.cast_vote(participant.id, activity, item, value)


# -- keyboard tallies ---------------------------------------------------------------------


async def test_typing_a_count_and_enter_sets_the_tally(session: LiveSession) -> None:
    app = ViewHarness(session, "spectrum")
    async with app.run_test(size=SIZE) as pilot:
        assert app.view.has_focus
        await pilot.press("right")  # from the middle (5) to 6
        await pilot.press("3", "0")
        await pilot.pause()
        assert "→ 30▌" in screen_text(app)
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 6) == 0  # nothing set before Enter
        await pilot.press("enter")
        await pilot.pause()
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 6) == 30
        assert [(m.item, m.value, m.count, m.role) for m in app.recorded] == [(SPECTRUM_ITEM, 6, 30, None)]
        text = screen_text(app)
        assert "30 answers so far" in text
        assert "hands (everyone): 30" in text
        assert "→" not in text.split("hands (everyone)")[1].split("\n")[0]


async def test_a_count_being_typed_stays_in_sight_when_results_are_revealed(session: LiveSession) -> None:
    """r (or the console's Reveal) while a count is typed once hid the count and its cursor, and
    Enter then set it unseen; the count and where it goes stay on screen until Enter or Esc."""
    app = ViewHarness(session, "spectrum")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "3", "0")
        await pilot.pause()
        app.view.revealed = True
        await pilot.pause()
        text = screen_text(app)
        assert "→ 30▌" in text, text
        assert "[6]" in text, "the cursor still shows where the count goes"
        await pilot.press("enter")
        await pilot.pause()
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 6) == 30
        await pilot.press("escape")  # done counting: the brackets leave the room's results
        await pilot.pause()
        assert "[6]" not in screen_text(app)


async def test_backspace_edits_and_escape_cancels_typing(session: LiveSession) -> None:
    app = ViewHarness(session, "spectrum")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "4", "backspace", "enter")
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 5) == 3
        await pilot.press("9", "escape", "enter")
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 5) == 3
        assert app.view.typed == ""
        # With nothing typed, escape is not the view's: it goes on to the screen.
        assert app.view.check_action("cancel_count", ()) is False


async def test_plus_and_minus_adjust_by_one(session: LiveSession) -> None:
    app = ViewHarness(session, "spectrum")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("+", "+", "=", "-")
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 5) == 2
        await pilot.press("-", "-", "-")
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 5) == 0
        assert [m.count for m in app.recorded] == [1, 2, 3, 2, 1, 0, 0]


async def test_g_cycles_the_group_a_count_is_for(session: LiveSession) -> None:
    app = ViewHarness(session, "spectrum")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4", "enter")
        await pilot.press("g")
        await pilot.pause()
        assert "hands (service users): 0" in screen_text(app)
        await pilot.press("5", "enter")
        await pilot.press("g", "g")
        await pilot.pause()
        assert "hands (staff): 0" in screen_text(app)
        await pilot.press("+")
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 5) == 4
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 5, Role.SERVICE_USER) == 5
        assert session.tally_count("spectrum", SPECTRUM_ITEM, 5, Role.STAFF) == 1
        await pilot.press("g", "g")
        await pilot.pause()
        assert app.view.tally_group is None
        assert "hands (everyone): 4" in screen_text(app)


async def test_thirty_hands_in_three_keys_for_every_countable_kind(session: LiveSession) -> None:
    for activity, item, value in (("grid", "individual:now", 1), ("indicators", "valuing", "met")):
        app = ViewHarness(session, activity)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("3", "0", "enter")
        assert session.tally_count(activity, item, value) == 30


# -- selection -----------------------------------------------------------------------------


async def test_grid_selection_moves_over_six_columns_and_five_levels(session: LiveSession) -> None:
    app = ViewHarness(session, "grid")
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        assert isinstance(view, GridView)
        await pilot.press("right", "up", "up")
        choice = view.choice()
        assert (choice.item, choice.value) == ("individual:target", 3)
        await pilot.press(*["right"] * 9, *["up"] * 9)
        choice = view.choice()
        assert (choice.item, choice.value) == ("policy:target", 5)
        await pilot.press("left", "down")
        assert (view.choice().item, view.choice().value) == ("policy:now", 4)
        await pilot.press("7", "enter")
        assert session.tally_count("grid", "policy:now", 4) == 7
        await pilot.pause()
        text = screen_text(app)
        assert "Policy, now: level 4 Collaboration · hands (everyone): 7" in text
        assert "[7]" in text  # the hidden grid shows the selected cell's hand count


async def test_spectrum_selection_stays_on_the_scale(session: LiveSession) -> None:
    app = ViewHarness(session, "spectrum")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["left"] * 12)
        await pilot.pause()
        assert app.view.choice().value == 1
        assert "Position 1 (Beginnings of involvement)" in screen_text(app)
        assert "[1]" in screen_text(app)
        await pilot.press(*["right"] * 12)
        await pilot.pause()
        assert app.view.choice().value == 9
        assert "Position 9 (Service-user led)" in screen_text(app)


async def test_indicators_selection_is_statement_by_answer(session: LiveSession) -> None:
    app = ViewHarness(session, "indicators")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "right", "right", "right")
        choice = app.view.choice()
        assert (choice.item, choice.value) == ("learning", "not_met")
        await pilot.press("2", "enter")
        assert session.tally_count("indicators", "learning", "not_met") == 2
        await pilot.pause()
        assert "▸ Learning" in screen_text(app)
        assert "[✘ Not met]" in screen_text(app)


async def test_indicator_statements_are_never_cut(session: LiveSession) -> None:
    """At 80x24 every statement reads whole, name and words, never cut with '…': the body scrolls to the last one."""
    statements = {s.id: s for s in session.template.activity("indicators").statements}
    app = ViewHarness(session, "indicators")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("down", "down")
        await pilot.pause()
        text = screen_text(app)
        flowing = " ".join(text.split())
        learning = statements["learning"]
        assert f"▸ {learning.name} — {' '.join(learning.text.split())}" in flowing
        assert "…" not in text
        last = list(statements.values())[-1]
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert f"{last.name} — {' '.join(last.text.split())}" in " ".join(text.split())
        assert "…" not in text
    app = ViewHarness(session, "indicators")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        flowing = " ".join(screen_text(app).split())
        for statement in statements.values():  # room for every statement whole
            assert f"{statement.name} — {' '.join(statement.text.split())}" in flowing


@pytest.mark.parametrize("size", [SMALL, SIZE, (160, 45)], ids=lambda size: f"{size[0]}x{size[1]}")
async def test_the_practices_panel_shows_every_practice_of_every_stage(session: LiveSession, size: tuple[int, int]) -> None:
    """d opens the practices: each stage's name whole and all its practices, the last reached by scrolling down."""
    from textual.containers import VerticalScroll

    stages = session.template.activity("spectrum").stages
    app = ViewHarness(session, "spectrum")
    async with app.run_test(size=size) as pilot:
        await pilot.press("d")
        await pilot.pause()
        body = app.view.query_one("#body").render().plain.splitlines()
        # Side by side, each stage is a column between '│'s; read the columns one after another.
        columns: dict[int, list[str]] = {}
        for line in body:
            for index, part in enumerate(line.split(" │ ") if " │ " in line else [line]):
                columns.setdefault(index, []).append(part)
        drawn = " ".join(" ".join(" ".join(column).split()) for column in columns.values())
        for stage in stages:
            assert stage.name in drawn
            for practice in stage.practices:
                assert " ".join(practice.split()) in drawn, practice
        assert "…" not in drawn
        for _ in range(30):
            await pilot.press("down")
        await pilot.pause()
        scroll = app.view.query_one(VerticalScroll)
        assert scroll.scroll_y == scroll.max_scroll_y
        last = stages[-1].practices[-1].split()[-1]
        assert last in screen_text(app)


# -- hidden and revealed --------------------------------------------------------------------


async def test_hidden_results_show_the_question_not_the_answers(session: LiveSession) -> None:
    for _ in range(7):
        vote(session, Role.STAFF, "spectrum", SPECTRUM_ITEM, 4)
    session.set_tally("spectrum", SPECTRUM_ITEM, 4, 5)
    app = ViewHarness(session, "spectrum")
    async with app.run_test(size=SIZE) as pilot:
        text = screen_text(app)
        assert "Where do we sit on the leadership spectrum?" in text
        assert "Beginnings of involvement" in text and "Service-user led" in text
        assert "12 answers so far · results hidden" in text and "press r" not in text.lower()
        assert "median" not in text and "▲" not in text and "█" not in text
        app.view.revealed = True
        await pilot.press("left")  # to position 4
        await pilot.pause()
        text = screen_text(app)
        assert "results hidden" not in text
        assert "12 answers (5 by hand) · results shown" in text
        assert "Position 4 (Nearly Good involvement): 12 (5 by hand)" in text
        assert f"▲ median {numbers.median(4.0)}" in text and "median 4.0" not in text
        assert "█" in text


async def test_one_phone_answer_beside_hands_is_held_back_and_the_screen_says_so(session: LiveSession) -> None:
    """One service user on a phone says Met; four hands are counted (2 Met, 2 Not met). "Met 3" would name the
    phone's answer, since the room watched the hands, so the room sees the hands alone and a note says why."""
    vote(session, Role.SERVICE_USER, "indicators", "valuing", "met")
    session.set_tally("indicators", "valuing", "met", 2)
    session.set_tally("indicators", "valuing", "not_met", 2)
    note = "1 answer from a phone is not shown: with fewer than 3 on phones, it could be told apart from the hands counted."
    app = ViewHarness(session, "indicators", revealed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "✔ Met 2" in text and "✘ Not met 2" in text and "Met 3" not in text
        assert " ".join(text.split()).count(f"⚠ {note}") == 1, text
        assert "by hand)" not in text.replace("5 answers (4 by hand)", ""), text
        await pilot.press("right", "left")  # counting again: the cursor and the status line's count come back
        await pilot.pause()
        text = screen_text(app)
        assert "✔ Met: 2 · hands (everyone): 2" in text, text
        assert "by hand)" not in text.replace("5 answers (4 by hand)", ""), text
        app.view.split = True
        await pilot.pause()
        text = screen_text(app)
        assert "Splitting by role would single out 1 service user or carer." in text and "Met 3" not in text
        app.view.split = False
        app.view.revealed = False
        await pilot.pause()
        assert "answer from a phone" not in screen_text(app), "no note while results are hidden"
        # A third phone answers: everything is shown again, and the note goes.
        vote(session, Role.STAFF, "indicators", "valuing", "met")
        vote(session, Role.STAFF, "indicators", "valuing", "met")
        app.view.revealed = True
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert "✔ Met 5" in text and "answer from a phone" not in text, text


async def test_the_spread_reads_as_where_half_the_room_is(session: LiveSession) -> None:
    """A room cannot read "spread 0.75"; it can read where the middle half of its answers lie."""
    for value in (6, 6, 6):
        vote(session, None, "spectrum", SPECTRUM_ITEM, value)
    app = ViewHarness(session, "spectrum", revealed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "median 6 — Just past Good involvement Middle half of the answers: 6." in text
        assert "spread" not in text
        for value in (2, 3, 9):
            vote(session, None, "spectrum", SPECTRUM_ITEM, value)
        await pilot.pause()
        positions = app.view.overall.positions
        low, high = numbers.median(positions.lower_quartile), numbers.median(positions.upper_quartile)
        assert low != high
        assert f"Middle half of the answers: {low} to {high}." in " ".join(screen_text(app).split())


async def test_new_votes_appear_when_the_shell_refreshes(session: LiveSession) -> None:
    app = ViewHarness(session, "indicators", revealed=True)
    async with app.run_test(size=SIZE) as pilot:
        assert "✔ Met 0" in screen_text(app)
        for _ in range(3):
            vote(session, None, "indicators", "valuing", "met")
        await pilot.pause()
        assert "✔ Met 3" in screen_text(app)
        assert app.refreshes == 1  # the burst of three votes, one redraw


async def test_a_group_the_room_saw_held_back_stays_held_back_on_screen_when_it_grows(session: LiveSession) -> None:
    """The audit's case: five staff and one service user revealed ("8: 1" of 6), then two carers answer by phone.
    Staff "8: 0" now, beside the room's earlier "8: 1", would tell everyone the service user chose 8."""
    vote(session, Role.SERVICE_USER, "spectrum", SPECTRUM_ITEM, 8)
    for position in (3, 4, 3, 4, 3):
        vote(session, Role.STAFF, "spectrum", SPECTRUM_ITEM, position)
    app = ViewHarness(session, "spectrum", revealed=True)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        vote(session, Role.CARER, "spectrum", SPECTRUM_ITEM, 6)
        vote(session, Role.CARER, "spectrum", SPECTRUM_ITEM, 7)
        app.view.split = True
        await pilot.pause()
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "Splitting by role would give away answers held back when the room saw these results earlier." in text
        assert "Staff" not in text.replace("Staff hear", ""), text
        assert not app.view.showing_split


async def test_split_is_refused_while_more_phones_joined_than_the_head_count(session: LiveSession) -> None:
    """One browser can join as several service users and make the group look big enough: the screen refuses in words."""
    for position in (3, 4, 3):
        vote(session, Role.STAFF, "spectrum", SPECTRUM_ITEM, position)
    for position in (7, 8, 7):
        vote(session, Role.SERVICE_USER, "spectrum", SPECTRUM_ITEM, position)
    session.set_head_count(4)
    app = ViewHarness(session, "spectrum", revealed=True, split=True)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "6 phones have joined, more than the head count of 4" in text, text
        assert not app.view.showing_split
        session.set_head_count(6)
        await pilot.pause()
        await pilot.pause()
        assert app.view.showing_split


async def test_split_suppresses_groups_under_three(session: LiveSession) -> None:
    for value in (3, 3, 4, 5):
        vote(session, Role.STAFF, "spectrum", SPECTRUM_ITEM, value)
    for value in (7, 8):
        vote(session, Role.SERVICE_USER, "spectrum", SPECTRUM_ITEM, value)
    app = ViewHarness(session, "spectrum", revealed=True, split=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        # Staff beside the room's total would give the two service users' answers away.
        assert "Staff (4)" not in text and "Staff: ▲" not in text
        assert "Splitting by role would single out 2 service users or carers." in text
        assert "Everyone: ▲ median" in text
        # Three others join. The room saw the whole room with staff held back: staff shown now, beside that
        # earlier figure, would give the two service users' answers away, so they stay held back.
        vote(session, None, "spectrum", SPECTRUM_ITEM, 2)
        vote(session, Role.OTHER, "spectrum", SPECTRUM_ITEM, 6)
        vote(session, Role.OTHER, "spectrum", SPECTRUM_ITEM, 4)
        await pilot.pause()
        text = screen_text(app)
        assert "Staff (4)" not in text and "Staff: ▲" not in text
        assert "Splitting by role would single out 2 service users or carers." in text


async def test_split_shows_large_groups_and_keeps_back_a_group_the_room_saw_too_small(session: LiveSession) -> None:
    for value in (3, 3, 4, 5):
        vote(session, Role.STAFF, "spectrum", SPECTRUM_ITEM, value)
    for value in (7, 8):
        vote(session, Role.SERVICE_USER, "spectrum", SPECTRUM_ITEM, value)
    # Three others make a remainder nobody can be picked out of: staff are shown, with the reason beside them.
    vote(session, None, "spectrum", SPECTRUM_ITEM, 2)
    vote(session, Role.OTHER, "spectrum", SPECTRUM_ITEM, 6)
    vote(session, Role.OTHER, "spectrum", SPECTRUM_ITEM, 4)
    app = ViewHarness(session, "spectrum", revealed=True, split=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Staff (4)" in text
        assert "Staff: ▲ median 3.5" in text
        right_column = " ".join(line.split("│")[1].strip() for line in text.splitlines() if "│" in line)
        assert "fewer than 3 — not shown separately" in " ".join(right_column.split())
        assert "Service users and carers: ▲" not in text
        # A third service user: the room saw the group held back as two, so it stays held back, saying why.
        vote(session, Role.CARER, "spectrum", SPECTRUM_ITEM, 8)
        await pilot.pause()
        text = screen_text(app)
        assert "Service users and carers: ▲" not in text and "Staff (4)" in text
        right_column = " ".join(line.split("│")[1].strip() for line in text.splitlines() if "│" in line)
        assert "held back when the room saw these results earlier" in " ".join(right_column.split())


async def test_grid_shows_medians_and_the_gap_per_area(session: LiveSession) -> None:
    for now, target in ((2, 4), (2, 4), (3, 5)):
        participant, _ = session.join("", Role.STAFF)
        session.cast_vote(participant.id, "grid", "individual:now", now)
        session.cast_vote(participant.id, "grid", "individual:target", target)
    session.set_tally("grid", "setting:now", 1, 4)
    app = ViewHarness(session, "grid", revealed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert f"now ● {numbers.median(2.0)} → target ◆ {numbers.median(4.0)}, gap {numbers.signed(2.0)}" in text
        assert "now ● 1 → target ◆ –, gap – · 4 answers (4 by hand)" in text
        rows = {line.split()[1]: line for line in text.splitlines() if line.strip()[:2] in {"5 ", "4 ", "2 ", "1 ", "▸1"}}
        assert "●" in rows["Limited"] and "◆" in rows["Collaboration"]
        # The split: staff shown, service users and carers too few.
        app.view.split = True
        await pilot.pause()
        text = screen_text(app)
        assert "Staff (3)" in text
        assert "● 2 → ◆ 4, gap +2" in text
        assert "no answers yet" in text


# -- targets ------------------------------------------------------------------------------


async def test_targets_add_edit_and_remove_through_the_form(session: LiveSession) -> None:
    app = ViewHarness(session, "targets")
    async with app.run_test(size=SIZE) as pilot:
        assert "No targets yet." in screen_text(app) and "Press a" not in screen_text(app)
        await pilot.press("a")
        assert isinstance(app.screen, TargetForm)
        await pilot.press(*"Peer worker on panels", "enter")
        await pilot.press(*"Ward manager", "enter")
        await pilot.press(*"31/03/2027", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TargetForm)  # refused: the date is not YYYY-MM-DD
        assert "YYYY-MM-DD" in screen_text(app)
        assert not session.targets
        await pilot.press(*["backspace"] * 10, *"2027-02-30", "enter")
        await pilot.pause()
        assert "There is no 2027-02-30 in the calendar" in screen_text(app)
        assert app.screen.focused is app.screen.query_one("#review")  # back where the fix belongs
        # A date already gone is a slip of the year: refused, said plainly, nothing saved.
        last_year = date.today().year - 1
        await pilot.press(*["backspace"] * 10, *f"{last_year}-03-31", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TargetForm)
        assert f"31 March {last_year} has already passed" in " ".join(screen_text(app).split())
        assert not session.targets
        next_year = date.today().year + 1  # a fixed year would become a past one as the calendar moves on
        await pilot.press(*["backspace"] * 10, *f"{next_year}-03-31", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, TargetForm)
        (target,) = session.targets.values()
        assert (target.text, target.owner, target.review_date) == ("Peer worker on panels", "Ward manager", date(next_year, 3, 31))
        assert f"Who: Ward manager · Review by: 31 March {next_year}" in screen_text(app)

        await pilot.press("enter")  # edit the selected target
        assert isinstance(app.screen, TargetForm)
        await pilot.press("tab", *["backspace"] * 12, *"Peer lead", "enter", "enter")
        await pilot.pause()
        assert session.targets[target.id].owner == "Peer lead"
        assert session.targets[target.id].text == "Peer worker on panels"

        await pilot.press("delete", "n")
        await pilot.pause()
        assert target.id in session.targets  # kept
        await pilot.press("delete", "y")
        await pilot.pause()
        assert not session.targets
        assert "No targets yet" in screen_text(app)


async def test_an_empty_target_is_refused_with_the_reason(session: LiveSession) -> None:
    app = ViewHarness(session, "targets")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "enter", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TargetForm)
        assert "A target needs a description." in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TargetForm)
        assert not session.targets


async def test_more_targets_than_suggested_brings_a_gentle_note(session: LiveSession) -> None:
    app = ViewHarness(session, "targets")
    async with app.run_test(size=SIZE) as pilot:
        for text in ("One", "Two"):
            session.add_target("targets", text)
        await pilot.pause()
        assert "gentle note" not in screen_text(app)
        session.add_target("targets", "Three")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "suggests one or two targets at a time" in text
        assert "There are 3 here" in text


# -- hostile text ----------------------------------------------------------------------------


HOSTILE_TEMPLATE = '''
[template]
name = "hostile"
title = "Hostile"

[[activities]]
kind = "spectrum"
id = "spectrum"
title = "[bold red]Where[/] [@click=app.quit]now?[/]"
prompt = "Pick [link=https://example.org]here[/link]"

[[activities.stages]]
name = "[b]First[/b]"
practices = ["[@click=app.quit]quit[/]"]

[[activities.stages]]
name = "Second $x"

[[activities]]
kind = "questions"
id = "talk"
title = "Talk"

[[activities.questions]]
id = "q1"
name = "Why [i]so[/i]?"
'''


async def test_hostile_comment_on_a_question_shows_verbatim_and_cannot_act(tmp_path: Path) -> None:
    session = make_session(tmp_path, "user-group-health-check")
    try:
        comment = session.add_comment("running", "[  @click=app.quit]x[/]", item="chair")
        session.moderate(comment.id, "approved")
        session.moderate(session.add_comment("running", "not for the room", item="chair").id, "hidden")
        app = ViewHarness(session, "running")
        async with app.run_test(size=SIZE) as pilot:
            text = screen_text(app)
            assert "❝ [  @click=app.quit]x[/]" in text
            assert "not for the room" not in text
            row = next(y for y, line in enumerate(text.splitlines()) if "@click" in line)
            column = text.splitlines()[row].index("@click")
            await pilot.click(offset=(column + 2, row))
            await pilot.click(offset=(column + 13, row))
            await pilot.pause()
            assert app.is_running
            await pilot.press("down")
            assert app.view.question == 1
    finally:
        session.close()


async def test_hostile_template_text_renders_literally(tmp_path: Path) -> None:
    session = make_session(tmp_path, source=HOSTILE_TEMPLATE)
    try:
        app = ViewHarness(session, "spectrum")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("d")
            await pilot.pause()
            text = screen_text(app)
            assert "[bold red]Where[/] [@click=app.quit]now?[/]" in text
            assert "Pick [link=https://example.org]here[/link]" in text
            assert "[b]First[/b]" in text and "Second $x" in text
            assert "• [@click=app.quit]quit[/]" in text
            await pilot.click(offset=(3, 0))
            await pilot.pause()
            assert app.is_running
        app = ViewHarness(session, "talk")
        async with app.run_test(size=SIZE):
            assert "1. Why [i]so[/i]?" in screen_text(app)
    finally:
        session.close()


# -- small screens -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activity", "essentials"),
    [
        ("spectrum", ["Where do we sit", "Beginnings of", "Service-user led", "▲ median", "answers"]),
        ("grid", ["Individual care", "Care setting", "Policy", "● now", "◆ target", "5 Partnership", "gap +"]),
        ("indicators", ["Valuing", "✔ Met", "◐ Partly", "✘ Not met"]),  # the last statements are a Page Down away
    ],
)
async def test_80_by_24_still_shows_the_essentials(session: LiveSession, activity: str, essentials: list[str]) -> None:
    for value in (2, 3, 3):
        participant, _ = session.join("", Role.STAFF)
        session.cast_vote(participant.id, "spectrum", SPECTRUM_ITEM, value + 2)
        session.cast_vote(participant.id, "grid", "individual:now", value)
        session.cast_vote(participant.id, "grid", "individual:target", value + 2)
        session.cast_vote(participant.id, "indicators", "valuing", "met")
    app = ViewHarness(session, activity, revealed=True)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        text = screen_text(app)
        for essential in essentials:
            assert essential in text, essential
        assert all(len(line) <= 80 for line in text.splitlines())
        # Counting on revealed results brings the hand-count cursor back, and it fits too.
        await pilot.press("0")
        await pilot.pause()
        text = screen_text(app)
        for essential in ["hands (everyone)", *(["[5]"] if activity == "spectrum" else [])]:
            assert essential in text, essential
        assert all(len(line) <= 80 for line in text.splitlines())


async def test_a_narrow_view_keeps_the_grid_readable(session: LiveSession) -> None:
    participant, _ = session.join("", Role.STAFF)
    session.cast_vote(participant.id, "grid", "policy:now", 2)
    app = ViewHarness(session, "grid", revealed=True)
    async with app.run_test(size=(52, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        flat = " ".join(text.split())
        assert "Levels: 5 Partnership · 4 Collaboration" in flat
        assert "Policy" in text and "● 2 →" in text


async def test_the_host_can_leave_the_title_to_itself(session: LiveSession) -> None:
    app = ViewHarness(session, "grid")
    async with app.run_test(size=SIZE) as pilot:
        assert "Five levels, three areas: now and next" in screen_text(app)
        app.view.show_title = False
        await pilot.pause()
        text = screen_text(app)
        assert "Five levels, three areas: now and next" not in text
        assert "For each area, pick the level we are at now" in text


# -- cost ------------------------------------------------------------------------------------


async def test_a_refresh_summarises_the_session_once(session: LiveSession, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(300):
        participant, _ = session.join("", (Role.STAFF, Role.CARER, None)[index % 3])
        session.cast_vote(participant.id, "grid", "individual:now", 1 + index % 5)
        session.cast_vote(participant.id, "grid", "policy:target", 1 + index % 4)
    calls = []
    real = LiveSession.results

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(LiveSession, "results", counting)
    app = ViewHarness(session, "grid", revealed=True, split=True)
    async with app.run_test(size=SIZE) as pilot:
        calls.clear()
        app.view.refresh_from_session()
        await pilot.resize_terminal(80, 24)
        await pilot.press("up", "right", "g")
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert len(calls) == 1
        assert "300 answers" in screen_text(app)


# -- progress review ---------------------------------------------------------------------------


async def test_review_screen_compares_then_and_now(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "store")
    template = TemplateLibrary().find("where-are-we")
    source = template.path.read_text(encoding="utf-8")
    old = store.create(template, source, session_id="then")
    new = store.create(template, source, session_id="now", baseline_id="then")
    try:
        for session, now, target in ((old, 2, 4), (new, 3, 4)):
            for _ in range(3):
                participant, _ = session.join("", Role.STAFF)
                session.cast_vote(participant.id, "grid", "individual:now", now)
                session.cast_vote(participant.id, "grid", "individual:target", target)
                session.cast_vote(participant.id, "spectrum", SPECTRUM_ITEM, now + 2)
        old.add_target("targets", "Co-chaired [b]meetings[/b]", "Team manager", "2027-03-31")

        class Host(App[None]):
            def on_mount(self) -> None:
                self.push_screen(ReviewScreen(old, new))

        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            text = screen_text(app)
            assert "Progress review" in text
            lines = [" ".join(line.split()) for line in text.splitlines()]
            assert "Level now (median) 2 → 3 +1 level ↑ better: more involvement" in lines
            assert "Target level (median) 4 → 4 = no change" in lines
            assert "Gap to target +2 → +1 −1 level ↑ better: closer to the target" in lines, "the gap closed by one: better"
            await pilot.press(*["pagedown"] * 5)
            await pilot.pause()
            text = screen_text(app)
            assert "Co-chaired [b]meetings[/b]" in text
            assert "Who: Team manager · Review by: 31 March 2027" in text
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, ReviewScreen)
    finally:
        old.close()
        new.close()
