"""Nothing the room needs is cut: every activity kind and state, at each projector size, read back as text.

The scan fails on any '…' straight after a letter or digit: a median, a gap, a count, a
group's name, a review date, an indicator statement or a stage name cut short. Text is
the same in both projector themes, so one theme is scanned; the snapshots draw both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app_fixtures import screen_text
from projected_screens import CASES, SIZES, Case, case_app, cuts


async def settle(pilot) -> None:
    for _ in range(6):
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_nothing_the_room_needs_is_cut(case: Case, size: tuple[int, int], tmp_path: Path) -> None:
    app = case_app(case, tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        text = screen_text(app)
    assert text.strip(), "nothing drawn"
    assert cuts(text) == [], f"cut with '…' on {case.name} at {size}:\n{text}"
