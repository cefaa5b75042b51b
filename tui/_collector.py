"""When Python's garbage collector may run during a live session.

The screen and the phone page share one event loop, so every collection
pauses both. Three rules keep those pauses short:

* The session as loaded is frozen out of the collector: it lives until the
  session closes, and walking it again and again would only cost time.
* Young and middle passes run often enough that each stays short.
* A full pass walks everything the room has added since the session opened.
  Under a burst of tens of thousands of comments it took 50 to 90 ms, which a
  facilitator sees as the screen catching. So full passes wait for a quiet
  moment (no change to the session for a second), and run anyway once they
  have waited `max_wait` seconds, so memory stays bounded in a storm.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

__all__ = ["IdleCollector", "QuietCollector"]

YOUNG_THRESHOLD = 5_000
MIDDLE_THRESHOLD = 5
FULL_AFTER = 10
"""Middle passes between full passes: Python's own default."""
_NEVER = 1 << 30
"""A full-pass threshold Python never reaches, so only `collect_when_quiet` runs one."""


class QuietCollector:
    def __init__(self, *, quiet: float = 1.0, max_wait: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet = quiet
        self.max_wait = max_wait
        self._clock = clock
        self._due_since: float | None = None
        self._previous: tuple[int, int, int] | None = None
        self.full_passes = 0

    @property
    def active(self) -> bool:
        return self._previous is not None

    def start(self) -> None:
        """Take over collection for a session that has just been loaded."""
        if self._previous is None:
            self._previous = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, _NEVER)
        self._due_since = None

    def stop(self) -> None:
        """Give collection back to Python's defaults; what was frozen is collectable again."""
        if self._previous is None:
            return
        gc.unfreeze()
        gc.set_threshold(*self._previous)
        self._previous = None
        self._due_since = None

    def collect_when_quiet(self, last_change: float) -> bool:
        """Run a due full pass if the session has been still since `last_change`, or it is overdue.

        Call it every fraction of a second; `last_change` is on the same clock.
        Returns whether a full pass ran.
        """
        if self._previous is None or gc.get_count()[2] < FULL_AFTER:
            self._due_since = None
            return False
        now = self._clock()
        if self._due_since is None:
            self._due_since = now
        if now - last_change < self.quiet and now - self._due_since < self.max_wait:
            return False
        gc.collect(2)
        self._due_since = None
        self.full_passes += 1
        return True


class IdleCollector(QuietCollector):
    """Leaves Python's collector as it is: for tests that open sessions but do not test collection.

    `start` would otherwise run a full collection (about 0.2 s) every time a test opens a session.
    """

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def collect_when_quiet(self, last_change: float) -> bool:
        return False
