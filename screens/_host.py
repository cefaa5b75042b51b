"""What the screens need from the app that runs them, as a typed protocol.

The screens never import the app (`tui`); the app implements this protocol, and
a screen checks `isinstance(self.app, SessionHost)` before it subscribes or
reads the addresses, so a bare test app without them still shows the screen.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual.signal import Signal

from ._messages import ChangeBatch

__all__ = ["FacilitatorSettings", "SessionHost"]


class FacilitatorSettings(Protocol):
    """The settings a screen reads: the line shown beside a flagged comment."""

    @property
    def safeguarding_reminder(self) -> str: ...


@runtime_checkable
class SessionHost(Protocol):
    """An app that fans session changes out to its screens and serves the phone pages."""

    session_signal: Signal[ChangeBatch]
    """Publishes one `ChangeBatch` per burst of votes and comments."""
    join_url: str
    """The phone join address, empty until the intake server is up."""
    room_url: str
    """The room's short address, empty when there is none."""
    intake_problem: str
    """Why the intake server is not running, empty when it is."""
    room_view: bool
    """Does the projector show only the room's view (no key footer, no facilitator's hints)?"""

    @property
    def config(self) -> FacilitatorSettings: ...
