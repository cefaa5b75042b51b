"""The progress review: the same team, the same questions, some months on.

Step four of "Getting there" in Transforming Services: Changing Lives
(Suresearch and the University of Birmingham) is to look again on a set
date. This screen sets the earlier session beside this one: the grid's
medians and gaps per area, the spectrum, the indicators, each change
judged better or worse in words, and the targets agreed last time with how
each went: the facilitator records that here (1 to 9, or o), kept with this
session.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from exports import (
    LEGEND,
    Comparison,
    Figure,
    FigureGroup,
    GridComparison,
    IndicatorsComparison,
    SpectrumComparison,
    compare_sessions,
    figure_groups,
    position_counts,
    review_count,
)
from sessions import LiveSession, Target, TargetOutcome, numbers

from . import _charts as charts
from . import _layout as layout
from ._activity_view import BodyScroll, Canvas
from ._closes_once import ClosesOnce
from ._host import SessionHost
from ._key_footer import KeyFooter
from ._messages import ChangeBatch
from ._outcome_form import OutcomeForm

KIND_ORDER = {"grid": 0, "spectrum": 1, "indicators": 2}
REFRESH_ON = frozenset({"outcome", "vote", "tally", "participant"})
"""Changes to the live session that alter what the review shows."""
SOURCE = "Transforming Services: Changing Lives. A Guide for Action (Suresearch and the University of Birmingham, 2008)"


class ReviewScreen(ClosesOnce, Screen[None]):
    """Then against now, drawn to fit the screen; 1 to 9 or o record how a target went; Escape goes back."""

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
        Binding("escape", "close", "Back"),  # short, so the footer never cuts it
        Binding("o", "outcome", "Outcome"),
        *(Binding(str(n), f"outcome({n})", f"Target {n}", show=False) for n in range(1, 10)),
        Binding("up", "scroll(-1)", "Scroll up", show=False),
        Binding("down", "scroll(1)", "Scroll down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "scroll_to('home')", "Top", show=False),
        Binding("end", "scroll_to('end')", "Bottom", show=False),
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
        yield KeyFooter()

    def heading(self) -> Content:
        before, after = self.comparison.before, self.comparison.after
        return Content.assemble(
            ("Progress review", layout.HEADING),
            "\nThen: ",
            Content(f"{before.title}, {before.date_label}"),
            "\nNow:  ",
            Content(f"{after.title}, {after.date_label}"),
        )

    def on_mount(self) -> None:
        if isinstance(self.app, SessionHost):
            self.app.session_signal.subscribe(self, self._on_session_changed)
            # The line on recording outcomes is the facilitator's: it goes and comes back with the keys.
            self.watch(self.app, "room_view", lambda _on: self.query_one("#review-body", Canvas).redraw(), init=False)

    def _on_session_changed(self, batch: ChangeBatch) -> None:
        """An outcome saved from the console, or answers still coming in: the review follows."""
        if batch.kinds & REFRESH_ON and self.is_attached:
            self.refresh_from_sessions()

    def refresh_from_sessions(self) -> None:
        """Compare again (the shell may call this when the live session changes)."""
        self.comparison = compare_sessions(self.baseline, self.session)
        self.query_one("#review-heading", Static).update(self.heading())
        self.query_one("#review-body", Canvas).redraw()

    def action_close(self) -> None:
        self.dismiss(None)

    @property
    def room_view(self) -> bool:
        return isinstance(self.app, SessionHost) and self.app.room_view

    @property
    def earlier_targets(self) -> list[Target]:
        """The earlier session's targets in the order the comparison lists them."""
        return sorted(self.baseline.targets.values(), key=lambda target: target.created_at)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "outcome":
            if not self.earlier_targets:
                return False
            if parameters and isinstance(parameters[0], int):
                return parameters[0] <= len(self.earlier_targets)
        return True

    def action_outcome(self, number: int = 0) -> None:
        """Record how target `number` went; without a number, the first one nobody has reviewed yet."""
        targets = self.earlier_targets
        if not targets:
            return
        if not number:
            waiting = [n for n, target in enumerate(targets, start=1) if target.id not in self.session.outcomes]
            number = waiting[0] if waiting else 1
        if not 1 <= number <= len(targets):
            return

        def recorded(outcome: TargetOutcome | None) -> None:
            self.refresh_from_sessions()
            if outcome is not None:
                self.notify(f"Target {number}: {outcome.outcome.label}.", markup=False)

        self.app.push_screen(OutcomeForm(self.session, targets[number - 1], number), recorded)

    def action_scroll(self, rows: int) -> None:
        self.query_one(BodyScroll).scroll_relative(y=rows, animate=False, immediate=True)

    def action_page(self, pages: int) -> None:
        """A screenful less one line, as on an activity: the line read last stays, to read on from."""
        scroll = self.query_one(BodyScroll)
        scroll.scroll_relative(y=pages * max(1, scroll.scrollable_content_region.height - 1), animate=False, immediate=True)

    def action_scroll_to(self, where: str) -> None:
        scroll = self.query_one(BodyScroll)
        if where == "home":
            scroll.scroll_home(animate=False, immediate=True, x_axis=False)
        else:
            scroll.scroll_end(animate=False, immediate=True, x_axis=False)

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
        lines += [Content.styled(line, layout.QUIET) for line in layout.wrap(LEGEND, width)]
        # The grid's gaps are what the review is for; they come first.
        for activity in sorted(comparison.activities, key=lambda a: KIND_ORDER.get(a.kind, len(KIND_ORDER))):
            lines.append(Content(""))
            lines += [Content.styled(line, "bold underline") for line in layout.wrap(activity.title, width)]
            if isinstance(activity, GridComparison):
                lines += self._grid(activity, width)
            elif isinstance(activity, SpectrumComparison):
                lines += self._spectrum(activity, width)
            elif isinstance(activity, IndicatorsComparison):
                lines += self._indicators(activity, width)
        if not comparison.activities:
            lines += [Content(""), Content("Nothing in these two sessions can be compared.")]
        if comparison.held_back:
            lines += [Content(""), Content.styled("Phone answers not shown", layout.HEADING)]
            for line in comparison.held_back:
                lines += [Content(part) for part in layout.wrap(line, width, first="• ", indent="  ")]
        if comparison.not_compared:
            lines += [Content(""), Content.styled("Not compared", layout.HEADING)]
            for reason in comparison.not_compared:
                lines += [Content(line) for line in layout.wrap(reason, width, first="• ", indent="  ")]
        lines += [Content("")] + self._targets(width)
        lines += [Content("")] + [Content.styled(line, layout.QUIET) for line in layout.wrap(f"Source: {SOURCE}", width)]
        return layout.join_lines(lines)

    def _grid(self, activity: GridComparison, width: int) -> list[Content]:
        return _figure_lines(figure_groups(activity), width) + [
            Content.styled(line, layout.QUIET)
            for line in layout.wrap("Levels are medians of the room's answers; a smaller gap means closer to the target.", width)
        ]

    def _spectrum(self, activity: SpectrumComparison, width: int) -> list[Content]:
        lines = _figure_lines(figure_groups(activity), width)
        if activity.median_label_before or activity.median_label_after:
            for when, median in (("then: ", activity.median_label_before), ("now:  ", activity.median_label_after)):
                lines += [Content(line) for line in layout.wrap(median or charts.NO_VALUE, width, first=f"Median {when}", indent="             ")]
        names = {round(stage.position): stage.name for stage in activity.stages}
        labels = [f"{p} {names[p]}" if p in names else str(p) for p in range(1, activity.positions + 1)]
        lines.append(Content(""))
        # The same cells as the record and `involve compare`: shares beside the counts when the room changed size.
        then, now, then_sizes, now_sizes = position_counts(activity)
        lines += charts.row_chart(
            labels,
            [("Then", list(activity.counts_before), ""), ("Now", list(activity.counts_after), "")],
            width=width,
            medians=[activity.median.before, activity.median.after],
            figures=[then, now],
            sizes=[then_sizes, now_sizes],
        )
        then_n, now_n = int(activity.answers.before or 0), int(activity.answers.after or 0)
        if then_n != now_n:
            note = f"{numbers.people(then_n)} answered then and {now_n} now, so each bar is drawn to its share of those answering."
            lines += [Content.styled(line, layout.QUIET) for line in layout.wrap(note, width)]
        return lines

    def _indicators(self, activity: IndicatorsComparison, width: int) -> list[Content]:
        return _figure_lines(figure_groups(activity), width)

    def _targets(self, width: int) -> list[Content]:
        before = self.comparison.before
        reviews = self.comparison.target_reviews
        if not reviews:
            return [Content(line) for line in layout.wrap(f"No targets were recorded on {before.date_label}.", width)]
        heading = f"Targets agreed on {before.date_label}: how did they go? ({review_count(self.comparison)})"
        lines = [Content.styled(line, layout.HEADING) for line in layout.wrap(heading, width)]
        if not self.room_view:
            hint = "Press 1 to 9 to record how a target went, or o for the next one not reviewed yet."
            lines += [Content.styled(line, layout.QUIET) for line in layout.wrap(hint, width)]
        for number, review in enumerate(reviews, start=1):
            target = review.target
            lines += [Content(line) for line in layout.wrap(target.text, width, first=f"{number}. ", indent="   ")]
            who = target.owner or "nobody named"
            when = target.review_date_label or "no date set"
            # Who and when on one line when they fit, else one line each, wrapped: a date is never cut.
            forms = [[f"Who: {who} · Review by: {when}"], [f"Who: {who}", f"Review by: {when}"]]
            lines += [Content.styled(f"   {line}", layout.QUIET) for line in layout.first_fit(forms, width - 3)]
            mark = OUTCOME_MARKS.get(review.outcome, OUTCOME_MARKS[""])
            lines.append(Content.assemble("   ", Content.styled(f"{mark} Outcome: {review.outcome_label}", OUTCOME_STYLES.get(review.outcome, layout.QUIET))))
            if review.what_happened:
                lines += [Content(line) for line in layout.wrap(review.what_happened, width, first="   What happened: ", indent="     ")]
            if review.working_together:
                lines += [Content(line) for line in layout.wrap(review.working_together, width, first="   Working together: ", indent="     ")]
        return lines


OUTCOME_MARKS = {"done": "✔", "partly": "◐", "not_yet": "✘", "": "○"}
"""A mark beside each outcome's word, so it reads on any projector."""
OUTCOME_STYLES = {"done": "bold", "partly": "bold", "not_yet": "bold"}


VERDICT_STYLES = {"better": "bold $text-success", "worse": "bold $text-error"}
"""Colour beside the words, never instead of them: the arrow and 'better' or 'worse' carry the meaning."""
GLYPHS = {"met": charts.ANSWER_GLYPHS["met"], "partly": charts.ANSWER_GLYPHS["partly"], "not_met": charts.ANSWER_GLYPHS["not_met"]}


def _figure_lines(groups: tuple[FigureGroup, ...], width: int) -> list[Content]:
    """Each figure on its row: what, then → now, and the change in words, wrapped to the screen.

    Never cut: where the change does not fit beside the figure it goes under it,
    and where the figure does not fit beside its label it goes under that too.
    """
    figures = [figure for group in groups for figure in group.figures]
    if not figures:
        return []

    def label(figure: Figure) -> str:
        glyph = GLYPHS.get(figure.key)
        return f"{glyph} {figure.label}" if glyph else figure.label

    indent = "  " if any(group.name for group in groups) else ""
    below = indent + "    "
    label_width = max(cell_len(label(f)) for f in figures)
    values = {id(f): f"{f.then} → {f.now}" for f in figures}
    value_width = max(cell_len(v) for v in values.values())
    room = width - len(indent) - label_width - value_width - 4
    beside = room >= 0  # label and figure share a row

    def styled(line: str, style: str) -> Content:
        return Content.styled(line, style) if style else Content(line)

    lines: list[Content] = []
    for group in groups:
        if group.name and _nobody(group):
            lines.append(Content.assemble(Content.styled(group.name, layout.HEADING), Content.styled(": nobody answered, then or now", layout.QUIET)))
            continue
        if group.name:
            lines += [Content.styled(line, layout.HEADING) for line in layout.wrap(group.name, width)]
        for figure in group.figures:
            style = VERDICT_STYLES.get(figure.verdict, "")
            if not beside:
                lines += [Content(line) for line in layout.wrap(label(figure), width, first=indent, indent=indent + "  ")]
                lines += [Content(line) for line in layout.wrap(values[id(figure)], width, first=below, indent=below)]
                lines += [styled(line, style) for line in layout.wrap(figure.change, width, first=below, indent=below)]
                continue
            head = Content.assemble(indent, layout.cell(label(figure), label_width), "  ", layout.cell(values[id(figure)], value_width), "  ")
            if room >= 16:
                wrapped = layout.wrap(figure.change, room)
                lines.append(Content.assemble(head, styled(wrapped[0], style)).rstrip())
                pad = " " * (width - room)
                lines += [Content.assemble(pad, styled(line, style)) for line in wrapped[1:]]
            else:
                lines.append(head.rstrip())
                lines += [styled(line, style) for line in layout.wrap(figure.change, width, first=below, indent=below)]
    return lines


def _nobody(group: FigureGroup) -> bool:
    """Nobody answered this area or indicator at either session: one quiet line says so."""
    return [(f.key, f.then, f.now) for f in group.figures] == [("answers", "0", "0")]
