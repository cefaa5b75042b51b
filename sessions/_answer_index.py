"""Every activity's answer counts, kept up to date as votes arrive, change and go.

The projected screen summarises the current activity twenty times a second
while a full room votes; re-reading every vote each time would cost more than
drawing the screen. Exports still count from the votes themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ._model import Participant, Role, Vote, role_group
from ._results import AnswerCounts

__all__ = ["AnswerIndex"]


class AnswerIndex:
    def __init__(self) -> None:
        self._by_activity: dict[str, AnswerCounts] = {}

    @classmethod
    def of(cls, votes: Iterable[Vote], participants: Mapping[str, Participant]) -> AnswerIndex:
        index = cls()
        for vote in votes:
            participant = participants.get(vote.participant_id)
            index.add(vote, participant.role if participant else None)
        return index

    def add(self, vote: Vote, role: Role | None) -> None:
        counts = self._by_activity.get(vote.activity_id)
        if counts is None:
            counts = self._by_activity[vote.activity_id] = AnswerCounts()
        counts.add(vote, role_group(role))

    def remove(self, vote: Vote, role: Role | None) -> None:
        counts = self._by_activity.get(vote.activity_id)
        if counts is not None:
            counts.add(vote, role_group(role), -1)

    def regroup(self, votes: Iterable[Vote], old: Role | None, new: Role | None) -> None:
        """One person's votes move group when they say who they are."""
        if role_group(old) is role_group(new):
            return
        for vote in votes:
            self.remove(vote, old)
            self.add(vote, new)

    def drop(self, activity_id: str) -> None:
        self._by_activity.pop(activity_id, None)

    def counts(self, activity_id: str) -> AnswerCounts:
        """The activity's counts; read them, never change them."""
        return self._by_activity.get(activity_id) or AnswerCounts()
