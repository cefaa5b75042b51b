"""The lobby's QR code: size on screen, colours, quiet zone, and that the cells carry the code."""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from textual.app import App, ComposeResult

from screens import QUIET_ZONE, QRCode, qr_cells, qr_matrix

URL_40 = "http://192.0.2.10:8765/j/" + "Ab3dE6gH9jK2mN5"
BLACK = Color.parse("#000000")
WHITE = Color.parse("#FFFFFF")
HALF = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def decode_half_blocks(lines: list[list[Segment]]) -> list[list[bool]]:
    """Read modules back from half-block cells: two modules per cell, top and bottom."""
    rows: list[list[bool]] = []
    for line in lines:
        top: list[bool] = []
        bottom: list[bool] = []
        for segment in line:
            for char in segment.text:
                assert segment.style.color == BLACK and segment.style.bgcolor == WHITE, segment
                upper, lower = HALF[char]
                top.append(upper)
                bottom.append(lower)
        rows += [top, bottom]
    return rows


def decode_full_cells(lines: list[list[Segment]]) -> list[list[bool]]:
    rows = []
    for line in lines:
        row = []
        for segment in line:
            assert segment.text == "  "
            assert segment.style.bgcolor in (BLACK, WHITE)
            row.append(segment.style.bgcolor == BLACK)
        rows.append(row)
    return rows


def strip_quiet_zone(padded: list[list[bool]], size: int) -> list[list[bool]]:
    margin = QUIET_ZONE
    for y, row in enumerate(padded):
        for x, dark in enumerate(row):
            inside = margin <= x < margin + size and margin <= y < margin + size
            if not inside:
                assert not dark, f"quiet zone module at {x},{y} is dark"
    return [row[margin : margin + size] for row in padded[margin : margin + size]]


def test_forty_character_address_is_29_modules_and_37_by_19_cells() -> None:
    assert len(URL_40) == 40
    matrix = qr_matrix(URL_40)
    assert len(matrix) == 29 and all(len(row) == 29 for row in matrix)
    lines = qr_cells(matrix)
    assert len(lines) == 19
    assert all(sum(len(segment.text) for segment in line) == 37 for line in lines)


def test_half_block_cells_round_trip_to_the_module_matrix() -> None:
    matrix = qr_matrix(URL_40)
    padded = decode_half_blocks(qr_cells(matrix))
    # 37 module rows plus the light half-row that completes the last cell.
    assert len(padded) == 38
    assert not any(padded[-1])
    assert strip_quiet_zone(padded[:37], 29) == matrix


def test_full_cells_use_two_spaces_per_module_and_round_trip() -> None:
    matrix = qr_matrix(URL_40)
    lines = qr_cells(matrix, full_cells=True)
    assert len(lines) == 37
    assert all(sum(len(segment.text) for segment in line) == 74 for line in lines)
    assert strip_quiet_zone(decode_full_cells(lines), 29) == matrix


def test_finder_patterns_are_where_a_scanner_looks() -> None:
    matrix = qr_matrix(URL_40)
    # Each corner finder: a dark 7x7 ring around a light ring around a dark 3x3 core.
    for ox, oy in ((0, 0), (22, 0), (0, 22)):
        assert all(matrix[oy][ox + i] and matrix[oy + 6][ox + i] for i in range(7))
        assert all(matrix[oy + i][ox] and matrix[oy + i][ox + 6] for i in range(7))
        assert not matrix[oy + 1][ox + 1]
        assert all(matrix[oy + 2 + j][ox + 2 + i] for i in range(3) for j in range(3))


class QRApp(App):
    def compose(self) -> ComposeResult:
        yield QRCode(URL_40, id="qr")


async def test_widget_takes_exactly_the_code_size_and_paints_the_same_cells_on_any_theme() -> None:
    app = QRApp()
    async with app.run_test(size=(100, 30)) as pilot:
        qr = app.query_one(QRCode)
        assert (qr.size.width, qr.size.height) == (37, 19)
        dark_theme_lines = [qr.render_line(y) for y in range(19)]
        app.theme = "textual-light"
        await pilot.pause()
        light_theme_lines = [qr.render_line(y) for y in range(19)]
        assert [list(line) for line in dark_theme_lines] == [list(line) for line in light_theme_lines]
        assert strip_quiet_zone(decode_half_blocks([list(line) for line in light_theme_lines])[:37], 29) == qr_matrix(URL_40)
        qr.full_cells = True
        await pilot.pause()
        assert (qr.size.width, qr.size.height) == (74, 37)
        qr.data = ""
        await pilot.pause()
        assert (qr.size.width, qr.size.height) == (0, 0)
