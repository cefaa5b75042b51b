"""The summary a record opens with: what a team needs to act on, before the detailed tables.

Built once, as plain data, from the session; the Markdown, the web page, the
summary spreadsheet and the JSON record (its "summary" object) all render
this one summary, so it reads the same everywhere. Every figure is written
through `sessions.numbers`; every figure for a role group comes from
`sessions.activity_results`, which has already held back the groups that
could single someone out, and a group it held back shows only its note.
"""

from __future__ import annotations

from dataclasses import dataclass

from sessions import (
    PRESENCE_RULE,
    PRESENCE_STANDARD,
    Answer,
    GridActivity,
    GridResult,
    IndicatorsActivity,
    IndicatorsResult,
    LiveSession,
    Outcome,
    RoleGroup,
    SpectrumActivity,
    SpectrumResult,
    activity_results,
    numbers,
    presence,
    presence_words,
    room_counts,
)

from ._compare import Comparison, Figure, figure_groups
from ._record_parts import TargetRecord, TargetReview

# -- who was there ---------------------------------------------------------------------


@dataclass(frozen=True)
class GroupAttendance:
    """One role group in the room: joined on a phone, and counted in without one."""

    group: str
    label: str
    on_phones: int
    without_phones: int
    total: int


@dataclass(frozen=True)
class PresenceCheck:
    """The presence check's verdict, in the lobby's words, with the standard it comes from."""

    lived: int
    """Service users or carers present: on phones and counted in without one."""
    level: str
    """'ideal', 'minimum' or 'below'."""
    verdict: str
    standard: str


@dataclass(frozen=True)
class Attendance:
    groups: tuple[GroupAttendance, ...]
    on_phones: int
    without_phones: int
    total: int
    head_count: int | None
    """The facilitator's head count of the room, or None when nobody counted."""
    largest_hand_count: int
    """The most people counted by show of hands on any one question."""
    text: str
    presence: PresenceCheck


# -- results at a glance ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupPlacement:
    """One role group's place on the spectrum, or why it is not shown."""

    group: str
    label: str
    median: float | None
    text: str


@dataclass(frozen=True)
class Placement:
    """Where the room put itself on one spectrum."""

    activity_id: str
    title: str
    answers: int
    answers_text: str
    median: float | None
    words: str
    text: str
    groups: tuple[GroupPlacement, ...]


@dataclass(frozen=True)
class AreaGap:
    """One grid area: the median level now, the median target, and the gap between them."""

    area_id: str
    name: str
    answers: int
    now: float | None
    target: float | None
    gap: float | None
    now_text: str
    target_text: str
    gap_text: str


@dataclass(frozen=True)
class GridGaps:
    activity_id: str
    title: str
    areas: tuple[AreaGap, ...]


@dataclass(frozen=True)
class IndicatorGlance:
    """One indicator: how many said met, partly met and not met, with their shares of those answering."""

    statement_id: str
    name: str
    answers: int
    met: int
    partly: int
    not_met: int
    met_text: str
    partly_text: str
    not_met_text: str


@dataclass(frozen=True)
class IndicatorsGlance:
    activity_id: str
    title: str
    statements: tuple[IndicatorGlance, ...]


# -- what changed since the earlier session ---------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One figure then and now, and what the move means in the framework's own terms."""

    measure: str
    then: str
    now: str
    word: str
    """'better', 'worse', 'no change', 'changed', or '' when one side has no figure."""
    text: str
    then_value: float | None
    """The figures as numbers, beside the words: what `then` and `now` show, None where they say '–'."""
    now_value: float | None
    change_value: float | None
    unit: str
    """What `then_value` and `now_value` are in: 'positions', 'levels', 'people' or 'percent'."""
    change_unit: str
    """What `change_value` is in: the same, or 'percentage points' for shares."""
    then_count: int | None
    """For a share: how many gave the answer and how many answered, then and now; None for other figures."""
    then_answered: int | None
    now_count: int | None
    now_answered: int | None


@dataclass(frozen=True)
class ActivityChanges:
    """The changes in one compared activity."""

    activity_id: str
    title: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ReviewSummary:
    """For a session started with an earlier one: what moved, and the targets set then."""

    earlier_id: str
    earlier_title: str
    earlier_date: str
    earlier_date_label: str
    activities: tuple[ActivityChanges, ...]
    better: int
    worse: int
    unchanged: int
    text: str
    not_compared: tuple[str, ...]
    key: str
    held_back: tuple[str, ...] = ()
    """The comparison's figures that leave out a few phone answers, and why."""


@dataclass(frozen=True)
class EarlierTargets:
    """How the targets agreed at the earlier session went, as recorded in this review."""

    reviews: tuple[TargetReview, ...]
    reviewed: int
    done: int
    partly: int
    not_yet: int
    text: str
    """'2 of 3 reviewed: 1 done, 1 partly done, 0 not yet.'"""


@dataclass(frozen=True)
class SessionSummary:
    """Everything the record opens with, in the order a team reads it."""

    title: str
    date: str
    date_label: str
    facilitator: str
    attendance: Attendance
    spectrum: tuple[Placement, ...]
    grid: tuple[GridGaps, ...]
    indicators: tuple[IndicatorsGlance, ...]
    targets: tuple[TargetRecord, ...]
    review: ReviewSummary | None
    """What changed since the earlier session; None unless the record compares with one."""
    earlier_targets: EarlierTargets | None
    """How the earlier session's targets went; None unless this session reviews an earlier one."""
    held_back: tuple[str, ...] = ()
    """Activities whose figures leave out a few phone answers beside hand counts, and why ("Indicators: 1 answer …")."""


# -- building -------------------------------------------------------------------------------


def build_summary(
    session: LiveSession,
    *,
    targets: tuple[TargetRecord, ...],
    largest_hand_count: int,
    comparison: Comparison | None,
    target_reviews: tuple[TargetReview, ...] = (),
) -> SessionSummary:
    """The summary of `session`: `targets` in the record's order; `comparison` and `target_reviews` for a review session."""
    created = str(session.meta.get("created_at", ""))
    votes = list(session.votes.values())
    tallies = list(session.tallies.values())
    participants = session.participants
    spectrum: list[Placement] = []
    grid: list[GridGaps] = []
    indicators: list[IndicatorsGlance] = []
    held_back: list[str] = []
    for activity in session.template.activities:
        if not activity.votable:
            continue
        results = activity_results(activity, votes, tallies, participants, session.withheld_seen(activity.id))
        if results.held_note:
            held_back.append(f"{activity.title}: {results.held_note}")
        if isinstance(activity, SpectrumActivity):
            spectrum.append(_placement(activity, results))
        elif isinstance(activity, GridActivity):
            grid.append(_grid(activity, results.overall))
        elif isinstance(activity, IndicatorsActivity):
            indicators.append(_indicators(activity, results.overall))
    return SessionSummary(
        title=session.title,
        date=created[:10],
        date_label=numbers.date_label(created),
        facilitator=str(session.meta.get("facilitator", "")),
        attendance=_attendance(session, largest_hand_count),
        spectrum=tuple(spectrum),
        grid=tuple(grid),
        indicators=tuple(indicators),
        targets=targets,
        review=review_summary(comparison) if comparison is not None else None,
        earlier_targets=earlier_targets(target_reviews) if target_reviews else None,
        held_back=tuple(held_back),
    )


def _attendance(session: LiveSession, largest_hand_count: int) -> Attendance:
    phones = room_counts(session.participants.values())
    without = session.present_without_phones
    groups = tuple(
        GroupAttendance(group.value, group.label, phones[group], without[group], phones[group] + without[group]) for group in RoleGroup
    )
    on_phones, counted = sum(phones.values()), sum(without.values())
    lived, level = presence(session.participants.values(), extra_lived=without[RoleGroup.LIVED])
    words = presence_words(level)
    text = f"{numbers.people(on_phones + counted)}: {numbers.count(on_phones)} on a phone or tablet, {numbers.count(counted)} counted in without one."
    head_count = session.head_count or None
    if head_count is not None:
        text += f" Head count: {numbers.count(head_count)}."
    if largest_hand_count:
        text += f" Show of hands: up to {numbers.people(largest_hand_count)} on any one question."
    return Attendance(
        groups=groups,
        on_phones=on_phones,
        without_phones=counted,
        total=on_phones + counted,
        head_count=head_count,
        largest_hand_count=largest_hand_count,
        text=text,
        presence=PresenceCheck(
            lived=lived,
            level=level,
            verdict=f"{words.mark} {words.headline} Service users or carers there: {numbers.count(lived)}. {words.hint}",
            standard=f"{PRESENCE_STANDARD}: {PRESENCE_RULE}.",
        ),
    )


def _placement(activity: SpectrumActivity, results) -> Placement:
    overall = results.overall
    assert isinstance(overall, SpectrumResult)
    median = overall.positions.median
    groups = []
    for group in results.groups:
        if group.size == 0:
            continue
        if group.result is None:
            groups.append(GroupPlacement(group.group.value, group.group.label, None, group.note))
            continue
        assert isinstance(group.result, SpectrumResult)
        shown = group.result.positions.median
        groups.append(GroupPlacement(group.group.value, group.group.label, shown, numbers.placement(activity, shown)))
    return Placement(
        activity_id=activity.id,
        title=activity.title,
        answers=overall.positions.n,
        answers_text=numbers.answers(overall.positions.n),
        median=median,
        words=numbers.position(activity, median),
        text=numbers.placement(activity, median),
        groups=tuple(groups),
    )


def _grid(activity: GridActivity, overall) -> GridGaps:
    assert isinstance(overall, GridResult)
    areas = []
    for area in activity.areas:
        result = overall.area(area.id)
        now, target, gap = result.now.median, result.target.median, result.gap
        areas.append(
            AreaGap(
                area_id=area.id,
                name=area.name,
                answers=result.now.n,
                now=now,
                target=target,
                gap=gap,
                now_text=numbers.level_placement(activity, now),
                target_text=numbers.level_placement(activity, target),
                gap_text=numbers.NO_VALUE if gap is None else numbers.amount(gap, "level", sign=True),
            )
        )
    return GridGaps(activity.id, activity.title, tuple(areas))


def _indicators(activity: IndicatorsActivity, overall) -> IndicatorsGlance:
    assert isinstance(overall, IndicatorsResult)
    statements = []
    for statement in activity.statements:
        result = overall.statement(statement.id)
        n = result.n
        met, partly, not_met = (result.counts.get(answer.value, 0) for answer in (Answer.MET, Answer.PARTLY, Answer.NOT_MET))
        statements.append(
            IndicatorGlance(
                statement_id=statement.id,
                name=statement.name,
                answers=n,
                met=met,
                partly=partly,
                not_met=not_met,
                met_text=_glance(met, n),
                partly_text=_glance(partly, n),
                not_met_text=_glance(not_met, n),
            )
        )
    return IndicatorsGlance(activity.id, activity.title, tuple(statements))


def _glance(part: int, answers: int) -> str:
    """'3 of 7 (43%)'; '–' for an indicator nobody answered."""
    return numbers.count_of(part, answers) if answers else numbers.NO_VALUE


# -- the review -------------------------------------------------------------------------------


def review_summary(comparison: Comparison) -> ReviewSummary:
    """What changed since the earlier session, read from the comparison the record's progress section shows.

    The one place the summary reads the comparison: its judged figures
    (`figure_groups`, the same the progress section and the projected review
    show), of which the summary keeps the ones a team acts on.
    """
    activities = tuple(
        ActivityChanges(
            activity.activity_id,
            activity.title,
            tuple(_change(group.name, figure) for group in figure_groups(activity) for figure in group.figures if figure.key in SUMMARY_FIGURES),
        )
        for activity in comparison.activities
    )
    changes = [change for moved in activities for change in moved.changes]
    better = sum(change.word == "better" for change in changes)
    worse = sum(change.word == "worse" for change in changes)
    unchanged = sum(change.word == "no change" for change in changes)
    before = comparison.before
    return ReviewSummary(
        earlier_id=before.id,
        earlier_title=before.title,
        earlier_date=before.date,
        earlier_date_label=before.date_label,
        activities=activities,
        better=better,
        worse=worse,
        unchanged=unchanged,
        text=f"Since {before.date_label}: {numbers.count(better)} better, {numbers.count(worse)} worse, {numbers.count(unchanged)} no change.",
        not_compared=comparison.not_compared,
        key=numbers.KEY,
        held_back=comparison.held_back,
    )


def earlier_targets(reviews: tuple[TargetReview, ...]) -> EarlierTargets:
    """The earlier targets with their outcomes, and how far the room has got through them."""
    counts = {outcome.value: sum(review.outcome == outcome.value for review in reviews) for outcome in Outcome}
    reviewed = sum(review.reviewed for review in reviews)
    parts = ", ".join(f"{numbers.count(counts[outcome.value])} {outcome.label.lower()}" for outcome in Outcome)
    return EarlierTargets(
        reviews=reviews,
        reviewed=reviewed,
        done=counts[Outcome.DONE.value],
        partly=counts[Outcome.PARTLY.value],
        not_yet=counts[Outcome.NOT_YET.value],
        text=f"{numbers.count(reviewed)} of {numbers.count(len(reviews))} reviewed: {parts}.",
    )


SUMMARY_FIGURES = frozenset({"median", "now", "gap", "met", "not_met"})
"""The figures a summary keeps: the place on the spectrum, each area's level and gap, met and not met."""


def _change(item: str, figure: Figure) -> Change:
    measure = f"{item}: {figure.label}" if item else figure.label
    return Change(
        measure,
        figure.then,
        figure.now,
        figure.verdict,
        f"{figure.then} → {figure.now}, {figure.change}",
        then_value=figure.then_value,
        now_value=figure.now_value,
        change_value=figure.change_value,
        unit=figure.unit,
        change_unit=figure.change_unit,
        then_count=figure.then_count,
        then_answered=figure.then_answered,
        now_count=figure.now_count,
        now_answered=figure.now_answered,
    )
