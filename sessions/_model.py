"""The workshop domain: templates, activities, participants, votes, comments.

Plain dataclasses with no UI imports, so the same model serves the projected
app, the phone intake, the exports and the command line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from . import _numbers as numbers


class Role(str, enum.Enum):
    """What a participant says they are; always self-declared and optional."""

    SERVICE_USER = "service_user"
    CARER = "carer"
    STAFF = "staff"
    OTHER = "other"
    PREFER_NOT = "prefer_not"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, value: object) -> Role | None:
        if value in (None, ""):
            return None
        try:
            return cls(str(value))
        except ValueError:
            return None


ROLE_LABELS = {
    Role.SERVICE_USER: "Service user",
    Role.CARER: "Carer",
    Role.STAFF: "Staff",
    Role.OTHER: "Other",
    Role.PREFER_NOT: "Prefer not to say",
}


class RoleGroup(str, enum.Enum):
    """The groups the room is split into when views are compared side by side."""

    LIVED = "lived"
    STAFF = "staff"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            RoleGroup.LIVED: "Service users and carers",
            RoleGroup.STAFF: "Staff",
            RoleGroup.OTHER: "Other or not said",
        }[self]


def role_group(role: Role | None) -> RoleGroup:
    if role in (Role.SERVICE_USER, Role.CARER):
        return RoleGroup.LIVED
    if role is Role.STAFF:
        return RoleGroup.STAFF
    return RoleGroup.OTHER


class CommentState(str, enum.Enum):
    """Moderation state: nothing reaches the room until the facilitator says so."""

    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"
    PINNED = "pinned"

    @property
    def visible(self) -> bool:
        return self in (CommentState.APPROVED, CommentState.PINNED)


class Answer(str, enum.Enum):
    """How far an indicator statement is met."""

    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"

    @property
    def label(self) -> str:
        return {Answer.MET: "Met", Answer.PARTLY: "Partly met", Answer.NOT_MET: "Not met"}[self]


ActivityKind = Literal["info", "spectrum", "grid", "indicators", "questions", "targets"]
ACTIVITY_KINDS: tuple[str, ...] = ("info", "spectrum", "grid", "indicators", "questions", "targets")


@dataclass(frozen=True)
class Source:
    """A framework the template draws on, credited wherever it is used."""

    title: str
    publisher: str
    year: str = ""

    @property
    def credit(self) -> str:
        year = f", {self.year}" if self.year else ""
        return f"{self.title} ({self.publisher}{year})"


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    practices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Statement:
    """An indicator or a discussion question."""

    id: str
    name: str
    text: str = ""


@dataclass(frozen=True)
class Activity:
    id: str
    title: str
    prompt: str = ""
    minutes: int | None = None
    show_results: bool | None = None

    kind: str = field(init=False, default="info")

    @property
    def votable(self) -> bool:
        return False

    @property
    def items(self) -> tuple[str, ...]:
        """The keys of the questions a participant answers in this activity."""
        return ()


@dataclass(frozen=True)
class InfoActivity(Activity):
    body: str = ""
    kind: str = field(init=False, default="info")


@dataclass(frozen=True)
class SpectrumActivity(Activity):
    stages: tuple[Stage, ...] = ()
    positions: int = 9
    kind: str = field(init=False, default="spectrum")

    @property
    def votable(self) -> bool:
        return True

    @property
    def items(self) -> tuple[str, ...]:
        return (SPECTRUM_ITEM,)

    def _place(self, position: float) -> float:
        """A position counted in stages from the first: 1.5 is halfway from the second to the third."""
        return (position - 1) / (self.positions - 1) * (len(self.stages) - 1)

    def stage_places(self) -> tuple[tuple[str, float], ...]:
        """Each stage's name and where it sits on the line of positions (1 to `positions`)."""
        stages = self.stages
        if len(stages) == 1 or self.positions <= 1:
            return tuple((stage.name, 1.0) for stage in stages[:1])
        step = (self.positions - 1) / (len(stages) - 1)
        return tuple((stage.name, 1 + index * step) for index, stage in enumerate(stages))

    def stage_at(self, position: float) -> tuple[Stage, Stage | None]:
        """The stage a position falls in, and the next stage when it lies between two."""
        stages = self.stages
        if not stages:
            raise ValueError("spectrum has no stages")
        if len(stages) == 1 or self.positions <= 1:
            return stages[0], None
        fraction = self._place(position)
        index = int(fraction)
        if index >= len(stages) - 1:
            return stages[-1], None
        if fraction == index:
            return stages[index], None
        return stages[index], stages[index + 1]

    def position_label(self, position: float) -> str:
        """Words for a position, distinct for the positions between two stages.

        "Between A and B" for three neighbouring positions would leave a phone
        showing the same words three times, so the label says whether the
        position is just past one stage, halfway, or nearly at the next.
        """
        here, nxt = self.stage_at(position)
        if nxt is None:
            return here.name
        fraction = self._place(position)
        return numbers.between(here.name, nxt.name, fraction - int(fraction))


SPECTRUM_ITEM = "place"


@dataclass(frozen=True)
class GridActivity(Activity):
    levels: tuple[Level, ...] = ()
    areas: tuple[Area, ...] = ()
    kind: str = field(init=False, default="grid")

    @property
    def votable(self) -> bool:
        return True

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(grid_item(area.id, when) for area in self.areas for when in ("now", "target"))

    def level(self, number: int) -> Level:
        for level in self.levels:
            if level.number == number:
                return level
        raise KeyError(number)


def grid_item(area_id: str, when: str) -> str:
    return f"{area_id}:{when}"


def split_grid_item(item: str) -> tuple[str, str]:
    area_id, _, when = item.rpartition(":")
    return area_id, when


@dataclass(frozen=True)
class IndicatorsActivity(Activity):
    statements: tuple[Statement, ...] = ()
    kind: str = field(init=False, default="indicators")

    @property
    def votable(self) -> bool:
        return True

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(statement.id for statement in self.statements)


@dataclass(frozen=True)
class QuestionsActivity(Activity):
    questions: tuple[Statement, ...] = ()
    kind: str = field(init=False, default="questions")


@dataclass(frozen=True)
class TargetsActivity(Activity):
    max_targets: int = 2
    kind: str = field(init=False, default="targets")


AnyActivity = InfoActivity | SpectrumActivity | GridActivity | IndicatorsActivity | QuestionsActivity | TargetsActivity


@dataclass(frozen=True)
class Template:
    """A reusable session plan, shipped or written by a trainer."""

    name: str
    title: str
    activities: tuple[AnyActivity, ...]
    version: str = "1"
    description: str = ""
    family: str = ""
    sources: tuple[Source, ...] = ()
    show_results: bool = False
    risk_phrases: tuple[str, ...] = ()
    """Phrases this plan adds to the shipped risk list (see sessions/_risk.py)."""
    support: str = ""
    """The phone page's "Need support now?" text for this plan ("" keeps the default)."""
    path: Path | None = None
    builtin: bool = False

    @property
    def family_name(self) -> str:
        return self.family or self.name

    def activity(self, activity_id: str) -> AnyActivity:
        for activity in self.activities:
            if activity.id == activity_id:
                return activity
        raise KeyError(activity_id)


@dataclass(frozen=True)
class Participant:
    id: str
    name: str = ""
    role: Role | None = None
    joined_at: str = ""

    @property
    def display_name(self) -> str:
        return self.name or "Anonymous"


@dataclass(frozen=True)
class Vote:
    """One person's current answer to one question; changing it replaces it."""

    activity_id: str
    item: str
    participant_id: str
    value: int | str
    updated_at: str = ""


@dataclass(frozen=True)
class Tally:
    """A count the facilitator keyed in for people voting by hand or sticky dot."""

    activity_id: str
    item: str
    value: int | str
    count: int
    role: Role | None = None


@dataclass(frozen=True)
class Comment:
    """One comment, with the facilitator's private marks.

    `flags` says why the risk list matched ("suicide", "a named person"; empty
    when it did not): a flagged comment is listed first, marked ⚑ and never
    approved without a person reading it. `follow_up` is the facilitator's own
    private mark. Both are plain fields so every facilitator surface can read
    them; neither ever reaches the room or the circulated record.
    """

    id: str
    activity_id: str
    text: str
    item: str = ""
    state: CommentState = CommentState.PENDING
    author: str = ""
    participant_id: str = ""
    created_at: str = ""
    from_facilitator: bool = False
    flags: tuple[str, ...] = ()
    follow_up: bool = False

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def private(self) -> bool:
        """For the private record's follow-up section only: flagged or marked to follow up."""
        return bool(self.flags) or self.follow_up


@dataclass(frozen=True)
class Target:
    """A target for change, with who takes it on and when the team looks again."""

    id: str
    activity_id: str
    text: str
    owner: str = ""
    review_date: date | None = None
    created_at: str = ""


class Outcome(str, enum.Enum):
    """How an earlier target went, reviewed on its date (Getting there, step 4)."""

    DONE = "done"
    PARTLY = "partly"
    NOT_YET = "not_yet"

    @property
    def label(self) -> str:
        return {Outcome.DONE: "Done", Outcome.PARTLY: "Partly done", Outcome.NOT_YET: "Not yet"}[self]


@dataclass(frozen=True)
class TargetOutcome:
    """What became of one target agreed at the earlier session, recorded in the review session.

    It keeps the target's words as they were agreed, so the review's record
    still says what was reviewed if the earlier session is later deleted."""

    target_id: str
    target_text: str
    outcome: Outcome
    what_happened: str = ""
    working_together: str = ""
    """How working together on it went: the Guide asks about the partnership as well as the result."""
    updated_at: str = ""


@dataclass(frozen=True)
class SessionInfo:
    """What the catalogue knows about a session."""

    id: str
    title: str
    template_name: str
    template_version: str
    template_family: str
    facilitator: str
    created_at: str
    baseline_id: str = ""
    participants: int = 0
    votes: int = 0
    comments: int = 0
    damage: str = ""
    """What a damaged journal cost the session, in one line; "" when nothing was lost."""
    readable: bool = True
    """False when the session's files cannot be read at all: its counts are then unknown, not zero."""

    def counts(self) -> tuple[str, str, str]:
        """People, votes and comments as a list shows them: "unreadable" and dashes for a session that cannot be read."""
        if not self.readable:
            return ("unreadable", "–", "–")
        return (str(self.participants), str(self.votes), str(self.comments))


def topic_of(activity: Activity, item: str) -> str:
    """What a comment or answer is about, in the template's words ("" when it is general).

    One answer for the wall, the moderation queue and every export.
    """
    if not item:
        return ""
    if isinstance(activity, GridActivity):
        area_id, when = split_grid_item(item) if ":" in item else (item, "")
        for area in activity.areas:
            if area.id == area_id:
                return f"{area.name} ({when})" if when in ("now", "target") else area.name
        return ""
    named: tuple[Stage | Statement, ...] = ()
    if isinstance(activity, SpectrumActivity):
        named = activity.stages
    elif isinstance(activity, IndicatorsActivity):
        named = activity.statements
    elif isinstance(activity, QuestionsActivity):
        named = activity.questions
    for thing in named:
        if thing.id == item:
            return thing.name
    return ""
