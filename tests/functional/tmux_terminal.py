"""A real terminal for tests: one tmux session on a private server, 100 columns by 30 rows unless asked.

Imported by the tmux tests; the `terminal` fixture skips when tmux is missing,
unless INVOLVE_REQUIRE_TMUX=1 (CI) makes that a failure.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import time
from collections.abc import Callable

import pytest

__all__ = ["Terminal", "terminal"]

_servers = itertools.count(1)


class Terminal:
    """One tmux session on a private server, 100 columns by 30 rows."""

    def __init__(self, name: str, socket: str) -> None:
        self.name = name
        self.socket = socket

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=15)
        if check and result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def start(self, command: str, *, width: int = 100, height: int = 30) -> None:
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), command)
        self.tmux("set-option", "-t", self.name, "remain-on-exit", "on")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name, check=False)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.name, key)
            time.sleep(0.15)

    def wait_for(self, what: str | Callable[[str], bool], timeout: float = 30.0, *, settled: bool = False) -> str:
        """The first capture that passes `what`; with `settled`, one that also equals the capture before it.

        A capture can land between two parts of one repaint; a test that reads several things
        from one frame asks for a settled one, so it never reads half an update.
        """
        test = what if callable(what) else (lambda text: what in text)
        deadline = time.monotonic() + timeout
        text = previous = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if test(text) and (not settled or text == previous):
                return text
            previous = text
            time.sleep(0.2)
        raise AssertionError(f"waited {timeout}s for {what!r}; the screen shows:\n{text}")

    def close(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def terminal() -> Terminal:
    if shutil.which("tmux") is None:
        if os.environ.get("INVOLVE_REQUIRE_TMUX") == "1":
            pytest.fail("tmux is missing (INVOLVE_REQUIRE_TMUX=1 forbids skipping)")
        pytest.skip("tmux is not installed")
    # A server of its own per test: a new session on the last test's socket can race that server's exit.
    term = Terminal("involve-demo", f"involve-test-{os.getpid()}-{next(_servers)}")
    yield term
    term.close()
