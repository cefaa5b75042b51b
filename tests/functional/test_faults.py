"""When things go wrong in the room: the app killed, the disk full, the port taken,
the data folder missing, the template broken. Nothing acknowledged may be lost,
and every problem a facilitator can fix is said in one plain line.

Short versions of `python -m bench.faults`; set INVOLVE_KILL_ROUNDS to run more kills.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bench._headless import app_env, headless_app, prepare_session
from bench.faults import check_store, kill_drill
from sessions import SessionStore
from sessions import _disk as disk
from sessions.intake import DEVICE_HEADER, IntakeServer

SAVE_FAILED = "Could not save just now — please try again."


def run_involve(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m tui ARGS` as a facilitator would type it, on its own data folder."""
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=app_env(data_dir),
        cwd=data_dir if data_dir.is_dir() else data_dir.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def assert_one_clear_line(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit status 2, no traceback, and exactly one line on stderr that says what happened."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def no_space(*_args: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# -- kill -9 under load ---------------------------------------------------------------------


async def test_kill_9_under_load_loses_nothing_acknowledged(tmp_path: Path) -> None:
    rounds = int(os.environ.get("INVOLVE_KILL_ROUNDS", "3"))
    report = await kill_drill(tmp_path / "data", rounds, phones=20, window=(0.15, 0.4))
    assert report.restart_failures == []
    assert report.open_failures == []
    assert report.lost == []
    assert report.rounds == rounds
    assert report.acknowledged > 0
    assert report.ledger.comments and report.ledger.votes and report.ledger.joins

    # The check is real: a comment the store never saw is reported as lost.
    report.ledger.comments["999999"] = "a comment that was never sent"
    check = check_store(tmp_path / "data", report.session_id, report.ledger)
    assert check.opened and check.lost == ["comment 999999: 'a comment that was never sent'"]


# -- a full disk ---------------------------------------------------------------------------


@pytest.fixture
def spectrum_session(tmp_path: Path):
    session_id = prepare_session(tmp_path, "where-are-we", "spectrum")
    session = SessionStore(tmp_path / "sessions").open(session_id)
    yield session
    if session.storage_failure is None:
        session.close()


@pytest.fixture
async def intake(spectrum_session) -> AsyncIterator[IntakeServer]:
    server = IntakeServer(spectrum_session, host="127.0.0.1", port=0)
    await server.start()
    yield server
    await server.stop()


async def _post(http: aiohttp.ClientSession, url: str, body: dict, token: str = "") -> tuple[int, dict[str, Any], Any]:
    headers = {DEVICE_HEADER: token} if token else {}
    async with http.post(url, json=body, headers=headers) as response:
        return response.status, await response.json(), response.headers


async def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_full_disk_refuses_to_acknowledge_and_keeps_what_was_saved(
    intake: IntakeServer, spectrum_session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = intake.room_url
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        status, joined, _ = await _post(http, base + "api/join", {"join_token": spectrum_session.join_token})
        assert status == 200
        token, participant_id = joined["token"], joined["participant"]["id"]
        vote = {"activity_id": "spectrum", "item": "place", "value": 3}
        assert (await _post(http, base + "api/vote", vote, token))[0] == 200
        status, saved, _ = await _post(http, base + "api/comment", {"activity_id": "spectrum", "text": "Saved before the disk filled"}, token)
        assert status == 200

        monkeypatch.setattr(disk, "_write", no_space)
        status, body, headers = await _post(http, base + "api/vote", {**vote, "value": 7}, token)
        assert (status, body) == (503, {"error": SAVE_FAILED})
        assert headers["Retry-After"] == "2"
        status, body, _ = await _post(http, base + "api/comment", {"activity_id": "spectrum", "text": "Written while full"}, token)
        assert (status, body) == (503, {"error": SAVE_FAILED})
        assert "no space left on device" in str(spectrum_session.storage_failure).lower()

        monkeypatch.setattr(disk, "_write", os.write)
        await _wait_for(lambda: spectrum_session.storage_failure is None)
        status, _, _ = await _post(http, base + "api/vote", {**vote, "value": 5}, token)
        assert status == 200

    await intake.stop()
    spectrum_session.close()
    reopened = SessionStore(tmp_path / "sessions").open(spectrum_session.id, readonly=True)
    try:
        assert reopened.participant_for_token(token).id == participant_id
        assert reopened.comments[saved["comment"]["id"]].text == "Saved before the disk filled"
        assert reopened.vote_of(participant_id, "spectrum", "place").value == 5
    finally:
        reopened.close()


async def test_full_disk_is_shown_on_the_facilitators_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Static

    from tui import load_config
    from tui.app import InvolveApp

    session_id = prepare_session(tmp_path, "where-are-we", "spectrum")
    config = load_config({"INVOLVE_DATA_DIR": str(tmp_path)}, dotenv_path=tmp_path / "none.env").with_overrides(
        intake_host="127.0.0.1", intake_port=0, hold_comments=False
    )
    store = SessionStore(config.sessions_dir)
    app = InvolveApp(config, store=store, session=store.open(session_id), landing="activity")
    async with app.run_test(headless=True, size=(100, 30)) as pilot:
        await _wait_for(lambda: bool(app.join_url))
        banner = app.screen.query_one("#bar-problem", Static)
        assert not banner.has_class("-shown")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            base = app.join_url.split("/j/")[0] + "/"
            status, joined, _ = await _post(http, base + "api/join", {"join_token": app.session.join_token})
            assert status == 200
            monkeypatch.setattr(disk, "_write", no_space)
            status, body, _ = await _post(http, base + "api/comment", {"activity_id": "spectrum", "text": "Lost?"}, joined["token"])
            assert (status, body) == (503, {"error": SAVE_FAILED})
            await _wait_for(lambda: banner.has_class("-shown"))
            await pilot.pause()
            shown = str(banner.content)
            assert "not being saved" in shown and "no space left on device" in shown.lower()
            assert banner.region.height >= 1 and banner.region.y < 5  # at the top, in sight

            monkeypatch.setattr(disk, "_write", os.write)
            await _wait_for(lambda: not banner.has_class("-shown"))
    reopened = store.open(session_id, readonly=True)
    try:
        # The comment refused while the disk was full was kept in memory and saved once space returned.
        assert [c.text for c in reopened.comments.values()] == ["Lost?"]
    finally:
        reopened.close()


# -- start-up problems a facilitator can fix ---------------------------------------------------


def test_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_involve(tmp_path, "run", "where-are-we", "--headless", "--host", "127.0.0.1", "--port", str(port))
    assert_one_clear_line(done, f"Port {port} is already in use", "--port")
    # The refused start took its empty session back, so nothing says it can be resumed.
    assert SessionStore(tmp_path / "sessions").list() == []
    assert "closed:" not in done.stdout and "involve resume" not in done.stdout, done.stdout


def test_a_refused_resume_keeps_its_session_and_says_how_to_reopen_it(tmp_path: Path) -> None:
    session_id = prepare_session(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_involve(tmp_path, "resume", session_id, "--headless", "--host", "127.0.0.1", "--port", str(port))
    assert_one_clear_line(done, f"Port {port} is already in use")
    assert [info.id for info in SessionStore(tmp_path / "sessions").list()] == [session_id]
    assert f"closed: every change is saved; `involve resume {session_id}` reopens it" in done.stdout


async def test_missing_data_directory_is_created(tmp_path: Path) -> None:
    data = tmp_path / "not" / "there" / "yet"
    app = headless_app(data, "run", "where-are-we")
    app.cwd = tmp_path
    url = await app.start(timeout=30)
    try:
        assert url.startswith("http://127.0.0.1:")
        assert [info.title for info in SessionStore(data / "sessions").list()] == ["Where are we now, and where do we want to be?"]
    finally:
        assert await app.stop() == 0


def test_data_directory_that_is_a_file_is_one_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "involve-data"
    data.write_text("not a folder")
    done = run_involve(data, "run", "where-are-we", "--headless", "--host", "127.0.0.1", "--port", "0")
    assert_one_clear_line(done, str(data))


BROKEN_TEMPLATES = {
    "not-toml": (b'[template]\nname = "x\n', "line 2"),
    "not-utf8": (b'[template]\nname = "caf\xe9"\n', "not UTF-8"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_TEMPLATES))
def test_broken_template_names_the_file(tmp_path: Path, kind: str) -> None:
    content, says = BROKEN_TEMPLATES[kind]
    path = tmp_path / f"{kind}.toml"
    path.write_bytes(content)
    done = run_involve(tmp_path, "run", str(path), "--headless", "--host", "127.0.0.1", "--port", "0")
    assert_one_clear_line(done, str(path), says)


def test_template_that_is_a_folder_names_it(tmp_path: Path) -> None:
    path = tmp_path / "folder.toml"
    path.mkdir()
    done = run_involve(tmp_path, "run", str(path), "--headless", "--host", "127.0.0.1", "--port", "0")
    assert_one_clear_line(done, str(path), "folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_template_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.toml"
    path.write_text('[template]\nname = "locked"\n')
    path.chmod(0)
    try:
        done = run_involve(tmp_path, "run", str(path), "--headless", "--host", "127.0.0.1", "--port", "0")
    finally:
        path.chmod(0o600)
    assert_one_clear_line(done, str(path), "cannot be read")
