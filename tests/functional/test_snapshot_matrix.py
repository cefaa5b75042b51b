"""Pictures of every activity kind the room can see, at each projector size, in both projector themes.

Fixed data and join address (`projected_screens`), one app run per picture. Each run also
reads the screen's text at the moment of the picture and fails on anything cut with '…'.
Hidden-and-split is left out of the pictures: while results are hidden the split draws
nothing different, which test_hidden_and_split_is_drawn_exactly_as_hidden checks screen for
screen (and test_projected_cuts scans it). Regenerate after an intended change with
`pytest tests/functional/test_snapshot_matrix.py --snapshot-update`, and read each changed
SVG's text before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app_fixtures import screen_text
from projected_screens import CASES, SIZES, THEMES, Case, case_app, cuts

PICTURED = tuple(case for case in CASES if case.revealed or not case.split)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("case", PICTURED, ids=lambda case: case.name)
def test_projected_screen(snap_compare, case: Case, size: tuple[int, int], theme: str, tmp_path: Path) -> None:
    seen: list[str] = []

    async def settle_and_read(pilot) -> None:
        for _ in range(6):
            await pilot.pause()
        seen.append(screen_text(pilot.app))

    app = case_app(case, tmp_path, theme=theme)
    matches = snap_compare(app, terminal_size=size, run_before=settle_and_read)
    assert seen and cuts(seen[0]) == [], f"cut with '…' on {case.name} at {size}:\n{seen[0]}"
    assert matches


HIDDEN_SPLIT = tuple(case for case in CASES if case.split and not case.revealed)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("case", HIDDEN_SPLIT, ids=lambda case: case.name)
async def test_hidden_and_split_is_drawn_exactly_as_hidden(case: Case, size: tuple[int, int], theme: str, tmp_path: Path) -> None:
    """Why hidden-and-split is not pictured: while results are hidden, asking for the split changes nothing on screen."""
    [hidden] = [other for other in CASES if other.activity == case.activity and not other.revealed and not other.split]
    pictures = []
    for index, shown in enumerate((hidden, case)):
        app = case_app(shown, tmp_path / str(index), theme=theme)
        async with app.run_test(size=size) as pilot:
            for _ in range(6):
                await pilot.pause()
            assert app.session.is_split(shown.activity) == shown.split
            pictures.append(app.export_screenshot(title="projected"))
    assert pictures[0] == pictures[1], f"{case.name} at {size} is drawn differently from {hidden.name}"
