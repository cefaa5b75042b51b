"""Keys at machine speed in a real terminal (tmux): the app keeps running on every activity.

The same bursts as the Pilot key-storm test (activity changes straight after
`d`, arrows and hand counts), each sent as one `tmux send-keys` so the keys
arrive back to back. Skipped when tmux is missing, unless
INVOLVE_REQUIRE_TMUX=1 (CI) makes that a failure.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tmux_involve import start_involve
from tmux_terminal import Terminal

pytestmark = pytest.mark.slow

ACTIVITIES = 6
# d, arrows and hand counts each schedule a redraw; n and p straight after remove the view it was for.
BURSTS = (
    ("d", "n"),
    ("d", "p"),
    ("Down", "n"),
    ("Right", "p"),
    ("Up", "n"),
    ("Left", "p"),
    ("1", "Enter", "n"),
    ("2", "Enter", "p"),
    ("d", "Down", "3", "Enter", "n"),
)
HEADING = re.compile(r"Activity (\d) of 6")


def still_running(terminal: Terminal) -> None:
    dead = terminal.tmux("display-message", "-p", "-t", terminal.name, "#{pane_dead}").strip()
    screen = terminal.screen()
    assert dead == "0", f"the app closed:\n{screen}"
    assert "Traceback" not in screen and "NoMatches" not in screen, screen


def test_keys_at_machine_speed_on_every_activity_keep_the_app_running(terminal: Terminal, tmp_path: Path) -> None:
    start_involve(terminal, tmp_path)
    terminal.wait_for("Scan the code to join")
    terminal.keys("n")
    terminal.wait_for("Activity 1 of 6: Welcome")
    for step in ("n", "p"):  # every activity kind, forwards then back
        for _ in range(ACTIVITIES):
            for burst in BURSTS:
                terminal.tmux("send-keys", "-t", terminal.name, *burst)  # one command: no pause between the keys
            terminal.tmux("send-keys", "-t", terminal.name, step)
            time.sleep(0.3)  # let the burst land before the next; the storm is within each burst
            still_running(terminal)
        if step == "n":  # each round moves on by two, so the keys have reached the last activity
            terminal.wait_for(lambda text: "Activity 6 of 6" in text)
    time.sleep(1.0)
    still_running(terminal)
    screen = terminal.wait_for(lambda text: HEADING.search(text) is not None)
    assert HEADING.search(screen), screen
    # The n presses on the last activity each said so; once those toasts expire, none stays drawn
    # (stacked toasts overflowed Textual's rack and stayed on the projector until a full redraw).
    terminal.wait_for(lambda text: "This is the last activity" not in text, timeout=15.0)
    terminal.keys("Escape")
    # Escape and a key read together are one key, Alt+q (as in any terminal): on a busy machine the
    # app's input thread can read both at once, so give Escape time to arrive alone.
    time.sleep(1.0)
    terminal.keys("q")
    terminal.wait_for("Quit Involve?")
    terminal.keys("y")
