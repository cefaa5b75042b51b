"""A yes/no question before anything that cannot be undone in the room."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ._closes_once import ClosesOnce

__all__ = ["ConfirmScreen"]


class ConfirmScreen(ClosesOnce, ModalScreen[bool]):
    """Dismisses with True for yes; escape or "n" is always a safe no."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
        background: $background 70%;
        #confirm-box {
            width: 60;
            max-width: 90%;
            height: auto;
            border: thick $primary;
            background: $surface;
            padding: 1 2;
        }
        #confirm-question { text-style: bold; margin-bottom: 1; }
        #confirm-detail { margin-bottom: 1; }
        #confirm-buttons { height: auto; align-horizontal: right; }
        Button { margin-left: 2; }
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Yes", no: str = "No", about_quitting: bool = False) -> None:
        super().__init__()
        self.about_quitting = about_quitting
        """Asks whether to quit: another quit key while it is up adds no second question."""
        self.question = question
        self.detail = detail
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Content(self.question), id="confirm-question")
            if self.detail:
                yield Static(Content(self.detail), id="confirm-detail")
            with Horizontal(id="confirm-buttons"):
                yield Button(Content(f"{self.no_label} (n)"), id="no")
                yield Button(Content(f"{self.yes_label} (y)"), id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)
