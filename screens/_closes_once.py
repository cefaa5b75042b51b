"""A screen that closes once, and only while it is the one on top.

Textual's `Screen.dismiss` pops whatever screen is on top, not the screen it
is called on. Keys typed at machine speed queue up: two Enters in a form each
submit it, the second dismissal then pops the activity screen beneath, and a
third pops the last screen and closes the app. Every screen that dismisses
itself mixes this in (before its Textual base class): the first dismissal
wins, later ones are dropped, and so is a dismissal asked for while another
screen is on top. A form checks `closing` before anything that changes the
session, so a second Enter never saves twice.
"""

from __future__ import annotations

from typing import Any

from textual.await_complete import AwaitComplete
from textual.screen import Screen

__all__ = ["ClosesOnce"]


class ClosesOnce:
    """Mix in before `Screen` or `ModalScreen`: `dismiss` works once, and only on the active screen."""

    _dismissed = False

    @property
    def closing(self) -> bool:
        """Is this screen on its way out, or under another? Then a key meant for it does nothing."""
        assert isinstance(self, Screen)
        return self._dismissed or not self.is_active

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self.closing:
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)  # type: ignore[misc]
