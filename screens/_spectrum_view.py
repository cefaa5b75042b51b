"""Where the room places the organisation on the service user leadership spectrum."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.reactive import var

from sessions import SPECTRUM_ITEM, SPLIT_GROUPS, SpectrumActivity, SpectrumResult, numbers

from . import _charts as charts
from . import _layout as layout
from ._activity_view import ActivityView, Choice

MIN_BARS = 3
MAX_BARS = 8
MAX_SLOT = 10
PRACTICE_COLUMN_MIN = 28
"""Narrower than this, the stages' practices are listed one stage under another instead of side by side."""


class SpectrumView(ActivityView):
    """Stages left to right, a scale of positions across them, and the room's placements."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "toggle_details", "Practices"),
    ]

    TALLIES = True

    details: var[bool] = var(False)
    """Show the practices that mark each stage (they take room from the chart)."""
    position: var[int] = var(1)

    activity: SpectrumActivity

    def __init__(self, session, activity: SpectrumActivity, *, id: str | None = None) -> None:
        super().__init__(session, activity, id=id)
        self.set_reactive(SpectrumView.position, (activity.positions + 1) // 2)

    # -- selection ----------------------------------------------------------------------

    def move(self, dx: int, dy: int) -> bool:
        if not dx:
            return False
        self.position = max(1, min(self.activity.positions, self.position + dx))
        return True

    def choice(self) -> Choice:
        label = f"Position {self.position} ({self.activity.position_label(self.position)})"
        return Choice(SPECTRUM_ITEM, self.position, label)

    def total_for(self, item: str, value: int | str) -> int:
        if self.results is None:
            return 0
        return self.overall.positions.counts.get(int(value), 0)

    @property
    def overall(self) -> SpectrumResult:
        assert self.results is not None
        return self.results.overall  # type: ignore[return-value]

    def action_toggle_details(self) -> None:
        self.details = not self.details

    def watch_details(self) -> None:
        self.redraw()

    # -- drawing ------------------------------------------------------------------------

    def _stage_positions(self) -> list[float]:
        stages, positions = self.activity.stages, self.activity.positions
        if len(stages) < 2:
            return [1.0]
        step = (positions - 1) / (len(stages) - 1)
        return [1 + index * step for index in range(len(stages))]

    def _slot(self, width: int) -> int:
        return min(MAX_SLOT, width // self.activity.positions)

    def _fits_columns(self, width: int) -> bool:
        largest = max(self.overall.positions.counts.values(), default=0) if self.results else 0
        return self._slot(width) >= max(3, len(str(largest)) + 1)

    def _stage_rows(self, slot: int) -> list[Content]:
        """Stage names over the scale, first at the left, last at the right, others centred.

        A name too long for its share of the line wraps onto as many rows as it needs.
        """
        stages = self.activity.stages
        chart_width = slot * self.activity.positions
        room = max(4, chart_width // max(1, len(stages)) - 1)
        wrapped = [layout.wrap(stage.name, room) for stage in stages]
        rows = [[" "] * chart_width for _ in range(max((len(names) for names in wrapped), default=1))]
        for index, (names, position) in enumerate(zip(wrapped, self._stage_positions())):
            for row, name in zip(rows, names):
                length = cell_len(name)
                if index == 0:
                    start = 0
                elif index == len(stages) - 1:
                    start = chart_width - length
                else:
                    start = round((position - 1) * slot + (slot - 1) / 2 - length / 2)
                start = max(0, min(chart_width - length, start))
                cells: list[str] = []
                for char in name:
                    cells += [char] + [""] * (cell_len(char) - 1)
                row[start : start + length] = cells
        lines = [Content.styled("".join(row).rstrip(), layout.HEADING) for row in rows]
        return [line for line in lines if line.plain]

    def _practices(self, width: int) -> list[Content]:
        """Every practice of every stage, each stage's name whole: side by side where the columns
        are wide enough to read, else one stage under another. The body scrolls (up and down)."""
        stages = self.activity.stages
        gap = 3
        column = (width - gap * (len(stages) - 1)) // max(1, len(stages))
        side = column >= PRACTICE_COLUMN_MIN
        column = column if side else width
        blocks = []
        for stage in stages:
            block = [Content.styled(line, layout.HEADING) for line in layout.wrap(stage.name, column)]
            for practice in stage.practices:
                block += [Content(line) for line in layout.wrap(practice, column, first="• ", indent="  ")]
            blocks.append(block)
        if side:
            return layout.side_by_side(blocks, [column] * len(stages))
        lines: list[Content] = []
        for index, block in enumerate(blocks):
            lines += [Content("")] * bool(index) + block
        return lines

    def _row_labels(self) -> list[str]:
        names = {round(position): stage.name for stage, position in zip(self.activity.stages, self._stage_positions())}
        return [f"{p} {names[p]}" if p in names else str(p) for p in range(1, self.activity.positions + 1)]

    def draw(self, width: int, height: int) -> list[Content]:
        slot = self._slot(width)
        columns = self._fits_columns(width) and not self.showing_split
        lines: list[Content] = []
        selected = self.position if self.cursor else None  # no cursor on revealed results unless counting
        if self.details:
            lines += self._practices(width)
            lines.append(Content(""))
        elif columns:
            lines += self._stage_rows(slot)
        if not self.revealed:
            top = len(lines)
            lines += self._hidden_scale(width, slot, columns)
            if self.focus_lines is not None:
                self.focus_lines = (top + self.focus_lines[0], top + self.focus_lines[1])
        elif self.showing_split:
            top = len(lines)
            lines += self._split(width)
            self.focus_lines = (top + self.position, top + self.position)
        elif columns:
            # Under the bars: the axis, the scale, the median row, a blank line and the median in words.
            below = 4 + len(self._median_words(width))
            bars = max(MIN_BARS, min(MAX_BARS, height - len(lines) - below - 1))
            counts = charts.distribution_counts(self.overall.positions)
            top = len(lines)
            lines += charts.column_chart(
                counts, slot=slot, height=bars, selected=selected, median=self.overall.positions.median
            )
            self.focus_lines = (top, len(lines) - 1)
        else:
            top = len(lines)
            counts = charts.distribution_counts(self.overall.positions)
            lines += charts.row_chart(
                self._row_labels(),
                [("Everyone", counts, "")],
                width=width,
                selected=selected,
                medians=[self.overall.positions.median],
            )
            self.focus_lines = (top + self.position, top + self.position)
        if self.revealed:
            lines.append(Content(""))
            lines += self._median_words(width)
        if self.details:
            # The practices are what people read now; up and down scroll through them.
            self.focus_lines = None
        return lines

    def _hidden_scale(self, width: int, slot: int, columns: bool) -> list[Content]:
        lines: list[Content] = []
        if columns:
            chart_width = slot * self.activity.positions
            lines.append(Content("─" * chart_width))
            lines.append(charts.scale_row(self.activity.positions, slot, self.position))
            self.focus_lines = (len(lines) - 1, len(lines) - 1)
        else:
            for index, label in enumerate(self._row_labels(), start=1):
                chosen = index == self.position
                text = ("▸ " if chosen else "  ") + label
                lines.append(layout.cell(text, width, layout.SELECTED if chosen else ""))
                if chosen:
                    self.focus_lines = (len(lines) - 1, len(lines) - 1)
        return lines

    def _split(self, width: int) -> list[Content]:
        assert self.results is not None
        by_group = {group.group: group for group in self.results.groups}
        groups = [by_group[role_group] for role_group in SPLIT_GROUPS]
        columns = []
        medians = []
        for group in groups:
            if group.result is None:
                columns.append((group.group.label, None, charts.group_note(group)))
                medians.append(None)
            else:
                distribution = group.result.positions  # type: ignore[union-attr]
                columns.append((charts.group_heading(group), charts.distribution_counts(distribution), ""))
                medians.append(distribution.median)
        return charts.row_chart(self._row_labels(), columns, width=width, selected=self.position if self.cursor else None, medians=medians)

    def _median_words(self, width: int) -> list[Content]:
        """The median in words, for the room and for anyone who cannot see the triangle."""
        lines: list[Content] = []
        if self.showing_split and self.results is not None:
            groups = {group.group: group for group in self.results.groups}
            for role_group in SPLIT_GROUPS:
                group = groups[role_group]
                if group.result is not None:
                    lines += self._median_lines(group.group.label, group.result.positions, width)  # type: ignore[union-attr]
            return lines
        return self._median_lines("Everyone", self.overall.positions, width)

    def _median_lines(self, who: str, distribution, width: int) -> list[Content]:
        """One group's median, wrapped under its name: the figure and the stage words are never cut."""
        median = distribution.median
        if median is None:
            return [Content(line) for line in layout.wrap(f"{who}: no answers yet", width, indent="  ")]
        where = numbers.position(self.activity, median)
        text = f"{who}: {charts.MEDIAN} median {charts.number(median)} — {where}"
        # Where the middle half lies, on a line of its own so the phrase is never broken across two.
        lines = layout.wrap(text, width, indent="  ") + layout.wrap(middle_half(distribution), width, first="  ", indent="  ")
        return [Content(line) for line in lines]


def middle_half(distribution) -> str:
    """The spread as a room reads it, for the whole room or one group: where the middle half of the answers lie, not a bare "spread 0.75"."""
    low, high = distribution.lower_quartile, distribution.upper_quartile
    if low == high:
        return f"Middle half of the answers: {charts.number(low)}."
    return f"Middle half of the answers: {charts.number(low)} to {charts.number(high)}."
