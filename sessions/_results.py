"""What the room said, summarised: counts, medians, spread, gaps, split by role.

Device votes and keyboard tallies are merged here and nowhere else, so the
screen and every export agree to the vote.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ._model import (
    SPECTRUM_ITEM,
    Answer,
    GridActivity,
    IndicatorsActivity,
    Participant,
    RoleGroup,
    SpectrumActivity,
    Tally,
    Vote,
    grid_item,
    role_group,
)

SMALL_GROUP = 3
"""Groups smaller than this are not shown apart, so nobody can be singled out."""


@dataclass(frozen=True)
class Distribution:
    """Counts over an ordered scale of whole numbers."""

    counts: Mapping[int, int]
    scale: tuple[int, ...]
    tallied: int = 0

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def _quantile(self, fraction: float) -> float | None:
        total = self.n
        if not total:
            return None
        values = [value for value in self.scale for _ in range(self.counts.get(value, 0))]
        position = fraction * (total - 1)
        low = int(position)
        high = min(low + 1, total - 1)
        return values[low] + (values[high] - values[low]) * (position - low)

    @property
    def median(self) -> float | None:
        return self._quantile(0.5)

    @property
    def lower_quartile(self) -> float | None:
        return self._quantile(0.25)

    @property
    def upper_quartile(self) -> float | None:
        return self._quantile(0.75)

    @property
    def lowest(self) -> int | None:
        present = [value for value in self.scale if self.counts.get(value)]
        return present[0] if present else None

    @property
    def highest(self) -> int | None:
        present = [value for value in self.scale if self.counts.get(value)]
        return present[-1] if present else None

    @property
    def spread(self) -> float | None:
        """Interquartile range: how far apart the middle half of the room is."""
        low, high = self.lower_quartile, self.upper_quartile
        if low is None or high is None:
            return None
        return high - low


@dataclass(frozen=True)
class AreaResult:
    area_id: str
    now: Distribution
    target: Distribution

    @property
    def gap(self) -> float | None:
        if self.now.median is None or self.target.median is None:
            return None
        return self.target.median - self.now.median


@dataclass(frozen=True)
class SpectrumResult:
    positions: Distribution


@dataclass(frozen=True)
class GridResult:
    areas: tuple[AreaResult, ...]

    def area(self, area_id: str) -> AreaResult:
        for area in self.areas:
            if area.area_id == area_id:
                return area
        raise KeyError(area_id)


@dataclass(frozen=True)
class IndicatorResult:
    statement_id: str
    counts: Mapping[str, int]

    @property
    def n(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class IndicatorsResult:
    statements: tuple[IndicatorResult, ...]

    def statement(self, statement_id: str) -> IndicatorResult:
        for statement in self.statements:
            if statement.statement_id == statement_id:
                return statement
        raise KeyError(statement_id)


AnyResult = SpectrumResult | GridResult | IndicatorsResult


@dataclass(frozen=True)
class GroupResult:
    """One role group's answers, or only its size when it is too small to show."""

    group: RoleGroup
    size: int
    result: AnyResult | None

    @property
    def suppressed(self) -> bool:
        return self.result is None


@dataclass(frozen=True)
class ActivityResults:
    activity_id: str
    overall: AnyResult
    respondents: int
    tallied: int
    groups: tuple[GroupResult, ...] = field(default=())


ItemCounts = dict[str, Counter]
"""For each question key, how many chose each value."""


class AnswerCounts:
    """One activity's device answers added up, before any statistics: overall and per role group.

    Counts can go down as well as up (a changed or withdrawn vote), so a live
    session keeps one of these per activity instead of re-reading every vote.
    A count that reaches zero is removed, so the counts equal a fresh count.
    """

    __slots__ = ("overall", "by_group", "people")

    def __init__(self) -> None:
        self.overall: ItemCounts = {}
        self.by_group: dict[RoleGroup, ItemCounts] = {group: {} for group in RoleGroup}
        # For each group, how many answers each participant has given.
        self.people: dict[RoleGroup, Counter[str]] = {group: Counter() for group in RoleGroup}

    def add(self, vote: Vote, group: RoleGroup, step: int = 1) -> None:
        """Count one vote in (step 1) or out (step -1)."""
        _step(self.overall, vote.item, vote.value, step)
        _step(self.by_group[group], vote.item, vote.value, step)
        people = self.people[group]
        people[vote.participant_id] += step
        if people[vote.participant_id] <= 0:
            del people[vote.participant_id]

    @property
    def respondents(self) -> int:
        return sum(len(people) for people in self.people.values())


def _step(counts: ItemCounts, item: str, value: int | str, step: int) -> None:
    """Add `step` (negative to take away); a count that reaches zero is removed."""
    counter = counts.get(item)
    if counter is None:
        counter = counts[item] = Counter()
    counter[value] += step
    if counter[value] <= 0:
        del counter[value]
        if not counter:
            del counts[item]


def _copy(counts: ItemCounts) -> ItemCounts:
    return {item: Counter(counter) for item, counter in counts.items()}


def _summarise(activity, counts: ItemCounts) -> AnyResult:
    empty: Counter = Counter()
    if isinstance(activity, SpectrumActivity):
        scale = tuple(range(1, activity.positions + 1))
        positions = counts.get(SPECTRUM_ITEM, empty)
        return SpectrumResult(Distribution({k: v for k, v in positions.items() if k in scale}, scale))
    if isinstance(activity, GridActivity):
        scale = tuple(level.number for level in activity.levels)
        areas = []
        for area in activity.areas:
            now = counts.get(grid_item(area.id, "now"), empty)
            target = counts.get(grid_item(area.id, "target"), empty)
            areas.append(
                AreaResult(
                    area.id,
                    Distribution({k: v for k, v in now.items() if k in scale}, scale),
                    Distribution({k: v for k, v in target.items() if k in scale}, scale),
                )
            )
        return GridResult(tuple(areas))
    if isinstance(activity, IndicatorsActivity):
        answers = {answer.value for answer in Answer}
        return IndicatorsResult(
            tuple(
                IndicatorResult(
                    statement.id,
                    {answer: count for answer, count in counts.get(statement.id, empty).items() if answer in answers},
                )
                for statement in activity.statements
            )
        )
    raise TypeError(f"{activity.kind} activities have no results")


def _tally_size(tallies: list[Tally]) -> int:
    """People counted by hand: the largest count given to any one question."""
    per_item: Counter = Counter()
    for tally in tallies:
        per_item[tally.item] += max(tally.count, 0)
    return max(per_item.values(), default=0)


def count_answers(activity_id: str, votes: Iterable[Vote], participants: Mapping[str, Participant]) -> AnswerCounts:
    """Add up one activity's device votes, each in its voter's role group."""
    counts = AnswerCounts()
    for vote in votes:
        if vote.activity_id == activity_id:
            counts.add(vote, role_group(_role_of(participants, vote.participant_id)))
    return counts


def summarise_answers(activity, counts: AnswerCounts, tallies: Iterable[Tally]) -> ActivityResults:
    """Merge hand counts into the device counts and summarise, overall and per role group.

    `counts` is only read. A role group with fewer than SMALL_GROUP people is
    reported by size only.
    """
    own_tallies = [tally for tally in tallies if tally.activity_id == activity.id and tally.count > 0]
    overall = _copy(counts.overall) if own_tallies else counts.overall
    by_group = {group: _copy(items) for group, items in counts.by_group.items()} if own_tallies else counts.by_group
    group_tallies: dict[RoleGroup, list[Tally]] = {group: [] for group in RoleGroup}
    for tally in own_tallies:
        _step(overall, tally.item, tally.value, tally.count)
        if tally.role is not None:
            group = role_group(tally.role)
            _step(by_group[group], tally.item, tally.value, tally.count)
            group_tallies[group].append(tally)
    groups = []
    for group in RoleGroup:
        size = len(counts.people[group]) + _tally_size(group_tallies[group])
        result = _summarise(activity, by_group[group]) if size >= SMALL_GROUP else None
        groups.append(GroupResult(group, size, result))
    return ActivityResults(
        activity_id=activity.id,
        overall=_summarise(activity, overall),
        respondents=counts.respondents,
        tallied=_tally_size(own_tallies),
        groups=tuple(groups),
    )


def activity_results(
    activity,
    votes: Iterable[Vote],
    tallies: Iterable[Tally],
    participants: Mapping[str, Participant],
) -> ActivityResults:
    """Summarise an activity from its votes and hand counts, overall and per role group."""
    return summarise_answers(activity, count_answers(activity.id, votes, participants), tallies)


def _role_of(participants: Mapping[str, Participant], participant_id: str):
    participant = participants.get(participant_id)
    return participant.role if participant else None


def room_counts(participants: Iterable[Participant]) -> dict[RoleGroup, int]:
    counts = {group: 0 for group in RoleGroup}
    for participant in participants:
        counts[role_group(participant.role)] += 1
    return counts


PRESENCE_MINIMUM = 2
PRESENCE_IDEAL = 3


def presence(participants: Iterable[Participant], extra_lived: int = 0) -> tuple[int, str]:
    """How many service users or carers are present, and whether that meets the 4PI presence standard."""
    lived = room_counts(participants)[RoleGroup.LIVED] + extra_lived
    if lived >= PRESENCE_IDEAL:
        return lived, "ideal"
    if lived >= PRESENCE_MINIMUM:
        return lived, "minimum"
    return lived, "below"
