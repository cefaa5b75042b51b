"""Recording how one of the earlier session's targets went (Getting there, step 4).

Done, partly or not yet; what happened; how working together on it went.
The session checks and cleans what is typed; the form shows what it says.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from sessions import InvalidInput, LiveSession, Outcome, Target, TargetOutcome

from ._session_form import SessionForm

TEXT_LIMIT = 400
CHOICES = (Outcome.DONE, Outcome.PARTLY, Outcome.NOT_YET)


class OutcomeForm(SessionForm[TargetOutcome | None]):
    """How one earlier target went; Enter moves down the form and saves on the last field."""

    DEFAULT_CSS = """
    OutcomeForm > #dialog {
        width: 80;
    }
    OutcomeForm #target {
        margin-bottom: 1;
    }
    OutcomeForm RadioSet {
        width: 100%;
        layout: horizontal;
    }
    """

    def __init__(self, session: LiveSession, target: Target, number: int) -> None:
        super().__init__()
        self.session = session
        self.target = target
        self.number = number

    def compose(self) -> ComposeResult:
        recorded = self.session.outcomes.get(self.target.id)
        chosen = recorded.outcome if recorded else None
        with Vertical(id="dialog"):
            yield Static(Content(f"How did target {self.number} go?"), id="title")
            yield Static(Content(self.target.text), id="target")
            yield Label(Content("Outcome (arrows to choose, Enter or Space to pick)"))
            with RadioSet(id="outcome"):
                for choice in CHOICES:
                    yield RadioButton(Content(choice.label), value=choice is chosen, id=f"outcome-{choice.value}")
            yield Static(self._chosen_words(chosen), id="chosen")
            yield Label(Content("What happened?"))
            yield Input(recorded.what_happened if recorded else "", placeholder="What changed, and what got in the way", max_length=TEXT_LIMIT, id="what")
            yield Label(Content("How did working together on it go?"))
            yield Input(
                recorded.working_together if recorded else "",
                placeholder="Staff, service users and carers: how was it to do together?",
                max_length=TEXT_LIMIT,
                id="together",
            )
            yield from self.compose_ending()

    def on_mount(self) -> None:
        radio = self.query_one(RadioSet)
        # The set highlights its first button; start from the outcome already recorded instead.
        chosen = self.chosen
        for _ in range(CHOICES.index(chosen) if chosen else 0):
            radio.action_next_button()
        radio.focus()

    @property
    def chosen(self) -> Outcome | None:
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None or not pressed.id:
            return None
        return Outcome(pressed.id.removeprefix("outcome-"))

    @staticmethod
    def _chosen_words(chosen: Outcome | None) -> Content:
        """The choice in words: the radio buttons tell it by colour alone."""
        return Content(f"Chosen: {chosen.label}" if chosen else "Chosen: nothing yet")

    @on(RadioSet.Changed)
    def picked(self) -> None:
        """Once an outcome is picked, the choice is said in words and the cursor goes on to what happened."""
        self.query_one("#chosen", Static).update(self._chosen_words(self.chosen))
        self.show_error("")
        if self.query_one(RadioSet).has_focus:
            self.query_one("#what", Input).focus()

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "what":
            self.query_one("#together", Input).focus()
        else:
            self.action_save()

    def save(self) -> None:
        try:
            saved = self.session.record_outcome(
                self.target,
                self.chosen or "",
                self.query_one("#what", Input).value,
                self.query_one("#together", Input).value,
            )
        except InvalidInput as error:
            self.show_error(str(error))
            if error.field == "outcome":
                self.query_one(RadioSet).focus()
            return
        self.dismiss(saved)
