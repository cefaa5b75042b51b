"""The projected app in a real terminal (tmux, 100x30) with the facilitator's console paired.

A phone sends a comment over HTTP on loopback; until the console approves it,
its words never appear on the projected screen, whatever the facilitator
presses. The curtain leaves nothing on screen but the session title.

The console here is the pairing and moderation domain acting on the app's own
`LiveSession` inside the app's process (as the console pages do, in the same
event loop): the test pairs by typing the code into the app with `k`, and
asks for approval by writing a line the rehearsal app picks up.
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
from sessions.intake import DEVICE_HEADER
from tmux_terminal import Terminal

pytestmark = pytest.mark.slow

TITLE = "Ward 7 team day"
WORDS = "Nobody has read this tea urn story yet"

# The projected app as `involve run` starts it, plus the facilitator's phone: it asks for
# a pairing code, collects its console token once the app pairs it, and approves a
# comment when the test writes "approve ID" into the commands file.
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
phone = session.consoles.start("the facilitator's phone")

def collect(change):
    if change.kind == "console" and not session.consoles.paired and session.consoles.waiting(phone.secret):
        session.consoles.claim(phone.secret)

session.add_listener(collect)
commands = folder / "console-commands"

class Rehearsal(InvolveApp):
    CSS_PATH = [Path(tui.app.__file__).with_name("app.tcss"), SCREENS_CSS]  # not beside this script

    def on_mount(self):  # Textual runs InvolveApp.on_mount as well
        self.set_interval(0.2, self.console_acts)

    def console_acts(self):
        if not commands.exists():
            return
        for line in commands.read_text().splitlines():
            verb, _, comment_id = line.partition(" ")
            if verb == "approve" and session.comments[comment_id].state.value == "pending":
                session.moderate(comment_id, "approved")
        commands.unlink()

(folder / "room.json").write_text(json.dumps({"code": phone.code, "join_token": session.join_token}))
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

    # Pair: k, the code the phone shows (hidden as it is typed), Enter.
    terminal.keys("k")
    watch("Pair the facilitator's phone")
    terminal.keys(room["code"])
    typed = watch("•" * len(room["code"]))
    assert room["code"] not in typed, "the code is hidden as it is typed"
    terminal.keys("Enter")
    watch("Console paired")

    comment_id = await send_comment(f"http://127.0.0.1:{port}", room["join_token"], WORDS)
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

    # The console approves it: now, and only now, the wall shows it.
    (tmp_path / "console-commands").write_text(f"approve {comment_id}\n")
    wall = watch(lambda text: "Nobody has read this" in flat(text), timeout=20)
    assert "✉ none to review" in wall

    terminal.keys("q")
    watch("Quit Involve?")
    terminal.keys("y")
