"""Progress review: the same team, the same questions, some months apart.

Step four of "Getting there" in Transforming Services: Changing Lives
(Suresearch and the University of Birmingham) is to look again on a set date.
Activities are matched by kind and id (or, failing that, by being the only
one of their kind in both sessions), so two sessions built from one template
family line up even when a trainer has edited the copy in between.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from sessions import (
    Answer,
    GridActivity,
    IndicatorResult,
    IndicatorsActivity,
    LiveSession,
    SpectrumActivity,
    activity_results,
    numbers,
)

from ._record_parts import StageMark, TargetRecord, TargetReview, stage_marks, target_records, target_reviews

NO_VALUE = numbers.NO_VALUE


@dataclass(frozen=True)
class Shift:
    """One measure at the earlier session and at this one."""

    before: float | None
    after: float | None
    change: float | None = field(init=False)

    def __post_init__(self) -> None:
        change = None if self.before is None or self.after is None else self.after - self.before
        object.__setattr__(self, "change", change)


@dataclass(frozen=True)
class SessionSide:
    id: str
    title: str
    date: str
    date_label: str
    template_name: str
    template_version: str
    template_family: str


@dataclass(frozen=True)
class SpectrumComparison:
    activity_id: str
    title: str
    positions: int
    stages: tuple[StageMark, ...]
    answers: Shift
    median: Shift
    spread: Shift
    median_label_before: str
    median_label_after: str
    counts_before: tuple[int, ...]
    counts_after: tuple[int, ...]
    kind: str = field(default="spectrum", init=False)


@dataclass(frozen=True)
class AreaComparison:
    area_id: str
    name: str
    answers: Shift
    now: Shift
    target: Shift
    gap: Shift


@dataclass(frozen=True)
class GridComparison:
    activity_id: str
    title: str
    areas: tuple[AreaComparison, ...]
    kind: str = field(default="grid", init=False)


@dataclass(frozen=True)
class StatementComparison:
    statement_id: str
    name: str
    answers: Shift
    met: Shift
    partly: Shift
    not_met: Shift


@dataclass(frozen=True)
class IndicatorsComparison:
    activity_id: str
    title: str
    statements: tuple[StatementComparison, ...]
    kind: str = field(default="indicators", init=False)


ActivityComparison = SpectrumComparison | GridComparison | IndicatorsComparison


@dataclass(frozen=True)
class Comparison:
    before: SessionSide
    after: SessionSide
    same_family: bool
    activities: tuple[ActivityComparison, ...]
    not_compared: tuple[str, ...]
    targets_before: tuple[TargetRecord, ...]
    target_reviews: tuple[TargetReview, ...] = ()
    """Each earlier target with how it went, recorded in the review session."""
    held_back: tuple[str, ...] = ()
    """Figures that leave out a few phone answers beside hand counts, and why ("Indicators (then): 1 answer …")."""

    @property
    def reviewed(self) -> int:
        return sum(1 for review in self.target_reviews if review.reviewed)


def compare_sessions(old: LiveSession, new: LiveSession) -> Comparison:
    """Line up every votable activity of `new` with its counterpart in `old`."""
    compared: list[ActivityComparison] = []
    not_compared: list[str] = []
    held_back: list[str] = []
    for activity in new.template.activities:
        if not activity.votable:
            continue
        earlier = _counterpart(old, new, activity)
        if earlier is None:
            not_compared.append(f"{activity.title}: not asked in the earlier session")
            continue
        reason = _incompatible(earlier, activity)
        if reason:
            not_compared.append(f"{activity.title}: {reason}")
            continue
        then = activity_results(earlier, old.votes.values(), old.tallies.values(), old.participants)
        now = activity_results(activity, new.votes.values(), new.tallies.values(), new.participants)
        # Either side may be hands only (a few phone answers beside hands are held back): the review says so.
        held_back += [f"{activity.title} ({side}): {results.held_note}" for side, results in (("then", then), ("now", now)) if results.held_note]
        before, after = then.overall, now.overall
        if isinstance(activity, SpectrumActivity):
            compared.append(_spectrum(activity, before, after))
        elif isinstance(activity, GridActivity):
            compared.append(_grid(earlier, activity, before, after))
        elif isinstance(activity, IndicatorsActivity):
            compared.append(_indicators(earlier, activity, before, after))
    return Comparison(
        before=_side(old),
        after=_side(new),
        same_family=old.template.family_name == new.template.family_name,
        activities=tuple(compared),
        not_compared=tuple(not_compared),
        targets_before=target_records(old.targets.values()),
        target_reviews=target_reviews(old.targets.values(), new.outcomes),
        held_back=tuple(held_back),
    )


def _side(session: LiveSession) -> SessionSide:
    created = str(session.meta.get("created_at", ""))
    return SessionSide(
        id=session.id,
        title=session.title,
        date=created[:10],
        date_label=numbers.date_label(created),
        template_name=session.template.name,
        template_version=session.template.version,
        template_family=session.template.family_name,
    )


def _counterpart(old: LiveSession, new: LiveSession, activity):
    for candidate in old.template.activities:
        if candidate.id == activity.id and candidate.kind == activity.kind:
            return candidate
    older = [a for a in old.template.activities if a.kind == activity.kind]
    newer = [a for a in new.template.activities if a.kind == activity.kind]
    if len(older) == 1 and len(newer) == 1:
        return older[0]
    return None


def _incompatible(earlier, activity) -> str:
    if isinstance(activity, SpectrumActivity) and earlier.positions != activity.positions:
        return f"the spectrum had {earlier.positions} positions then and {activity.positions} now"
    if isinstance(activity, GridActivity) and len(earlier.levels) != len(activity.levels):
        return f"the grid had {len(earlier.levels)} levels then and {len(activity.levels)} now"
    return ""


def _spectrum(activity: SpectrumActivity, before, after) -> SpectrumComparison:
    then, now = before.positions, after.positions
    return SpectrumComparison(
        activity_id=activity.id,
        title=activity.title,
        positions=activity.positions,
        stages=stage_marks(activity),
        answers=Shift(then.n, now.n),
        median=Shift(then.median, now.median),
        spread=Shift(then.spread, now.spread),
        median_label_before=activity.position_label(then.median) if then.median is not None else "",
        median_label_after=activity.position_label(now.median) if now.median is not None else "",
        counts_before=tuple(then.counts.get(p, 0) for p in then.scale),
        counts_after=tuple(now.counts.get(p, 0) for p in now.scale),
    )


def _grid(earlier: GridActivity, activity: GridActivity, before, after) -> GridComparison:
    old_ids = {area.id for area in earlier.areas}
    areas = []
    for area in activity.areas:
        now = after.area(area.id)
        if area.id in old_ids:
            then = before.area(area.id)
            areas.append(
                AreaComparison(
                    area.id,
                    area.name,
                    Shift(then.now.n, now.now.n),
                    Shift(then.now.median, now.now.median),
                    Shift(then.target.median, now.target.median),
                    Shift(then.gap, now.gap),
                )
            )
        else:
            areas.append(
                AreaComparison(
                    area.id,
                    area.name,
                    Shift(None, now.now.n),
                    Shift(None, now.now.median),
                    Shift(None, now.target.median),
                    Shift(None, now.gap),
                )
            )
    return GridComparison(activity.id, activity.title, tuple(areas))


def _indicators(earlier: IndicatorsActivity, activity: IndicatorsActivity, before, after) -> IndicatorsComparison:
    old_ids = {statement.id for statement in earlier.statements}
    statements = []
    for statement in activity.statements:
        now = after.statement(statement.id)
        then = before.statement(statement.id) if statement.id in old_ids else None
        statements.append(
            StatementComparison(
                statement.id,
                statement.name,
                _answer_shift(then, now, None),
                _answer_shift(then, now, Answer.MET),
                _answer_shift(then, now, Answer.PARTLY),
                _answer_shift(then, now, Answer.NOT_MET),
            )
        )
    return IndicatorsComparison(activity.id, activity.title, tuple(statements))


def _answer_shift(then: IndicatorResult | None, now: IndicatorResult, answer: Answer | None) -> Shift:
    """How many gave `answer` to one statement then and now (how many answered at all when None)."""
    if answer is None:
        return Shift(then.n if then else None, now.n)
    return Shift(then.counts.get(answer.value, 0) if then else None, now.counts.get(answer.value, 0))


# -- words and numbers ------------------------------------------------------------
#
# Every figure is judged in the framework's own terms through `sessions.numbers`:
# the arrow and the word beside it say better or worse (a higher level is more
# involvement, a wider gap is further to go, more "not met" is worse), never the
# direction a number moved. When a different number answered, answers are
# compared as shares of those answering, with the counts beside them.


@dataclass(frozen=True)
class Figure:
    """One figure then and now, as every writer and the projected review show it."""

    key: str
    """What is measured: 'answers', 'median', 'spread', 'now', 'target', 'gap', 'met', 'partly', 'not_met'."""
    label: str
    then: str
    now: str
    change: str
    """The change and what it means: '+1 level ↑ better: more involvement', '= no change', '–'."""
    verdict: str
    """'better', 'worse', 'no change', 'changed', or '' when one side has no figure."""
    then_value: float | None = None
    """The figures the words are made from, as numbers: None where the words say '–'."""
    now_value: float | None = None
    change_value: float | None = None
    unit: str = ""
    """What `then_value` and `now_value` are in: 'positions', 'levels', 'people' or 'percent'."""
    change_unit: str = ""
    """What `change_value` is in: the same, or 'percentage points' for shares."""
    then_count: int | None = None
    """For a share: how many gave this answer, and how many answered, then and now."""
    then_answered: int | None = None
    now_count: int | None = None
    now_answered: int | None = None


@dataclass(frozen=True)
class FigureGroup:
    """The figures of one area or indicator ('' for the spectrum's single group)."""

    name: str
    figures: tuple[Figure, ...]


def _verdict_word(change: float | None, measure: numbers.Measure) -> str:
    judged = numbers.verdict(change, measure)
    return judged.word if judged is not None else ""


def _figure(key: str, label: str, shift: Shift, measure: numbers.Measure, *, unit: str = "", signed: bool = False, counts: bool = False) -> Figure:
    show = whole if counts else (signed_decimal if signed else decimal)
    change = shift.change
    before, after, moved = shift.before, shift.after, change
    if counts:
        before, after, moved = (None if v is None else int(v) for v in (before, after, change))
        change = None if change is None else float(int(change))
    units = "people" if counts else f"{unit}s"
    return Figure(
        key,
        label,
        show(shift.before),
        show(shift.after),
        numbers.movement(change, measure, unit=unit),
        _verdict_word(change, measure),
        then_value=before,
        now_value=after,
        change_value=moved,
        unit=units,
        change_unit=units,
    )


def _share_figure(key: str, label: str, count: Shift, answered: Shift, measure: numbers.Measure) -> Figure:
    """Counts when the same number answered; shares of those answering, counts beside, when not.

    The numbers beside the words are what the words show: the counts when the
    same number answered, else the shares in whole per cent and their change in
    percentage points, with the counts and how many answered kept beside them.
    """
    now = (int(count.after or 0), int(answered.after or 0))
    if count.before is None or answered.before is None:
        return Figure(
            key,
            label,
            NO_VALUE,
            numbers.count_of(*now),
            NO_VALUE,
            "",
            now_value=numbers.whole_percent(*now),
            unit="percent",
            change_unit="percentage points",
            now_count=now[0],
            now_answered=now[1],
        )
    then = (int(count.before), int(answered.before))
    change = numbers.share_change(then, now)
    if then[1] == now[1]:
        shown_then, shown_now, unit = str(then[0]), str(now[0]), ""
        values: tuple[int | None, int | None] = (then[0], now[0])
        units = ("people", "people")
    else:
        shown_then, shown_now, unit = numbers.count_of(*then), numbers.count_of(*now), "point"
        values = (numbers.whole_percent(*then), numbers.whole_percent(*now))
        units = ("percent", "percentage points")
    return Figure(
        key,
        label,
        shown_then,
        shown_now,
        numbers.movement(change, measure, unit=unit),
        _verdict_word(change, measure),
        then_value=values[0],
        now_value=values[1],
        change_value=None if change is None else int(change),
        unit=units[0],
        change_unit=units[1],
        then_count=then[0],
        then_answered=then[1],
        now_count=now[0],
        now_answered=now[1],
    )


def spectrum_figures(activity: SpectrumComparison) -> tuple[FigureGroup, ...]:
    figures = [_figure("answers", "People answering", activity.answers, numbers.ANSWERED, counts=True)]
    if activity.answers.before or activity.answers.after:
        figures += [
            _figure("median", "Median position", activity.median, numbers.SPECTRUM, unit="position"),
            _figure("spread", "Spread (middle half)", activity.spread, numbers.SPREAD, unit="position"),
        ]
    return (FigureGroup("", tuple(figures)),)


def grid_figures(activity: GridComparison) -> tuple[FigureGroup, ...]:
    groups = []
    for area in activity.areas:
        figures = [_figure("answers", "People answering", area.answers, numbers.ANSWERED, counts=True)]
        if area.answers.before or area.answers.after:
            figures += [
                _figure("now", "Level now (median)", area.now, numbers.LEVEL, unit="level"),
                _figure("target", "Target level (median)", area.target, numbers.TARGET, unit="level"),
                _figure("gap", "Gap to target", area.gap, numbers.GAP, unit="level", signed=True),
            ]
        groups.append(FigureGroup(area.name, tuple(figures)))
    return tuple(groups)


def indicator_figures(activity: IndicatorsComparison) -> tuple[FigureGroup, ...]:
    groups = []
    for statement in activity.statements:
        answered = statement.answers
        figures = [_figure("answers", "People answering", answered, numbers.ANSWERED, counts=True)]
        if answered.before or answered.after:
            figures += [
                _share_figure("met", "Met", statement.met, answered, numbers.MET),
                _share_figure("partly", "Partly met", statement.partly, answered, numbers.PARTLY),
                _share_figure("not_met", "Not met", statement.not_met, answered, numbers.NOT_MET),
            ]
        groups.append(FigureGroup(statement.name, tuple(figures)))
    return tuple(groups)


def figure_groups(activity: ActivityComparison) -> tuple[FigureGroup, ...]:
    """The judged figures of one compared activity: the one source every writer and the screen draw from."""
    if isinstance(activity, SpectrumComparison):
        return spectrum_figures(activity)
    if isinstance(activity, GridComparison):
        return grid_figures(activity)
    return indicator_figures(activity)


def decimal(value: float | int | None) -> str:
    """A median or spread, in the vocabulary the screens and the record use (`sessions.numbers`)."""
    return numbers.median(value)


def whole(value: float | int | None) -> str:
    return numbers.count(None if value is None else int(value))


def signed_decimal(value: float | int | None) -> str:
    return numbers.signed(value)


def position_cells(activity: SpectrumComparison) -> tuple[list[str], list[str]]:
    """People at each position then and now; with their shares when a different number answered."""
    then, now, _, _ = position_counts(activity)
    return then, now


def position_counts(activity: SpectrumComparison) -> tuple[list[str], list[str], list[float], list[float]]:
    """The cells and the bar sizes for people at each position, then and now (`numbers.counts_then_now`)."""
    then_n, now_n = int(activity.answers.before or 0), int(activity.answers.after or 0)
    return numbers.counts_then_now(activity.counts_before, then_n, activity.counts_after, now_n)


LEGEND = (
    f"Each row: then, now, and the change. {numbers.KEY} "
    "When a different number of people answered, the answers are compared as shares of those answering "
    "(in percentage points), with the counts beside them."
)
"""What every comparison says before its first table, on screen and in every format."""


# -- plain text -----------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return (indent + "  ".join(cell.ljust(width) for cell, width in zip(cells, widths))).rstrip()

    rule = indent + "  ".join("─" * width for width in widths)
    return [line(header), rule, *(line(row) for row in rows)]


@dataclass(frozen=True)
class ComparisonTable:
    """One table of a progress review, for any writer: the first column names the row, the rest are figures.

    `grouped` tables repeat their first column on every row of a group (an area,
    an indicator); plain text and Markdown may show it once per group."""

    caption: str
    header: list[str]
    align: str  # "l" or "r" per column
    rows: list[list[str]]
    grouped: bool = False


def shown_once(table: ComparisonTable) -> list[list[str]]:
    """The rows with a group's name on its first row only, for writers read by eye."""
    if not table.grouped:
        return table.rows
    out, last = [], None
    for row in table.rows:
        out.append(["" if row[0] == last else row[0], *row[1:]])
        last = row[0]
    return out


def comparison_tables(activity: SpectrumComparison | GridComparison | IndicatorsComparison) -> list[ComparisonTable]:
    """The tables every writer shows for one activity: the same rows in text, Markdown and HTML."""
    groups = figure_groups(activity)
    if isinstance(activity, SpectrumComparison):
        positions = [str(p) for p in range(1, activity.positions + 1)]
        then, now = position_cells(activity)
        return [
            ComparisonTable(
                "Spectrum: then and now",
                ["Measure", "Then", "Now", "Change"],
                "lrrl",
                [[f.label, f.then, f.now, f.change] for f in groups[0].figures],
            ),
            ComparisonTable(
                "Spectrum: people at each position, then and now",
                ["Position", *positions],
                "l" + "r" * len(positions),
                [["Then", *then], ["Now", *now]],
            ),
        ]
    first = "Area" if isinstance(activity, GridComparison) else "Indicator"
    caption = "Grid: each area then and now" if isinstance(activity, GridComparison) else "Indicators: each indicator then and now"
    return [
        ComparisonTable(
            caption,
            [first, "Measure", "Then", "Now", "Change"],
            "llrrl",
            [[group.name, f.label, f.then, f.now, f.change] for group in groups for f in group.figures],
            grouped=True,
        )
    ]


def comparison_lines(comparison: Comparison) -> list[str]:
    before, after = comparison.before, comparison.after
    lines = [
        f"Progress review: {after.title}",
        f"  Then: {before.title}, {before.date_label} ({before.template_name} v{before.template_version})",
        f"  Now:  {after.title}, {after.date_label} ({after.template_name} v{after.template_version})",
    ]
    if not comparison.same_family:
        lines.append(
            f"  The two sessions use different session plans ({before.template_family} and "
            f"{after.template_family}); only activities that match are compared."
        )
    lines.extend(_wrapped(LEGEND, 100, "  "))
    for activity in comparison.activities:
        lines.append("")
        lines.append(activity.title)
        tables = comparison_tables(activity)
        lines.extend(_table(tables[0].header, shown_once(tables[0])))
        if isinstance(activity, SpectrumComparison):
            if activity.median_label_before or activity.median_label_after:
                lines.append(f"  Median then: {activity.median_label_before or NO_VALUE}")
                lines.append(f"  Median now:  {activity.median_label_after or NO_VALUE}")
            lines.append("")
            lines.extend(_table(tables[1].header, tables[1].rows))
            stages = ", ".join(f"{decimal(stage.position)} = {stage.name}" for stage in activity.stages)
            if stages:
                lines.append(f"  Stages: {stages}")
    if comparison.held_back:
        lines.append("")
        lines.append("Phone answers not shown")
        lines.extend(f"  - {line}" for line in comparison.held_back)
    if comparison.not_compared:
        lines.append("")
        lines.append("Not compared")
        lines.extend(f"  - {reason}" for reason in comparison.not_compared)
    lines.append("")
    if comparison.target_reviews:
        lines.append(f"Targets agreed on {before.date_label}: how they went ({review_count(comparison)})")
        for review in comparison.target_reviews:
            target = review.target
            details = [
                part for part in (f"who: {target.owner}" if target.owner else "", f"review by {target.review_date_label}" if target.review_date else "") if part
            ]
            suffix = f" ({'; '.join(details)})" if details else ""
            lines.append(f"  - {target.text}{suffix}".replace("\n", "\n    "))
            lines.append(f"    Outcome: {review.outcome_label}")
            if review.what_happened:
                lines.append(f"    What happened: {review.what_happened}".replace("\n", "\n      "))
            if review.working_together:
                lines.append(f"    Working together: {review.working_together}".replace("\n", "\n      "))
    else:
        lines.append(f"No targets were recorded on {before.date_label}.")
    return lines


def review_count(comparison: Comparison) -> str:
    """'1 of 2 reviewed': how far the room has got through the earlier targets."""
    return f"{comparison.reviewed} of {len(comparison.target_reviews)} reviewed"


def _wrapped(text: str, width: int, indent: str) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def render_comparison(old: LiveSession, new: LiveSession) -> str:
    """The progress review as plain text for `involve compare OLD NEW`."""
    return "\n".join(comparison_lines(compare_sessions(old, new))) + "\n"
