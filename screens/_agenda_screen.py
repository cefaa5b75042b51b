"""The whole session plan at a glance; jump to any activity."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sessions import LiveSession

from ._closes_once import ClosesOnce

__all__ = ["AgendaScreen", "KIND_LABELS", "agenda_line"]

KIND_LABELS = {
    "info": "Information",
    "spectrum": "Spectrum",
    "grid": "Grid",
    "indicators": "Indicators",
    "questions": "Questions",
    "targets": "Targets",
}


def agenda_line(number: int, activity, *, current: bool, revealed: bool) -> Text:
    line = Text()
    line.append("▶ " if current else "  ", style="bold")
    line.append(f"{number}. ", style="bold")
    line.append(activity.title)
    details = [KIND_LABELS.get(activity.kind, activity.kind)]
    if activity.minutes:
        details.append(f"{activity.minutes} min")
    if activity.votable:
        details.append("results shown" if revealed else "results hidden")
    line.append(f"  ({', '.join(details)})")
    if current:
        line.append("  ← now", style="bold")
    return line


class AgendaScreen(ClosesOnce, ModalScreen[int | None]):
    """Dismisses with the chosen activity's index, or None."""

    DEFAULT_CSS = """
    AgendaScreen {
        align: center middle;
        background: $background 70%;
        #agenda-box { width: 90; max-width: 98%; height: auto; max-height: 95%; border: thick $primary; background: $surface; padding: 0 1; }
        #agenda-heading { text-style: bold; padding: 0 1; }
        #agenda-hint { padding: 0 1 1 1; }
        OptionList { height: auto; max-height: 20; }
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("o", "close", "Close", show=False),
    ]

    def __init__(self, session: LiveSession, revealed: dict[str, bool] | None = None) -> None:
        super().__init__()
        self.session = session
        self.revealed = revealed or {}

    def compose(self) -> ComposeResult:
        session = self.session
        current = session.current_index
        options = [
            Option(agenda_line(number, activity, current=index == current, revealed=self.revealed.get(activity.id, False)), id=str(index))
            for index, (number, activity) in enumerate(enumerate(session.template.activities, start=1))
        ]
        with Vertical(id="agenda-box"):
            yield Static(Content.from_markup("Agenda: [b]$title[/b]", title=session.title), id="agenda-heading")
            yield Static(Content("↑↓ choose, Enter go there (phones follow), Escape close"), id="agenda-hint")
            yield OptionList(*options, id="agenda-list")

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.highlighted = self.session.current_index
        listing.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#agenda-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))
