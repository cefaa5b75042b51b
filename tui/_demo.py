"""A rehearsal room: simulated participants join, vote and comment.

The simulator acts on the `LiveSession` directly (no phones, no HTTP) and
always answers the activity the facilitator has on screen, so a new user can
try every key and watch the screen come alive. Staff in the simulated room
tend to rate the service higher than people who use it, as rooms often do,
so the role split has something to show.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from sessions import (
    SPECTRUM_ITEM,
    Answer,
    CommentState,
    GridActivity,
    IndicatorsActivity,
    InvalidInput,
    LiveSession,
    Participant,
    QuestionsActivity,
    Role,
    SessionStore,
    SpectrumActivity,
    StorageError,
    TargetsActivity,
    TemplateLibrary,
    grid_item,
)

__all__ = ["DemoRoom", "DemoPerson", "DEMO_PEOPLE", "DEMO_TEMPLATE", "DEMO_TITLE", "create_demo_session"]

DEMO_TEMPLATE = "where-are-we"
DEMO_TITLE = "Demo: a simulated room (nothing here is kept)"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    role: Role | None
    outlook: float
    """How well they think the service involves people: 0 poorly, 1 very well."""


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("", Role.SERVICE_USER, 0.25),
    DemoPerson("Jo", Role.SERVICE_USER, 0.3),
    DemoPerson("", Role.STAFF, 0.7),
    DemoPerson("", Role.CARER, 0.2),
    DemoPerson("Dev", Role.STAFF, 0.6),
    DemoPerson("", Role.SERVICE_USER, 0.4),
    DemoPerson("", None, 0.5),
    DemoPerson("Marcia", Role.STAFF, 0.75),
    DemoPerson("", Role.SERVICE_USER, 0.2),
    DemoPerson("", Role.STAFF, 0.55),
    DemoPerson("", Role.PREFER_NOT, 0.45),
    DemoPerson("Ken", Role.CARER, 0.35),
    DemoPerson("", Role.OTHER, 0.5),
    DemoPerson("", Role.STAFF, 0.65),
)

# What people might say, in our own words, by activity kind.
DEMO_COMMENTS: dict[str, tuple[str, ...]] = {
    "info": (
        "Glad we are doing this with everyone in one room.",
        "Can we have the slides afterwards in large print?",
        "Good to see carers invited this time.",
    ),
    "spectrum": (
        "We get asked for our views, but nothing seems to change afterwards.",
        "The peer support team is a real strength; it is run by people with lived experience.",
        "Service user reps are at the governance meeting but the papers arrive the night before.",
        "I put us in the middle: good intentions, not much power shared yet.",
        "From the staff side it feels like we have moved a long way in two years.",
        "Surveys are not the same as having a say.",
    ),
    "grid": (
        "My care plan was written before I was in the room.",
        "On the ward we have a community meeting, but the agenda is set by staff.",
        "Policy is where we are furthest behind: no paid service user roles at board level.",
        "Individual care is better since the new care coordinators started.",
        "We should aim for partnership on the care setting, not just collaboration.",
    ),
    "indicators": (
        "Listening: people say staff are kind but too rushed to hear the whole story.",
        "Connecting: nobody told me about the advocacy service until my third admission.",
        "Involving: two service users sat on the last interview panel, which was a first.",
        "Engaging: money and housing worries come up in every conversation and we rarely act on them.",
        "Learning: we collect feedback but do not share what we did with it.",
    ),
    "questions": (
        "The user group needs its own budget.",
        "Meetings at 10am on a weekday shut out people who work.",
    ),
    "targets": (
        "Could we pay people for their time on interview panels?",
        "Send meeting papers a week ahead, in plain language.",
        "A peer worker on every ward by next spring.",
    ),
}

# Some comments are held for the facilitator; the rest the simulated
# co-facilitator approves after a moment, so the wall fills up.
HELD_SHARE = 0.3


def create_demo_session(store: SessionStore, library: TemplateLibrary, *, hold_comments: bool = True) -> LiveSession:
    """A fresh session from the half-day template, clearly named as a demo."""
    template = library.find(DEMO_TEMPLATE)
    assert template.path is not None
    return store.create(
        template,
        template.path.read_text(encoding="utf-8"),
        title=DEMO_TITLE,
        facilitator="Demo",
        hold_comments=hold_comments,
    )


class DemoRoom:
    """Drives a `LiveSession` like a room of people with phones.

    `speed` scales the pace (2 is twice as fast); `seed` makes a run
    repeatable. `step()` does one thing and is what the tests call directly.
    """

    def __init__(self, session: LiveSession, *, speed: float = 1.0, seed: int | None = None, people: tuple[DemoPerson, ...] = DEMO_PEOPLE) -> None:
        self.session = session
        self.speed = max(speed, 0.01)
        self.random = random.Random(seed)
        self.people = people
        self.joined: list[tuple[Participant, DemoPerson]] = []
        self._said: set[tuple[str, str]] = set()
        self._to_approve: list[str] = []

    # -- pacing ------------------------------------------------------------------------

    def pause(self) -> float:
        """Seconds until the next action: about two, spread out so it feels human."""
        return self.random.uniform(0.8, 3.2) / self.speed

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.pause())
            try:
                self.step()
            except StorageError:
                # The app shows the storage problem; the rehearsal just stops acting.
                return

    # -- one action --------------------------------------------------------------------

    def step(self) -> str:
        """Do one thing a person in the room might do; returns what it did."""
        if self._to_approve and self.random.random() < 0.5:
            return self._approve_one()
        if len(self.joined) < len(self.people) and (len(self.joined) < 4 or self.random.random() < 0.45):
            return self._join_next()
        if not self.joined:
            return "idle"
        roll = self.random.random()
        if roll < 0.25:
            return self._comment()
        if self._vote():
            return "vote"
        if roll < 0.6:
            return self._comment()
        return "idle"

    def _join_next(self) -> str:
        person = self.people[len(self.joined)]
        participant, _token = self.session.join(person.name, person.role)
        self.joined.append((participant, person))
        return "join"

    def _approve_one(self) -> str:
        comment_id = self._to_approve.pop(0)
        comment = self.session.comments.get(comment_id)
        if comment is not None and comment.state is CommentState.PENDING:
            self.session.moderate(comment_id, CommentState.APPROVED)
        return "approve"

    def _comment(self) -> str:
        activity = self.session.current_activity
        bank = [text for text in DEMO_COMMENTS.get(activity.kind, ()) if (activity.id, text) not in self._said]
        if not bank:
            return "idle"
        text = self.random.choice(bank)
        self._said.add((activity.id, text))
        participant, person = self.random.choice(self.joined)
        try:
            comment = self.session.add_comment(activity.id, text, participant_id=participant.id, author=participant.name)
        except InvalidInput:
            return "idle"
        if comment.state is CommentState.PENDING and self.random.random() >= HELD_SHARE:
            self._to_approve.append(comment.id)
        return "comment"

    def _vote(self) -> bool:
        """One person who has not answered the current activity answers all of it."""
        activity = self.session.current_activity
        if not activity.votable:
            return False
        waiting = [(p, person) for p, person in self.joined if self.session.vote_of(p.id, activity.id, activity.items[0]) is None]
        if not waiting:
            return False
        participant, person = self.random.choice(waiting)
        for item, value in self._answers(activity, person):
            self.session.cast_vote(participant.id, activity.id, item, value)
        return True

    def _scaled(self, outlook: float, low: int, high: int, lift: float = 0.0) -> int:
        centre = low + (high - low) * min(1.0, max(0.0, outlook + lift))
        return max(low, min(high, round(self.random.gauss(centre, 0.8))))

    def _answers(self, activity, person: DemoPerson) -> list[tuple[str, int | str]]:
        if isinstance(activity, SpectrumActivity):
            return [(SPECTRUM_ITEM, self._scaled(person.outlook, 1, activity.positions))]
        if isinstance(activity, GridActivity):
            top = len(activity.levels)
            answers: list[tuple[str, int | str]] = []
            for area in activity.areas:
                now = self._scaled(person.outlook, 1, top)
                target = max(now, self._scaled(person.outlook, 1, top, lift=0.45))
                answers += [(grid_item(area.id, "now"), now), (grid_item(area.id, "target"), target)]
            return answers
        if isinstance(activity, IndicatorsActivity):
            answers = []
            for statement in activity.statements:
                roll = self.random.random() - (person.outlook - 0.5) * 0.6
                answer = Answer.MET if roll < 0.3 else Answer.PARTLY if roll < 0.7 else Answer.NOT_MET
                answers.append((statement.id, answer.value))
            return answers
        if isinstance(activity, (QuestionsActivity, TargetsActivity)):
            return []
        return []
