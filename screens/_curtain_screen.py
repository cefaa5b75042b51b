"""The curtain: the projector shows only the session title while something is sorted out.

Drawn from the keyboard (`b`), the palette or the facilitator's console; the
app pushes it above every other screen while the session says it is drawn.
Nothing else is drawn on it: no key hints, no counts, no notifications, so a
room that looks up sees a calm, plain screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ._closes_once import ClosesOnce

__all__ = ["CurtainScreen"]


class CurtainScreen(ClosesOnce, Screen):
    """Only the title; the app's curtain key (`b`) lifts it, and the app allows little else meanwhile."""

    DEFAULT_CSS = """
    CurtainScreen {
        background: $background;
        align: center middle;
        #curtain-title {
            width: auto;
            max-width: 90%;
            height: auto;
            text-style: bold;
            text-align: center;
            color: $foreground;
        }
        Toast { visibility: hidden; }
    }
    """

    def __init__(self, title: str) -> None:
        super().__init__()
        self.session_title = title

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(Content(self.session_title), id="curtain-title", markup=False)

    def show_title(self, title: str) -> None:
        self.session_title = title
        self.query_one("#curtain-title", Static).update(Content(title))
