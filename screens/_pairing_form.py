"""The facilitator types the code their phone shows, and that phone becomes their console.

The code is typed here, on the projected app, on purpose: a code alone opens
nothing (the phone that asked for it keeps the secret). It is still hidden
as it is typed, so the room never sees even that.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from sessions import CONSOLE_CODE_LENGTH, ROOM_CODE_ALPHABET, normalise_code

from ._closes_once import ClosesOnce

__all__ = ["PairingForm", "code_problem"]

CODE_SHAPE = (
    f"A pairing code is {CONSOLE_CODE_LENGTH} characters: capital letters and the digits 2 to 9 "
    "(never I, L, O, 0 or 1)."
)
REFUSED = (
    "That code is not waiting to be paired: it may be mistyped, used already, or older than five minutes. "
    "Reload the console page on your phone for a new code."
)


def code_problem(typed: str) -> str:
    """Why `typed` cannot be a pairing code ("" when it can), before anything is asked of the session."""
    code = normalise_code(typed)
    if not code:
        return "Type the code your phone shows, or press Escape to cancel."
    if len(code) != CONSOLE_CODE_LENGTH or not set(code) <= set(ROOM_CODE_ALPHABET):
        return CODE_SHAPE
    return ""


class PairingForm(ClosesOnce, ModalScreen[bool]):
    """Dismisses with True once `pair` accepted a code; a refused code keeps the form open."""

    DEFAULT_CSS = """
    PairingForm {
        align: center middle;
        background: $background 70%;
        #pair-box { width: 72; max-width: 95%; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
        #pair-heading { text-style: bold; }
        #pair-hint { margin-bottom: 1; }
        #pair-error { color: $error; text-style: bold; display: none; }
        #pair-error.-shown { display: block; }
        #pair-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        Button { margin-left: 2; }
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, pair: Callable[[str], bool], console_address: str = "") -> None:
        super().__init__()
        self.pair = pair
        self.console_address = console_address

    def compose(self) -> ComposeResult:
        where = f"open {self.console_address}" if self.console_address else "open the console page (/console on the phone page's address)"
        with Vertical(id="pair-box"):
            yield Static(Content("Pair the facilitator's phone"), id="pair-heading")
            yield Static(
                Content(
                    f"On your phone, or a browser the room cannot see, {where}. "
                    "It shows a short code: type it here (it stays hidden from the room)."
                ),
                id="pair-hint",
            )
            yield Input(
                placeholder=f"{CONSOLE_CODE_LENGTH} letters and digits",
                max_length=CONSOLE_CODE_LENGTH + 4,
                restrict=r"[A-Za-z0-9 \-]*",
                password=True,
                id="pair-code",
            )
            yield Static(id="pair-error", markup=False)
            with Horizontal(id="pair-buttons"):
                yield Button("Cancel", id="pair-cancel")
                yield Button("Pair", id="pair-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pair-code", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#pair-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#pair-error", Static)
        error.update(Content(message))
        error.set_class(bool(message), "-shown")

    @on(Input.Submitted, "#pair-code")
    @on(Button.Pressed, "#pair-ok")
    def _submit(self) -> None:
        if self.closing:  # a second Enter behind the one that paired: the code is spent, so asking again would refuse it
            return
        field = self.query_one("#pair-code", Input)
        problem = code_problem(field.value)
        if problem:
            self._show_error(problem)
            field.focus()
            return
        if self.pair(normalise_code(field.value)):
            self.dismiss(True)
            return
        self._show_error("")
        field.value = ""
        field.focus()
        self.notify(REFUSED, title="Not paired", severity="error", timeout=10, markup=False)
