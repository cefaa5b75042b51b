"""Where the app says what a facilitator would otherwise only see on the screen.

On a screen there is nothing more to say, so the app's default reporter does
nothing; a headless run (`_headless.HeadlessReport`) writes the join address and
problems to its standard streams instead, and sets the exit status.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App

__all__ = ["Reporter"]


class Reporter:
    """The app's reporter on a screen: everything is already shown there."""

    status: int = 0
    """The exit status a problem it reported calls for; on a screen, always 0 (the screen said it)."""

    def attach(self, app: App) -> None:
        """The app has started."""

    def joined(self, url: str, console_link: Callable[[], str]) -> None:
        """The phone page listens at `url`; `console_link()` would make a one-time link to the facilitator's console."""

    def intake_failed(self, message: str) -> bool:
        """The phone page could not start; returns whether the app should stop (on a screen it goes on, showing why)."""
        return False

    def closing_failed(self, message: str) -> None:
        """The session's last changes could not be saved as it closed."""

    def closed(self, session_id: str) -> None:
        """The session closed with every change on disk."""

    def storage(self, failure: str) -> None:
        """Saving is failing (`failure` says why) or, when empty, works."""

    def damage_found(self, message: str) -> bool:
        """Opening found part of the journal damaged (`message` says what was lost); returns
        whether that has been said (on a screen the session bar shows it instead, until it is hidden)."""
        return False
