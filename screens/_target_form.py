"""Adding, editing and removing a target for change.

The session checks what is typed (a description is required, the review
date must be a real date); the form only shows what it says, in its words.
"""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from sessions import TITLE_MAX, InvalidInput, LiveSession, Target

from ._session_form import SessionForm

TEXT_LIMIT = 400
class TargetForm(SessionForm[Target | None]):
    """What will change, who takes it on, and when the team looks again."""

    DEFAULT_CSS = """
    TargetForm > #dialog {
        width: 76;
    }
    TargetForm #title {
        margin-bottom: 1;
    }
    """

    def __init__(self, session: LiveSession, activity_id: str, target: Target | None = None) -> None:
        super().__init__()
        self.session = session
        self.activity_id = activity_id
        self.target = target

    def compose(self) -> ComposeResult:
        target = self.target
        with Vertical(id="dialog"):
            yield Static(Content("Edit the target" if target else "Add a target"), id="title")
            yield Label(Content("What will change?"))
            yield Input(target.text if target else "", placeholder="For example: service users co-chair the team meeting", max_length=TEXT_LIMIT, id="text")
            yield Label(Content("Who takes it on?"))
            yield Input(target.owner if target else "", placeholder="A name or a role", max_length=TITLE_MAX, id="owner")
            yield Label(Content("Review date (YYYY-MM-DD)"))
            review = target.review_date.isoformat() if target and target.review_date else ""
            yield Input(review, placeholder="2027-03-31", max_length=10, id="review")
            yield from self.compose_ending()

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        """Enter moves down the form; on the last field it saves."""
        order = ["text", "owner", "review"]
        here = order.index(event.input.id or "text")
        if here < len(order) - 1:
            self.query_one(f"#{order[here + 1]}", Input).focus()
        else:
            self.action_save()

    def save(self) -> None:
        text = self.query_one("#text", Input).value
        owner = self.query_one("#owner", Input).value
        review = self.query_one("#review", Input).value.strip()
        try:
            if self.target is None:
                saved = self.session.add_target(self.activity_id, text, owner, review or None, not_before=date.today())
            else:
                saved = self.session.update_target(self.target.id, text=text, owner=owner, review_date=review, not_before=date.today())
        except InvalidInput as error:
            self.show_error(str(error))
            self.query_one("#review" if error.field == "review_date" else "#text", Input).focus()
            return
        self.dismiss(saved)
