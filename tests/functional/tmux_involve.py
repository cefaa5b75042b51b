"""Starting `involve run` in the tmux terminal, as a facilitator would, for the tmux tests."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from app_fixtures import ROOT_DIR
from tmux_terminal import Terminal

__all__ = ["PUBLIC_BASE", "start_involve"]

PUBLIC_BASE = "http://192.0.2.10:8765"
"""A fixed join address base (INVOLVE_PUBLIC_URL); the token after /j/ is the session's own."""


def start_involve(terminal: Terminal, tmp_path: Path, *, width: int = 100, height: int = 30, template: str = "where-are-we") -> None:
    """`involve run <template>` as a facilitator starts it, on its own data folder, at a fixed join address."""
    env = {
        "INVOLVE_DATA_DIR": str(tmp_path / "data"),
        "INVOLVE_EXPORT_DIR": str(tmp_path / "exports"),
        "INVOLVE_HOST": "127.0.0.1",
        "INVOLVE_PORT": "0",
        "INVOLVE_PUBLIC_URL": PUBLIC_BASE,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }
    assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    # COLUMNS and LINES from the test runner would override the real terminal size.
    command = (
        f"cd {shlex.quote(str(ROOT_DIR))} && env -u COLUMNS -u LINES {assignments}"
        f" {shlex.quote(sys.executable)} -m tui run {shlex.quote(template)} --title 'Tmux lobby'"
    )
    terminal.start(command, width=width, height=height)
