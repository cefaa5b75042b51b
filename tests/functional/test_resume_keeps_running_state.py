"""kill -9 in the middle of an activity, then `involve resume`: the timer and the split are as they were."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app_fixtures import ROOT_DIR, make_app, make_config, screen_text
from screens import ActivityScreen
from tui.app import LaunchRequest, prepare_launch

SIZE = (100, 30)

# The facilitator presses s (split) and t (timer) on the spectrum, the session says it is
# on disk, and the process is then killed where it stands: no close, no compaction.
CHILD = r"""
import asyncio, sys
from pathlib import Path
from app_fixtures import make_app, make_config, new_session

async def main() -> None:
    config = make_config(Path(sys.argv[2]))
    session = new_session(config, title="Ward 7 team day")
    session.go_to([a.id for a in session.template.activities].index("spectrum"))
    session.set_revealed("spectrum", True)
    for role, place in (("service_user", 2), ("service_user", 3), ("service_user", 3), ("staff", 6), ("staff", 5), ("staff", 7)):
        person, _ = session.join("", role)
        session.cast_vote(person.id, "spectrum", "place", place)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(3):
            await pilot.pause()
        await pilot.press("s", "t")
        for _ in range(3):
            await pilot.pause()
        session.sync()
        print("ready", session.id, session.is_split("spectrum"), session.timer_running("spectrum"), flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_timer_and_split_survive_kill_9_and_resume(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT_DIR), str(ROOT_DIR / "tests" / "functional")])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT_DIR), str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("ready "), f"the session process did not get ready: {line!r} {child.stderr.read() if child.poll() is not None else ''}"
        _, session_id, split, running = line.split()
        assert (split, running) == ("True", "True")
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
        assert session.current_activity.id == "spectrum"
        assert session.is_split("spectrum") and session.timer_running("spectrum")
        elapsed = session.timer_elapsed("spectrum")
        assert 1.0 <= elapsed <= time.time() - pressed + 5
        app = make_app(config, store=launch.store, session=session, landing=launch.landing)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(3):
                await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ActivityScreen)
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
