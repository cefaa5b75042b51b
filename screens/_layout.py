"""Plain text laid out in terminal cells: fitting, padding, wrapping, columns and tables.

The projected views, the charts and the progress review all cut and wrap text
the same way, measured in cells (so wide characters never push a line past
its edge). Text only ever enters as literal `Content`, never as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from textual.content import Content

SELECTED = "reverse bold"
HEADING = "bold"
QUIET = "dim"

_NEWLINE = Content("\n")


# -- fitting text into cells --------------------------------------------------------


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` cells, ending in '…' when something was cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    if width == 1:
        return "…"
    return set_cell_size(text, width - 1).rstrip() + "…"


def pad(text: str, width: int, align: str = "left") -> str:
    """Fit `text` into exactly `width` cells."""
    text = fit(text, width)
    room = width - cell_len(text)
    if align == "right":
        return " " * room + text
    if align == "center":
        left = room // 2
        return " " * left + text + " " * (room - left)
    return text + " " * room


def cell(text: str, width: int, style: str = "", align: str = "left") -> Content:
    return Content.styled(pad(text, width, align), style) if style else Content(pad(text, width, align))


def wrap(text: str, width: int, *, indent: str = "", first: str = "") -> list[str]:
    """Word-wrap plain text to `width` cells; `first` prefixes line one, `indent` the rest.

    Spaces inside a line are kept as written (the text is shown verbatim);
    only the spaces where a line breaks are dropped. A word longer than a
    line is cut.
    """
    width = max(width, cell_len(first) + 2, cell_len(indent) + 2)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = first if not lines else indent
        fresh = True  # nothing but the prefix on this line yet
        for token in re.findall(r"\s+|\S+", paragraph):
            if token.isspace():
                if not fresh:
                    line += token
                continue
            while True:
                room = width - cell_len(line)
                if cell_len(token) <= room:
                    line += token
                    fresh = False
                    break
                if not fresh:
                    lines.append(line.rstrip())
                    line, fresh = indent, True
                    continue
                head = set_cell_size(token, room)
                while cell_len(head) > room or (head and not token.startswith(head)):
                    head = head[:-1]
                if not head:
                    head = token[0]
                lines.append(line + head)
                line, fresh = indent, True
                token = token[len(head):]
                if not token:
                    break
        lines.append(line.rstrip())
    return lines


def numbered_heading(number: int, text: str, width: int, *, chosen: bool) -> list[Content]:
    """A numbered item's heading, wrapped under its number, with a ▸ marker when it is the selected one."""
    first = ("▸ " if chosen else "  ") + f"{number}. "
    lines: list[Content] = []
    for index, line in enumerate(wrap(text, width, first=first, indent="     ")):
        if index == 0 and chosen:
            lines.append(Content.assemble((line[:2], SELECTED), (line[2:], HEADING)))
        else:
            lines.append(Content.styled(line, HEADING))
    return lines


def join_lines(lines: Iterable[Content]) -> Content:
    return _NEWLINE.join(lines)


def side_by_side(blocks: Sequence[Sequence[Content]], widths: Sequence[int], gap: str = " │ ") -> list[Content]:
    """Lay blocks of lines next to each other, each padded to its width."""
    height = max((len(block) for block in blocks), default=0)
    rows: list[Content] = []
    for y in range(height):
        parts: list[Content | str] = []
        for index, (block, width) in enumerate(zip(blocks, widths)):
            if index:
                parts.append(gap)
            line = block[y] if y < len(block) else Content("")
            parts.append(line.truncate(width, pad=True) if index < len(blocks) - 1 else line.truncate(width))
        rows.append(Content.assemble(*parts))
    return rows


def aligned_rows(rows: Sequence[Sequence[Sequence[Content]]], widths: Sequence[int], gap: str = " │ ", *, bottom: bool = False) -> list[Content]:
    """Rows of cells, each cell already wrapped to its width: a row is as tall as its tallest cell.

    Where `side_by_side` lays whole columns next to each other, this keeps the
    cells of one row level with each other, so a name that wraps onto a second
    line still sits beside its own figures. `bottom` sets short cells on the
    row's last line (for headings), instead of its first.
    """
    lines: list[Content] = []
    for row in rows:
        height = max((len(cell_lines) for cell_lines in row), default=0)
        blocks = []
        for cell_lines in row:
            blank = [Content("")] * (height - len(cell_lines))
            blocks.append([*blank, *cell_lines] if bottom else [*cell_lines, *blank])
        lines += side_by_side(blocks, widths, gap)
    return lines


def first_fit(forms: Sequence[Sequence[str]], width: int) -> list[str]:
    """The first form whose every line fits `width`; the last form, wrapped, when none does.

    How a figure gives way when space is short: drop decoration first, then
    break the line where the figure's own words break, never inside a number.
    """
    for form in forms:
        if all(cell_len(line) <= width for line in form):
            return list(form)
    return [wrapped for line in forms[-1] for wrapped in wrap(line, width)]


# -- tables ------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, width: int, first: int) -> list[Content]:
    """A first column of `first` cells, the others sharing the rest; a rule under the header."""
    others = max(1, len(header) - 1)
    column = max(6, (width - first - 2 * others) // others)
    widths = [first, *[column] * others]

    def line(cells: Sequence[str], style: str = "") -> Content:
        parts: list[Content | str] = []
        for index, (text, size) in enumerate(zip(cells, widths)):
            if index:
                parts.append("  ")
            parts.append(cell(text, size, style if style else (HEADING if index == 0 else "")))
        return Content.assemble(*parts).rstrip()

    lines = [line(header, HEADING), Content("  ".join("─" * size for size in widths))]
    lines += [line(row) for row in rows]
    return lines
