"""Nothing the room needs is cut, in the states the snapshot matrix does not picture.

test_snapshot_matrix reads the text of every picture it takes (every activity kind, hidden
and revealed, split or not, at each size, in both themes) and fails on a cut. This scans
the rest the same way: hidden-and-split (drawn as hidden, so not pictured) and the
spectrum's practices panel, at 80x24, 100x30 and 160x45. A cut is '…' straight after a
letter or digit: a median, a gap, a count, a group's name, a review date, an indicator
statement or a stage name cut short.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app_fixtures import screen_text
from projected_screens import CASES, PRACTICES, SIZES, Case, case_app, cuts

SCANNED = (*(case for case in CASES if case.split and not case.revealed), PRACTICES)


async def settle(pilot) -> None:
    for _ in range(6):
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("case", SCANNED, ids=lambda case: case.name)
async def test_nothing_the_room_needs_is_cut(case: Case, size: tuple[int, int], tmp_path: Path) -> None:
    app = case_app(case, tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in case.keys:
            await pilot.press(key)
        await settle(pilot)
        text = screen_text(app)
    assert text.strip(), "nothing drawn"
    assert cuts(text) == [], f"cut with '…' on {case.name} at {size}:\n{text}"
