"""A start whose phone page cannot listen, on a real terminal (tmux): quitting leaves no empty session behind.

The port is taken, so the lobby says the phone page is not running and nobody
can join. The facilitator quits to fix it; the session that start made, with
nothing in it, goes too, so the next `involve run` is the only one listed.
Skipped when tmux is missing, unless INVOLVE_REQUIRE_TMUX=1 (CI) makes that a failure.
"""

from __future__ import annotations

import shlex
import socket
import sys
import time
from pathlib import Path

import pytest

from app_fixtures import ROOT_DIR
from sessions import SessionStore
from tmux_terminal import Terminal

pytestmark = pytest.mark.slow


def _run_then_quit(terminal: Terminal, tmp_path: Path, port: int) -> str:
    env = {
        "INVOLVE_DATA_DIR": str(tmp_path / "data"),
        "INVOLVE_EXPORT_DIR": str(tmp_path / "exports"),
        "INVOLVE_HOST": "127.0.0.1",
        "TERM": "xterm-256color",
    }
    assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    status_file = tmp_path / "exit-status"
    status_file.unlink(missing_ok=True)
    command = (
        f"cd {shlex.quote(str(ROOT_DIR))} && env -u COLUMNS -u LINES {assignments} {shlex.quote(sys.executable)}"
        f" -m tui run where-are-we --port {port}; echo $? > {shlex.quote(str(status_file))}"
    )
    terminal.start(command)
    terminal.wait_for("Phone page not running")
    terminal.keys("q")
    terminal.wait_for("Quit Involve?")
    terminal.keys("y")
    deadline = time.monotonic() + 20
    status = ""
    while time.monotonic() < deadline and not status:
        time.sleep(0.2)
        status = status_file.read_text().strip() if status_file.exists() else ""
    terminal.tmux("kill-session", "-t", terminal.name, check=False)
    return status


def test_quitting_a_start_whose_phone_page_never_listened_leaves_no_session(terminal: Terminal, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        status = _run_then_quit(terminal, tmp_path, taken.getsockname()[1])
    assert status == "0", terminal.screen()
    store = SessionStore(tmp_path / "data" / "sessions")
    assert store.list() == []
    assert [path.name for path in (tmp_path / "data" / "sessions").iterdir() if path.name != "catalogue"] == []

