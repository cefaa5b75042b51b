"""Five levels by three areas: where the room says involvement is now, and where it should be."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import var

from sessions import SPLIT_GROUPS, GridActivity, GridResult, grid_item

from . import _charts as charts
from . import _layout as layout
from ._activity_view import ActivityView, Choice


class GridView(ActivityView):
    """Rows are levels (highest at the top); each area has a "now" and a "target" column."""

    TALLIES = True

    column: var[int] = var(0)
    """0 is the first area's "now", 1 its "target", 2 the next area's "now", and so on."""
    level: var[int] = var(1)

    activity: GridActivity

    # -- selection ----------------------------------------------------------------------

    def move(self, dx: int, dy: int) -> bool:
        columns = 2 * len(self.activity.areas)
        numbers = [level.number for level in self.activity.levels]
        before = (self.column, self.level)
        if dx:
            self.column = max(0, min(columns - 1, self.column + dx))
        if dy:
            # Up the screen is up the levels.
            self.level = max(min(numbers), min(max(numbers), self.level - dy))
        return (self.column, self.level) != before or bool(dx)

    def _item(self, column: int) -> str:
        area = self.activity.areas[column // 2]
        return grid_item(area.id, "now" if column % 2 == 0 else "target")

    def choice(self) -> Choice:
        area = self.activity.areas[self.column // 2]
        when = "now" if self.column % 2 == 0 else "target"
        level = self.activity.level(self.level)
        label = f"{area.name}, {when}: level {level.number} {level.name}"
        return Choice(self._item(self.column), self.level, label)

    @property
    def overall(self) -> GridResult:
        assert self.results is not None
        return self.results.overall  # type: ignore[return-value]

    def total_for(self, item: str, value: int | str) -> int:
        if self.results is None:
            return 0
        for index, area in enumerate(self.activity.areas):
            if item == grid_item(area.id, "now"):
                return self.overall.areas[index].now.counts.get(int(value), 0)
            if item == grid_item(area.id, "target"):
                return self.overall.areas[index].target.counts.get(int(value), 0)
        return 0

    def _hand_count(self, item: str) -> int:
        return sum(count for (counted, _), count in self.hand.items() if counted == item)

    # -- drawing ------------------------------------------------------------------------

    def draw(self, width: int, height: int) -> list[Content]:
        activity = self.activity
        levels = [(level.number, level.name) for level in activity.levels]
        areas = [area.name for area in activity.areas]
        # On revealed results the cursor shows only while the facilitator counts (see ActivityView.cursor).
        selected = (self.column, self.level) if self.cursor else None
        if self.revealed:
            cells = charts.grid_cells(self.overall.areas)
            gaps = [result.gap for result in self.overall.areas]
            lines = charts.grid_table(levels, areas, cells, width=width, selected=selected, gaps=gaps)
        else:
            counted = self.session.tally_count(activity.id, self._item(self.column), self.level, self.tally_group)
            lines = charts.grid_table(levels, areas, None, width=width, selected=selected, selected_text=f"[{counted}]")
        # Area names take one or two lines, so find the selected row by its marker.
        row = next((i for i, line in enumerate(lines) if line.plain.startswith(charts.ROW_MARK)), 0)
        self.focus_lines = (0, row)
        if not self.revealed:
            return lines
        lines.append(Content(""))
        lines += self._split(width) if self.showing_split else self._gaps(width)
        legend = f"{charts.NOW} median now   {charts.TARGET} median target   · nobody" + ("   [ ] selected" if self.cursor else "")
        lines += [Content.styled(line, layout.QUIET) for line in layout.wrap(legend, width)]
        return lines

    def _name_width(self, width: int, share: int) -> int:
        return max(4, min(max(len(area.name) for area in self.activity.areas) + 1, width // share))

    def _name_cell(self, name: str, width: int) -> list[Content]:
        return [Content.styled(line, layout.HEADING) for line in layout.wrap(name, width)]

    def _gaps(self, width: int) -> list[Content]:
        """Each area's medians now and as hoped for, and the gap: the figure the activity exists for."""
        name_width = self._name_width(width, 3)
        room = max(1, width - name_width - 1)
        rows = []
        for area, result in zip(self.activity.areas, self.overall.areas):
            answers = max(result.now.n, result.target.n)
            by_hand = max(self._hand_count(grid_item(area.id, "now")), self._hand_count(grid_item(area.id, "target")))
            forms = charts.gap_forms(result.now.median, result.target.median, result.gap, extra=charts.answers_text(answers, by_hand))
            rows.append([self._name_cell(area.name, name_width), [Content(line) for line in layout.first_fit(forms, room)]])
        return layout.aligned_rows(rows, [name_width, room], gap=" ")

    def _split(self, width: int) -> list[Content]:
        """Each area's medians and gap for staff beside service users and carers."""
        assert self.results is not None
        groups = {group.group: group for group in self.results.groups}
        shown = [groups[role_group] for role_group in SPLIT_GROUPS]
        name_width = self._name_width(width, 4)
        column = max(1, (width - name_width - 3 * len(shown)) // len(shown))
        # A group held back says why under its name; its figures are dashes.
        header = [[Content.styled("By role", layout.QUIET)]]
        for group in shown:
            notes = [Content.styled(line, layout.QUIET) for line in layout.wrap(charts.group_note(group), column)] if group.suppressed else []
            header.append(charts.group_name_lines(group, column) + notes)
        rows = [header]
        for area in self.activity.areas:
            row = [self._name_cell(area.name, name_width)]
            for group in shown:
                if group.result is None:
                    row.append([Content.styled("—", layout.QUIET)])
                    continue
                result = group.result.area(area.id)  # type: ignore[union-attr]
                forms = charts.gap_forms(result.now.median, result.target.median, result.gap, words=False)
                row.append([Content(line) for line in layout.first_fit(forms, column)])
            rows.append(row)
        return layout.aligned_rows(rows, [name_width, *[column] * len(shown)], gap=" │ ")
