"""The lobby in a real terminal (tmux): one key starts, the QR code scans, and it grows with the screen.

The code is read back from `tmux capture-pane -e` (characters and their
colours), turned into a black-and-white picture and decoded with `zbarimg`
(Debian's zbar-tools), as a phone's camera would. Skipped when tmux or
zbarimg is missing, unless INVOLVE_REQUIRE_TMUX=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from app_fixtures import ROOT_DIR
from tmux_involve import PUBLIC_BASE, start_involve
from tmux_terminal import Terminal

pytestmark = pytest.mark.slow

JOIN_URL = re.compile(re.escape(PUBLIC_BASE) + r"/j/[A-Za-z0-9_-]+")
TEMPLATE = ROOT_DIR / "sessions" / "templates" / "where-are-we.toml"
SGR = re.compile(r"\x1b\[([0-9;]*)m")
WHITE = (255, 255, 255)


def window_size(terminal: Terminal) -> str:
    return terminal.tmux("display-message", "-p", "-t", terminal.name, "#{window_width}x#{window_height}").strip()


# -- reading the code off the terminal ------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    char: str
    fg: tuple[int, int, int] | None
    bg: tuple[int, int, int] | None


def _apply_sgr(params: str, fg, bg):
    """The colours after one SGR sequence (24-bit, as Textual sends them with COLORTERM=truecolor)."""
    codes = [int(code) if code else 0 for code in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            fg = bg = None
        elif code in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
            colour = tuple(codes[i + 2 : i + 5])
            if code == 38:
                fg = colour
            else:
                bg = colour
            i += 4
        elif code in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
            i += 2  # a 256-colour index: not used for the code's cells
        elif code == 39:
            fg = None
        elif code == 49:
            bg = None
        i += 1
    return fg, bg


def pane_cells(terminal: Terminal) -> list[list[Cell]]:
    """The screen as cells with their colours, from `capture-pane -e`."""
    text = terminal.tmux("capture-pane", "-p", "-e", "-t", terminal.name)
    rows: list[list[Cell]] = []
    fg = bg = None
    for line in text.split("\n"):
        row: list[Cell] = []
        position = 0
        for match in SGR.finditer(line):
            row += [Cell(char, fg, bg) for char in line[position : match.start()]]
            fg, bg = _apply_sgr(match.group(1), fg, bg)
            position = match.end()
        row += [Cell(char, fg, bg) for char in line[position:]]
        rows.append(row)
    return rows


def code_box(cells: list[list[Cell]]) -> tuple[int, int, int, int]:
    """Left, top, width and height (in cells) of the code: the only white-backed cells on the dark projector theme."""
    spots = [(x, y) for y, row in enumerate(cells) for x, cell in enumerate(row) if cell.bg == WHITE]
    assert spots, "no QR code on the screen"
    xs = [x for x, _ in spots]
    ys = [y for _, y in spots]
    return min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1


def _dark(colour: tuple[int, int, int] | None) -> bool:
    if colour is None:
        return True  # the terminal's default: never the code's white
    red, green, blue = colour
    return 0.299 * red + 0.587 * green + 0.114 * blue < 128


def _halves(cell: Cell) -> tuple[bool, bool]:
    """Is the top half, and the bottom half, of this cell dark? Half blocks by glyph, full cells by background."""
    if cell.char == "█":
        return _dark(cell.fg), _dark(cell.fg)
    if cell.char == "▀":
        return _dark(cell.fg), _dark(cell.bg)
    if cell.char == "▄":
        return _dark(cell.bg), _dark(cell.fg)
    return _dark(cell.bg), _dark(cell.bg)


DARK_CELL = Cell(" ", None, None)
"""Past the end of a captured line, or of the screen: the terminal's own (dark) background."""


def scan(cells: list[list[Cell]], folder: Path, *, zoom: int = 6, around: int = 4) -> subprocess.CompletedProcess[str]:
    """Draw the code's cells as a picture (each cell 1 wide, 2 halves high: square modules) and scan it with zbarimg.

    The picture keeps `around` cells of the screen on each side (rows: half that), as a camera sees them:
    the dark projector theme right up to the code's own quiet zone, so a margin too thin to scan fails here.
    """
    left, top, width, height = code_box(cells)
    pixels: list[list[int]] = []
    for y in range(top - around // 2, top + height + around // 2):
        line = cells[y] if 0 <= y < len(cells) else []
        row = [line[x] if 0 <= x < len(line) else DARK_CELL for x in range(left - around, left + width + around)]
        halves = [_halves(cell) for cell in row]
        pixels.append([int(upper) for upper, _ in halves])
        pixels.append([int(lower) for _, lower in halves])
    # Zoomed so each module is many pixels.
    lines = [f"P1\n{len(pixels[0]) * zoom} {len(pixels) * zoom}"]
    for pixel_row in pixels:
        text = " ".join(str(value) for value in pixel_row for _ in range(zoom))
        lines += [text] * zoom
    picture = folder / f"code-{width}x{height}.pbm"
    picture.write_text("\n".join(lines) + "\n")
    return subprocess.run([zbarimg(), "-q", "--raw", str(picture)], capture_output=True, text=True, timeout=30)


def settled_cells(terminal: Terminal, timeout: float = 20.0) -> list[list[Cell]]:
    """The screen once two captures a moment apart agree: never a frame tmux is still being sent."""
    deadline = time.monotonic() + timeout
    last = pane_cells(terminal)
    while time.monotonic() < deadline:
        time.sleep(0.4)
        now = pane_cells(terminal)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the screen kept changing for {timeout}s:\n{terminal.screen()}")


def read_code(terminal: Terminal, folder: Path, timeout: float = 30.0) -> tuple[str, tuple[int, int]]:
    """What the code on the settled screen scans as, and its size in cells."""
    deadline = time.monotonic() + timeout
    while True:
        cells = settled_cells(terminal)
        result = scan(cells, folder)
        if result.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    _, _, width, height = code_box(cells)
    assert result.returncode == 0, f"zbarimg could not read the code ({width}x{height} cells): {result.stderr}\n{terminal.screen()}"
    return result.stdout.strip(), (width, height)


def zbarimg() -> str:
    path = shutil.which("zbarimg")
    if path is None:
        if os.environ.get("INVOLVE_REQUIRE_TMUX") == "1":
            pytest.fail("zbarimg is missing (Debian zbar-tools; INVOLVE_REQUIRE_TMUX=1 forbids skipping)")
        pytest.skip("zbarimg is not installed (Debian zbar-tools)")
    return path


def printed_address(terminal: Terminal) -> str:
    """The join address the lobby prints, read from a frame that has it whole.

    The address is drawn on the line under "Scan the code to join"; a capture once landed
    between the two (CI, stop 25), so wait for a settled frame with the address itself.
    """
    screen = terminal.wait_for(lambda text: "Scan the code to join" in text and JOIN_URL.search(text) is not None, settled=True)
    [url] = set(JOIN_URL.findall(screen))
    return url


def printed_wrapped_address(screen: str) -> str:
    """The join address the lobby prints, put back together where a narrow column wrapped it."""
    lines = screen.splitlines()
    [start] = [index for index, line in enumerate(lines) if f"{PUBLIC_BASE}/j/" in line]
    column = lines[start].index(f"{PUBLIC_BASE}/j/")
    pieces = []
    for line in lines[start:]:
        piece = line[column:].split(" ")[0]
        if not piece:
            break
        pieces.append(piece)
    return "".join(pieces)


# -- the Welcome text ----------------------------------------------------------------------------


def welcome_paragraphs() -> list[str]:
    """The template's Welcome body as the room should read it: paragraphs, each one sentence stream."""
    template = tomllib.loads(TEMPLATE.read_text(encoding="utf-8"))
    [welcome] = [activity for activity in template["activities"] if activity["id"] == "welcome"]
    return [" ".join(paragraph.split()) for paragraph in welcome["body"].strip().split("\n\n")]


def paragraph_lines(screen: str, paragraph: str) -> list[str]:
    """The pane lines that carry `paragraph`, cut to its column (the wall, if any, sits to the right)."""
    lines = screen.splitlines()
    opening = " ".join(paragraph.split()[:3])
    [start] = [index for index, line in enumerate(lines) if opening in line]
    column = lines[start].index(opening)
    found: list[str] = []
    for line in lines[start:]:
        piece = re.split(r" {2,}|[│┃▌▊▎]", line[column:])[0].strip()
        if not piece:
            break
        found.append(piece)
        if " ".join(found) == paragraph or len(" ".join(found)) >= len(paragraph):
            break
    return found


def test_n_starts_the_first_activity_and_the_welcome_wraps_only_where_the_line_is_full(terminal: Terminal, tmp_path: Path) -> None:
    start_involve(terminal, tmp_path)
    terminal.wait_for("Scan the code to join")
    assert window_size(terminal) == "100x30"
    url = printed_address(terminal)
    assert read_code(terminal, tmp_path)[0] == url

    terminal.keys("n")
    welcome = terminal.wait_for(lambda text: "Activity 1 of 6: Welcome" in text and "Thank you for coming." in text, settled=True)
    for paragraph in welcome_paragraphs():
        lines = paragraph_lines(welcome, paragraph)
        assert " ".join(lines) == paragraph, f"the paragraph is not whole on screen:\n{welcome}"
        width = max(len(line) for line in lines)
        for line, following in zip(lines, lines[1:]):
            next_word = following.split()[0]
            # Wrapped where the line was full, never at the template's own line break.
            assert len(line) + 1 + len(next_word) > width, f"line broken mid-sentence: {line!r} / {following!r}\n{welcome}"
    terminal.keys("q")
    terminal.wait_for("Quit Involve?")
    terminal.keys("y")


def test_the_lobby_code_scans_as_the_printed_address_and_grows_at_160x45(terminal: Terminal, tmp_path: Path) -> None:
    start_involve(terminal, tmp_path)
    url = printed_address(terminal)
    decoded, (small_width, small_height) = read_code(terminal, tmp_path)
    assert decoded == url

    terminal.tmux("resize-window", "-t", terminal.name, "-x", "160", "-y", "45")
    terminal.wait_for(lambda text: len(text.splitlines()) >= 45 and "f QR cells" in text)
    assert window_size(terminal) == "160x45"
    decoded, (large_width, large_height) = read_code(terminal, tmp_path)
    assert decoded == url
    assert printed_address(terminal) == url
    assert large_width > small_width and large_height > small_height, ((small_width, small_height), (large_width, large_height))
    terminal.keys("q")
    terminal.wait_for("Quit Involve?")
    terminal.keys("y")


def test_at_80x24_the_code_of_a_real_join_address_scans_beside_the_key_footer(terminal: Terminal, tmp_path: Path) -> None:
    """The session's own 24-character token makes a 33-module code: too tall for 80x24 with a four-module
    quiet zone, so it is drawn with three, and still scans with the dark screen right around it."""
    start_involve(terminal, tmp_path, width=80, height=24)
    screen = terminal.wait_for(lambda text: "Scan the code to join" in text and "Quit" in text, settled=True)
    assert window_size(terminal) == "80x24"
    assert "too small" not in screen
    decoded, (width, height) = read_code(terminal, tmp_path)
    assert re.fullmatch(re.escape(PUBLIC_BASE) + r"/j/[A-Za-z0-9_-]{24}", decoded), decoded
    assert (width, height) == (39, 20)
    assert printed_wrapped_address(terminal.screen()) == decoded
    [line] = [line for line in terminal.screen().splitlines() if "Who is here" in line]
    heading = line[line.index("Who is here") - 2 :]
    # The heading whole, and the table's frame whole too (or none): a table that runs off the edge loses its right side.
    framed = heading.startswith("▊")
    assert heading.rstrip(" ▎").endswith("No phone") and heading.rstrip().endswith("▎") == framed, f"who is here, cut: {heading!r}"
    terminal.keys("q")
    terminal.wait_for("Quit Involve?")
    terminal.keys("y")
