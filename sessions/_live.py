"""The live session: one workshop in memory, written through to its own database.

Readers (screens, results, exports) never touch the disk. In-memory indexes
make a vote, tally or comment cost the same with ten records or ten thousand.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ._answer_index import AnswerIndex
from ._clock import utc_now
from ._comment_index import CommentIndex
from ._consoles import ConsolePairing
from ._documents import (
    InvalidInput,
    check_answer,
    comment_from_doc,
    comment_to_doc,
    outcome_from_doc,
    outcome_to_doc,
    parse_date,
    parse_outcome,
    target_from_doc,
    target_to_doc,
)
from ._journal_damage import JournalDamage
from ._model import (
    Comment,
    CommentState,
    Outcome,
    Participant,
    Role,
    RoleGroup,
    SessionInfo,
    Tally,
    Target,
    TargetOutcome,
    Template,
    Vote,
)
from ._numbers import date_label
from ._results import SPLIT_GROUPS, ActivityResults, summarise_answers
from ._risk import RiskPhrases
from ._saving import SaveBatcher
from ._storage import DurableDB, StorageError
from ._templates import parse_template
from ._text import COMMENT_MAX, NAME_MAX, TEXT_MAX, TITLE_MAX, clean_line, clean_text

__all__ = ["Change", "LiveSession", "SessionNotFound"]


class SessionNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Change:
    """What changed in a live session, for screens that need to redraw."""

    kind: str  # participant | vote | tally | comment | target | outcome | state | console
    activity_id: str = ""
    record_id: str = ""


Listener = Callable[[Change], None]

RUNNING_STATE = ("split", "timers", "curtain")
"""Meta keys that steer the room while it runs; kept across resume, never in the record."""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class LiveSession:
    """One session, loaded into memory and written through to its own database."""

    def __init__(
        self,
        db: DurableDB,
        *,
        clock: Callable[[], str] = utc_now,
        timer_clock: Callable[[], float] = time.time,
        risk_phrases: tuple[str, ...] = (),
    ) -> None:
        self._db = db
        self._clock = clock
        self._timer_clock = timer_clock
        """Wall-clock seconds for activity timers: a stamp that still means something after a restart."""
        self._listeners: list[Listener] = []
        self._saves = SaveBatcher(db)
        self.consoles = ConsolePairing(lambda: self._emit(Change("console")))
        """The facilitator's paired consoles: in memory only, never in the record."""
        meta_docs = db.table("meta").all()
        if not meta_docs:
            if db.damage is not None:
                raise StorageError(f"{db.damage.describe()} The damaged part held the session's own details, so it cannot be opened.")
            raise SessionNotFound(f"{db.directory} holds no session")
        self._meta_id = meta_docs[0].doc_id
        self.meta: dict[str, Any] = dict(meta_docs[0])
        self.template: Template = parse_template(self.meta["template_source"], f"<template of {self.meta['title']}>")
        self.risk_phrases = RiskPhrases(self.template.risk_phrases).with_extra(risk_phrases)
        """The shipped risk list, the template's phrases and the data folder's."""
        self.participants: dict[str, Participant] = {}
        self._participant_docs: dict[str, int] = {}
        self._tokens: dict[str, str] = {}
        for doc in db.table("participants").all():
            participant = Participant(doc["id"], doc.get("name", ""), Role.parse(doc.get("role")), doc.get("joined_at", ""))
            self.participants[participant.id] = participant
            self._participant_docs[participant.id] = doc.doc_id
            if doc.get("token_hash"):
                self._tokens[doc["token_hash"]] = participant.id
        self.votes: dict[tuple[str, str, str], Vote] = {}
        self._vote_docs: dict[tuple[str, str, str], int] = {}
        for doc in db.table("votes").all():
            vote = Vote(doc["activity_id"], doc["item"], doc["participant_id"], doc["value"], doc.get("updated_at", ""))
            key = (vote.activity_id, vote.item, vote.participant_id)
            self.votes[key] = vote
            self._vote_docs[key] = doc.doc_id
        self._keep_lost_participants(vote.participant_id for vote in self.votes.values())
        self._answers = AnswerIndex.of(self.votes.values(), self.participants)
        self.tallies: dict[tuple[str, str, Any, str], Tally] = {}
        self._tally_docs: dict[tuple[str, str, Any, str], int] = {}
        for doc in db.table("tallies").all():
            tally = Tally(doc["activity_id"], doc["item"], doc["value"], doc["count"], Role.parse(doc.get("role")))
            tally_key = (tally.activity_id, tally.item, tally.value, doc.get("role") or "")
            self.tallies[tally_key] = tally
            self._tally_docs[tally_key] = doc.doc_id
        self.comments: dict[str, Comment] = {}
        self._comment_docs: dict[str, int] = {}
        for doc in db.table("comments").all():
            comment = comment_from_doc(doc)
            self.comments[comment.id] = comment
            self._comment_docs[comment.id] = doc.doc_id
        self._keep_lost_participants(comment.participant_id for comment in self.comments.values() if comment.participant_id)
        self._comment_index = CommentIndex.of(self.comments)
        # Numbered, not counted: an imported record may have gaps where hidden comments were left out.
        self._next_comment = 1 + max((int(i) for i in self.comments if i.isdigit()), default=0)
        self.targets: dict[str, Target] = {}
        self._target_docs: dict[str, int] = {}
        for doc in db.table("targets").all():
            target = target_from_doc(doc)
            self.targets[target.id] = target
            self._target_docs[target.id] = doc.doc_id
        self.outcomes: dict[str, TargetOutcome] = {}
        """How the earlier session's targets went, by the earlier target's id (a review session only)."""
        self._outcome_docs: dict[str, int] = {}
        for doc in db.table("outcomes").all():
            outcome = outcome_from_doc(doc)
            self.outcomes[outcome.target_id] = outcome
            self._outcome_docs[outcome.target_id] = doc.doc_id

    def _keep_lost_participants(self, referenced: Iterable[str]) -> None:
        """Answers and comments whose participant's joining was lost to journal damage are kept.

        They were confirmed, so they stay, under a participant who has only the id: no name,
        no role, no device (so nobody can answer as them). Every record then names each
        answer's participant, and `involve import` reads it back. Held in memory only, so
        each open finds the same ones again from the saved answers."""
        for participant_id in sorted(set(referenced) - self.participants.keys()):
            self.participants[participant_id] = Participant(participant_id)

    # -- identity -----------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def directory(self) -> Path:
        return self._db.directory

    @property
    def info(self) -> SessionInfo:
        return SessionInfo(
            id=self.id,
            title=self.title,
            template_name=self.meta["template_name"],
            template_version=self.meta["template_version"],
            template_family=self.meta.get("template_family", ""),
            facilitator=self.meta.get("facilitator", ""),
            created_at=self.meta["created_at"],
            baseline_id=self.meta.get("baseline_id", ""),
            participants=len(self.participants),
            votes=len(self.votes),
            comments=len(self.comments),
            damage=self.damage.describe() if self.damage is not None else "",
        )

    @property
    def untouched(self) -> bool:
        """Nothing recorded yet: nobody joined, no hand counted, no comment, no target."""
        return not (self.participants or self.votes or self.tallies or self.comments or self.targets)

    # -- listening and durability -------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    async def saved(self, timeout: float | None = None) -> None:
        """Wait until every change so far is on disk; only then acknowledge it (see `SaveBatcher`)."""
        await self._saves.saved(timeout)

    def sync(self, timeout: float | None = None) -> None:
        self._db.sync(timeout)

    @property
    def storage_failure(self) -> Exception | None:
        return self._db.failure

    @property
    def damage(self) -> JournalDamage | None:
        """What a damaged journal cost this session (every other change was kept), or None."""
        return self._db.damage

    @property
    def unsaved(self) -> int:
        """Changes made that are not on disk yet (while the disk refuses them, they wait in memory)."""
        return self._db.unsaved

    def close(self, *, give_up: bool = False) -> None:
        """Save and close; StorageError if changes could not be saved (see `DurableDB.close`)."""
        self._db.close(give_up=give_up)

    # -- session state ------------------------------------------------------------

    def _set_meta(self, **fields: Any) -> None:
        self.meta.update(fields)
        self._db.table("meta").update(fields, doc_ids=[self._meta_id])
        self._emit(Change("state"))

    @property
    def current_index(self) -> int:
        return min(int(self.meta.get("current", 0)), len(self.template.activities) - 1)

    @property
    def current_activity(self):
        return self.template.activities[self.current_index]

    def go_to(self, index: int) -> None:
        index = max(0, min(index, len(self.template.activities) - 1))
        if index != self.current_index:
            self._set_meta(current=index)

    def is_revealed(self, activity_id: str) -> bool:
        return activity_id in self.meta.get("revealed", [])

    def set_revealed(self, activity_id: str, shown: bool) -> None:
        revealed = [a for a in self.meta.get("revealed", []) if a != activity_id]
        if shown:
            revealed.append(activity_id)
        self._set_meta(revealed=revealed)
        if shown and any(a.id == activity_id and a.votable for a in self.template.activities):
            self.results(activity_id)  # the room sees the results now: note who they hold back

    def withheld_seen(self, activity_id: str) -> frozenset[RoleGroup]:
        """The role groups held back whenever the room saw this activity's results; they stay held back.

        Sticky on purpose: once the room has seen "8: 1" of the whole room with
        the lone service user held back, a group shown later beside it would
        give that answer away by subtraction, however many people join since.
        """
        stored = self.meta.get("withheld_seen", {}).get(activity_id, [])
        return frozenset(group for group in RoleGroup if group.value in stored)

    def note_seen(self, activity_id: str, results: ActivityResults) -> None:
        """The room is shown `results`: keep the groups they hold back (journalled, so resume and a crash keep them)."""
        seen = self.withheld_seen(activity_id)
        now = seen | results.withheld_groups
        if now != seen:
            stored = dict(self.meta.get("withheld_seen", {}))
            stored[activity_id] = sorted(group.value for group in now)
            # No Change: the results just drawn already hold these groups back.
            self.meta["withheld_seen"] = stored
            if self._db.readonly:
                return  # a record being read: nobody is looking at it in the room
            try:
                self._db.table("meta").update({"withheld_seen": stored}, doc_ids=[self._meta_id])
            except StorageError:
                pass  # a read must not fail: memory keeps them held back while the disk refuses

    def _activity(self, activity_id: str):
        try:
            return self.template.activity(activity_id)
        except KeyError:
            raise InvalidInput("That activity is not part of this session.") from None

    def is_split(self, activity_id: str) -> bool:
        """Are this activity's results shown split by role? Each activity keeps its own choice."""
        return activity_id in self.meta.get("split", [])

    def set_split(self, activity_id: str, split: bool) -> None:
        """Record the choice; a view still refuses to draw a split that would single people out."""
        if not self._activity(activity_id).votable:
            raise InvalidInput("This activity has no results to split.")
        if bool(split) == self.is_split(activity_id):
            return
        chosen = [a for a in self.meta.get("split", []) if a != activity_id]
        if split:
            chosen.append(activity_id)
        self._set_meta(split=chosen)

    def _timer(self, activity_id: str) -> tuple[float, float | None]:
        """Seconds counted before the current run, and when the current run started (None: paused)."""
        stored = self.meta.get("timers", {}).get(activity_id) or {}
        elapsed = stored.get("elapsed", 0.0)
        started = stored.get("started_at")
        elapsed = float(elapsed) if isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool) else 0.0
        started = float(started) if isinstance(started, (int, float)) and not isinstance(started, bool) else None
        return max(0.0, elapsed), started

    def _set_timer(self, activity_id: str, elapsed: float, started: float | None) -> None:
        timers = dict(self.meta.get("timers", {}))
        timers[activity_id] = {"elapsed": round(elapsed, 3), "started_at": started}
        self._set_meta(timers=timers)

    def _timed(self, activity_id: str) -> None:
        if not self._activity(activity_id).minutes:
            raise InvalidInput("This activity has no time set in its template.")

    def timer_running(self, activity_id: str) -> bool:
        return self._timer(activity_id)[1] is not None

    def timer_elapsed(self, activity_id: str) -> float:
        """Seconds the activity's timer has run, counting the current run; a clock set back counts nothing."""
        elapsed, started = self._timer(activity_id)
        if started is None:
            return elapsed
        return elapsed + max(0.0, self._timer_clock() - started)

    def start_timer(self, activity_id: str) -> None:
        self._timed(activity_id)
        if not self.timer_running(activity_id):
            self._set_timer(activity_id, self._timer(activity_id)[0], self._timer_clock())

    def pause_timer(self, activity_id: str) -> None:
        self._timed(activity_id)
        if self.timer_running(activity_id):
            self._set_timer(activity_id, self.timer_elapsed(activity_id), None)

    @property
    def curtain(self) -> bool:
        """Is the projected screen blanked to the session title? Kept across resume: whatever it hid stays hidden."""
        return bool(self.meta.get("curtain", False))

    def set_curtain(self, drawn: bool) -> None:
        if bool(drawn) != self.curtain:
            self._set_meta(curtain=bool(drawn))

    @property
    def intake_open(self) -> bool:
        return bool(self.meta.get("intake_open", True))

    def set_intake_open(self, value: bool) -> None:
        self._set_meta(intake_open=bool(value))

    @property
    def joining_open(self) -> bool:
        """Can new phones join? People already in keep answering either way; kept across resume."""
        return bool(self.meta.get("joining_open", True))

    def set_joining_open(self, value: bool) -> None:
        self._set_meta(joining_open=bool(value))

    @property
    def head_count(self) -> int:
        """How many people the facilitator counted in the room (0: not counted)."""
        value = self.meta.get("head_count", 0)
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0

    def set_head_count(self, count: int) -> None:
        self._set_meta(head_count=max(0, min(int(count), 10_000)))

    @property
    def joined_beyond_head_count(self) -> int:
        """How many more phones have joined than the head count (0 when none, or no count)."""
        return max(0, len(self.participants) - self.head_count) if self.head_count else 0

    def split_refusal(self, results: ActivityResults) -> str:
        """Why the room may not see `results` split by role ("" when it may): one rule for the projector and the console.

        Besides a group that would be singled out, a split is refused while more
        phones have joined than the head count: one browser can join as several
        service users and so make a group look big enough to show.
        """
        warning = results.split_warning(SPLIT_GROUPS)
        if warning:
            return warning
        extra = self.joined_beyond_head_count
        if extra:
            return (
                f"Not split by role: {len(self.participants)} phones have joined, more than the head count of {self.head_count}, "
                "so someone may have joined as several people and made a group look bigger than it is."
            )
        return ""

    @property
    def hold_comments(self) -> bool:
        return bool(self.meta.get("hold_comments", True))

    def set_hold_comments(self, value: bool) -> None:
        self._set_meta(hold_comments=bool(value))

    @property
    def join_token(self) -> str:
        return self.meta["join_token"]

    @property
    def room_code(self) -> str:
        return self.meta["room_code"]

    @property
    def present_without_phones(self) -> dict[RoleGroup, int]:
        """People in the room counted by the facilitator, not joined from a phone."""
        stored = self.meta.get("present_without_phones", {})
        return {group: int(stored.get(group.value, 0)) for group in RoleGroup}

    def set_present_without_phones(self, group: RoleGroup, count: int) -> None:
        counts = {g.value: n for g, n in self.present_without_phones.items()}
        counts[RoleGroup(group).value] = max(0, min(int(count), 10_000))
        self._set_meta(present_without_phones=counts)

    def end(self) -> None:
        self._set_meta(ended_at=self._clock())

    # -- participants -------------------------------------------------------------

    def join(self, name: str = "", role: Role | str | None = None) -> tuple[Participant, str]:
        """Add a participant; returns them and the device token only their device keeps."""
        token = secrets.token_urlsafe(24)
        participant = Participant(
            id=secrets.token_hex(6),
            name=clean_line(name, NAME_MAX),
            role=role if isinstance(role, Role) else Role.parse(role),
            joined_at=self._clock(),
        )
        doc_id = self._db.table("participants").insert(
            {
                "id": participant.id,
                "name": participant.name,
                "role": participant.role.value if participant.role else None,
                "joined_at": participant.joined_at,
                "token_hash": _hash_token(token),
            }
        )
        self.participants[participant.id] = participant
        self._participant_docs[participant.id] = doc_id
        self._tokens[_hash_token(token)] = participant.id
        self._emit(Change("participant", record_id=participant.id))
        return participant, token

    def participant_for_token(self, token: str | None) -> Participant | None:
        if not token:
            return None
        participant_id = self._tokens.get(_hash_token(token))
        return self.participants.get(participant_id) if participant_id else None

    def update_participant(self, participant_id: str, *, name: str | None = None, role: Role | str | None = None) -> Participant:
        participant = self.participants[participant_id]
        if name is not None:
            participant = replace(participant, name=clean_line(name, NAME_MAX))
        if role is not None:
            participant = replace(participant, role=role if isinstance(role, Role) else Role.parse(role))
        self._db.table("participants").update(
            {"name": participant.name, "role": participant.role.value if participant.role else None},
            doc_ids=[self._participant_docs[participant_id]],
        )
        old_role = self.participants[participant_id].role
        self.participants[participant_id] = participant
        if participant.role is not old_role:
            # A generator: every vote is read only if the new role is in another group.
            theirs = (vote for vote in self.votes.values() if vote.participant_id == participant_id)
            self._answers.regroup(theirs, old_role, participant.role)
        self._emit(Change("participant", record_id=participant_id))
        return participant

    # -- votes and tallies --------------------------------------------------------

    def check_answer(self, activity_id: str, item: str, value: Any) -> int | str:
        """Validate an answer against the template; return it in canonical form."""
        return check_answer(self.template, activity_id, item, value)

    def cast_vote(self, participant_id: str, activity_id: str, item: str, value: Any) -> Vote:
        """Record or change one person's answer to one question."""
        participant = self.participants.get(participant_id)
        if participant is None:
            raise InvalidInput("Unknown participant.")
        value = self.check_answer(activity_id, item, value)
        key = (activity_id, item, participant_id)
        vote = Vote(activity_id, item, participant_id, value, self._clock())
        fields = {"activity_id": activity_id, "item": item, "participant_id": participant_id, "value": value, "updated_at": vote.updated_at}
        table = self._db.table("votes")
        if key in self._vote_docs:
            table.update(fields, doc_ids=[self._vote_docs[key]])
        else:
            self._vote_docs[key] = table.insert(fields)
        old = self.votes.get(key)
        if old is not None:
            self._answers.remove(old, participant.role)
        self.votes[key] = vote
        self._answers.add(vote, participant.role)
        self._emit(Change("vote", activity_id, participant_id))
        return vote

    def withdraw_vote(self, participant_id: str, activity_id: str, item: str) -> None:
        key = (activity_id, item, participant_id)
        if key in self._vote_docs:
            self._db.table("votes").remove(doc_ids=[self._vote_docs.pop(key)])
            vote = self.votes.pop(key)
            participant = self.participants.get(participant_id)
            self._answers.remove(vote, participant.role if participant else None)
            self._emit(Change("vote", activity_id, participant_id))

    def votes_for(self, activity_id: str) -> list[Vote]:
        return [vote for vote in self.votes.values() if vote.activity_id == activity_id]

    def results(self, activity_id: str) -> ActivityResults:
        """The activity summarised as the room sees it, without re-reading every vote.

        While the results are revealed, the groups they hold back are noted
        (`withheld_seen`): every later look and every record keeps them back."""
        activity = self.template.activity(activity_id)
        results = summarise_answers(
            activity, self._answers.counts(activity_id), self.tallies_for(activity_id), self.withheld_seen(activity_id)
        )
        if self.is_revealed(activity_id) or activity.show_results or self.template.show_results:
            self.note_seen(activity_id, results)
        return results

    def vote_of(self, participant_id: str, activity_id: str, item: str) -> Vote | None:
        return self.votes.get((activity_id, item, participant_id))

    def set_tally(self, activity_id: str, item: str, value: Any, count: int, role: Role | None = None) -> Tally:
        """Set a hand count for one option or cell; zero removes it."""
        value = self.check_answer(activity_id, item, value)
        count = max(0, min(int(count), 10_000))
        key = (activity_id, item, value, role.value if role else "")
        table = self._db.table("tallies")
        tally = Tally(activity_id, item, value, count, role)
        if count == 0:
            if key in self._tally_docs:
                table.remove(doc_ids=[self._tally_docs.pop(key)])
                del self.tallies[key]
        else:
            fields = {"activity_id": activity_id, "item": item, "value": value, "count": count, "role": key[3] or None}
            if key in self._tally_docs:
                table.update(fields, doc_ids=[self._tally_docs[key]])
            else:
                self._tally_docs[key] = table.insert(fields)
            self.tallies[key] = tally
        self._emit(Change("tally", activity_id))
        return tally

    def tally_count(self, activity_id: str, item: str, value: Any, role: Role | None = None) -> int:
        tally = self.tallies.get((activity_id, item, value, role.value if role else ""))
        return tally.count if tally else 0

    def adjust_tally(self, activity_id: str, item: str, value: Any, delta: int, role: Role | None = None) -> Tally:
        value = self.check_answer(activity_id, item, value)
        return self.set_tally(activity_id, item, value, self.tally_count(activity_id, item, value, role) + delta, role)

    def tallies_for(self, activity_id: str) -> list[Tally]:
        return [tally for tally in self.tallies.values() if tally.activity_id == activity_id]

    def reset_activity(self, activity_id: str) -> None:
        """Clear the votes and tallies of one activity; comments, targets and `withheld_seen` stay (the room remembers)."""
        votes = [key for key in self._vote_docs if key[0] == activity_id]
        tallies = [key for key in self._tally_docs if key[0] == activity_id]
        if votes:
            self._db.table("votes").remove(doc_ids=[self._vote_docs.pop(key) for key in votes])
            for key in votes:
                del self.votes[key]
            self._answers.drop(activity_id)
        if tallies:
            self._db.table("tallies").remove(doc_ids=[self._tally_docs.pop(tally_key) for tally_key in tallies])
            for tally_key in tallies:
                del self.tallies[tally_key]
        self.set_revealed(activity_id, False)
        self._emit(Change("vote", activity_id))

    # -- comments -----------------------------------------------------------------

    def add_comment(
        self,
        activity_id: str,
        text: str,
        *,
        item: str = "",
        participant_id: str = "",
        author: str = "",
        from_facilitator: bool = False,
    ) -> Comment:
        """Take a comment; it waits for the facilitator unless holding is off (or the facilitator wrote it).

        A comment that matches a risk phrase waits, flagged, whoever wrote it."""
        try:
            self.template.activity(activity_id)
        except KeyError:
            raise InvalidInput("That activity is not part of this session.") from None
        text = clean_text(text, COMMENT_MAX)
        if not text:
            raise InvalidInput("The comment is empty.")
        # The facilitator's own comments are checked too: "Sam told us she wants to kill herself" is a disclosure
        # whoever types it, and must not go on the wall and into the public record unread.
        flags = self.risk_phrases.reasons(text)
        # A flagged comment always waits for a person to read it, whatever the holding setting says.
        held = bool(flags) or (self.hold_comments and not from_facilitator)
        state = CommentState.PENDING if held else CommentState.APPROVED
        comment = Comment(
            id=str(self._next_comment),
            activity_id=activity_id,
            text=text,
            item=clean_line(item, 40),
            state=state,
            author=clean_line(author, NAME_MAX),
            participant_id=participant_id,
            created_at=self._clock(),
            from_facilitator=from_facilitator,
            flags=flags,
        )
        self._comment_docs[comment.id] = self._db.table("comments").insert(comment_to_doc(comment))
        self._next_comment += 1
        self.comments[comment.id] = comment
        self._comment_index.add(comment)
        self._emit(Change("comment", activity_id, comment.id))
        return comment

    def set_follow_up(self, comment_id: str, follow_up: bool) -> Comment:
        """The facilitator's private 'follow up' mark; it changes nothing the room sees."""
        old = self.comments[comment_id]
        comment = replace(old, follow_up=bool(follow_up))
        self._db.table("comments").update({"follow_up": comment.follow_up}, doc_ids=[self._comment_docs[comment_id]])
        self.comments[comment_id] = comment
        self._comment_index.change(old, comment)
        self._emit(Change("comment", comment.activity_id, comment_id))
        return comment

    def moderate(self, comment_id: str, state: CommentState | str) -> Comment:
        state = CommentState(state)
        old = self.comments[comment_id]
        comment = replace(old, state=state)
        self._db.table("comments").update({"state": state.value}, doc_ids=[self._comment_docs[comment_id]])
        self.comments[comment_id] = comment
        self._comment_index.change(old, comment)
        self._emit(Change("comment", comment.activity_id, comment_id))
        return comment

    def pending_comments(self) -> list[Comment]:
        return [c for c in self.comments.values() if c.state is CommentState.PENDING]

    @property
    def pending_count(self) -> int:
        return self._comment_index.count(CommentState.PENDING)

    def wall(self, activity_id: str | None, limit: int | None = None) -> list[Comment]:
        """Comments the room may see for an activity (None: every activity): pinned first, then newest first."""
        return self._comment_index.wall(self.comments, activity_id, limit)

    def wall_count(self, activity_id: str | None) -> int:
        """How many comments the room may see for an activity (None: every activity)."""
        index = self._comment_index
        return index.count(CommentState.APPROVED, activity_id) + index.count(CommentState.PINNED, activity_id)

    # -- targets ------------------------------------------------------------------

    def add_target(
        self, activity_id: str, text: str, owner: str = "", review_date: date | str | None = None, *, not_before: date | None = None
    ) -> Target:
        """A new target; with `not_before` (the facilitator's form passes today), a review date already gone is refused."""
        text = clean_text(text, TEXT_MAX)
        if not text:
            raise InvalidInput("A target needs a description.", field="text")
        target = Target(
            id=secrets.token_hex(4),
            activity_id=activity_id,
            text=text,
            owner=clean_line(owner, TITLE_MAX),
            review_date=_still_to_come(parse_date(review_date), not_before),
            created_at=self._clock(),
        )
        self._target_docs[target.id] = self._db.table("targets").insert(target_to_doc(target))
        self.targets[target.id] = target
        self._emit(Change("target", activity_id, target.id))
        return target

    def update_target(
        self,
        target_id: str,
        *,
        text: str | None = None,
        owner: str | None = None,
        review_date: date | str | None = None,
        not_before: date | None = None,
    ) -> Target:
        """Change a target; `not_before` refuses a changed review date already gone (an unchanged one may have passed)."""
        target = self.targets[target_id]
        if text is not None:
            cleaned = clean_text(text, TEXT_MAX)
            if not cleaned:
                raise InvalidInput("A target needs a description.", field="text")
            target = replace(target, text=cleaned)
        if owner is not None:
            target = replace(target, owner=clean_line(owner, TITLE_MAX))
        if review_date is not None:
            day = parse_date(review_date)
            target = replace(target, review_date=day if day == target.review_date else _still_to_come(day, not_before))
        self._db.table("targets").update(target_to_doc(target), doc_ids=[self._target_docs[target_id]])
        self.targets[target_id] = target
        self._emit(Change("target", target.activity_id, target_id))
        return target

    def remove_target(self, target_id: str) -> None:
        target = self.targets.pop(target_id)
        self._db.table("targets").remove(doc_ids=[self._target_docs.pop(target_id)])
        self._emit(Change("target", target.activity_id, target_id))

    def targets_for(self, activity_id: str) -> list[Target]:
        return sorted((t for t in self.targets.values() if t.activity_id == activity_id), key=lambda t: t.created_at)

    # -- reviewing the earlier session's targets (Getting there, step 4) ---------

    @property
    def baseline_id(self) -> str:
        """The earlier session this one reviews, or "" when it reviews none."""
        return str(self.meta.get("baseline_id", "") or "")

    def record_outcome(
        self,
        target: Target,
        outcome: Outcome | str,
        what_happened: str = "",
        working_together: str = "",
    ) -> TargetOutcome:
        """Record (or change) how one of the earlier session's targets went.

        `target` comes from the earlier session; its words are kept with the
        outcome. Free text is cleaned as every untrusted text is."""
        if not self.baseline_id:
            raise InvalidInput("This session was not started as a review of an earlier one, so it has no earlier targets.")
        if target.id in self.targets:
            raise InvalidInput("That target was agreed in this session; outcomes are for the earlier session's targets.")
        recorded = TargetOutcome(
            target_id=clean_line(target.id, 80),
            target_text=clean_text(target.text, TEXT_MAX),
            outcome=parse_outcome(outcome),
            what_happened=clean_text(what_happened, TEXT_MAX),
            working_together=clean_text(working_together, TEXT_MAX),
            updated_at=self._clock(),
        )
        if not recorded.target_id:
            raise InvalidInput("That target has no id to record an outcome against.")
        table = self._db.table("outcomes")
        if recorded.target_id in self._outcome_docs:
            table.update(outcome_to_doc(recorded), doc_ids=[self._outcome_docs[recorded.target_id]])
        else:
            self._outcome_docs[recorded.target_id] = table.insert(outcome_to_doc(recorded))
        self.outcomes[recorded.target_id] = recorded
        self._emit(Change("outcome", record_id=recorded.target_id))
        return recorded

    def clear_outcome(self, target_id: str) -> None:
        """Forget an outcome recorded by mistake; the target reads 'not reviewed yet' again."""
        if target_id in self._outcome_docs:
            self._db.table("outcomes").remove(doc_ids=[self._outcome_docs.pop(target_id)])
            del self.outcomes[target_id]
            self._emit(Change("outcome", record_id=target_id))

    # -- whole-session snapshots (export and import) -----------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything in the session as plain data, without device tokens."""
        meta = {k: v for k, v in self.meta.items() if k not in ("join_token", "room_code", *RUNNING_STATE)}
        return {
            "meta": meta,
            "participants": [
                {"id": p.id, "name": p.name, "role": p.role.value if p.role else None, "joined_at": p.joined_at}
                for p in self.participants.values()
            ],
            "votes": [
                {"activity_id": v.activity_id, "item": v.item, "participant_id": v.participant_id, "value": v.value, "updated_at": v.updated_at}
                for v in self.votes.values()
            ],
            "tallies": [
                {"activity_id": t.activity_id, "item": t.item, "value": t.value, "count": t.count, "role": t.role.value if t.role else None}
                for t in self.tallies.values()
            ],
            "comments": [comment_to_doc(c) for c in self.comments.values()],
            "targets": [target_to_doc(t) for t in self.targets.values()],
            "outcomes": [outcome_to_doc(o) for o in self.outcomes.values()],
        }


def _still_to_come(day: date | None, not_before: date | None) -> date | None:
    """A review date typed in the room is a day to come: one already gone is a slip of the year."""
    if day is not None and not_before is not None and day < not_before:
        raise InvalidInput(
            f"{date_label(day)} has already passed: give the day the team will look at this again.", field="review_date"
        )
    return day
