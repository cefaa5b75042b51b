"""Where a facilitator starts: a new session from a template, or an earlier one resumed."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from sessions import NAME_MAX, TITLE_MAX, SessionInfo, TemplateEntry

from ._key_footer import KeyFooter
from ._messages import ResumeSession, StartSession

__all__ = ["HomeScreen"]


class HomeScreen(Screen):
    """Lists templates and recent sessions; posts StartSession or ResumeSession to the app."""

    BINDINGS = [
        Binding("ctrl+s", "start", "Start"),
        Binding("ctrl+r", "resume", "Resume"),
    ]

    def __init__(self, templates: list[TemplateEntry], sessions: list[SessionInfo]) -> None:
        super().__init__()
        self.templates = templates
        self.sessions = sessions

    def compose(self) -> ComposeResult:
        yield Static(Content("Involve: live workshops on service user involvement"), id="home-title")
        with Horizontal(id="home-body"):
            with VerticalScroll(id="home-start"):
                yield Label("Start a new session", classes="home-heading")
                yield OptionList(*self._template_options(), id="home-templates")
                yield Input(placeholder="Session title (optional)", max_length=TITLE_MAX, id="home-title-input")
                yield Input(placeholder="Facilitator name (optional)", max_length=NAME_MAX, id="home-facilitator")
                yield Select(self._baseline_options(), prompt="No progress review (optional: compare with an earlier session)", id="home-baseline")
                yield Button("Start session", id="home-start-button", variant="primary")
            with Vertical(id="home-recent"):
                yield Label("Recent sessions", classes="home-heading")
                table: DataTable = DataTable(id="home-sessions", cursor_type="row", zebra_stripes=True)
                table.add_column("Title", key="title")
                table.add_column("Date", key="date")
                table.add_column("People", key="people")
                table.add_column("Comments", key="comments")
                yield table
                yield Static(id="home-sessions-note", markup=False)
                yield Button("Resume selected session", id="home-resume-button")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_sessions(self.sessions)
        self.query_one("#home-templates", OptionList).focus()

    def _template_options(self) -> list[Option]:
        options = []
        for entry in self.templates:
            label = Text(entry.title)
            label.append(f"  ({entry.name}{', yours' if not entry.builtin else ''})", style="italic")
            if entry.error is not None:
                label = Text(f"{entry.name}: cannot be used ({entry.error.message})")
            options.append(Option(label, id=entry.name, disabled=entry.error is not None))
        return options

    def _baseline_options(self) -> list[tuple[Text, str]]:
        return [(Text(f"{info.title} ({info.created_at[:10]})"), info.id) for info in self.sessions]

    def show_sessions(self, sessions: list[SessionInfo]) -> None:
        self.sessions = sessions
        table = self.query_one("#home-sessions", DataTable)
        table.clear()
        for info in sessions:
            people, _votes, comments = info.counts()
            table.add_row(Text(info.title), Text(info.created_at[:10]), people, comments, key=info.id)
        note = self.query_one("#home-sessions-note", Static)
        note.update(Content("" if sessions else "No sessions yet. Choose a template on the left and start one."))
        self.query_one("#home-resume-button", Button).disabled = not sessions
        self.query_one("#home-baseline", Select).set_options(self._baseline_options())

    # -- choices ---------------------------------------------------------------------

    def chosen_template(self) -> str | None:
        listing = self.query_one("#home-templates", OptionList)
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return None if option.disabled else option.id

    @on(OptionList.OptionSelected, "#home-templates")
    def _template_chosen(self) -> None:
        self.query_one("#home-title-input", Input).focus()

    @on(Input.Submitted, "#home-title-input")
    def _title_done(self) -> None:
        self.query_one("#home-facilitator", Input).focus()

    @on(Input.Submitted, "#home-facilitator")
    @on(Button.Pressed, "#home-start-button")
    def action_start(self) -> None:
        name = self.chosen_template()
        if name is None:
            self.notify("Choose a template first (↑↓ in the list on the left).", severity="warning", markup=False)
            self.query_one("#home-templates", OptionList).focus()
            return
        baseline = self.query_one("#home-baseline", Select).value
        self.post_message(
            StartSession(
                template_name=name,
                title=self.query_one("#home-title-input", Input).value,
                facilitator=self.query_one("#home-facilitator", Input).value,
                baseline_id=baseline if isinstance(baseline, str) else "",
            )
        )

    @on(DataTable.RowSelected, "#home-sessions")
    @on(Button.Pressed, "#home-resume-button")
    def action_resume(self) -> None:
        table = self.query_one("#home-sessions", DataTable)
        if not table.row_count:
            self.notify("There is no session to resume yet.", markup=False)
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        self.post_message(ResumeSession(str(row_key.value)))
