"""Quitting while the disk is full: never "Everything is saved" when it is not, and nothing made
during the outage is lost unless the facilitator chooses to lose it (docs/storage.md)."""

from __future__ import annotations

import asyncio
import errno
import os
import time
from pathlib import Path

import pytest

from app_fixtures import FakeServers, make_config
from screens import ConfirmScreen
from sessions import SPECTRUM_ITEM, CommentState, SessionStore, StorageError, TemplateLibrary
from sessions import _disk as disk
from tui._launch import Launch
from tui.app import InvolveApp


def no_space(*_args: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


async def _until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _session(config):
    store = SessionStore(config.sessions_dir)
    template = TemplateLibrary(config.templates_dir).find("where-are-we")
    assert template.path is not None
    session = store.create(template, template.path.read_text(encoding="utf-8"), title="Outage room")
    spectrum = next(a.id for a in session.template.activities if a.kind == "spectrum")
    session.go_to([a.id for a in session.template.activities].index(spectrum))
    session.add_comment(spectrum, "Written before the disk filled")
    session.sync()
    return store, session, spectrum


def _dialog_text(app: InvolveApp) -> str:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen)
    return f"{screen.question} {screen.detail}"


async def test_quitting_while_saves_fail_keeps_the_session_and_what_was_made_meanwhile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(tmp_path)
    store, session, spectrum = _session(config)
    app = InvolveApp(config, store=store, session=session, landing="activity", server_factory=FakeServers())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        monkeypatch.setattr(disk, "_write", no_space)
        # The facilitator goes on working through the outage: a hand count and an approval.
        session.set_tally(spectrum, SPECTRUM_ITEM, 2, 9)
        comment = next(iter(session.comments))
        session.moderate(comment, CommentState.APPROVED)
        await _until(lambda: session.storage_failure is not None)

        await pilot.press("q")
        await _until(lambda: isinstance(app.screen, ConfirmScreen))
        text = _dialog_text(app)
        assert "Everything is saved" not in text
        assert "not saved yet" in text and "no space left on device" in text.lower() and "quitting now loses them" in text
        assert "2 changes" in text
        await pilot.press("n")  # keep trying
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.session is session and app.is_running

        monkeypatch.setattr(disk, "_write", os.write)  # space is freed
        await _until(lambda: session.storage_failure is None and session.unsaved == 0)
        await pilot.press("q")
        await _until(lambda: isinstance(app.screen, ConfirmScreen))
        assert "Everything is saved" in _dialog_text(app)
        await pilot.press("y")
        await _until(lambda: not app.is_running)
    assert app.return_code == 0 and app.unsaved_at_exit == ""
    view = store.open(session.id, readonly=True)
    try:
        assert view.tally_count(spectrum, SPECTRUM_ITEM, 2) == 9
        assert view.comments[comment].state is CommentState.APPROVED
    finally:
        view.close()


async def test_insisting_on_quitting_says_what_was_lost_and_exits_non_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(tmp_path)
    store, session, spectrum = _session(config)
    app = InvolveApp(config, store=store, session=session, landing="activity", server_factory=FakeServers())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(disk, "_write", no_space)
        session.set_tally(spectrum, SPECTRUM_ITEM, 3, 4)
        await _until(lambda: session.storage_failure is not None)
        await pilot.press("q")
        await _until(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # lose them and close
        await _until(lambda: not app.is_running)
    assert app.return_code == 1
    assert "1 change was not saved" in app.unsaved_at_exit and "no space left on device" in app.unsaved_at_exit.lower()
    monkeypatch.setattr(disk, "_write", os.write)
    # The session was closed for good: its lock is free and what was saved before the outage is there.
    reopened = store.open(session.id)
    try:
        assert [c.text for c in reopened.comments.values()] == ["Written before the disk filled"]
        assert reopened.tally_count(spectrum, SPECTRUM_ITEM, 3) == 0
    finally:
        reopened.close()


async def test_closing_the_session_while_saves_fail_offers_to_keep_trying(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(tmp_path)
    store, session, spectrum = _session(config)
    app = InvolveApp(config, store=store, session=session, landing="activity", server_factory=FakeServers())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(disk, "_write", no_space)
        session.set_tally(spectrum, SPECTRUM_ITEM, 1, 5)
        await app.run_action("request_close")
        await _until(lambda: isinstance(app.screen, ConfirmScreen))
        assert "not saved yet" in _dialog_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.session is session
        monkeypatch.setattr(disk, "_write", os.write)
        await _until(lambda: session.unsaved == 0)
    view = store.open(session.id, readonly=True)
    try:
        assert view.tally_count(spectrum, SPECTRUM_ITEM, 1) == 5
    finally:
        view.close()


def test_the_launch_cleanup_says_what_was_lost_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    config = make_config(tmp_path)
    store, session, spectrum = _session(config)
    monkeypatch.setattr(disk, "_write", no_space)
    session.set_tally(spectrum, SPECTRUM_ITEM, 1, 5)
    with pytest.raises(StorageError):
        session.sync(timeout=5)
    assert Launch(config, store, session).cleanup() is False
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("involve: 1 change was not saved"), err
    assert "Traceback" not in err
