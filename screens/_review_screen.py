"""The progress review: the same team, the same questions, some months on.

Step four of "Getting there" in Transforming Services: Changing Lives
(Suresearch and the University of Birmingham) is to look again on a set
date. This screen sets the earlier session beside this one: the grid's
medians and gaps per area, the spectrum, the indicators, and the targets
that were agreed last time.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from exports import Comparison, GridComparison, IndicatorsComparison, SpectrumComparison, compare_sessions
from sessions import LiveSession

from . import _charts as charts
from . import _layout as layout
from ._activity_view import BodyScroll, Canvas

KIND_ORDER = {"grid": 0, "spectrum": 1, "indicators": 2}
SOURCE = "Transforming Services: Changing Lives. A Guide for Action (Suresearch and the University of Birmingham, 2008)"


class ReviewScreen(Screen[None]):
    """Then against now, drawn to fit the screen; Escape goes back."""

    DEFAULT_CSS = """
    ReviewScreen {
        layout: vertical;
    }
    ReviewScreen > #review-heading {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    ReviewScreen > BodyScroll {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close review"),
        Binding("up", "scroll(-1)", "Scroll up", show=False),
        Binding("down", "scroll(1)", "Scroll down", show=False),
        Binding("pageup", "scroll(-10)", "Page up", show=False),
        Binding("pagedown", "scroll(10)", "Page down", show=False),
    ]

    def __init__(self, baseline: LiveSession, session: LiveSession) -> None:
        super().__init__()
        self.baseline = baseline
        self.session = session
        self.comparison: Comparison = compare_sessions(baseline, session)

    def compose(self) -> ComposeResult:
        yield Static(self.heading(), id="review-heading")
        with BodyScroll():
            yield Canvas(self.draw, id="review-body")
        yield Footer()

    def heading(self) -> Content:
        before, after = self.comparison.before, self.comparison.after
        return Content.assemble(
            ("Progress review", layout.HEADING),
            "\nThen: ",
            Content(f"{before.title}, {before.date_label}"),
            "\nNow:  ",
            Content(f"{after.title}, {after.date_label}"),
        )

    def refresh_from_sessions(self) -> None:
        """Compare again (the shell may call this when the live session changes)."""
        self.comparison = compare_sessions(self.baseline, self.session)
        self.query_one("#review-heading", Static).update(self.heading())
        self.query_one("#review-body", Canvas).redraw()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, rows: int) -> None:
        self.query_one(BodyScroll).scroll_relative(y=rows, animate=False)

    # -- drawing ------------------------------------------------------------------------

    def draw(self, width: int, height: int) -> Content:
        width = max(width, 40)
        comparison = self.comparison
        lines: list[Content] = []
        if not comparison.same_family:
            lines += [
                Content(line)
                for line in layout.wrap(
                    f"The two sessions follow different plans ({comparison.before.template_family} and "
                    f"{comparison.after.template_family}); only the activities that match are compared.",
                    width,
                )
            ]
        lines.append(
            Content.styled(
                layout.fit(
                    f"Each entry: then → now and the change ({charts.UP} up, {charts.DOWN} down, "
                    f"{charts.SAME} no change, {charts.NO_VALUE} not asked).",
                    width,
                ),
                layout.QUIET,
            )
        )
        # The grid's gaps are what the review is for; they come first.
        for activity in sorted(comparison.activities, key=lambda a: KIND_ORDER.get(a.kind, len(KIND_ORDER))):
            lines.append(Content(""))
            lines.append(Content.styled(layout.fit(activity.title, width), "bold underline"))
            if isinstance(activity, GridComparison):
                lines += self._grid(activity, width)
            elif isinstance(activity, SpectrumComparison):
                lines += self._spectrum(activity, width)
            elif isinstance(activity, IndicatorsComparison):
                lines += self._indicators(activity, width)
        if not comparison.activities:
            lines += [Content(""), Content("Nothing in these two sessions can be compared.")]
        if comparison.not_compared:
            lines += [Content(""), Content.styled("Not compared", layout.HEADING)]
            for reason in comparison.not_compared:
                lines += [Content(line) for line in layout.wrap(reason, width, first="• ", indent="  ")]
        lines += [Content("")] + self._targets(width)
        lines += [Content(""), Content.styled(layout.fit(f"Source: {SOURCE}", width), layout.QUIET)]
        return layout.join_lines(lines)

    def _grid(self, activity: GridComparison, width: int) -> list[Content]:
        first = min(max((len(area.name) for area in activity.areas), default=4) + 1, width // 4)
        rows = [
            [
                area.name,
                charts.shift_text(area.now.before, area.now.after),
                charts.shift_text(area.target.before, area.target.after),
                _signed_shift(area.gap.before, area.gap.after),
            ]
            for area in activity.areas
        ]
        return layout.table(
            ["Area", f"{charts.NOW} Level now", f"{charts.TARGET} Target level", "Gap to target"],
            rows,
            width=width,
            first=first,
        ) + [
            Content.styled(line, layout.QUIET)
            for line in layout.wrap("Levels are medians of the room's answers; a smaller gap means closer to the target.", width)
        ]

    def _spectrum(self, activity: SpectrumComparison, width: int) -> list[Content]:
        lines = layout.table(
            ["Measure", "Then → now"],
            [
                ["Median position", charts.shift_text(activity.median.before, activity.median.after)],
                ["Spread (middle half)", charts.shift_text(activity.spread.before, activity.spread.after)],
                ["People answering", charts.shift_text(activity.answers.before, activity.answers.after, counts=True)],
            ],
            width=min(width, 60),
            first=22,
        )
        if activity.median_label_before or activity.median_label_after:
            lines.append(Content(layout.fit(f"Median then: {activity.median_label_before or charts.NO_VALUE}", width)))
            lines.append(Content(layout.fit(f"Median now:  {activity.median_label_after or charts.NO_VALUE}", width)))
        names = {round(stage.position): stage.name for stage in activity.stages}
        labels = [f"{p} {names[p]}" if p in names else str(p) for p in range(1, activity.positions + 1)]
        lines.append(Content(""))
        lines += charts.row_chart(
            labels,
            [("Then", list(activity.counts_before), ""), ("Now", list(activity.counts_after), "")],
            width=width,
            medians=[activity.median.before, activity.median.after],
        )
        return lines

    def _indicators(self, activity: IndicatorsComparison, width: int) -> list[Content]:
        glyphs = charts.ANSWER_GLYPHS
        rows = [
            [
                statement.name,
                charts.shift_text(statement.met.before, statement.met.after, counts=True),
                charts.shift_text(statement.partly.before, statement.partly.after, counts=True),
                charts.shift_text(statement.not_met.before, statement.not_met.after, counts=True),
            ]
            for statement in activity.statements
        ]
        first = min(max((len(s.name) for s in activity.statements), default=4) + 1, width // 4)
        return layout.table(
            ["Indicator", f"{glyphs['met']} Met", f"{glyphs['partly']} Partly met", f"{glyphs['not_met']} Not met"],
            rows,
            width=width,
            first=first,
        )

    def _targets(self, width: int) -> list[Content]:
        before = self.comparison.before
        targets = self.comparison.targets_before
        if not targets:
            return [Content(layout.fit(f"No targets were recorded on {before.date_label}.", width))]
        lines = [Content.styled(layout.fit(f"Targets agreed on {before.date_label}: how did they go?", width), layout.HEADING)]
        for number, target in enumerate(targets, start=1):
            lines += [Content(line) for line in layout.wrap(target.text, width, first=f"{number}. ", indent="   ")]
            who = target.owner or "nobody named"
            when = target.review_date_label or "no date set"
            lines.append(Content.styled(layout.fit(f"   Who: {who} · Review by: {when}", width), layout.QUIET))
        return lines


def _signed_shift(before: float | None, after: float | None) -> str:
    moved = None if before is None or after is None else after - before
    return f"{charts.signed(before)} → {charts.signed(after)} {charts.change(moved)}"
