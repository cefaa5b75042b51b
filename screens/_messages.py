"""Messages the screens post to the app, and the batch of changes the app fans out to them.

They live beside the screens, not in `tui`, so the screens never import the app:
the app imports these, and implements `SessionHost` for the screens to reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message
from textual.message_pump import MessagePump

from sessions import Change, StorageError

__all__ = ["ChangeBatch", "ResumeSession", "StartSession", "StorageFailed", "guard_storage"]


@dataclass
class ChangeBatch:
    """Everything that changed since screens last redrew."""

    kinds: set[str] = field(default_factory=set)
    activity_ids: set[str] = field(default_factory=set)
    comment_ids: set[str] = field(default_factory=set)
    count: int = 0

    def add(self, change: Change) -> None:
        self.kinds.add(change.kind)
        if change.activity_id:
            self.activity_ids.add(change.activity_id)
        if change.kind == "comment" and change.record_id:
            self.comment_ids.add(change.record_id)
        self.count += 1

    def touches(self, activity_id: str, *kinds: str) -> bool:
        """Whether the batch changed `activity_id` in any of `kinds` (any kind when none given)."""
        if kinds and not self.kinds.intersection(kinds):
            return False
        return activity_id in self.activity_ids

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass
class StartSession(Message):
    """The home screen asks for a new session from a template."""

    template_name: str
    title: str = ""
    facilitator: str = ""
    baseline_id: str = ""


@dataclass
class ResumeSession(Message):
    """The home screen asks to reopen a session."""

    session_id: str


@dataclass
class StorageFailed(Message):
    """A change could not be saved; the app shows it on every screen until it clears."""

    reason: str


def guard_storage(node: MessagePump, change: Callable[[], object]) -> bool:
    """Run a session change; if the disk refuses it, tell the app instead of crashing the screen."""
    try:
        change()
    except StorageError as error:
        node.post_message(StorageFailed(str(error)))
        return False
    return True
