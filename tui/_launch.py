"""Launching a session: what the command line asked for, opened before any screen appears.

`prepare_launch` opens or creates the session a request names, so a bad name
or a broken template fails fast with the command line's clear error; `run_app`
then runs `InvolveApp` on it and turns how it ended into an exit status.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from sessions import LiveSession, SessionStore, StorageError, TemplateLibrary

from ._config import Config
from .app import InvolveApp

__all__ = ["LaunchRequest", "Launch", "prepare_launch", "run_app"]


@dataclass(frozen=True)
class LaunchRequest:
    """What the command line asked for."""

    mode: str = "home"  # home | run | resume | demo
    template: str = ""
    title: str = ""
    facilitator: str = ""
    baseline: str = ""
    session: str = ""
    speed: float = 1.0
    headless: bool = False
    auto_approve: bool = False
    """Show phones' comments at once, even in a session that was started holding them."""


@dataclass
class Launch:
    """A session opened (or not) before any screen appears, so a bad name fails fast."""

    config: Config
    store: SessionStore
    session: LiveSession | None = None
    landing: str = "home"  # home | lobby | activity
    demo: bool = False
    scratch: TemporaryDirectory | None = field(default=None, repr=False)
    created: bool = False
    """Did this launch create the session (`involve run`)? Only then may a refused start remove it."""
    removed: bool = False
    """Did `cleanup` take back the session this launch created (a refused start with nothing in it)?"""

    def cleanup(self, *, refused: bool = False) -> bool:
        """Close the session if nobody did, and remove a demo's scratch folder.

        A start that was `refused` (the phone page never listened, so nobody could
        join) takes back the session it created, if nothing was recorded in it: the
        facilitator fixes the port and runs again, and finds one session, not two.
        Returns False (after saying what was lost, in one line) if changes could not be saved."""
        saved = True
        if self.session is not None:
            try:
                self.session.close(give_up=True)
            except StorageError as error:
                sys.stderr.write(f"involve: {error}\n")
                saved = False
            if refused and self.created and saved and self.session.untouched:
                self.store.purge(self.session.id)
                self.removed = True
        if self.scratch is not None:
            self.scratch.cleanup()
            self.scratch = None
        return saved


def prepare_launch(config: Config, request: LaunchRequest) -> Launch:
    """Open or create the session the request names; raises the CLI's clear errors."""
    if request.mode == "demo":
        from ._demo import create_demo_session

        scratch = TemporaryDirectory(prefix="involve-demo-")
        demo_config = config.with_overrides(data_dir=Path(scratch.name))
        store = SessionStore(demo_config.sessions_dir)
        try:
            session = create_demo_session(store, TemplateLibrary(config.templates_dir), hold_comments=config.hold_comments)
        except BaseException:
            scratch.cleanup()
            raise
        return Launch(demo_config, store, session, "lobby", demo=True, scratch=scratch)
    store = SessionStore(config.sessions_dir)
    if request.mode == "run":
        template = TemplateLibrary(config.templates_dir).find(request.template)
        baseline_id = store.find(request.baseline).id if request.baseline else ""
        assert template.path is not None
        session = store.create(
            template,
            template.path.read_text(encoding="utf-8"),
            title=request.title,
            facilitator=request.facilitator,
            baseline_id=baseline_id,
            hold_comments=config.hold_comments,
        )
        return Launch(config, store, session, "lobby", created=True)
    if request.mode == "resume":
        info = store.find(request.session or None)
        session = store.open(info.id)
        if request.auto_approve and session.hold_comments:
            session.set_hold_comments(False)
        return Launch(config, store, session, "activity")
    return Launch(config, store)


def run_app(config: Config, request: LaunchRequest) -> int:
    """Run what the command line asked for on the screen; returns the exit status."""
    launch = prepare_launch(config, request)
    app = InvolveApp(
        launch.config,
        store=launch.store,
        session=launch.session,
        landing=launch.landing,
        demo_speed=request.speed if launch.demo else None,
    )
    try:
        result = app.run()
    finally:
        # The phone page never started, so nobody could join: an untouched session this run made goes again.
        saved = launch.cleanup(refused=launch.session is not None and launch.session.id in app.phone_page_refused)
    status = result if isinstance(result, int) else (app.return_code or 0)
    if app.unsaved_at_exit:
        sys.stderr.write(f"involve: {app.unsaved_at_exit}\n")
    return status if saved and not app.unsaved_at_exit else max(status, 1)
