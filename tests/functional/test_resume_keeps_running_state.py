"""kill -9 in the middle of an activity, then `involve resume`: the timer and the split are as they were.

The facilitator splits the spectrum by role and starts its clock, moves on to
the grid (which stays unsplit: the choice is the spectrum's own), runs the
grid's clock for 2 min 5 s and pauses it. The session's process is then
killed where it stands: no close, no compaction. After `resume` the grid is
still unsplit with 27:55 left and paused, and Back on the spectrum it is
still split with its clock running, counting the time the app was down.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app_fixtures import ROOT_DIR, make_app, make_config, screen_text
from screens import ActivityScreen
from tui._launch import LaunchRequest, prepare_launch

SIZE = (100, 30)

CHILD = r"""
import asyncio, sys, time
from pathlib import Path
from app_fixtures import make_app, make_config, new_session


class Clock:
    # The wall clock, except while the test holds it still to run the grid's timer for exactly 125 s.
    held = None

    def __call__(self):
        return time.time() if self.held is None else self.held


async def main() -> None:
    clock = Clock()
    config = make_config(Path(sys.argv[1]))
    session = new_session(config, title="Ward 7 team day", timer_clock=clock)
    session.go_to([a.id for a in session.template.activities].index("spectrum"))
    session.set_revealed("spectrum", True)
    session.set_revealed("grid", True)
    for role, place, level in (("service_user", 2, 1), ("service_user", 3, 2), ("service_user", 3, 2), ("staff", 6, 4), ("staff", 5, 3), ("staff", 7, 4)):
        person, _ = session.join("", role)
        session.cast_vote(person.id, "spectrum", "place", place)
        for item in session.template.activity("grid").items:
            session.cast_vote(person.id, "grid", item, level)
    app = make_app(config, session=session, landing="activity")

    async def settle(pilot) -> None:
        for _ in range(3):
            await pilot.pause()

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s", "t")  # the spectrum: split by role, clock running
        await settle(pilot)
        await pilot.press("n")  # the grid
        await settle(pilot)
        clock.held = time.time()
        await pilot.press("t")
        clock.held += 125
        await pilot.press("t")  # paused after 2 min 5 s
        clock.held = None
        await settle(pilot)
        session.sync()
        state = [session.current_activity.id, session.is_split("spectrum"), session.timer_running("spectrum"),
                 session.is_split("grid"), session.timer_running("grid"), session.timer_elapsed("grid")]
        print("ready", session.id, *state, flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_timer_and_split_survive_kill_9_and_resume(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT_DIR), str(ROOT_DIR / "tests" / "functional")])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("ready "), f"the session process did not get ready: {line!r} {child.stderr.read() if child.poll() is not None else ''}"
        _, session_id, *state = line.split()
        assert state == ["grid", "True", "True", "False", "False", "125.0"], "the state before the kill"
        pressed = time.time()
        time.sleep(1.2)  # the room's time goes on while the app is down
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    config = make_config(tmp_path)
    launch = prepare_launch(config, LaunchRequest(mode="resume", session=session_id))
    session = launch.session
    assert session is not None
    try:
        assert session.current_activity.id == "grid"
        assert not session.is_split("grid") and not session.timer_running("grid")
        assert session.timer_elapsed("grid") == 125.0, "a paused clock does not count the time the app was down"
        assert session.is_split("spectrum") and session.timer_running("spectrum")
        elapsed = session.timer_elapsed("spectrum")
        assert 1.0 <= elapsed <= time.time() - pressed + 5, "a running clock counts the time the app was down"
        app = make_app(config, store=launch.store, session=session, landing=launch.landing)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(3):
                await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ActivityScreen)
            # The grid as it was left: paused at 27:55 of its 30 minutes, results for everyone together.
            assert screen.view is not None and screen.view.activity.id == "grid"
            assert not screen.split and not screen.view.split
            text = screen_text(app)
            assert "◷ 27:55 left · paused" in text, text
            assert "split by role" not in text, "the spectrum's split leaked onto the grid"
            assert not screen.query_one("#activity-timer").has_class("-running")
            # Back on the spectrum: split by role, its clock still running.
            await pilot.press("p")
            for _ in range(3):
                await pilot.pause()
            assert screen.view is not None and screen.view.activity.id == "spectrum"
            assert screen.split and screen.view.showing_split
            text = screen_text(app)
            assert "· split by role" in text
            assert "◷ 19:5" in text and "left · paused" not in text, text
            assert screen.query_one("#activity-timer").has_class("-running")
            await pilot.press("t")
            await pilot.pause()
            assert "left · paused" in screen_text(app)
            assert not session.timer_running("spectrum")
    finally:
        launch.cleanup()
