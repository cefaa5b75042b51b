"""Results drawn as text: bars with counts, median markers and gap lines.

Pure functions from numbers to `Content`, so the projected views and the
progress review draw the same way and the drawing can be tested as plain
text. Every mark carries a number or a word beside it: a washed-out
projector may lose the colours, never the meaning. Text from templates and
participants only ever enters as literal `Content`, never as markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content

from sessions import Answer, AreaResult, Distribution, GroupResult, numbers

from ._layout import HEADING, QUIET, SELECTED, cell, fit, pad, wrap

MEDIAN = "▲"
MEDIAN_ROW_MARK = " ◀ median"
NOW = "●"
TARGET = "◆"
ROW_MARK = "▸"
"""Marks the selected row of the grid, beside the colour, so the selection shows on any projector."""
MINUS = numbers.MINUS
NO_VALUE = numbers.NO_VALUE
ANSWER_GLYPHS: Mapping[str, str] = {Answer.MET.value: "✔", Answer.PARTLY.value: "◐", Answer.NOT_MET.value: "✘"}
ANSWER_WORDS: Mapping[str, str] = {Answer.MET.value: "Met", Answer.PARTLY.value: "Partly", Answer.NOT_MET.value: "Not met"}

BAR = "$primary"
MARK = "bold $accent"

MIN_ANSWER_BAR = 3
"""Cells of bar an indicator answer keeps before its words give way to the glyph alone."""
GRID_CELL_MIN = 7
"""A grid cell with a marker, a count and a sliver of bar."""
GRID_CELL_BARE = 6
"""A grid cell with a marker and a count: bars give way before a level name is cut."""
_EIGHTHS_ACROSS = " ▏▎▍▌▋▊▉█"
_EIGHTHS_UP = " ▁▂▃▄▅▆▇█"


# -- numbers and words --------------------------------------------------------------


def number(value: float | int | None) -> str:
    """A median or spread, in the one vocabulary every export uses too ('2', '2.5', '2.25')."""
    return numbers.median(value)


def signed(value: float | int | None) -> str:
    """A gap, with its sign spelt out: '+2', '−1.5', '0'."""
    return numbers.signed(value)


def count_text(total: int, by_hand: int = 0) -> str:
    """A count, with the part the facilitator keyed in: '12 (5 by hand)'."""
    return numbers.by_hand(total, by_hand)


def answers_text(total: int, by_hand: int = 0) -> str:
    return numbers.answers(total, by_hand)


def hidden_note(answers: int) -> Content:
    """What the room sees while results are held back; the key that reveals them is in the footer, not here."""
    noun = "answer" if answers == 1 else "answers"
    return Content.assemble((f"{answers} {noun} so far", HEADING), " · results hidden")


def group_note(group: GroupResult) -> str:
    """Why a role group has no chart of its own, in the words the record uses too."""
    if group.size == 0:
        return "no answers yet"
    return group.note


def group_heading(group: GroupResult) -> str:
    if group.suppressed:
        return f"{group.group.label}: {group_note(group)}"
    return f"{group.group.label} ({group.size})"


def group_lines(group: GroupResult, width: int) -> list[Content]:
    """A group's heading for a column: its name and size, or its name and why it is not shown."""
    if not group.suppressed:
        return [Content.styled(line, HEADING) for line in wrap(group_heading(group), width)]
    return [Content.styled(line, HEADING) for line in wrap(group.group.label, width)] + [
        Content.styled(line, QUIET) for line in wrap(group_note(group), width)
    ]


def group_name_lines(group: GroupResult, width: int) -> list[Content]:
    """A group's name (and size, when it is shown) over its column, wrapped rather than cut."""
    text = group.group.label if group.suppressed else group_heading(group)
    return [Content.styled(line, HEADING) for line in wrap(text, width)]


def gap_text(now: float | None, target: float | None, gap: float | None) -> str:
    """'now ● 2 → target ◆ 4, gap +2': the grid's headline for one area."""
    return f"now {NOW} {number(now)} → target {TARGET} {number(target)}, gap {signed(gap)}"


def area_gap_text(area: AreaResult) -> str:
    return gap_text(area.now.median, area.target.median, area.gap)


def gap_forms(now: float | None, target: float | None, gap: float | None, *, extra: str = "", words: bool = True) -> list[list[str]]:
    """The grid's headline for one area, from the fullest form to the narrowest, for `layout.first_fit`.

    `extra` and the words "now" and "target" give way first (`words` False
    leaves them out from the start); the medians and the gap are in every form.
    """
    full = gap_text(now, target, gap)
    short_medians = f"{NOW} {number(now)} → {TARGET} {number(target)}"
    gap_words = f"gap {signed(gap)}"
    forms = [[f"{full} · {extra}"]] if extra and words else []
    forms += [[full]] if words else []
    forms += [
        [f"{short_medians}, {gap_words}"],
        [f"{short_medians},", gap_words],
        [f"{NOW} {number(now)} →", f"{TARGET} {number(target)},", gap_words],
    ]
    return forms


# -- bars ------------------------------------------------------------------------------


def bar(count: float, largest: float, width: int) -> str:
    """A horizontal bar in eighths of a cell; any count above zero shows at least a sliver."""
    if count <= 0 or largest <= 0 or width <= 0:
        return ""
    eighths = round(min(count, largest) / largest * width * 8)
    eighths = max(eighths, 1)
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS_ACROSS[rest] if rest else "")


def _column_eighths(count: int, largest: int, height: int) -> int:
    if count <= 0 or largest <= 0:
        return 0
    return max(1, round(count / largest * height * 8))


def scale_row(positions: int, slot: int, selected: int | None = None, labels: Sequence[str] | None = None) -> Content:
    """The numbered positions under a column chart; the selected one in brackets."""
    parts: list[Content | str | tuple[str, str]] = []
    for position in range(1, positions + 1):
        label = labels[position - 1] if labels else str(position)
        if position == selected:
            text = f"[{label}]" if cell_len(label) + 2 <= slot else label
            parts.append((pad(text, slot, "center"), SELECTED))
        else:
            parts.append(pad(label, slot, "center"))
    return Content.assemble(*parts)


def median_row(median: float | None, slot: int, width: int, word: str = "median") -> Content:
    """'▲ median 4.5' with the triangle under the median's place on the scale."""
    if median is None:
        return Content(pad(f"{word}: no answers yet", width))
    x = round((median - 1) * slot) + (slot - 1) // 2
    label = f"{word} {number(median)}"
    if x + 2 + cell_len(label) <= width:
        text = " " * x + f"{MEDIAN} {label}"
        start = x
    else:
        start = max(0, x - cell_len(label) - 1)
        text = " " * start + f"{label} {MEDIAN}"
    return Content.assemble((text[:start], ""), (text[start:], MARK))


def column_chart(
    counts: Sequence[int],
    *,
    slot: int,
    height: int,
    selected: int | None = None,
    median: float | None = None,
) -> list[Content]:
    """Upright bars, one slot per position, the count above each bar, the scale and median below.

    Returns count-and-bar rows, an axis, the numbered scale and the median row.
    """
    positions = len(counts)
    largest = max(counts, default=0)
    width = positions * slot
    bar_width = max(1, slot - 2)
    left_pad = (slot - bar_width) // 2
    grid = [[" "] * width for _ in range(height + 1)]
    for index, count in enumerate(counts):
        origin = index * slot
        eighths = _column_eighths(count, largest, height)
        filled_rows = math.ceil(eighths / 8)
        for level in range(filled_rows):
            piece = min(8, eighths - level * 8)
            row = height - level
            for x in range(origin + left_pad, origin + left_pad + bar_width):
                grid[row][x] = _EIGHTHS_UP[piece]
        label = str(count)
        label_row = height - filled_rows if count else height
        start = origin + max(0, (slot - len(label)) // 2)
        for offset, char in enumerate(label[: slot]):
            grid[label_row][start + offset] = char
    rows: list[Content] = []
    for row in grid:
        text = "".join(row)
        # Bars in the theme's colour; digits stay in the text colour.
        parts: list[tuple[str, str]] = []
        for char in text:
            style = BAR if char in _EIGHTHS_UP[1:] else ""
            if parts and parts[-1][1] == style:
                parts[-1] = (parts[-1][0] + char, style)
            else:
                parts.append((char, style))
        rows.append(Content.assemble(*parts))
    rows.append(Content("─" * width))
    rows.append(scale_row(positions, slot, selected))
    rows.append(median_row(median, slot, width))
    return rows


def distribution_counts(distribution: Distribution) -> list[int]:
    return [distribution.counts.get(value, 0) for value in distribution.scale]


def row_chart(
    labels: Sequence[str],
    columns: Sequence[tuple[str, Sequence[int] | None, str]],
    *,
    width: int,
    selected: int | None = None,
    medians: Sequence[float | None] | None = None,
    figures: Sequence[Sequence[str]] | None = None,
    sizes: Sequence[Sequence[float]] | None = None,
) -> list[Content]:
    """Horizontal bars, one row per label, one column of bars per group.

    `columns` holds (heading, counts or None when the group is not shown, note
    written down its column instead). The row holding a group's median is
    marked '◀ median'. Every column's bars use one scale, the largest count in
    the chart. A heading too long for its column wraps; labels too long for a
    third of the width ('5 Good involvement') shrink to their first word ('5')
    and are spelt out in a key under the chart, so no name is ever cut.

    `figures` and `sizes`, one list per column, replace what is written beside
    each bar and what the bars are drawn to: a review of rooms of different
    sizes writes '7 (100%)' and draws the bars to the shares.
    """
    # Two cells for the selection mark, one to keep the label off the numbers.
    longest = max((cell_len(label) for label in labels), default=1)
    keyed = longest + 3 > max(6, width // 3)
    shown_labels = [label.split(" ", 1)[0] for label in labels] if keyed else list(labels)
    label_width = max((cell_len(label) for label in shown_labels), default=1) + 3
    room = width - label_width
    column_width = max(6, (room - 3 * (len(columns) - 1)) // max(1, len(columns)))
    if sizes is None:
        sizes = [[float(c) for c in counts] if counts is not None else [] for _, counts, _ in columns]
    if figures is None:
        figures = [[str(c) for c in counts] if counts is not None else [] for _, counts, _ in columns]
    largest = max((max(sizes[i], default=0) for i, (_, counts, _) in enumerate(columns) if counts is not None), default=0)
    digits = max([2] + [cell_len(figure) for i, (_, counts, _) in enumerate(columns) if counts is not None for figure in figures[i]])
    marker_text = MEDIAN_ROW_MARK if column_width >= digits + 2 + len(MEDIAN_ROW_MARK) else f" {MEDIAN}"
    bar_width = max(1, column_width - digits - 1 - len(marker_text))
    heads = [wrap(heading, column_width) for heading, _, _ in columns]
    height = max((len(head) for head in heads), default=1)
    lines: list[Content] = []
    for y in range(height):
        header: list[Content | str] = [cell("", label_width)]
        for index, head in enumerate(heads):
            if index:
                header.append(" │ ")
            offset = y - (height - len(head))  # the last line of every heading sits on the same row
            header.append(cell(head[offset] if offset >= 0 else "", column_width, HEADING))
        lines.append(Content.assemble(*header).rstrip())
    # A group that is not drawn says why, down its own column.
    notes = [wrap(note, column_width) if counts is None else [] for _, counts, note in columns]
    median_rows = []
    for index, (_, counts, _) in enumerate(columns):
        median = medians[index] if medians and index < len(medians) else None
        median_rows.append(None if median is None or counts is None else round(median + 1e-9) - 1)
    for row, label in enumerate(shown_labels):
        is_selected = row + 1 == selected if selected is not None else False
        parts: list[Content | str] = [cell(("▸ " if is_selected else "  ") + label, label_width, SELECTED if is_selected else "")]
        for index, (_, counts, _) in enumerate(columns):
            if index:
                parts.append(" │ ")
            if counts is None:
                note_lines = notes[index]
                parts.append(cell(note_lines[row] if row < len(note_lines) else "", column_width, QUIET))
                continue
            figure = figures[index][row] if row < len(figures[index]) else "0"
            size = sizes[index][row] if row < len(sizes[index]) else 0.0
            marker = marker_text if median_rows[index] == row else ""
            parts.append(
                Content.assemble(
                    (f"{figure:>{digits}} ", ""),
                    (bar(size, largest, bar_width), BAR),
                    (marker, MARK),
                ).truncate(column_width, pad=True)
            )
        lines.append(Content.assemble(*parts).rstrip())
    if keyed:
        key = " · ".join(label for label in labels if " " in label)
        lines += [Content.styled(line, QUIET) for line in wrap(key, width, indent="  ")]
    return lines


# -- the grid -------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    """One (area, now/target, level) cell as the grid chart needs it."""

    count: int
    median_here: bool = False


def grid_table(
    level_labels: Sequence[tuple[int, str]],
    area_names: Sequence[str],
    cells: Mapping[tuple[int, int], GridCell] | None,
    *,
    width: int,
    selected: tuple[int, int] | None = None,
    selected_text: str = "",
    gaps: Sequence[float | None] | None = None,
) -> list[Content]:
    """Levels down the side (highest first), areas across, each split into now and target.

    `cells` maps (column, level) to a GridCell, column 2*i for area i now and
    2*i+1 for its target; None hides the counts (results not revealed), when
    only `selected_text` is drawn in the selected cell. `gaps`, one per area,
    adds a row under the levels with each area's gap under its own columns, so
    the figure the grid exists for is on screen with the chart however little
    room is left below it.
    """
    columns = 2 * len(area_names)
    longest = max((cell_len(f"{number} {name}") for number, name in level_labels), default=2)
    # A level name is shown whole or not at all: cells give up their bar's sliver before a
    # name is cut, and when even bare cells leave it too little room, rows show numbers
    # and a key under the grid names every level.
    whole = longest + 1  # the row marker, then the name
    room = next((width - columns * least for least in (GRID_CELL_MIN, GRID_CELL_BARE) if width - columns * least >= whole), 0)
    named = room > 0
    label_width = min(longest + 2, room) if named else 3
    column_width = max(5, (width - label_width) // max(1, columns))
    largest = 0
    if cells:
        largest = max((c.count for c in cells.values()), default=0)
    digits = max(2, len(str(largest)))
    bar_width = max(0, column_width - digits - 4)
    lines = area_headings(area_names, label_width, column_width * 2 - 1)
    subs: list[Content | str] = [cell("Level" if named else "", label_width, QUIET)]
    for column in range(columns):
        word = "now" if column % 2 == 0 else "target"
        glyph = NOW if column % 2 == 0 else TARGET
        chosen = selected is not None and selected[0] == column
        forms = (f"[{glyph} {word}]", f"[{word}]") if chosen else (f"{glyph} {word}",)
        text = next((form for form in forms if cell_len(form) <= column_width), word)
        subs.append(cell(text, column_width, SELECTED if chosen else QUIET, "center"))
    lines.append(Content.assemble(*subs).rstrip())
    for number_, name in sorted(level_labels, reverse=True):
        row_selected = selected is not None and selected[1] == number_
        label = f"{number_} {name}" if named else str(number_)
        parts: list[Content | str] = [
            cell((ROW_MARK if row_selected else " ") + label, label_width, HEADING if row_selected else "")
        ]
        for column in range(columns):
            chosen = row_selected and selected is not None and selected[0] == column
            glyph = NOW if column % 2 == 0 else TARGET
            if cells is None:
                text = selected_text if chosen else "·"
                parts.append(cell(text, column_width, SELECTED if chosen else QUIET, "center"))
                continue
            data = cells.get((column, number_), GridCell(0))
            mark = glyph if data.median_here else " "
            body = Content.assemble(
                (mark, MARK),
                (f"{data.count:>{digits}} " if data.count else f"{'·':>{digits}} ", "" if data.count else QUIET),
                (bar(data.count, largest, bar_width), BAR),
            )
            if chosen:
                body = Content.assemble(("[", SELECTED), body.stylize(SELECTED), ("]", SELECTED))
                parts.append(body.truncate(column_width, pad=True))
            else:
                parts.append(Content.assemble(" ", body).truncate(column_width, pad=True))
        lines.append(Content.assemble(*parts).rstrip())
    if gaps is not None:
        row: list[Content | str] = [cell("gap" if not named else "Gap", label_width, HEADING)]
        for gap in gaps:
            row.append(cell(signed(gap), column_width * 2, HEADING, "center"))
        lines.append(Content.assemble(*row).rstrip())
    if not named:
        key = " · ".join(f"{number_} {name}" for number_, name in sorted(level_labels, reverse=True))
        lines += [Content.styled(line, QUIET) for line in wrap(f"Levels: {key}", width, indent="  ")]
    return lines


def area_headings(area_names: Sequence[str], indent: int, width: int) -> list[Content]:
    """Area names over their columns: on two lines when one would be cut, so
    "Individual care" reads whole on a projector instead of "Individual c…"."""
    names = []
    for name in area_names:
        words = wrap(name, width) if cell_len(name) > width else [name]
        if len(words) > 2:
            words = [words[0], fit(" ".join(words[1:]), width)]
        names.append([fit(word, width) for word in words])
    rows = max((len(words) for words in names), default=1)
    lines = []
    for row in range(rows):
        heads: list[Content | str] = [cell("", indent)]
        for words in names:
            offset = row - (rows - len(words))  # the last line of every name sits on the same row
            heads.append(cell(words[offset] if offset >= 0 else "", width, HEADING, "center"))
            heads.append(" ")
        lines.append(Content.assemble(*heads).rstrip())
    return lines


def grid_cells(areas: Sequence[AreaResult]) -> dict[tuple[int, int], GridCell]:
    """Turn area results into GridCells; the median of each column is marked in its cell."""
    cells: dict[tuple[int, int], GridCell] = {}
    for index, area in enumerate(areas):
        for offset, distribution in enumerate((area.now, area.target)):
            median = distribution.median
            median_level = None if median is None else math.floor(median + 0.5)
            for level in distribution.scale:
                cells[(2 * index + offset, level)] = GridCell(
                    count=distribution.counts.get(level, 0),
                    median_here=median_level == level,
                )
    return cells


# -- indicators ------------------------------------------------------------------------


def answer_row(
    counts: Mapping[str, int] | None,
    *,
    width: int,
    selected: str | None = None,
    hand: Mapping[str, int] | None = None,
    largest: int | None = None,
) -> Content:
    """Met / partly / not met side by side: glyph, word, count and a bar.

    With `counts` None (results hidden) only the choices are drawn. Every bar
    starts at the same place in its segment and uses one scale, `largest`
    (the chart's largest count; this row's when not given), so equal counts
    draw equal bars in every column and every row. When a segment is short the
    words give way ('✔ 5' for '✔ Met 5'), never the count.
    """
    answers = [answer.value for answer in Answer]
    segment = max(6, (width - 2 * (len(answers) - 1)) // len(answers))
    words = all(cell_len(f"[{ANSWER_GLYPHS[answer]} {ANSWER_WORDS[answer]}]") <= segment for answer in answers)

    def label(answer: str) -> str:
        return f"{ANSWER_GLYPHS[answer]} {ANSWER_WORDS[answer]}" if words else ANSWER_GLYPHS[answer]

    parts: list[Content | str] = []
    if counts is None:
        for index, answer in enumerate(answers):
            if index:
                parts.append("  ")
            chosen = answer == selected
            text = f"[{label(answer)}]" if chosen else f" {label(answer)} "
            parts.append(cell(text, segment, SELECTED if chosen else ""))
        return Content.assemble(*parts).rstrip()
    scale = largest if largest is not None else max(counts.values(), default=0)

    def head(answer: str, form: int) -> str:
        count = counts.get(answer, 0)
        return (
            f"{label(answer)} {count_text(count, (hand or {}).get(answer, 0))}",
            f"{label(answer)} {count}",
            f"{ANSWER_GLYPHS[answer]} {count}",
        )[form]

    # The fullest form that leaves a bar of a few cells; the legend above spells out the glyphs.
    for form in range(3):
        heads = {answer: head(answer, form) for answer in answers}
        head_width = max(cell_len(text) for text in heads.values()) + 1
        bar_room = max(0, segment - head_width - 2)
        if bar_room >= MIN_ANSWER_BAR:
            break
    for index, answer in enumerate(answers):
        if index:
            parts.append("  ")
        chosen = answer == selected
        body = Content.assemble((pad(heads[answer], head_width), ""), (bar(counts.get(answer, 0), scale, bar_room), BAR))
        if chosen:
            parts.append(Content.assemble(("[", SELECTED), body.stylize(SELECTED), ("]", SELECTED)).truncate(segment, pad=True))
        else:
            parts.append(Content.assemble(" ", body).truncate(segment, pad=True))
    return Content.assemble(*parts).rstrip()


def answer_summary(counts: Mapping[str, int] | None) -> str:
    """'✔ 5  ◐ 3  ✘ 1': the compact form used when groups sit side by side."""
    if counts is None:
        return ""
    return "  ".join(f"{ANSWER_GLYPHS[answer.value]} {counts.get(answer.value, 0)}" for answer in Answer)


def answer_legend() -> str:
    return "  ".join(f"{ANSWER_GLYPHS[answer.value]} {answer.label.lower()}" for answer in Answer)
