"""The facilitator types in something said aloud, so it joins the record.

Comments typed here go straight onto the wall (the facilitator has already
heard them), marked as added by the facilitator.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from sessions import COMMENT_MAX, FLAGGED_HINT, GridActivity, IndicatorsActivity, QuestionsActivity, clean_text

from ._closes_once import ClosesOnce

__all__ = ["CommentDraft", "CommentForm", "comment_topics"]


@dataclass(frozen=True)
class CommentDraft:
    text: str
    item: str = ""


def comment_topics(activity) -> list[tuple[str, str]]:
    """(label, item) pairs a comment can be about, besides the activity as a whole."""
    if isinstance(activity, GridActivity):
        return [(area.name, area.id) for area in activity.areas]
    if isinstance(activity, IndicatorsActivity):
        return [(statement.name, statement.id) for statement in activity.statements]
    if isinstance(activity, QuestionsActivity):
        return [(question.name, question.id) for question in activity.questions]
    return []


class CommentForm(ClosesOnce, ModalScreen[CommentDraft | None]):
    DEFAULT_CSS = """
    CommentForm {
        align: center middle;
        background: $background 70%;
        #form-box { width: 76; max-width: 95%; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
        #form-heading { text-style: bold; }
        #form-hint { margin-bottom: 1; }
        #form-error { color: $error; text-style: bold; display: none; }
        #form-error.-shown { display: block; }
        #form-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        Button { margin-left: 2; }
        Select { margin-top: 1; }
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, activity) -> None:
        super().__init__()
        self.activity = activity

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(Content.from_markup("Add a comment to [b]$title[/b]", title=self.activity.title), id="form-heading")
            yield Static(
                Content(f"Type what was said. It goes on the wall straight away, marked as added by you. {FLAGGED_HINT}"), id="form-hint"
            )
            yield Input(placeholder="What was said", max_length=COMMENT_MAX, id="form-text")
            topics = comment_topics(self.activity)
            if topics:
                yield Select([(Text(label), item) for label, item in topics], prompt="About the activity as a whole", allow_blank=True, id="form-topic")
            yield Static(id="form-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="form-cancel")
                yield Button("Add to the wall", id="form-add", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#form-text", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#form-text")
    @on(Button.Pressed, "#form-add")
    def _add(self) -> None:
        text = clean_text(self.query_one("#form-text", Input).value, COMMENT_MAX)
        if not text:
            error = self.query_one("#form-error", Static)
            error.update(Content("Type the comment first, or press Escape to cancel."))
            error.add_class("-shown")
            return
        item = ""
        for select in self.query("#form-topic").results(Select):
            if select.value is not Select.NULL and isinstance(select.value, str):
                item = select.value
        self.dismiss(CommentDraft(text, item))
