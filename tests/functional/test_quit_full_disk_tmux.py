"""Quitting on a full disk in a real terminal (tmux): the whole `involve run`, start to exit status.

The disk "fills" through the storage's write seam, switched by a flag file so
the test can free the space again. Quitting while a change is not saved asks
first; keeping on trying keeps the session, and it quits cleanly once there is
room; insisting exits 1 with one line saying what was lost. Never a traceback,
never "Everything is saved" while something is not.
Skipped when tmux is missing, unless INVOLVE_REQUIRE_TMUX=1 (CI) makes that a failure.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import pytest

from app_fixtures import ROOT_DIR
from sessions import SessionStore
from tmux_terminal import Terminal

pytestmark = pytest.mark.slow

LAUNCHER = '''\
"""`involve ARGS` with a disk that is full while FLAG exists."""
import errno
import os
import sys
from pathlib import Path

import sessions._disk as disk

flag = Path(sys.argv[1])
real_write = os.write


def write(fd, data):
    if flag.exists():
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return real_write(fd, data)


disk._write = write
from tui.cli import main  # noqa: E402

sys.exit(main(sys.argv[2:]))
'''


class Run:
    """`involve run where-are-we` in tmux, with a switch that fills the disk."""

    def __init__(self, terminal: Terminal, tmp_path: Path) -> None:
        self.terminal = terminal
        self.data = tmp_path / "data"
        self.full = tmp_path / "disk-is-full"
        self.status_file = tmp_path / "exit-status"
        launcher = tmp_path / "launch.py"
        launcher.write_text(LAUNCHER, encoding="utf-8")
        env = {
            "INVOLVE_DATA_DIR": str(self.data),
            "INVOLVE_EXPORT_DIR": str(tmp_path / "exports"),
            "INVOLVE_HOST": "127.0.0.1",
            "INVOLVE_PORT": "0",
            "PYTHONPATH": str(ROOT_DIR),
            "TERM": "xterm-256color",
        }
        assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        terminal.start(
            f"cd {shlex.quote(str(ROOT_DIR))} && env -u COLUMNS -u LINES {assignments} {shlex.quote(sys.executable)}"
            f" {shlex.quote(str(launcher))} {shlex.quote(str(self.full))} run where-are-we;"
            f" echo $? > {shlex.quote(str(self.status_file))}"
        )

    def status(self, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status_file.exists() and self.status_file.read_text().strip():
                return self.status_file.read_text().strip()
            time.sleep(0.2)
        raise AssertionError(f"still running after {timeout} s:\n{self.terminal.screen()}")

    def fill_the_disk_and_change_something(self) -> None:
        self.terminal.wait_for("Scan the code to join")
        self.terminal.keys("n")
        self.terminal.wait_for("Activity 1 of")
        self.full.touch()
        self.terminal.keys("n")  # the room moves on: a change the disk refuses
        self.terminal.wait_for("Activity 2 of")
        self.terminal.wait_for("not being saved")


def test_keeping_on_trying_keeps_the_session_and_saves_once_there_is_room(terminal: Terminal, tmp_path: Path) -> None:
    run = Run(terminal, tmp_path)
    run.fill_the_disk_and_change_something()
    terminal.keys("q")
    asked = terminal.wait_for("Some changes are not saved yet")
    assert "Everything is saved" not in asked
    terminal.keys("n")  # keep trying
    terminal.wait_for("Still trying to save")
    assert not run.status_file.exists(), "the session stays open"
    run.full.unlink()  # space is freed
    terminal.wait_for(lambda text: "not being saved" not in text and "Activity 2 of" in text)
    terminal.keys("q")
    terminal.wait_for("Everything is saved")
    terminal.keys("y")
    assert run.status() == "0", terminal.screen()
    screen = terminal.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", terminal.name)
    assert "Traceback" not in screen and "involve:" not in screen, screen
    [info] = SessionStore(run.data / "sessions").list()
    view = SessionStore(run.data / "sessions").open(info.id, readonly=True)
    try:
        assert view.current_index == 1, "the change made while the disk was full was saved"
    finally:
        view.close()


def test_insisting_on_quitting_exits_1_with_one_line_and_no_traceback(terminal: Terminal, tmp_path: Path) -> None:
    run = Run(terminal, tmp_path)
    run.fill_the_disk_and_change_something()
    terminal.keys("q")
    terminal.wait_for("Some changes are not saved yet")
    terminal.keys("y")  # lose them and close
    assert run.status() == "1", terminal.screen()
    screen = terminal.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", terminal.name)  # wrapped lines joined
    assert "Traceback" not in screen and "Everything is saved" not in screen, screen
    said = [line for line in screen.splitlines() if line.startswith("involve:")]
    assert len(said) == 1 and "not saved" in said[0] and "no space left on device" in said[0].lower(), screen
