"""Comments by activity and state, kept up to date as they arrive and are moderated.

The projected screen asks for the wall and the queue count many times a
second while a full room is commenting; with ten thousand comments in a
session, scanning them all each time would cost more than drawing the screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from ._model import Comment, CommentState

__all__ = ["CommentIndex"]

_ALL = "\x00all"  # the key for "every activity"; no activity id can contain NUL


class CommentIndex:
    """Arrival order per activity, counts per state, and the pinned few.

    Comment ids are numbers given in arrival order, so each activity's list is
    newest-last without sorting.
    """

    def __init__(self) -> None:
        self._order: dict[str, list[str]] = {}
        self._counts: Counter[tuple[str, CommentState]] = Counter()
        self._pinned: dict[str, set[str]] = {}

    @classmethod
    def of(cls, comments: Mapping[str, Comment]) -> CommentIndex:
        """The index of a session's comments as loaded (an imported record may list them in any order)."""
        index = cls()
        for comment in sorted(comments.values(), key=_number):
            index.add(comment)
        return index

    def add(self, comment: Comment) -> None:
        for key in (comment.activity_id, _ALL):
            self._order.setdefault(key, []).append(comment.id)
        self._count(comment, 1)

    def change(self, old: Comment, new: Comment) -> None:
        self._count(old, -1)
        self._count(new, 1)

    def _count(self, comment: Comment, step: int) -> None:
        for key in (comment.activity_id, _ALL):
            self._counts[(key, comment.state)] += step
            if comment.state is CommentState.PINNED:
                pinned = self._pinned.setdefault(key, set())
                if step > 0:
                    pinned.add(comment.id)
                else:
                    pinned.discard(comment.id)

    def count(self, state: CommentState, activity_id: str | None = None) -> int:
        return self._counts[(_ALL if activity_id is None else activity_id, state)]

    def wall(self, comments: Mapping[str, Comment], activity_id: str | None, limit: int | None = None) -> list[Comment]:
        """Pinned comments newest first, then approved ones newest first; at most `limit`.

        Reads only as far back as it needs to: the pinned few are kept apart,
        and approved comments are met newest first.
        """
        key = _ALL if activity_id is None else activity_id
        pinned = sorted((comments[i] for i in self._pinned.get(key, ())), key=_number, reverse=True)
        wanted = None if limit is None else max(0, limit - len(pinned))
        approved: list[Comment] = []
        if wanted != 0:
            for comment_id in reversed(self._order.get(key, ())):
                comment = comments[comment_id]
                if comment.state is CommentState.APPROVED:
                    approved.append(comment)
                    if wanted is not None and len(approved) >= wanted:
                        break
        shown = pinned + approved
        return shown if limit is None else shown[:limit]


def _number(comment: Comment) -> tuple[int, str]:
    return (int(comment.id), "") if comment.id.isdigit() else (0, comment.id)
