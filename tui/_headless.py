"""A live session with no terminal: the real app under Textual's headless driver.

Used for benchmarks, for tests that drive a session over HTTP, and for
scripted rehearsals. The whole app runs (screens, moderation queue, phone
page) exactly as projected, but draws nowhere; standard output carries
`join: URL` once the phone page listens, then `console: URL`, a one-time link
that signs in the facilitator's console. SIGINT or SIGTERM closes the
session (compacting its store), prints `closed: …` with how to resume it,
and exits.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from typing import TextIO

from textual.app import App

from ._reporter import Reporter

__all__ = ["HeadlessReport", "run_headless"]


class HeadlessReport(Reporter):
    """Where a headless app says what a facilitator would otherwise see on screen."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.status = 0
        self.demo = False
        """A demo's session is thrown away on closing: nothing to resume."""
        self._saving_failed = False
        self._closed = ""
        """The session that closed with every change saved, said by `finish` once the launch is cleaned up."""

    def joined(self, url: str, console_link: Callable[[], str]) -> None:
        """`join: URL` for phones; then `console: URL`, the one-time link for the facilitator's console.

        Standard output here is the facilitator's own terminal, not the projector.
        """
        console = console_link()
        self.out.write(f"join: {url}\n")
        if console:
            self.out.write(f"console: {console}\n")
        self.out.flush()

    def problem(self, message: str, status: int | None = None) -> None:
        self.err.write(f"involve: {message}\n")
        self.err.flush()
        if status is not None:
            self.status = status

    def intake_failed(self, message: str) -> bool:
        # With no screen to show it on, a session without a phone page has no purpose.
        self.problem(message, status=2)
        return True

    def closing_failed(self, message: str) -> None:
        self.problem(message, status=1)

    def closed(self, session_id: str) -> None:
        self._closed = session_id

    def finish(self, *, removed: bool) -> None:
        """`closed: …` with how to pick the session up again: the facilitator's terminal has no screen to say it.

        Said only once the launch is cleaned up: a refused start that took its empty session
        back (`removed`) has nothing to resume, and its cause was already said."""
        session_id, self._closed = self._closed, ""
        if not session_id or removed:
            return
        if self.demo:
            self.out.write("closed: the rehearsal is over; a demo keeps nothing\n")
        else:
            self.out.write(f"closed: every change is saved; `involve resume {session_id}` reopens it, `involve export {session_id}` writes its record\n")
        self.out.flush()

    def damage_found(self, message: str) -> bool:
        self.problem(message)
        return True

    def storage(self, failure: str) -> None:
        """Say once when saving fails, and again when it recovers."""
        if failure and not self._saving_failed:
            self.problem(f"changes are not being saved: {failure}")
        elif not failure and self._saving_failed:
            self.problem("saving works again")
        self._saving_failed = bool(failure)

    def attach(self, app: App) -> None:
        """SIGINT and SIGTERM close the session and exit."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, app.exit)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
                pass


def run_headless(config, request) -> int:
    from ._launch import prepare_launch
    from .app import InvolveApp

    # Textual captures print() while it runs; the report writes to the real streams.
    report = HeadlessReport(sys.__stdout__, sys.__stderr__)
    if request.mode not in ("run", "resume", "demo"):
        report.problem("--headless needs a session: use `involve run TEMPLATE --headless` or `involve resume --headless`")
        return 2
    launch = prepare_launch(config, request)
    report.demo = launch.demo
    app = InvolveApp(
        launch.config,
        store=launch.store,
        session=launch.session,
        landing="activity",
        demo_speed=request.speed if launch.demo else None,
        reporter=report,
    )
    try:
        app.run(headless=True)
    finally:
        launch.cleanup(refused=launch.session is not None and launch.session.id in app.phone_page_refused)
        report.finish(removed=launch.removed)
    return report.status
