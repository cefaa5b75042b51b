"""What the app's small forms share: a framed dialog, Save and Cancel, Escape and Ctrl+S, an error line.

The session checks and cleans what is typed; a form only shows what it says,
in its words, on the error line.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ._closes_once import ClosesOnce

__all__ = ["SessionForm"]

Result = TypeVar("Result")


class SessionForm(ClosesOnce, ModalScreen[Result]):
    """A modal form that dismisses with what it saved, or None when cancelled."""

    DEFAULT_CSS = """
    SessionForm {
        align: center middle;
    }
    SessionForm > #dialog {
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        border: thick $primary;
        background: $surface;
    }
    SessionForm #title {
        text-style: bold;
    }
    SessionForm Label {
        margin-top: 1;
    }
    SessionForm #error {
        color: $error;
        text-style: bold;
        height: auto;
    }
    SessionForm #buttons {
        height: auto;
        margin-top: 1;
    }
    SessionForm #buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def compose_ending(self) -> ComposeResult:
        """The error line, empty until the session refuses something, then Save and Cancel."""
        yield Static(Content(""), id="error")
        with Horizontal(id="buttons"):
            yield Button("Save", variant="primary", id="save")
            yield Button("Cancel", id="cancel")

    def show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(Content(message))

    @on(Button.Pressed, "#save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        """Save once: a second Enter or Ctrl+S queued behind the first finds the form closing, and saves nothing."""
        if not self.closing:
            self.save()

    def save(self) -> None:
        """Ask the session to save what is typed; dismiss with it, or show what the session refused."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)
