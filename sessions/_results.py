"""What the room said, summarised: counts, medians, spread, gaps, split by role.

Device votes and keyboard tallies are merged here and nowhere else, so the
screen and every export agree to the vote.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

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


class Withheld(str, enum.Enum):
    """Why a role group's answers are not shown; one set of words for the screen and every record."""

    NO_ANSWERS = "no_answers"
    SMALL = "small"
    SUBTRACTION = "subtraction"
    EARLIER = "earlier"

    @property
    def words(self) -> str:
        return WITHHELD_WORDS[self]


WITHHELD_WORDS = {
    Withheld.NO_ANSWERS: "no answers",
    Withheld.SMALL: f"fewer than {SMALL_GROUP} — not shown separately",
    Withheld.SUBTRACTION: "not shown separately — with the total it would give away a smaller group",
    Withheld.EARLIER: "not shown separately — it was held back when the room saw these results earlier",
}



def phones_held_note(count: int) -> str:
    """Why the room's figures leave out `count` phone answers, in the words every surface uses ("" for none)."""
    if count <= 0:
        return ""
    if count == 1:
        return f"1 answer from a phone is not shown: with fewer than {SMALL_GROUP} on phones, it could be told apart from the hands counted."
    return f"{count} answers from phones are not shown: with fewer than {SMALL_GROUP} on phones, they could be told apart from the hands counted."


GROUP_PEOPLE: Mapping[RoleGroup, tuple[str, str]] = {
    RoleGroup.LIVED: ("service user or carer", "service users or carers"),
    RoleGroup.STAFF: ("member of staff", "members of staff"),
    RoleGroup.OTHER: ("person of another or unstated role", "people of another or unstated role"),
}

SPLIT_GROUPS = (RoleGroup.STAFF, RoleGroup.LIVED)
"""The groups a split by role sets side by side, on the projector and wherever the split is asked for."""

SECONDARY_ORDER = (RoleGroup.OTHER, RoleGroup.LIVED, RoleGroup.STAFF)
"""Between two shown groups of one size, the one held back to protect a smaller group."""


def group_people(group: RoleGroup, count: int) -> str:
    """'1 service user or carer', '2 members of staff'."""
    one, many = GROUP_PEOPLE[group]
    return f"{count} {one if count == 1 else many}"


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
    """One role group's answers, or only its size and why its answers are withheld."""

    group: RoleGroup
    size: int
    result: AnyResult | None
    withheld: Withheld | None = None
    phones: int | None = None
    """How many of `size` answered on a phone (None: not known apart, taken as all of them)."""

    @property
    def suppressed(self) -> bool:
        return self.result is None

    @property
    def few(self) -> int:
        """How many people showing this group would single out: the whole group, or the few on phones beside public hands."""
        if self.size < SMALL_GROUP or self.phones is None:
            return self.size
        return self.phones

    @property
    def note(self) -> str:
        """Why there is no chart for this group, in the words every surface uses ("" when it is shown)."""
        if self.result is not None:
            return ""
        return (self.withheld or (Withheld.NO_ANSWERS if self.size == 0 else Withheld.SMALL)).words


@dataclass(frozen=True)
class ActivityResults:
    """One activity summarised for the room, with disclosure control already applied.

    `groups` never lets a withheld group be worked out by taking the shown
    groups from `overall`; `by_channel` says whether the room's figures may
    also be split into phone answers and hand counts option by option.
    `phones_held` counts phone answers left out of every figure (`overall` and
    `groups` are then hands only): beside public hands, 1 or 2 phone answers
    would be the room's figure minus the hands the room watched.
    `respondents` still counts them, since how many answered may be shown.
    """

    activity_id: str
    overall: AnyResult
    respondents: int
    tallied: int
    groups: tuple[GroupResult, ...] = field(default=())
    by_channel: bool = True
    phones_held: int = 0

    @property
    def held_note(self) -> str:
        """Why the figures leave out some phone answers, in the words every surface uses ("" when they do not)."""
        return phones_held_note(self.phones_held)

    @property
    def split_shown(self) -> bool:
        """Is any role group shown on its own?"""
        return any(group.result is not None for group in self.groups)

    @property
    def singled_out(self) -> str:
        """Who a split by role would single out ("1 service user or carer"), or "" when nobody."""
        small = [group for group in self.groups if group.withheld is Withheld.SMALL]
        return " and ".join(group_people(group.group, group.few) for group in small)

    def split_warning(self, shown_groups: Iterable[RoleGroup] = SPLIT_GROUPS) -> str:
        """The sentence a surface shows instead of a split that has nothing safe to show ("" when it can split).

        By default it asks about the groups the projector sets side by side, so the
        console and the projector refuse the same splits.
        """
        wanted = set(shown_groups)
        if any(group.result is not None for group in self.groups if group.group in wanted):
            return ""
        who = self.singled_out
        if who:
            return f"Splitting by role would single out {who}."
        if any(group.withheld is Withheld.EARLIER for group in self.groups if group.group in wanted):
            return "Splitting by role would give away answers held back when the room saw these results earlier."
        return ""

    @property
    def withheld_groups(self) -> frozenset[RoleGroup]:
        """The groups with answers that are held back here: once the room has seen this, they stay held back."""
        return frozenset(group.group for group in self.groups if group.size and group.result is None)


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


def summarise_answers(
    activity, counts: AnswerCounts, tallies: Iterable[Tally], earlier: Collection[RoleGroup] = ()
) -> ActivityResults:
    """Merge hand counts into the device counts and summarise, overall and per role group.

    `counts` is only read. Role groups pass through `withhold` (disclosure
    control), so a group that could single people out is reported by size only;
    `earlier` names the groups held back when the room last saw this activity,
    which stay held back (see `withhold`).
    Beside hand counts, 1 or 2 phone answers are held back from every figure
    (`ActivityResults.phones_held`): the room's figure minus the hands the room
    watched go up would be those answers, and the room knows who is on a phone.
    """
    own_tallies = [tally for tally in tallies if tally.activity_id == activity.id and tally.count > 0]
    overall = _copy(counts.overall) if own_tallies else counts.overall
    by_group = {group: _copy(items) for group, items in counts.by_group.items()} if own_tallies else counts.by_group
    hand_overall: ItemCounts = {}
    hand_by_group: dict[RoleGroup, ItemCounts] = {group: {} for group in RoleGroup}
    group_tallies: dict[RoleGroup, list[Tally]] = {group: [] for group in RoleGroup}
    for tally in own_tallies:
        _step(overall, tally.item, tally.value, tally.count)
        _step(hand_overall, tally.item, tally.value, tally.count)
        if tally.role is not None:
            group = role_group(tally.role)
            _step(by_group[group], tally.item, tally.value, tally.count)
            _step(hand_by_group[group], tally.item, tally.value, tally.count)
            group_tallies[group].append(tally)
    respondents, tallied = counts.respondents, _tally_size(own_tallies)
    held = respondents if tallied and 0 < respondents < SMALL_GROUP else 0
    phones = {group: len(counts.people[group]) for group in RoleGroup}
    hands = {group: _tally_size(group_tallies[group]) for group in RoleGroup}
    sizes = {group: phones[group] + hands[group] for group in RoleGroup}
    summaries = {group: _summarise(activity, by_group[group]) for group in RoleGroup if sizes[group]}
    # Hand counts are public, so each group's phones alone are known too: they pass the same control.
    phone_summaries = {group: _summarise(activity, counts.by_group[group]) for group in RoleGroup if phones[group]} if own_tallies else summaries
    # Who is withheld is decided from everything people answered, so a group with 1 or 2 on phones stays withheld as small.
    withheld = withhold(sizes, summaries, phones, phone_summaries, earlier)
    if held:
        # Every group left to show has no phones (any phones are 1 or 2, withheld above): its hands are its answers.
        summaries = {group: _summarise(activity, hand_by_group[group]) for group in summaries}
    groups = tuple(
        GroupResult(group, sizes[group], None if group in withheld else summaries[group], withheld.get(group), phones[group])
        for group in RoleGroup
    )
    unassigned = _tally_size([tally for tally in own_tallies if tally.role is None])
    cells = [*phones.values(), *hands.values(), unassigned]
    return ActivityResults(
        activity_id=activity.id,
        overall=_summarise(activity, hand_overall if held else overall),
        respondents=respondents,
        tallied=tallied,
        groups=groups,
        # With the phones held back there is nothing to set beside the hands: each count is given once.
        by_channel=not held and (not (respondents and tallied) or all(cell == 0 or cell >= SMALL_GROUP for cell in cells)),
        phones_held=held,
    )


# -- disclosure control -------------------------------------------------------------


def withhold(
    sizes: Mapping[RoleGroup, int],
    summaries: Mapping[RoleGroup, AnyResult],
    phones: Mapping[RoleGroup, int] | None = None,
    phone_summaries: Mapping[RoleGroup, AnyResult] | None = None,
    earlier: Collection[RoleGroup] = (),
) -> dict[RoleGroup, Withheld]:
    """Which role groups to withhold, and why: primary and secondary suppression.

    A group of fewer than SMALL_GROUP people is withheld (primary). The room's
    figure minus the shown groups gives the withheld groups' answers added
    together, so more groups are withheld (secondary, smallest first) until,
    for every question, that remainder mixes at least two groups, counts at
    least SMALL_GROUP answers and holds more than one answer, or until no group
    is shown at all. Then no withheld group's answers can be worked out.

    Hands counted by group are public: the room watched them go up. A group's
    figure minus its own hands is its phones, and the room's minus every hand
    is the room's phones. So the same rules hold for the phones alone
    (`phones`, `phone_summaries`; without them a group's answers are all taken
    as phones): a group with fewer than SMALL_GROUP people on phones is
    withheld as small, and the withheld groups' phones added together must be
    as safe as their whole answers.

    A group held back when the room saw these results before (`earlier`) stays
    held back (primary) however it has grown: the room remembers the earlier
    figures, and the earlier room minus a group shown now would give it away.
    """
    phones = sizes if phones is None else phones
    phone_summaries = summaries if phone_summaries is None else phone_summaries
    withheld = {group: Withheld.NO_ANSWERS for group in RoleGroup if not sizes.get(group)}
    hidden = [
        group
        for group in RoleGroup
        if sizes.get(group, 0) and (sizes[group] < SMALL_GROUP or 0 < phones.get(group, 0) < SMALL_GROUP)
    ]
    withheld.update((group, Withheld.SMALL) for group in hidden)
    for group in RoleGroup:
        if group in earlier and sizes.get(group, 0) and group not in hidden:
            hidden.append(group)
            withheld[group] = Withheld.EARLIER
    shown = [group for group in RoleGroup if sizes.get(group, 0) and group not in hidden]
    while hidden and shown:
        whole_safe = _remainder_safe([summaries[group] for group in hidden])
        if whole_safe and _remainder_safe([phone_summaries[group] for group in hidden if phones.get(group)]):
            break
        # When only the phones give something away, a group with phones of its own is the one that helps.
        helping = [group for group in shown if phones.get(group)] if whole_safe else shown
        extra = min(helping or shown, key=lambda group: (sizes[group], SECONDARY_ORDER.index(group)))
        shown.remove(extra)
        hidden.append(extra)
        withheld[extra] = Withheld.SUBTRACTION
    return withheld


def _remainder_safe(results: list[AnyResult]) -> bool:
    """Can the withheld groups' answers, added together, be shown without revealing any one of them?"""
    if not results:
        return True
    per_group = [item_counts(result) for result in results]
    for item in per_group[0]:
        answered = [counts[item] for counts in per_group if sum(counts[item].values())]
        if not answered:
            continue
        together: Counter = Counter()
        for counts in answered:
            together.update(counts)
        if len(answered) < 2 or sum(together.values()) < SMALL_GROUP or len(+together) < 2:
            return False
    return True


def item_counts(result: AnyResult) -> dict[str, Counter]:
    """A summary's counts per question key, as the room sees them."""
    if isinstance(result, SpectrumResult):
        return {SPECTRUM_ITEM: Counter(result.positions.counts)}
    if isinstance(result, GridResult):
        out: dict[str, Counter] = {}
        for area in result.areas:
            out[grid_item(area.area_id, "now")] = Counter(area.now.counts)
            out[grid_item(area.area_id, "target")] = Counter(area.target.counts)
        return out
    return {statement.statement_id: Counter(statement.counts) for statement in result.statements}


def activity_results(
    activity,
    votes: Iterable[Vote],
    tallies: Iterable[Tally],
    participants: Mapping[str, Participant],
    earlier: Collection[RoleGroup] = (),
) -> ActivityResults:
    """Summarise an activity from its votes and hand counts, overall and per role group.

    `earlier`: the groups held back when the room saw it (`LiveSession.withheld_seen`)."""
    return summarise_answers(activity, count_answers(activity.id, votes, participants), tallies, earlier)


def _role_of(participants: Mapping[str, Participant], participant_id: str):
    participant = participants.get(participant_id)
    return participant.role if participant else None


def room_counts(participants: Iterable[Participant]) -> dict[RoleGroup, int]:
    counts = {group: 0 for group in RoleGroup}
    for participant in participants:
        counts[role_group(participant.role)] += 1
    return counts
