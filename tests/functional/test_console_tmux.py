"""The projected app in a real terminal (tmux, 100x30) with the facilitator's console paired.

A phone sends a comment over HTTP on loopback; until the console approves it,
its words never appear on the projected screen, whatever the facilitator
presses. The curtain leaves nothing on screen but the session title.

The console is a real one, over HTTP on loopback against the app's own intake
server: the test opens /console, types the code it shows into the app with
`k`, continues to sign in, and approves from /console/comments with that
page's form token, so a break anywhere between the console's route and the
projected terminal fails it.
"""

from __future__ import annotations

import json
import shlex
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from app_fixtures import ROOT_DIR
from sessions.intake import CONSOLE_COOKIE, DEVICE_HEADER
from test_console_http import code_on, csrf_for
from tmux_terminal import Terminal

pytestmark = pytest.mark.slow

TITLE = "Ward 7 team day"
WORDS = "Nobody has read this tea urn story yet"

# The projected app as `involve run` starts it, on the spectrum, with its join token
# written where the test can read it (the test's phone joins with it).
REHEARSAL = r"""
import json, sys
from pathlib import Path
from tui._config import load_config
import tui.app
from tui._launch import LaunchRequest, prepare_launch
from tui.app import SCREENS_CSS, InvolveApp

folder = Path(sys.argv[2])
config = load_config()
launch = prepare_launch(config, LaunchRequest(mode="run", template="where-are-we", title=sys.argv[3]))
session = launch.session
session.go_to([a.id for a in session.template.activities].index("spectrum"))

class Rehearsal(InvolveApp):
    CSS_PATH = [Path(tui.app.__file__).with_name("app.tcss"), SCREENS_CSS]  # not beside this script

(folder / "room.json").write_text(json.dumps({"join_token": session.join_token}))
app = Rehearsal(launch.config, store=launch.store, session=session, landing="activity")
try:
    app.run()
finally:
    launch.cleanup()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def send_comment(base: str, join_token: str, text: str) -> str:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/api/join", json={"join_token": join_token}) as response:
            assert response.status == 200
            device = (await response.json())["token"]
        async with http.post(f"{base}/api/comment", json={"activity_id": "spectrum", "text": text}, headers={DEVICE_HEADER: device}) as response:
            assert response.status == 200
            comment = (await response.json())["comment"]
            assert comment["state"] == "pending"
            return str(comment["id"])


def flat(text: str) -> str:
    return " ".join(text.split())


def only_the_title(text: str) -> bool:
    return [line.strip() for line in text.splitlines() if line.strip()] == [TITLE]


async def test_unapproved_words_never_reach_the_projector_and_the_curtain_hides_all(terminal: Terminal, tmp_path: Path) -> None:
    port = free_port()
    script = tmp_path / "rehearsal.py"
    script.write_text(REHEARSAL)
    env = {
        "INVOLVE_DATA_DIR": str(tmp_path / "data"),
        "INVOLVE_EXPORT_DIR": str(tmp_path / "exports"),
        "INVOLVE_HOST": "127.0.0.1",
        "INVOLVE_PORT": str(port),
        "PYTHONPATH": str(ROOT_DIR),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }
    assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    command = (
        f"cd {shlex.quote(str(tmp_path))} && env -u COLUMNS -u LINES {assignments} {shlex.quote(sys.executable)}"
        f" {shlex.quote(str(script))} {shlex.quote(str(ROOT_DIR))} {shlex.quote(str(tmp_path))} {shlex.quote(TITLE)}"
    )
    terminal.start(command)
    seen: list[str] = []

    def watch(what, timeout: float = 30.0) -> str:
        screen = terminal.wait_for(what, timeout)
        seen.append(screen)
        return screen

    watch("Activity 3 of 6")
    assert terminal.tmux("display-message", "-p", "-t", terminal.name, "#{window_width}x#{window_height}").strip() == "100x30"
    room = json.loads((tmp_path / "room.json").read_text())
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as phone:
        await run_the_room(terminal, watch, phone, base, room["join_token"], seen)


async def run_the_room(terminal: Terminal, watch, phone: aiohttp.ClientSession, base: str, join_token: str, seen: list[str]) -> None:
    # The facilitator's phone opens the console address and shows a code.
    async with phone.get(f"{base}/console") as response:
        assert response.status == 200
        code = code_on(await response.text())

    # Pair: k, the code the phone shows (hidden as it is typed), Enter.
    terminal.keys("k")
    watch("Pair the facilitator's phone")
    terminal.keys(code)
    typed = watch("•" * len(code))
    assert code not in typed, "the code is hidden as it is typed"
    terminal.keys("Enter")
    watch("Console paired")
    async with phone.post(f"{base}/console", data={}, allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/console/comments", response.status
        assert CONSOLE_COOKIE in response.cookies

    comment_id = await send_comment(base, join_token, WORDS)
    watch("✉ 1 to review")

    # The facilitator reaches for the queue out of habit: the app asks, and "n" keeps it off.
    terminal.keys("m")
    asked = watch("Show the queue here?")
    assert "✉ 1 to review" in asked, asked
    terminal.keys("n")
    watch(lambda text: "Show the queue here?" not in text and "Activity 3 of 6" in text)

    # The curtain: the title and nothing else, then everything back.
    terminal.keys("b")
    watch(only_the_title)
    terminal.keys("m", "l", "x")
    time.sleep(1.0)
    assert only_the_title(watch(only_the_title)), "keys do nothing behind the curtain"
    terminal.keys("b")
    watch(lambda text: "Activity 3 of 6" in text and "✉ 1 to review" in text)

    for screen in seen:
        assert WORDS not in flat(screen), f"unapproved words on the projector:\n{screen}"

    # The console approves it over HTTP: now, and only now, the wall shows it.
    async with phone.get(f"{base}/console/comments") as response:
        assert response.status == 200
        page = await response.text()
    assert WORDS in page and f'id="comment-{comment_id}"' in page, "the console lists it in full"
    approve = {"csrf": csrf_for(page, "/console/comments"), "view": "waiting", "do": f"approve:{comment_id}"}
    async with phone.post(f"{base}/console/comments", data=approve, allow_redirects=False) as response:
        assert response.status == 303, (response.status, await response.text())
        assert response.headers["Location"] == "/console/comments?view=waiting&done=approved&n=1"
    wall = watch(lambda text: "Nobody has read this" in flat(text), timeout=20)
    assert "✉ none to review" in wall

    terminal.keys("q")
    watch("Quit Involve?")
    terminal.keys("y")
