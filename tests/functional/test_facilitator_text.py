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
