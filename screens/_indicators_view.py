"""Is each indicator met here? Met, partly met or not met, statement by statement."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import var

from sessions import SPLIT_GROUPS, Answer, IndicatorsActivity, IndicatorsResult

from . import _charts as charts
from . import _layout as layout
from ._activity_view import ActivityView, Choice

ANSWERS = tuple(answer.value for answer in Answer)
INDENT = 4


class IndicatorsView(ActivityView):
    """Each statement with its name and words, and the room's answers as bars with numbers."""

    TALLIES = True

    statement: var[int] = var(0)
    answer: var[int] = var(0)

    activity: IndicatorsActivity

    def move(self, dx: int, dy: int) -> bool:
        before = self.statement
        if dy:
            self.statement = max(0, min(len(self.activity.statements) - 1, self.statement + dy))
        if dx:
            self.answer = max(0, min(len(ANSWERS) - 1, self.answer + dx))
        return self.statement != before or bool(dx)

    def choice(self) -> Choice:
        statement = self.activity.statements[self.statement]
        answer = Answer(ANSWERS[self.answer])
        return Choice(statement.id, answer.value, f"{statement.name}, {charts.ANSWER_GLYPHS[answer.value]} {answer.label}")

    @property
    def overall(self) -> IndicatorsResult:
        assert self.results is not None
        return self.results.overall  # type: ignore[return-value]

    def total_for(self, item: str, value: int | str) -> int:
        if self.results is None:
            return 0
        return self.overall.statement(item).counts.get(str(value), 0)

    def draw(self, width: int, height: int) -> list[Content]:
        """Every statement whole, its name and its words, at any height: the body scrolls (Page Down, End)
        rather than the room losing the words that say what each indicator means."""
        lines: list[Content] = [Content.styled(line, layout.QUIET) for line in layout.wrap(charts.answer_legend(), width)]
        split = self.showing_split
        groups = {group.group: group for group in self.results.groups} if self.results else {}
        column = max(8, (width - 2 - 3) // 2)
        if split:
            heads = [charts.group_lines(groups[g], column) for g in SPLIT_GROUPS]
            lines += [Content.assemble("  ", line) for line in layout.aligned_rows([heads], [column, column], bottom=True)]
        largest = 0
        if self.revealed and self.results is not None:
            largest = max((max(self.overall.statement(s.id).counts.values(), default=0) for s in self.activity.statements), default=0)
        for index, statement in enumerate(self.activity.statements):
            chosen = index == self.statement
            marked = chosen and self.cursor  # no cursor on revealed results unless counting
            top = len(lines)
            name = Content.assemble(
                ("▸ " if marked else "  ", layout.SELECTED if marked else ""),
                (statement.name, layout.HEADING),
            )
            if statement.text:
                name = Content.assemble(name, " — ", (statement.text, layout.QUIET))
            lines += self._heading_lines(name, width)
            selected = ANSWERS[self.answer] if marked else None
            if not self.revealed:
                lines.append(Content.assemble("  ", charts.answer_row(None, width=width - 2, selected=selected)))
            elif split:
                blocks = []
                for role_group in SPLIT_GROUPS:
                    group = groups[role_group]
                    if group.result is None:
                        blocks.append([Content.styled("—", layout.QUIET)])
                    else:
                        counts = group.result.statement(statement.id).counts  # type: ignore[union-attr]
                        blocks.append([Content(charts.answer_summary(counts))])
                lines += [Content.assemble("  ", line) for line in layout.side_by_side(blocks, [column, column])]
            else:
                result = self.overall.statement(statement.id)
                hand = {answer: self.hand_apart(statement.id, answer) for answer in ANSWERS}
                lines.append(
                    Content.assemble(
                        "  ", charts.answer_row(result.counts, width=width - 2, selected=selected, hand=hand, largest=largest)
                    )
                )
            if chosen:
                self.focus_lines = (top, len(lines) - 1)
        return lines

    @staticmethod
    def _heading_lines(heading: Content, width: int) -> list[Content]:
        """A statement's name and words, the rest wrapped under the name: every statement reads whole."""
        if heading.cell_length <= width:
            return [heading]
        first, *rest = heading.wrap(width - INDENT)
        return [first, *(Content.assemble(" " * INDENT, line) for line in rest)]
