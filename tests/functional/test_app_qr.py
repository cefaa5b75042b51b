"""The lobby's QR code: size on screen, colours, quiet zone, that the cells carry the code, and that it fits."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rich.color import Color
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.geometry import Region

from app_fixtures import FIXED_ROOM_CODE, FIXED_URL, REAL_URL, FakeServers, fixed_session, make_app, make_config, screen_text, widget_text
from screens import NARROWEST_QUIET_ZONE, QUIET_ZONE, LobbyScreen, QRCode, QRFit, qr_cells, qr_fit, qr_matrix
from screens._big_code import GLYPHS, big_code_lines
from sessions._codes import ROOM_CODE_ALPHABET

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


def strip_quiet_zone(padded: list[list[bool]], size: int, margin: int = QUIET_ZONE) -> list[list[bool]]:
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


def test_full_cells_grow_by_whole_modules_and_still_round_trip() -> None:
    matrix = qr_matrix(URL_40)
    lines = qr_cells(matrix, full_cells=True, scale=2)
    assert len(lines) == 74 and all(sum(len(segment.text) for segment in line) == 148 for line in lines)
    assert strip_quiet_zone(modules_from_pixels(pixels_from_lines(lines), 4), 29) == matrix


def test_the_largest_drawing_that_fits_whole_is_chosen_and_none_when_nothing_does() -> None:
    side = 29 + 2 * QUIET_ZONE  # 37
    assert qr_fit(29, 37, 19) == QRFit(False, 1, 37, 19)
    assert qr_fit(29, 36, 19) == QRFit(False, 1, 35, 18, 3)  # one cell short: a narrower quiet zone, never a clipped code
    assert qr_fit(29, 32, 19) is None and qr_fit(29, 37, 16) is None  # short even with two modules' margin: no code
    assert qr_fit(29, 74, 37) == QRFit(True, 1, 74, 37)
    assert qr_fit(29, 74, 36) == QRFit(False, 1, 37, 19)
    assert qr_fit(29, 74, 37, full_cells=False) == QRFit(False, 1, 37, 19)
    assert qr_fit(29, 4 * side, 2 * side) == QRFit(True, 2, 148, 74)


def test_a_code_too_tall_with_the_full_quiet_zone_gets_a_narrower_one_never_below_two_modules() -> None:
    # A real address at 80x24: 33 modules + 2x4 is 41 modules, 21 rows of half blocks; the lobby has 20.
    assert qr_fit(33, 46, 21) == QRFit(False, 1, 41, 21, QUIET_ZONE), "the full quiet zone whenever it fits"
    assert qr_fit(33, 46, 20) == QRFit(False, 1, 39, 20, 3)
    assert qr_fit(33, 37, 19) == QRFit(False, 1, 37, 19, NARROWEST_QUIET_ZONE)
    assert qr_fit(33, 36, 19) is None and qr_fit(33, 37, 18) is None
    assert qr_fit(33, 82, 41) == QRFit(True, 1, 82, 41, QUIET_ZONE), "full cells always keep four modules"
    lines = qr_cells(qr_matrix(REAL_URL), quiet=3)
    assert len(lines) == 20 and strip_quiet_zone(decode_half_blocks(lines)[:39], 33, margin=3) == qr_matrix(REAL_URL)


def zbarimg_or_skip() -> str:
    path = shutil.which("zbarimg")
    if path is None:
        if os.environ.get("INVOLVE_REQUIRE_TMUX") == "1":
            pytest.fail("zbarimg is missing (Debian zbar-tools; INVOLVE_REQUIRE_TMUX=1 forbids skipping)")
        pytest.skip("zbarimg is not installed (Debian zbar-tools)")
    return path


def scans_against_a_dark_screen(url: str, quiet: int, folder: Path, *, zoom: int = 4, screen: int = 6) -> bool:
    """Does zbarimg read the code drawn with `quiet` light modules, set on a dark screen as on the projector theme?"""
    modules = decode_half_blocks(qr_cells(qr_matrix(url), quiet=quiet))
    side = len(modules[0]) + 2 * screen
    dark = [1] * side
    picture = [dark] * screen + [[1] * screen + [int(m) for m in row] + [1] * screen for row in modules] + [dark] * screen
    lines = [f"P1\n{side * zoom} {len(picture) * zoom}"]
    for row in picture:
        lines += [" ".join(str(value) for value in row for _ in range(zoom))] * zoom
    path = folder / f"code-quiet-{quiet}.pbm"
    path.write_text("\n".join(lines) + "\n")
    result = subprocess.run([zbarimg_or_skip(), "-q", "--raw", str(path)], capture_output=True, text=True, timeout=30)
    return result.returncode == 0 and result.stdout.strip() == url


def test_zbar_reads_the_narrowest_quiet_zone_against_a_dark_screen_and_needs_one(tmp_path: Path) -> None:
    """The margin the lobby narrows to is read; with none at all the dark screen swallows the finders."""
    assert scans_against_a_dark_screen(REAL_URL, NARROWEST_QUIET_ZONE, tmp_path)
    assert scans_against_a_dark_screen(REAL_URL, QUIET_ZONE, tmp_path)
    assert not scans_against_a_dark_screen(REAL_URL, 0, tmp_path), "the picture shows the screen around the code"


def test_the_large_room_code_has_a_glyph_for_every_character_a_room_code_can_have() -> None:
    assert set(GLYPHS) == set(ROOM_CODE_ALPHABET)
    assert all(len(rows) == 5 and all(len(row) == 5 and set(row) <= {"#", "."} for row in rows) for rows in GLYPHS.values())
    assert len({rows for rows in GLYPHS.values()}) == len(GLYPHS), "no two characters look the same"
    lines = big_code_lines("K7PQ2M")
    assert lines is not None and len(lines) == 3 and all(len(line) == 6 * 6 - 1 for line in lines)
    # Read back: each pair of pixel rows is one line of half blocks, a blank column between letters.
    pixels = [[], [], [], [], [], []]
    for y, line in enumerate(lines):
        for char in line:
            upper, lower = HALF[char]
            pixels[2 * y].append("#" if upper else ".")
            pixels[2 * y + 1].append("#" if lower else ".")
    for index, char in enumerate("K7PQ2M"):
        assert tuple("".join(row[6 * index : 6 * index + 5]) for row in pixels[:5]) == GLYPHS[char]
    assert set("".join(pixels[5])) == {"."}  # the half row under the letters stays blank
    assert big_code_lines("K7PQ2Ö") is None  # a character without a glyph: the lobby spells the code out instead


# -- in the lobby, at the sizes a room meets ---------------------------------------------------


def pixels_from_lines(lines: list[list[Segment]]) -> list[list[bool]]:
    """Dark and light half-cells, whatever the drawing: full cells by background, half blocks by glyph."""
    rows: list[list[bool]] = []
    for line in lines:
        top: list[bool] = []
        bottom: list[bool] = []
        for segment in line:
            for char in segment.text:
                if char == " " and segment.style.bgcolor == BLACK:
                    upper = lower = True
                else:
                    assert segment.style.bgcolor == WHITE, segment
                    upper, lower = HALF[char]
                top.append(upper)
                bottom.append(lower)
        rows += [top, bottom]
    return rows


def modules_from_pixels(pixels: list[list[bool]], columns_per_module: int) -> list[list[bool]]:
    """One sample per module: a module is `columns_per_module` cells wide and half that many rows high."""
    rows_per_module = columns_per_module  # in half-rows
    return [row[::columns_per_module] for row in pixels[::rows_per_module]]


def drawn_modules(qr: QRCode) -> list[list[bool]]:
    """What the widget puts on the screen, read back to modules (quiet zone included)."""
    lines = [list(qr.render_line(y)) for y in range(qr.size.height)]
    columns = 2 * qr.scale if qr.full_cells else 1
    side = qr.size.width // columns
    return modules_from_pixels(pixels_from_lines(lines), columns)[:side]


def fully_on_screen(app, widget) -> bool:
    return bool(widget.region) and Region(0, 0, *app.size).contains_region(widget.region)


def shown_address(app) -> str:
    """The join address printed beside the code (or in its place): the first address the join line gives."""
    return next(word for word in widget_text(app.screen.query_one("#lobby-join")).split() if word.startswith("http"))


def footer_text(app) -> str:
    footer = app.screen.query_one("KeyFooter")
    return " ".join(" ".join(screen_text(app).splitlines()[footer.region.y : footer.region.bottom]).split())


def assert_code_is_whole_and_reads_as(app, url: str) -> None:
    qr = app.screen.query_one(QRCode)
    assert qr.display and fully_on_screen(app, qr), (qr.region, app.size)
    modules = len(qr_matrix(url))
    assert strip_quiet_zone(drawn_modules(qr), modules, margin=qr.quiet) == qr_matrix(url)


async def settle(pilot, times: int = 4) -> None:
    for _ in range(times):
        await pilot.pause()


@pytest.mark.parametrize(
    ("size", "full_cells", "cells"),
    [((100, 30), False, (37, 19)), ((80, 24), False, (37, 19)), ((160, 45), True, (74, 37))],
    ids=["100x30", "80x24", "160x45"],
)
async def test_the_lobby_code_takes_the_largest_whole_size_and_reads_as_the_address_beside_it(
    tmp_path: Path, size: tuple[int, int], full_cells: bool, cells: tuple[int, int]
) -> None:
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        qr = app.screen.query_one(QRCode)
        assert (qr.full_cells, qr.scale, (qr.size.width, qr.size.height)) == (full_cells, 1, cells)
        assert shown_address(app) == FIXED_URL
        assert_code_is_whole_and_reads_as(app, shown_address(app))
        assert ("f QR cells" in footer_text(app)) == full_cells, "full cells are offered only where they fit"


async def test_a_real_length_address_still_gets_full_cells_at_160x45(tmp_path: Path) -> None:
    """A LAN address and a real 24-character join token make a 33-module code: 82x41 full cells, just inside 160x45."""
    url = "http://192.168.100.200:8765/j/" + "Ab3dE6gH9jK2mN5pQ8rS1tU4"
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby", servers=FakeServers(url=url))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        qr = app.screen.query_one(QRCode)
        assert (qr.full_cells, qr.size.width, qr.size.height) == (True, 82, 41)
        assert shown_address(app) == url
        assert_code_is_whole_and_reads_as(app, url)
        assert "f QR cells" in footer_text(app)


async def test_a_real_length_address_gets_a_whole_code_at_80x24_beside_the_key_footer_and_who_is_here(tmp_path: Path) -> None:
    """41 rows of modules with the full quiet zone need 21 rows; the lobby has 20 under its bar and above the footer."""
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby", servers=FakeServers(url=REAL_URL))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qr = app.screen.query_one(QRCode)
        assert qr.display, f"no code at 80x24:\n{screen_text(app)}"
        assert (qr.full_cells, qr.quiet, qr.size.width, qr.size.height) == (False, 3, 39, 20)
        assert "".join(widget_text(app.screen.query_one("#lobby-join")).split()).endswith(REAL_URL)
        assert_code_is_whole_and_reads_as(app, REAL_URL)
        assert "Start" in footer_text(app) and "Quit" in footer_text(app), "the key footer is there"
        table = app.screen.query_one("#lobby-people")
        assert fully_on_screen(app, table), (table.region, app.size)
        rows = screen_text(app).splitlines()[table.region.y : table.region.bottom]
        assert any(row.rstrip().endswith("No phone") for row in rows), "the heading whole, at the screen's edge or before it"


@pytest.mark.parametrize("size", [(80, 24), (80, 26), (90, 30), (100, 30)], ids=lambda size: f"{size[0]}x{size[1]}")
async def test_who_is_here_stays_whole_beside_a_real_length_code(tmp_path: Path, size: tuple[int, int]) -> None:
    """The code never takes the width the people table needs; where the table's border would not fit, it goes."""
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby", servers=FakeServers(url=REAL_URL))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert_code_is_whole_and_reads_as(app, REAL_URL)
        table = app.screen.query_one("#lobby-people")
        assert fully_on_screen(app, table), (table.region, app.size)
        assert not table.region.overlaps(app.screen.query_one(QRCode).region)
        text = screen_text(app)
        for words in ("Who is here", "Phone", "No phone", "Service user/carer", "Other/not said"):
            assert words in text, f"{words!r} not whole at {size}:\n{text}"


async def test_full_cells_are_not_offered_at_100x30_and_f_cannot_clip_the_code(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        qr = app.screen.query_one(QRCode)
        assert not qr.full_cells and (qr.size.width, qr.size.height) == (37, 19)
        assert_code_is_whole_and_reads_as(app, FIXED_URL)
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert qr.full_cells and (qr.size.width, qr.size.height) == (74, 37), "it grows when the screen does"
        await pilot.press("f")  # now offered: the facilitator may keep the smaller code
        await settle(pilot)
        assert not qr.full_cells and (qr.size.width, qr.size.height) == (37, 19)
        assert_code_is_whole_and_reads_as(app, FIXED_URL)
        await pilot.press("f")
        await settle(pilot)
        assert qr.full_cells and (qr.size.width, qr.size.height) == (74, 37)
        assert_code_is_whole_and_reads_as(app, FIXED_URL)
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert not qr.full_cells and fully_on_screen(app, qr), "a smaller screen takes it back to half blocks, never clipped"


async def test_f_stops_being_offered_when_the_screen_shrinks_in_half_blocks(tmp_path: Path) -> None:
    """At 160x45 in half blocks, then 100x30: the code is the same size, but full cells no longer fit, so f goes."""
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        qr = app.screen.query_one(QRCode)
        assert qr.full_cells and "f QR cells" in footer_text(app)
        await pilot.press("f")  # half blocks
        await settle(pilot)
        assert not qr.full_cells and (qr.size.width, qr.size.height) == (37, 19)
        assert "f QR cells" in footer_text(app), "full cells fit: f brings them back"
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert not qr.full_cells and (qr.size.width, qr.size.height) == (37, 19)
        assert "f QR cells" not in footer_text(app), f"full cells do not fit at 100x30: f is not offered\n{footer_text(app)}"
        assert not app.screen.check_action("toggle_cells", ())
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert "f QR cells" in footer_text(app), "and it comes back when they fit again"


async def test_at_60x20_no_code_fits_and_the_lobby_says_so_with_the_address_and_room_code_instead(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby")
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        qr = app.screen.query_one(QRCode)
        assert not qr.display, "no code rather than a clipped one"
        join = app.screen.query_one("#lobby-join")
        said = " ".join(widget_text(join).split())
        assert "⚠ This screen is too small for a QR code that scans, so none is shown." in said
        assert shown_address(app) == FIXED_URL
        assert f"type the room code {FIXED_ROOM_CODE}:" in said
        big = big_code_lines(FIXED_ROOM_CODE)
        assert big is not None and all(line.rstrip() in widget_text(join) for line in big), "the room code in letters three rows high"
        assert fully_on_screen(app, join)
        assert "f QR cells" not in footer_text(app)
        await pilot.press("f")
        await settle(pilot)
        assert not qr.display
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert_code_is_whole_and_reads_as(app, FIXED_URL)
        assert "too small" not in screen_text(app)
