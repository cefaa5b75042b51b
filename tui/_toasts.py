"""Which notifications are on screen, so the projector never stacks them.

A facilitator who presses `n` five times on the last activity should see one
"last activity" toast, not five. There is a second reason: Textual 8.2's toast
rack scrolls once its toasts are taller than the screen, and toasts that expire
from a scrolled rack can stay drawn on the projector after they are gone (seen
in tmux: eight quick toasts, then none removed from the picture until the next
full redraw). Keeping at most `MOST_SHOWING` toasts keeps the rack from ever
scrolling.

Plain Python, so the rule is tested without an app.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MOST_SHOWING", "Toast", "ToastLedger"]

MOST_SHOWING = 3


@dataclass(frozen=True)
class Toast:
    message: str
    title: str
    severity: str
    timeout: float
    markup: bool = False


@dataclass(frozen=True)
class Admission:
    """What to do with a new toast: drop it (`show` empty), or clear the screen's toasts first, then show `show`."""

    clear_first: bool
    show: tuple[Toast, ...]


class ToastLedger:
    """Remembers each toast shown and when it goes, and decides what a new one does.

    Used on the app's own thread only: the app calls `notify` from its event loop (it runs no
    thread workers), and clearing the screen's toasts is not thread-safe in any case.
    """

    def __init__(self, most: int = MOST_SHOWING) -> None:
        self._most = most
        self._showing: list[tuple[Toast, float]] = []  # oldest first, with when each expires

    def admit(self, toast: Toast, now: float) -> Admission:
        showing = [(shown, ends) for shown, ends in self._showing if ends > now]
        if any(_same(shown, toast) for shown, _ in showing):
            self._showing = showing
            return Admission(False, ())  # already on screen: saying it twice helps nobody
        if len(showing) < self._most:
            self._showing = [*showing, (toast, now + toast.timeout)]
            return Admission(False, (toast,))
        # Full: clear, then bring back the problems still showing (newest first, leaving room for
        # this one) with the time they had left; plain information gives way first.
        kept = [(shown, ends) for shown, ends in showing if shown.severity != "information"][-(self._most - 1) :]
        again = tuple(_with_timeout(shown, ends - now) for shown, ends in kept)
        self._showing = [*kept, (toast, now + toast.timeout)]
        return Admission(True, (*again, toast))

    def clear(self) -> None:
        self._showing = []


def _same(a: Toast, b: Toast) -> bool:
    return (a.message, a.title, a.severity) == (b.message, b.title, b.severity)


def _with_timeout(toast: Toast, timeout: float) -> Toast:
    return Toast(toast.message, toast.title, toast.severity, timeout, toast.markup)
