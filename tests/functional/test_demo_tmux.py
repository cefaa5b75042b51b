"""`involve demo` in a real terminal (tmux), driven by keys and read back from the screen.

Skipped when tmux is missing, unless INVOLVE_REQUIRE_TMUX=1 (CI) makes that a failure.
"""

from __future__ import annotations

import re
import shlex
import sys
import time
from pathlib import Path

import pytest

from app_fixtures import ROOT_DIR
from tmux_terminal import Terminal

pytestmark = pytest.mark.slow


def test_demo_runs_in_a_real_terminal(terminal: Terminal, tmp_path: Path) -> None:
    env = {
        "INVOLVE_DATA_DIR": str(tmp_path / "data"),
        "INVOLVE_EXPORT_DIR": str(tmp_path / "exports"),
        "INVOLVE_HOST": "127.0.0.1",
        "INVOLVE_PORT": "0",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }
    assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    # COLUMNS and LINES from the test runner would override the real terminal size.
    # The shell writes the app's exit status down: tmux 3.3 sometimes marks the pane dead
    # without ever filling in #{pane_dead_status}.
    status_file = tmp_path / "exit-status"
    command = (
        f"cd {shlex.quote(str(ROOT_DIR))} && env -u COLUMNS -u LINES {assignments} {shlex.quote(sys.executable)} -m tui demo --speed 10;"
        f" echo $? > {shlex.quote(str(status_file))}"
    )
    terminal.start(command)

    # The heading, the title and the address can reach the pane in separate updates: wait for all three.
    lobby = terminal.wait_for(
        lambda text: "Scan the code to join" in text and "Demo: a simulated room" in text and "http://127.0.0.1:" in text
    )
    assert terminal.tmux("display-message", "-p", "-t", terminal.name, "#{window_width}x#{window_height}").strip() == "100x30"
    assert "Demo: a simulated room" in lobby
    assert "http://127.0.0.1:" in lobby
    terminal.wait_for("On phones:")  # simulated people are joining

    terminal.keys("l")
    terminal.wait_for("Activity 1 of 6: Welcome")
    terminal.keys("n", "n")
    terminal.wait_for("Activity 3 of 6")
    # The new activity's view mounts after its heading is drawn: wait for the frame that has both.
    spectrum = terminal.wait_for(lambda text: "Activity 3 of 6" in text and "◌ results hidden" in text)
    assert "◉ results shown" not in spectrum
    terminal.wait_for(lambda text: re.search(r"\b[1-9]\d* answers? so far", text) is not None)
    terminal.keys("r")
    terminal.wait_for("◉ results shown")
    terminal.wait_for("median")

    terminal.keys("m")
    asked = terminal.wait_for("Show the queue here?")  # the projected app asks before any comment text
    assert "Waiting for you:" not in asked
    terminal.keys("y")
    terminal.wait_for("Waiting for you:")
    terminal.keys("Escape")
    terminal.wait_for("Activity 3 of 6")

    terminal.keys("q")
    terminal.wait_for("Quit Involve?")
    terminal.keys("y")
    status = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not status:
        time.sleep(0.2)
        status = status_file.read_text().strip() if status_file.exists() else ""
    assert status == "0", f"exit status {status or 'missing: still running after 20 s'}\n{terminal.screen()}"
    # The rehearsal kept nothing in the data folder, but the real folder was never touched either.
    assert not (tmp_path / "data" / "sessions").exists()
