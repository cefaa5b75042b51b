"""Keys at machine speed never close the app: a redraw scheduled for a view that has gone is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from app_fixtures import make_app, make_config, new_session
from screens import ActivityScreen
from sessions import TemplateLibrary

SIZE = (100, 30)

# d, arrows and hand counts each schedule a redraw; n and p straight after remove the view it was for.
BURSTS = (
    ("d", "n"),
    ("d", "p"),
    ("down", "n"),
    ("right", "p"),
    ("up", "n"),
    ("left", "p"),
    ("1", "enter", "n"),
    ("2", "enter", "p"),
    ("d", "down", "3", "enter", "n"),
)


def key_event(key: str) -> events.Key:
    return events.Key(key, key if len(key) == 1 else None)


async def test_activity_changes_straight_after_reveal_arrows_and_counts_keep_the_app_running(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="Key storm")
    count = len(session.template.activities)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for step in ("n", "p"):  # every activity kind, forwards then back
            for _ in range(count):
                for burst in BURSTS:
                    for key in burst:
                        app.post_message(key_event(key))  # no wait between keys: machine speed
                    await pilot.pause()
                app.post_message(key_event(step))
                await pilot.pause()
            if step == "n":  # each round moves on by two, so the keys have reached the last activity
                assert app.session is not None and app.session.current_index == count - 1
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, ActivityScreen)
    assert app.return_code in (None, 0), f"app closed with {app.return_code}"


async def test_pressing_next_again_and_again_on_the_last_activity_shows_one_toast(tmp_path: Path) -> None:
    """Eight quick toasts overflow Textual's toast rack, and expired ones then stay drawn (seen in tmux)."""
    from textual.widgets._toast import Toast

    config = make_config(tmp_path)
    session = new_session(config, title="Key storm")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert app.session is not None
        app.session.go_to(len(app.session.template.activities) - 1)
        await pilot.pause()
        for _ in range(8):
            await pilot.press("n")
        await pilot.pause(0.3)
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 1, [str(toast.render()) for toast in toasts]
        for key in ("r", "s", "t", "o"):  # other messages still show, never more than three at once
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause(0.3)
        assert 1 <= len(app.screen.query(Toast)) <= 3


# -- forms and questions: a second Enter must not close the screen beneath -------------------

TEMPLATES = ("where-are-we", "user-group-health-check")
"""Every activity kind between them, questions included; each kind is stormed once per template."""

# (opener, storm): the opener's screen is given time to open, then the storm's keys go back to back.
# A second Enter in a form, the agenda or a question used to dismiss the activity screen beneath it
# (Textual's `dismiss` pops whatever is on top), and a third the last screen: the app closed.
FORM_STORMS = (
    (("c",), ("h", "i", "enter", "enter")),
    (("c",), ("h", "i", "enter", "enter", "enter")),
    (("c",), ("escape", "escape", "escape")),
    ((), ("c", "h", "i", "enter", "enter", "escape", "escape")),
    (("o",), ("enter", "enter", "enter")),
    (("o",), ("escape", "escape", "escape")),
    (("q",), ("enter", "enter", "enter")),
    (("q",), ("escape", "escape", "escape")),
    (("m",), ("enter", "enter", "enter")),
    (("k",), ("enter", "enter", "escape", "escape", "escape")),
)


def post(app, keys) -> None:
    for key in keys:
        app.post_message(key_event(key))  # no wait between keys: machine speed


def stack_names(app) -> list[str]:
    return [type(screen).__name__ for screen in app.screen_stack]


async def settle(pilot, times: int = 8) -> None:
    for _ in range(times):
        await pilot.pause()


async def storm(pilot, app, opener, keys) -> None:
    for key in opener:
        app.post_message(key_event(key))
    await settle(pilot, 4)
    post(app, keys)
    await settle(pilot)


def assert_on_the_activity(app, what: str) -> None:
    assert app.is_running and app.return_code in (None, 0), f"{what}: the app closed with {app.return_code}"
    assert stack_names(app) == ["Screen", "ActivityScreen"], f"{what}: {stack_names(app)}"


@pytest.mark.parametrize("template", TEMPLATES)
async def test_forms_the_agenda_and_questions_submitted_again_and_again_close_only_themselves(tmp_path: Path, template: str) -> None:
    config = make_config(tmp_path)
    session = new_session(config, template, title="Key storm")
    app = make_app(config, session=session, landing="activity")
    stormed: set[str] = set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 4)
        for index, activity in enumerate(session.template.activities):
            if activity.kind in stormed:
                continue
            stormed.add(activity.kind)
            session.go_to(index)
            await settle(pilot, 4)
            for opener, keys in FORM_STORMS:
                comments = len(session.comments)
                await storm(pilot, app, opener, keys)
                what = f"{activity.kind} {activity.id}: {' '.join(opener + keys)}"
                assert_on_the_activity(app, what)
                if opener == ("c",) and "h" in keys:
                    assert len(session.comments) == comments + 1, f"{what}: one comment, added once"
                assert session.current_index == index, what
            if activity.kind == "targets":
                await storm_the_target_form(pilot, app, session, activity.id)
    assert app.return_code in (None, 0)


def test_the_form_storm_templates_hold_every_activity_kind(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    library = TemplateLibrary(config.templates_dir)
    kinds = {activity.kind for name in TEMPLATES for activity in library.find(name).activities}
    assert kinds == {"info", "spectrum", "grid", "indicators", "questions", "targets"}, kinds


async def storm_the_target_form(pilot, app, session, activity_id: str) -> None:
    """Enter on the last field saves; the Enters behind it save nothing more, and leave the list where it was."""
    before = len(session.targets_for(activity_id))
    await storm(pilot, app, ("a",), ("g", "o", "a", "l", "enter"))  # Enter moves down the form
    await storm(pilot, app, (), ("enter",))
    await storm(pilot, app, (), ("enter", "enter", "enter"))  # on the last field: save, and twice more
    assert app.is_running and "ActivityScreen" in stack_names(app), stack_names(app)
    assert len(session.targets_for(activity_id)) == before + 1, "the target is saved once"
    post(app, ("escape", "escape", "escape"))  # an Enter that reached the list opens the target to edit: that is Enter's job there
    await settle(pilot)
    assert_on_the_activity(app, "target form")
    await storm(pilot, app, ("delete",), ("enter", "enter", "enter"))  # the question's focused answer is "Keep it"
    assert_on_the_activity(app, "remove question")
    assert len(session.targets_for(activity_id)) == before + 1
    await storm(pilot, app, ("delete",), ("y", "y", "y"))
    assert_on_the_activity(app, "remove question, yes")
    assert len(session.targets_for(activity_id)) == before, "removed once"


async def test_the_outcome_form_saved_again_and_again_leaves_the_review_open(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    baseline = new_session(config, title="Last spring")
    baseline.add_target("targets", "Service users co-chair the team meeting.")
    session = new_session(config, title="This spring", baseline_id=baseline.id)
    baseline.close()
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 4)
        app.action_review()
        await settle(pilot, 4)
        review = ["Screen", "ActivityScreen", "ReviewScreen"]
        assert stack_names(app) == review
        await storm(pilot, app, ("o",), ("enter",))  # Enter picks the first outcome, and the cursor moves on
        await storm(pilot, app, (), ("enter",))
        await storm(pilot, app, (), ("enter", "enter", "enter"))  # on the last field: save, and twice more
        assert stack_names(app) == review, "the review stays open"
        assert len(session.outcomes) == 1
        post(app, ("escape", "escape", "escape"))
        await settle(pilot)
        assert_on_the_activity(app, "review closed")


# -- the command palette: ctrl+p over a question, page keys before its list is drawn, a search outliving it --


async def test_the_palette_is_not_opened_twice_when_the_quit_question_came_from_it(tmp_path: Path) -> None:
    """ctrl+p, ctrl+q, ctrl+p at human speed: a second palette with the first one's id closed the app (DuplicateIds)."""
    config = make_config(tmp_path)
    session = new_session(config, title="Key storm")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 4)
        for keys in (("ctrl+p",), ("ctrl+q",), ("ctrl+p",)):
            post(app, keys)
            await pilot.pause(0.3)  # a person's pace
        await settle(pilot)
        assert app.is_running and app.return_code in (None, 0), f"the app closed with {app.return_code}"
        names = stack_names(app)
        assert names.count("InvolvePalette") <= 1, names
        assert names[-1] in ("ConfirmScreen", "InvolvePalette"), names
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("landing", ["lobby", "activity"])
async def test_page_keys_straight_after_ctrl_p_keep_the_app_running(tmp_path: Path, landing: str) -> None:
    """PageUp or PageDown before the palette's list has lines raised KeyError in Textual's option list."""
    config = make_config(tmp_path)
    session = new_session(config, title="Key storm")
    app = make_app(config, session=session, landing=landing)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 4)
        for burst in (("ctrl+p", "pageup"), ("ctrl+p", "pagedown"), ("ctrl+p", "pageup", "pagedown", "down", "up")):
            post(app, burst)
            await settle(pilot)
            assert app.is_running and app.return_code in (None, 0), f"{' '.join(burst)}: the app closed with {app.return_code}"
            post(app, ("escape",))
            await settle(pilot)
            assert "InvolvePalette" not in stack_names(app), stack_names(app)
    assert app.return_code in (None, 0)


PALETTE_RACES = (
    ("k", "ctrl+p", "minus", "escape"),
    ("ctrl+p", "a", "escape"),
    ("ctrl+p", "q", "u", "escape", "ctrl+p", "escape"),
)
"""Keys that open the palette, start a search and close it again, back to back."""


async def test_a_palette_closed_while_its_search_runs_keeps_the_app_running(tmp_path: Path) -> None:
    """A search still running when the palette went found no command list to fill (NoMatches), and the app closed.

    Escape cancels the search; the curtain lifted from the console (or a session closed) takes the
    palette away without asking it, so the search outlives it.
    """
    config = make_config(tmp_path)
    session = new_session(config, title="Key storm")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 4)
        for attempt in range(8):  # a race: a few tries, back to back
            for burst in PALETTE_RACES:
                post(app, burst)
                await pilot.pause()
                post(app, ("escape", "escape"))  # close whatever k opened
                await settle(pilot, 3)
            post(app, ("b",))  # the curtain; the palette opens above it
            await settle(pilot, 3)
            post(app, ("ctrl+p", "i"))
            await pilot.pause()
            session.set_curtain(False)  # lifted on the console while the palette searches
            await settle(pilot, 6)
            assert app.is_running and app.return_code in (None, 0), f"try {attempt}: the app closed with {app.return_code}"
        await settle(pilot)
        assert_on_the_activity(app, "palette races")
    assert app.return_code in (None, 0)
