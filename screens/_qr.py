"""A QR code drawn with terminal cells, scannable from the back of a room.

Built from `qrcode`'s module matrix, never its ASCII printer: every cell gets
an explicit black foreground and white background, so the code reads the
same on a dark theme, a light theme or a washed-out projector, and the light
quiet zone a scanner needs is always painted.

`qr_fit` picks the largest drawing that fits whole in the space given, or
none: a code with a cell cut off does not scan, so it is never drawn clipped.
Where the full four-module quiet zone leaves the code a row or two too tall
(a real join address at 80x24), the margin narrows, never below two modules.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["QRCode", "QRFit", "qr_matrix", "qr_cells", "qr_fit", "QUIET_ZONE", "NARROWEST_QUIET_ZONE", "DARK", "LIGHT"]

QUIET_ZONE = 4
"""Light modules around the code: the four ISO/IEC 18004 asks for, whenever they fit."""

NARROWEST_QUIET_ZONE = 2
"""The least margin drawn when four do not fit: what the standard asks of a Micro QR code, and
twice what zbar needs to read a code against a dark screen (tests/functional/test_app_qr.py)."""

DARK = "#000000"
LIGHT = "#FFFFFF"

_INK = Style(color=DARK, bgcolor=LIGHT)
_DARK_CELL = Style(bgcolor=DARK)
_LIGHT_CELL = Style(bgcolor=LIGHT)

_HALF_BLOCKS = {
    (False, False): " ",
    (True, False): "▀",
    (False, True): "▄",
    (True, True): "█",
}


def qr_matrix(data: str) -> list[list[bool]]:
    """The code's modules (True is dark), without any quiet zone: a fresh copy the caller may change."""
    return [list(row) for row in _encoded(data)]


@functools.lru_cache(maxsize=16)
def _encoded(data: str) -> tuple[tuple[bool, ...], ...]:
    """Encoding is the costly step (about 10 ms), and the lobby sizes its code on every resize and
    redraw of the address: one session's join address is encoded once."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(module) for module in row) for row in code.get_matrix())


@dataclass(frozen=True)
class QRFit:
    """One way to draw a code: half blocks (one cell per module, two modules high) or full cells at `scale`,
    with `quiet` light modules around it."""

    full_cells: bool
    scale: int
    width: int
    height: int
    quiet: int = QUIET_ZONE


def qr_sizes(modules: int, quiet: int = QUIET_ZONE, *, largest_scale: int = 8) -> list[QRFit]:
    """Every drawing of a code `modules` wide, smallest first.

    Half blocks take one column and half a row per module; full cells at
    scale k take 2k columns and k rows, so each size keeps modules square.
    """
    side = modules + 2 * quiet
    sizes = [QRFit(False, 1, side, (side + 1) // 2, quiet)]
    sizes += [QRFit(True, k, 2 * k * side, k * side, quiet) for k in range(1, largest_scale + 1)]
    return sizes


def qr_fit(modules: int, width: int, height: int, *, full_cells: bool = True) -> QRFit | None:
    """The largest drawing that fits whole in `width` x `height` cells, or None when none does.

    `full_cells=False` keeps to half blocks (the facilitator asked for the smaller code). When
    not even half blocks fit with the full quiet zone, the widest narrower margin that fits is
    used, down to `NARROWEST_QUIET_ZONE`: a code with a thinner margin scans, a missing one does not.
    """
    best = None
    for size in qr_sizes(modules):
        if size.full_cells and not full_cells:
            break
        if size.width <= width and size.height <= height:
            best = size
    if best is not None:
        return best
    for quiet in range(QUIET_ZONE - 1, NARROWEST_QUIET_ZONE - 1, -1):
        half_blocks = qr_sizes(modules, quiet, largest_scale=0)[0]
        if half_blocks.width <= width and half_blocks.height <= height:
            return half_blocks
    return None


def _with_quiet_zone(matrix: list[list[bool]], quiet: int) -> list[list[bool]]:
    width = len(matrix[0]) + 2 * quiet if matrix else 0
    blank = [False] * width
    margin = [False] * quiet
    return [list(blank) for _ in range(quiet)] + [margin + row + margin for row in matrix] + [list(blank) for _ in range(quiet)]


def qr_cells(matrix: list[list[bool]], *, full_cells: bool = False, quiet: int = QUIET_ZONE, scale: int = 1) -> list[list[Segment]]:
    """Terminal lines for a module matrix.

    Half-block mode puts two modules in one character cell (top and bottom),
    which keeps the code square on a typical terminal font. Full-cell mode
    uses two background-coloured spaces per module (times `scale` each way),
    so a larger screen gets a larger code, and projectors that draw block
    glyphs with gaps still show solid modules.
    """
    padded = _with_quiet_zone(matrix, quiet)
    lines: list[list[Segment]] = []
    if full_cells:
        cell = "  " * scale
        for row in padded:
            line = [Segment(cell, _DARK_CELL if dark else _LIGHT_CELL) for dark in row]
            lines += [list(line) for _ in range(scale)]
        return lines
    width = len(padded[0]) if padded else 0
    for y in range(0, len(padded), 2):
        top = padded[y]
        bottom = padded[y + 1] if y + 1 < len(padded) else [False] * width
        lines.append([Segment(_HALF_BLOCKS[(t, b)], _INK) for t, b in zip(top, bottom)])
    return lines


class QRCode(Widget):
    """Shows `data` as a QR code; `full_cells` switches to two spaces per module, `scale` enlarges full cells."""

    DEFAULT_CSS = """
    QRCode {
        width: auto;
        height: auto;
    }
    """

    data: reactive[str] = reactive("", layout=True)
    full_cells: reactive[bool] = reactive(False, layout=True)
    scale: reactive[int] = reactive(1, layout=True)
    quiet: reactive[int] = reactive(QUIET_ZONE, layout=True)

    def __init__(self, data: str = "", *, full_cells: bool = False, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._lines: list[Strip] = []
        self.set_reactive(QRCode.data, data)
        self.set_reactive(QRCode.full_cells, full_cells)
        self._rebuild()

    @property
    def matrix(self) -> list[list[bool]]:
        return qr_matrix(self.data) if self.data else []

    @property
    def lines(self) -> list[Strip]:
        """The rendered lines, for tests and for exporting the code as text."""
        return list(self._lines)

    def _rebuild(self) -> None:
        if not self.data:
            self._lines = []
            return
        cells = qr_cells(qr_matrix(self.data), full_cells=self.full_cells, quiet=self.quiet, scale=self.scale)
        self._lines = [Strip(segments) for segments in cells]

    def watch_data(self) -> None:
        self._rebuild()

    def watch_full_cells(self) -> None:
        self._rebuild()

    def watch_scale(self) -> None:
        self._rebuild()

    def watch_quiet(self) -> None:
        self._rebuild()

    def show(self, fit: QRFit) -> None:
        """Draw the code the way `fit` says (one rebuild for all its settings; none when it is drawn so already)."""
        if self._lines and (self.full_cells, self.scale, self.quiet) == (fit.full_cells, fit.scale, fit.quiet):
            return
        self.set_reactive(QRCode.full_cells, fit.full_cells)
        self.set_reactive(QRCode.scale, fit.scale)
        self.set_reactive(QRCode.quiet, fit.quiet)
        self._rebuild()
        self.refresh(layout=True)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._lines[0].cell_length if self._lines else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if 0 <= y < len(self._lines):
            return self._lines[y].crop_extend(0, width, self.rich_style)
        return Strip.blank(width, self.rich_style)
