"""A live session with no terminal: the real app under Textual's headless driver.

Used for benchmarks, for tests that drive a session over HTTP, and for
scripted rehearsals. The whole app runs (screens, moderation queue, phone
page) exactly as projected, but draws nowhere; standard output carries
`join: URL` once the phone page listens, then `console: URL`, a one-time link
that signs in the facilitator's console. SIGINT or SIGTERM closes the
session (compacting its store) and exits.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .app import InvolveApp

__all__ = ["HeadlessReport", "run_headless"]


class HeadlessReport:
    """Where a headless app says what a facilitator would otherwise see on screen."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.status = 0
        self._saving_failed = False

    def joined(self, url: str, console: str = "") -> None:
        """`join: URL` for phones; then `console: URL`, the one-time link for the facilitator's console.

        Standard output here is the facilitator's own terminal, not the projector.
        """
        self.out.write(f"join: {url}\n")
        if console:
            self.out.write(f"console: {console}\n")
        self.out.flush()

    def problem(self, message: str, status: int | None = None) -> None:
        self.err.write(f"involve: {message}\n")
        self.err.flush()
        if status is not None:
            self.status = status

    def storage(self, failure: str) -> None:
        """Say once when saving fails, and again when it recovers."""
        if failure and not self._saving_failed:
            self.problem(f"changes are not being saved: {failure}")
        elif not failure and self._saving_failed:
            self.problem("saving works again")
        self._saving_failed = bool(failure)

    def stop_on_signals(self, app: InvolveApp) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, app.exit)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
                pass


def run_headless(config, request) -> int:
    from .app import InvolveApp, prepare_launch

    # Textual captures print() while it runs; the report writes to the real streams.
    report = HeadlessReport(sys.__stdout__, sys.__stderr__)
    if request.mode not in ("run", "resume", "demo"):
        report.problem("--headless needs a session: use `involve run TEMPLATE --headless` or `involve resume --headless`")
        return 2
    launch = prepare_launch(config, request)
    app = InvolveApp(
        launch.config,
        store=launch.store,
        session=launch.session,
        landing="activity",
        demo_speed=request.speed if launch.demo else None,
        headless_report=report,
    )
    try:
        app.run(headless=True)
    finally:
        launch.cleanup()
    return report.status
