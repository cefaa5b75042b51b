"""Key hints are the facilitator's: in the room view a message states the fact and leaves the key out.

The room view takes the key footer off the projector, and a toast that says
"press x" would put a piece of it back. The quiet `? keys` that stays lists
every key, so nothing the facilitator needs is lost.
"""

from __future__ import annotations

from textual.app import App

from ._host import SessionHost

__all__ = ["with_key_hint"]


def with_key_hint(app: App, fact: str, hint: str) -> str:
    """`fact`, then `hint` (the key that acts on it) unless the projector shows the room's view."""
    if isinstance(app, SessionHost) and app.room_view:
        return fact
    return f"{fact} {hint}"
