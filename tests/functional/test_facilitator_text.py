"""Text meant for the facilitator stays off the room's screen (issue 16).

The keys are in the footer (which the room view hides), so the activity views
carry no key hints; and once results are revealed the hand-count cursor (its
brackets, its ▸ and the line naming the selected cell) is drawn only while the
facilitator is counting: an arrow, a digit, + or - brings it back, Esc puts it away.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app_fixtures import fixed_session, make_app, make_config, screen_text
from screens import ActivityScreen
from sessions import SPECTRUM_ITEM

SIZE = (100, 30)
KEY_HINTS = re.compile(r"\bpress\b|Enter sets|Esc cancels|· a add|Enter edit|Delete remove|\(press|\([a-z]\)", re.IGNORECASE)
CURSOR = re.compile(r"[\[\]▸]|selected")
TALLIED = ("spectrum", "grid", "indicators")


async def settle(pilot, times: int = 4) -> None:
    for _ in range(times):
        await pilot.pause()


def view_text(app) -> str:
    """What the activity view draws (not the wall beside it, whose comments may hold any text)."""
    screen = app.screen
    assert isinstance(screen, ActivityScreen)
    view = screen.view
    assert view is not None
    region = view.region
    lines = screen_text(app).splitlines()[region.y : region.y + region.height]
    return "\n".join(line[region.x : region.x + region.width] for line in lines)


@pytest.mark.parametrize("revealed", [False, True], ids=["hidden", "revealed"])
@pytest.mark.parametrize("activity", ["welcome", "spectrum", "grid", "indicators", "targets"])
async def test_no_key_hints_in_any_view(tmp_path: Path, activity: str, revealed: bool) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current=activity, revealed=(activity,) if revealed else ())
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = view_text(app)
        assert not KEY_HINTS.search(text), f"a key hint on the room's screen:\n{text}"
        # The keys are still offered, in the footer.
        assert "r Reveal" in screen_text(app) or activity in ("welcome", "targets")


@pytest.mark.parametrize("activity", TALLIED)
async def test_revealed_results_carry_no_cursor_until_the_facilitator_counts(tmp_path: Path, activity: str) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current=activity, revealed=(activity,))
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = view_text(app)
        assert "results shown" in text
        assert not CURSOR.search(text), f"the hand-count cursor is on revealed results:\n{text}"
        assert "hands (everyone)" not in text.lower()
        await pilot.press("right")  # counting again: the cursor shows where a count would go
        await settle(pilot)
        text = view_text(app)
        assert CURSOR.search(text) and "hands (everyone)" in text.lower()
        await pilot.press("escape")
        await settle(pilot)
        assert not CURSOR.search(view_text(app)), "Esc puts the cursor away"
        await pilot.press("plus")  # a count keyed straight in brings it back too, and is shown
        await settle(pilot)
        text = view_text(app)
        assert CURSOR.search(text) and "hands (everyone): 1" in text.lower()
        # Hiding and revealing again starts clean.
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert not CURSOR.search(view_text(app))


@pytest.mark.parametrize("activity", TALLIED)
async def test_hidden_results_keep_the_cursor_for_counting_hands(tmp_path: Path, activity: str) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current=activity)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = view_text(app)
        assert "results hidden" in text and CURSOR.search(text) and "hands (everyone)" in text.lower()
        await pilot.press("escape")  # nothing to put away before the reveal
        await settle(pilot)
        assert CURSOR.search(view_text(app))


async def test_a_count_typed_on_revealed_results_goes_where_the_cursor_shows(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum", revealed=("spectrum",))
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.view
        before = session.tally_count("spectrum", SPECTRUM_ITEM, view.position)
        await pilot.press("7")
        await settle(pilot)
        text = view_text(app)
        assert "→ 7▌" in text and f"[{view.position}]" in text.replace(" ", "")
        assert "Enter sets" not in text, "Enter and Esc are in the footer"
        assert "Set count" in screen_text(app).splitlines()[-4]
        await pilot.press("enter")
        await settle(pilot)
        assert session.tally_count("spectrum", SPECTRUM_ITEM, view.position) == 7 and before != 7


# -- the room view: no key named in a toast, no target marker nobody is moving ------------------


def notes(app) -> list[str]:
    return [str(note.message) for note in app._notifications]


def assert_no_key_named(app, what: str) -> None:
    for note in notes(app):
        assert not KEY_HINTS.search(note), f"{what}: {note!r} names a key on the room's screen"
    assert not KEY_HINTS.search(screen_text(app)), f"{what}:\n{screen_text(app)}"


async def test_toasts_in_the_room_view_state_the_fact_without_a_key(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="targets")  # the last activity
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert "This is the last activity. Press x to export the record." in notes(app), "the facilitator's view names the key"
        app.clear_notifications()
        await pilot.press("z")
        await settle(pilot)
        assert notes(app) == ["Room view: the keys are hidden from the projector."]
        assert_no_key_named(app, "z")
        app.clear_notifications()
        await pilot.press("n")
        await settle(pilot)
        assert notes(app) == ["This is the last activity."]
        assert_no_key_named(app, "n on the last activity")
        app.clear_notifications()
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("enter")  # "Not here"
        await settle(pilot)
        assert notes(app) == ["The queue stays closed."]
        assert_no_key_named(app, "the queue not shown")
        app.clear_notifications()
        app._report_storage("the disk is full")  # a refused change stays in the session bar too
        await settle(pilot)
        assert any("Export the record and restart Involve" in note for note in notes(app))
        assert_no_key_named(app, "a change refused")


async def test_a_console_pairing_and_signing_out_in_the_room_view_names_no_key(tmp_path: Path) -> None:
    config = make_config(tmp_path, room_view="on")
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("z")  # the keys back, to open the queue on the projector as a facilitator may
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        app.clear_notifications()
        assert session.consoles.open_link(session.consoles.one_time_link())
        await settle(pilot, 8)
        assert isinstance(app.screen, ActivityScreen) and app.room_view
        assert notes(app) == ["Your console is paired: the queue left the projector."]
        assert_no_key_named(app, "the queue left")
        app.clear_notifications()
        app.action_sign_out_consoles()
        await settle(pilot)
        assert notes(app) == ["Every console is signed out; waiting codes no longer work."]
        assert_no_key_named(app, "signed out")


async def test_pairing_says_the_room_view_comes_without_naming_keys(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        phone = session.consoles.start("phone")
        await pilot.press("k")
        await settle(pilot)
        await pilot.press(*phone.code, "enter")
        await settle(pilot)
        assert session.consoles.claim(phone.secret) is not None
        await settle(pilot, 8)
        assert app.room_view
        assert any("the projector shows the room's view" in note for note in notes(app))
        assert_no_key_named(app, "paired")


async def test_the_target_marker_shows_in_the_room_view_only_while_the_facilitator_moves_it(tmp_path: Path, monkeypatch) -> None:
    import screens._targets_view

    monkeypatch.setattr(screens._targets_view, "MARKER_SECONDS", 0.3)
    config = make_config(tmp_path)
    session = fixed_session(config, current="targets")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert view_text(app).count("▸") == 1, "the facilitator's view shows which target Enter edits"
        await pilot.press("z")
        await settle(pilot)
        assert "▸" not in view_text(app), "nobody is moving it: the room sees a plain list"
        await pilot.press("down")
        await settle(pilot)
        assert view_text(app).count("▸") == 1 and "▸ 2." in view_text(app), "moving it, the facilitator sees where it is"
        await pilot.pause(0.5)
        await settle(pilot)
        assert "▸" not in view_text(app), "a moment after the last move it goes"
        await pilot.press("z")
        await settle(pilot)
        assert "▸ 2." in view_text(app), "the keys back, the marker back, where it was left"
