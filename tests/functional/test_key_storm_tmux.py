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


# The opener's screen is given time to open; then the keys go as one send-keys, back to back. A second
# Enter in a form, the agenda or a question used to close the activity screen beneath (2 runs in 3 with
# the comment form on the user group health check), and a third the app.
FORM_STORMS = (
    (("c",), ("h", "i", "Enter", "Enter", "Enter")),
    (("o",), ("Enter", "Enter", "Enter")),
    (("q",), ("Enter", "Enter", "Enter")),
    (("m",), ("Enter", "Enter", "Enter")),
)
TARGET_STORM = ((("a",), ("g", "o", "a", "l", "Enter")), ((), ("Enter",)), ((), ("Enter", "Enter", "Enter")))
"""Down the target form with Enter, then save on its last field three times over."""


@pytest.mark.parametrize(("template", "activities"), [("where-are-we", 6), ("user-group-health-check", 5)])
def test_forms_and_questions_submitted_at_machine_speed_keep_the_app_running(terminal: Terminal, tmp_path: Path, template: str, activities: int) -> None:
    start_involve(terminal, tmp_path, template=template)
    terminal.wait_for("Scan the code to join")
    terminal.keys("n")
    terminal.wait_for(f"Activity 1 of {activities}")
    for number in range(1, activities + 1):
        heading = f"Activity {number} of {activities}"
        terminal.wait_for(heading)
        storms = FORM_STORMS + (TARGET_STORM if number == activities else ())  # both templates end with their targets
        for opener, keys in storms:
            for key in opener:
                terminal.tmux("send-keys", "-t", terminal.name, key)
            time.sleep(0.5)  # the form or question opens
            terminal.tmux("send-keys", "-t", terminal.name, *keys)  # one command: no pause between the keys
            time.sleep(0.5)
            still_running(terminal)
        screen = terminal.screen()
        if "Edit the target" in screen:  # an Enter that reached the targets list opened one to edit: Enter's job there
            terminal.keys("Escape")
            time.sleep(1.0)
        screen = terminal.wait_for(heading)
        assert "Add a comment" not in screen and "Agenda:" not in screen and "Quit Involve?" not in screen, screen
        terminal.keys("n")
    time.sleep(1.0)
    still_running(terminal)
    terminal.wait_for("1. goal")  # the target was saved, once
    assert "2. goal" not in terminal.screen()
    terminal.keys("q")
    terminal.wait_for("Quit Involve?")
    terminal.keys("y")


def test_the_command_palette_at_any_speed_keeps_the_app_running(terminal: Terminal, tmp_path: Path) -> None:
    """ctrl+p, ctrl+q, ctrl+p at a person's pace raised DuplicateIds; ctrl+p then PageUp at machine speed, KeyError."""
    start_involve(terminal, tmp_path)
    terminal.wait_for("Scan the code to join")
    for burst in (("C-p", "PPage"), ("C-p", "NPage"), ("C-p", "PPage", "NPage", "Down", "Up")):  # on the lobby
        terminal.tmux("send-keys", "-t", terminal.name, *burst)  # one command: no pause between the keys
        time.sleep(0.5)
        still_running(terminal)
        terminal.keys("Escape")
        time.sleep(1.0)  # Escape alone, not read together with the next key as Alt+key
    terminal.keys("n")
    terminal.wait_for("Activity 1 of 6: Welcome")
    for burst in (("k", "C-p", "-", "Escape"), ("C-p", "a", "Escape"), ("C-p", "PPage")):
        terminal.tmux("send-keys", "-t", terminal.name, *burst)
        time.sleep(0.5)
        still_running(terminal)
        terminal.keys("Escape")
        time.sleep(1.0)
        terminal.keys("Escape")
        time.sleep(1.0)
    terminal.wait_for("Activity 1 of 6: Welcome")
    for key in ("C-p", "C-q", "C-p"):  # the quit question opens over the palette; ctrl+p again
        terminal.keys(key)
        time.sleep(1.0)
        still_running(terminal)
    terminal.keys("Escape")  # the palette ctrl+q closed gave way to the question; the one above it goes
    terminal.wait_for("Quit Involve?")
    time.sleep(1.0)
    terminal.keys("Escape")  # stay
    time.sleep(1.0)
    still_running(terminal)
    terminal.keys("q")
    terminal.wait_for("Quit Involve?")
    terminal.keys("y")
