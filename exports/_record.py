"""The record: one plain description of a session that every export renders.

Built once from a `LiveSession`, so the Markdown, the web page, the
spreadsheets and the JSON can never disagree about a number or a comment.
Statistics come from `sessions.activity_results`; this module only arranges
them, attaches labels and decides what a circulated record may contain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sessions import (
    Answer,
    Comment,
    CommentState,
    Distribution,
    GridActivity,
    GridResult,
    IndicatorsActivity,
    IndicatorsResult,
    LiveSession,
    QuestionsActivity,
    Role,
    SpectrumActivity,
    SpectrumResult,
    Withheld,
    activity_results,
    numbers,
    topic_of,
)

from ._compare import Comparison, compare_sessions
from ._record_parts import StageMark, TargetRecord, TargetReview, stage_marks, target_records, target_reviews
from ._summary import SessionSummary, build_summary

NOT_SAID = "not_said"
NOT_SAID_LABEL = "Not said"

STATE_LABELS = {
    CommentState.APPROVED: "Shown",
    CommentState.PINNED: "Pinned",
    CommentState.HIDDEN: "Hidden",
    CommentState.PENDING: "Waiting for approval",
}


# -- the record ---------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    """A source framework, named with its publisher wherever the record uses it."""

    title: str
    publisher: str
    year: str

    @property
    def text(self) -> str:
        year = f", {self.year}" if self.year else ""
        return f"{self.title} ({self.publisher}{year})"


@dataclass(frozen=True)
class RoleCount:
    role: str
    label: str
    count: int


@dataclass(frozen=True)
class Count:
    """How many chose one value; `device` and `by_hand` are only given for the whole room,
    and only when that split cannot single anyone out (otherwise both are None)."""

    value: int | str
    label: str
    count: int
    device: int | None = None
    by_hand: int | None = None


@dataclass(frozen=True)
class Summary:
    """One question's answers over its scale, with the middle and the spread."""

    n: int
    counts: tuple[Count, ...]
    median: float | None
    median_label: str
    lower_quartile: float | None
    upper_quartile: float | None
    spread: float | None


@dataclass(frozen=True)
class SpectrumRecord:
    positions: int
    stages: tuple[StageMark, ...]
    placement: Summary


@dataclass(frozen=True)
class LevelRecord:
    number: int
    name: str
    description: str


@dataclass(frozen=True)
class AreaRecord:
    id: str
    name: str
    description: str
    now: Summary
    target: Summary
    gap: float | None


@dataclass(frozen=True)
class GridRecord:
    levels: tuple[LevelRecord, ...]
    areas: tuple[AreaRecord, ...]


@dataclass(frozen=True)
class StatementRecord:
    id: str
    name: str
    text: str
    n: int
    counts: tuple[Count, ...]

    def count(self, answer: str) -> int:
        for count in self.counts:
            if count.value == answer:
                return count.count
        return 0


@dataclass(frozen=True)
class IndicatorsRecord:
    statements: tuple[StatementRecord, ...]


Results = SpectrumRecord | GridRecord | IndicatorsRecord


@dataclass(frozen=True)
class GroupRecord:
    """One role group's answers; `results` is None when the group is too small to show."""

    group: str
    label: str
    size: int | None
    note: str
    results: Results | None

    @property
    def held_back(self) -> bool:
        """Withheld by the disclosure rules, not merely without answers: wherever its figures would be, it says why."""
        return self.results is None and self.note != Withheld.NO_ANSWERS.words


@dataclass(frozen=True)
class QuestionRecord:
    id: str
    name: str
    text: str


@dataclass(frozen=True)
class CommentRecord:
    text: str
    state: str
    state_label: str
    author: str
    from_facilitator: bool
    about: str

    @property
    def pinned(self) -> bool:
        return self.state == CommentState.PINNED.value

    @property
    def signature(self) -> str:
        """Who said it, as the record shows it: a chosen name, the facilitator, or nobody."""
        if self.from_facilitator:
            return f"{self.author} (facilitator)" if self.author else "Facilitator"
        return self.author


@dataclass(frozen=True)
class FollowUpRecord:
    """A comment for the facilitator to follow up: flagged by the risk list or marked by hand.

    Only the private copy has these, in a section of their own; about the
    writer it keeps no more than the name they chose.
    """

    activity: str
    about: str
    text: str
    author: str
    state_label: str
    reasons: tuple[str, ...]
    marked: bool

    @property
    def why(self) -> str:
        """'Flagged: suicide; marked to follow up'."""
        parts = []
        if self.reasons:
            parts.append("Flagged: " + ", ".join(self.reasons))
        if self.marked:
            parts.append("marked to follow up")
        text = "; ".join(parts)
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class ActivityRecord:
    number: int
    id: str
    kind: str
    title: str
    prompt: str
    respondents: int
    by_hand: int
    results: Results | None
    groups: tuple[GroupRecord, ...]
    questions: tuple[QuestionRecord, ...]
    comments: tuple[CommentRecord, ...]
    targets: tuple[TargetRecord, ...]
    by_channel: bool = True
    phones_held: int = 0
    """Phone answers left out of `results` and `groups`, which are then hands only (`sessions.ActivityResults`)."""
    held_note: str = ""
    """Why, in the words the screen uses; "" when nothing is held back."""

    @property
    def hand_columns(self) -> bool:
        """Give 'by hand' beside each count: hands were counted, and that split singles nobody out."""
        return self.by_hand > 0 and self.by_channel

    @property
    def answers(self) -> int:
        """People who answered: on a device, plus the largest hand count."""
        return self.respondents + self.by_hand


@dataclass(frozen=True)
class Record:
    session_id: str
    title: str
    date: str
    date_label: str
    exported_at: str
    exported_label: str
    facilitator: str
    template_name: str
    template_title: str
    template_version: str
    template_family: str
    sources: tuple[Credit, ...]
    people: tuple[RoleCount, ...]
    people_total: int
    by_hand: int
    activities: tuple[ActivityRecord, ...]
    other_targets: tuple[TargetRecord, ...]
    private: bool
    comparison: Comparison | None
    summary: SessionSummary
    """What the record opens with: who was there, the results at a glance, the targets, the changes."""
    follow_up: tuple[FollowUpRecord, ...] = ()
    """Flagged and follow-up comments: in the private copy only, never among the activity's comments."""
    target_reviews: tuple[TargetReview, ...] = ()
    """How the earlier session's targets went, for a review session (Getting there, step 4)."""

    @property
    def targets(self) -> tuple[TargetRecord, ...]:
        """Every target in the record, in the order the room agreed them."""
        found = [target for activity in self.activities for target in activity.targets]
        return tuple(found) + self.other_targets


# -- formatting helpers shared by the writers -------------------------------------


def number(value: float | int | None, empty: str = numbers.NO_VALUE) -> str:
    """A median or spread, in the vocabulary the screens use too (`sessions.numbers`)."""
    return empty if value is None else numbers.median(value)


def signed(value: float | int | None, empty: str = numbers.NO_VALUE) -> str:
    """A gap between two medians, with its sign spelled out."""
    return empty if value is None else numbers.signed(value)


def amount(value: float | int, unit: str, *, sign: bool = False) -> str:
    """A figure with its unit: "1 position", "1.5 positions", "+1 level"; only exactly one is singular."""
    return numbers.amount(value, unit, sign=sign)


def people(count: int) -> str:
    return numbers.people(count)


def spread_text(summary: Summary, unit: str) -> str:
    """The middle half of the room's answers, or "–" when there are none."""
    if summary.spread is None:
        return "–"
    return f"{amount(summary.spread, unit)}, from {number(summary.lower_quartile)} to {number(summary.upper_quartile)}"


# -- building -----------------------------------------------------------------------


def build_record(
    session: LiveSession,
    *,
    include_hidden: bool = False,
    baseline: LiveSession | None = None,
    now: datetime | None = None,
) -> Record:
    """Everything a record shows, from the session as it stands.

    The date comes from the session itself, so exporting twice gives the same
    files; `now` only adds a 'record written' line when a caller asks for it.
    """
    meta = session.meta
    template = session.template
    participants = session.participants
    votes = list(session.votes.values())
    tallies = list(session.tallies.values())

    activities: list[ActivityRecord] = []
    placed: set[str] = set()
    by_hand = 0
    for activity in template.activities:
        comments = _comments(session, activity, include_hidden)
        targets = target_records(t for t in session.targets.values() if t.activity_id == activity.id)
        if activity.kind == "info" and not comments and not targets:
            continue
        placed.add(activity.id)
        results: Results | None = None
        groups: tuple[GroupRecord, ...] = ()
        respondents = tallied = held = 0
        by_channel, held_note = True, ""
        if activity.votable:
            overall = activity_results(activity, votes, tallies, participants, session.withheld_seen(activity.id))
            if overall.by_channel:
                device = activity_results(activity, votes, (), participants).overall
                hand = activity_results(activity, (), tallies, participants).overall
                results = _results(activity, overall.overall, device, hand)
            else:
                results = _results(activity, overall.overall)
            groups = tuple(_group(activity, group) for group in overall.groups)
            respondents, tallied, by_channel = overall.respondents, overall.tallied, overall.by_channel
            held, held_note = overall.phones_held, overall.held_note
            by_hand = max(by_hand, tallied)
        questions: tuple[QuestionRecord, ...] = ()
        if isinstance(activity, QuestionsActivity):
            questions = tuple(QuestionRecord(q.id, q.name, q.text) for q in activity.questions)
        activities.append(
            ActivityRecord(
                number=len(activities) + 1,
                id=activity.id,
                kind=activity.kind,
                title=activity.title,
                prompt=activity.prompt,
                respondents=respondents,
                by_hand=tallied,
                results=results,
                groups=groups,
                questions=questions,
                comments=comments,
                targets=targets,
                by_channel=by_channel,
                phones_held=held,
                held_note=held_note,
            )
        )

    other_targets = target_records(t for t in session.targets.values() if t.activity_id not in placed)

    comparison = None
    if baseline is not None:
        comparison = compare_sessions(baseline, session)

    targets = tuple(target for record in activities for target in record.targets) + other_targets
    # Without the earlier session at hand, the outcomes still say which targets they were about.
    reviews = comparison.target_reviews if comparison is not None else target_reviews(None, session.outcomes)
    summary = build_summary(session, targets=targets, largest_hand_count=by_hand, comparison=comparison, target_reviews=reviews)

    exported_at = now.isoformat(timespec="seconds") if now else ""
    created = str(meta.get("created_at", ""))
    return Record(
        session_id=session.id,
        title=session.title,
        date=created[:10],
        date_label=numbers.date_label(created),
        exported_at=exported_at,
        exported_label=numbers.date_label(now.date()) if now else "",
        facilitator=str(meta.get("facilitator", "")),
        template_name=template.name,
        template_title=template.title,
        template_version=template.version,
        template_family=template.family_name,
        sources=tuple(Credit(s.title, s.publisher, s.year) for s in template.sources),
        people=_people(participants.values()),
        people_total=len(participants),
        by_hand=by_hand,
        activities=tuple(activities),
        other_targets=other_targets,
        private=include_hidden,
        comparison=comparison,
        summary=summary,
        follow_up=_follow_up(session) if include_hidden else (),
        target_reviews=reviews,
    )


def _people(participants) -> tuple[RoleCount, ...]:
    counts = {role: 0 for role in Role}
    unsaid = 0
    for participant in participants:
        if participant.role is None:
            unsaid += 1
        else:
            counts[participant.role] += 1
    rows = [RoleCount(role.value, role.label, count) for role, count in counts.items()]
    rows.append(RoleCount(NOT_SAID, NOT_SAID_LABEL, unsaid))
    return tuple(rows)


def _summary(distribution: Distribution, labels, device: Distribution | None = None, hand: Distribution | None = None) -> Summary:
    counts = tuple(
        Count(
            value=value,
            label=labels(value),
            count=distribution.counts.get(value, 0),
            device=device.counts.get(value, 0) if device is not None else None,
            by_hand=hand.counts.get(value, 0) if hand is not None else None,
        )
        for value in distribution.scale
    )
    median = distribution.median
    return Summary(
        n=distribution.n,
        counts=counts,
        median=median,
        median_label=labels(median) if median is not None else "",
        lower_quartile=distribution.lower_quartile,
        upper_quartile=distribution.upper_quartile,
        spread=distribution.spread,
    )


def _results(activity, overall, device=None, hand=None) -> Results:
    if isinstance(activity, SpectrumActivity):
        assert isinstance(overall, SpectrumResult)
        return SpectrumRecord(
            positions=activity.positions,
            stages=stage_marks(activity),
            placement=_summary(
                overall.positions,
                activity.position_label,
                device.positions if device else None,
                hand.positions if hand else None,
            ),
        )
    if isinstance(activity, GridActivity):
        assert isinstance(overall, GridResult)

        def level_name(value: float) -> str:
            return numbers.level(activity, value)

        areas = []
        for area in activity.areas:
            result = overall.area(area.id)
            dev = device.area(area.id) if device else None
            hnd = hand.area(area.id) if hand else None
            areas.append(
                AreaRecord(
                    id=area.id,
                    name=area.name,
                    description=area.description,
                    now=_summary(result.now, level_name, dev.now if dev else None, hnd.now if hnd else None),
                    target=_summary(result.target, level_name, dev.target if dev else None, hnd.target if hnd else None),
                    gap=result.gap,
                )
            )
        return GridRecord(
            levels=tuple(LevelRecord(level.number, level.name, level.description) for level in activity.levels),
            areas=tuple(areas),
        )
    if isinstance(activity, IndicatorsActivity):
        assert isinstance(overall, IndicatorsResult)
        statements = []
        for statement in activity.statements:
            answered = overall.statement(statement.id)
            dev = device.statement(statement.id) if device else None
            hnd = hand.statement(statement.id) if hand else None
            statements.append(
                StatementRecord(
                    id=statement.id,
                    name=statement.name,
                    text=statement.text,
                    n=answered.n,
                    counts=tuple(
                        Count(
                            value=answer.value,
                            label=answer.label,
                            count=answered.counts.get(answer.value, 0),
                            device=dev.counts.get(answer.value, 0) if dev else None,
                            by_hand=hnd.counts.get(answer.value, 0) if hnd else None,
                        )
                        for answer in Answer
                    ),
                )
            )
        return IndicatorsRecord(tuple(statements))
    raise TypeError(f"{activity.kind} activities have no results")


def _group(activity, group) -> GroupRecord:
    if group.result is None:
        return GroupRecord(group.group.value, group.group.label, None, group.note, None)
    return GroupRecord(group.group.value, group.group.label, group.size, "", _results(activity, group.result))


def _comment_order(comment: Comment) -> tuple:
    numeric = comment.id.isdigit()
    return (
        comment.state is not CommentState.PINNED,
        0 if numeric else 1,
        int(comment.id) if numeric else 0,
        comment.created_at,
        comment.id,
    )


def _comments(session: LiveSession, activity, include_hidden: bool) -> tuple[CommentRecord, ...]:
    """Pinned comments first, then in the order they arrived; hidden and waiting only on request.

    Flagged and follow-up comments are never here: only in the private copy's own section.
    """
    chosen = [
        comment
        for comment in session.comments.values()
        if comment.activity_id == activity.id and not comment.private and (include_hidden or comment.state.visible)
    ]
    return tuple(
        CommentRecord(
            text=comment.text,
            state=comment.state.value,
            state_label=STATE_LABELS[comment.state],
            author=comment.author,
            from_facilitator=comment.from_facilitator,
            about=topic_of(activity, comment.item),
        )
        for comment in sorted(chosen, key=_comment_order)
    )


def _follow_up(session: LiveSession) -> tuple[FollowUpRecord, ...]:
    """Every flagged or marked comment, in the order they arrived, with where it was said."""
    titles = {activity.id: activity for activity in session.template.activities}
    found = []
    for comment in sorted((c for c in session.comments.values() if c.private), key=_comment_order):
        activity = titles.get(comment.activity_id)
        found.append(
            FollowUpRecord(
                activity=activity.title if activity else comment.activity_id,
                about=topic_of(activity, comment.item) if activity else "",
                text=comment.text,
                author=comment.author,
                state_label=STATE_LABELS[comment.state],
                reasons=comment.flags,
                marked=comment.follow_up,
            )
        )
    return tuple(found)
