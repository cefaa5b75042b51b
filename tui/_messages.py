"""Messages the app posts to itself and its screens.

The messages the screens post, and the batch they receive, live in `screens`
(screens never import the app); they are re-exported here for the app.

The session's listener runs for every vote and comment; it records the change
and posts `SessionChanged` only when no message or publish is already on its
way, so screens redraw once per burst, not per vote (`can_replace` merges any
that still queue up).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from screens import ChangeBatch, ResumeSession, StartSession, StorageFailed, guard_storage
from sessions import Change

__all__ = ["ChangeBatch", "SessionChanged", "SessionOpened", "SessionClosed", "StartSession", "ResumeSession", "StorageFailed", "guard_storage"]


@dataclass
class SessionChanged(Message):
    """The open session changed; the app drains its pending batch when handling it."""

    change: Change

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SessionChanged)


@dataclass
class SessionOpened(Message):
    session_id: str


@dataclass
class SessionClosed(Message):
    session_id: str
