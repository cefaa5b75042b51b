"""Who is here: the QR code to join, the room code, and the presence check.

The presence check follows the 4PI National Involvement Standards (NSUN,
National Involvement Partnership): a meeting should have at least two, and
ideally three, people who use services or carers. People without a phone
are counted in from the keyboard so they are never left out of that count.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from sessions import PRESENCE_CREDIT, LiveSession, Role, RoleGroup, presence, presence_words, room_counts

from ._big_code import big_code
from ._closes_once import ClosesOnce
from ._host import SessionHost
from ._key_footer import KeyFooter
from ._messages import ChangeBatch, guard_storage
from ._qr import QRCode, QRFit, qr_fit, qr_matrix
from ._session_bar import SessionBar

__all__ = ["LobbyScreen", "presence_content", "PRESENCE_CREDIT", "QR_SHARE"]


QR_SHARE = 60
"""Percent of the width the code may take; the rest is for who is here (`#lobby-qr-box` max-width)."""

GROUP_ROWS: tuple[tuple[RoleGroup, str], ...] = (
    (RoleGroup.LIVED, "Service user/carer"),
    (RoleGroup.STAFF, "Staff"),
    (RoleGroup.OTHER, "Other/not said"),
)

ROLE_WORDS: dict[Role, tuple[str, str]] = {
    Role.SERVICE_USER: ("service user", "service users"),
    Role.CARER: ("carer", "carers"),
    Role.STAFF: ("staff", "staff"),
    Role.OTHER: ("other", "other"),
}


def presence_content(count: int, level: str) -> Content:
    """The presence check in words and a glyph, so it reads without colour (the record's summary uses the same words)."""
    words = presence_words(level)
    return Content.from_markup(
        "[b]$mark $headline[/b] Service users or carers here: $count. $hint",
        mark=words.mark,
        headline=words.headline,
        count=str(count),
        hint=words.hint,
    )


def join_content(url: str, joining_open: bool = True) -> Content:
    """The line beside the code: how to join, or, once joining is closed, that the code only takes people back in."""
    if joining_open:
        return Content.from_markup("[b]Scan the code to join[/b], or open\n$url", url=url)
    return Content.from_markup("[b]Joining is closed[/b]: new phones cannot join.\nAlready in? Scan the code or open\n$url", url=url)


def too_small_content(url: str, code: str, room_url: str, joining_open: bool = True) -> Content:
    """What the lobby says instead of a code that would not fit whole: plainly, then the address, and the room code large."""
    lead = "On a phone, open" if joining_open else "Joining is closed: new phones cannot join. Already in? On your phone, open"
    said = Content.from_markup(
        "⚠ This screen is too small for a QR code that scans, so none is shown.\n$lead\n[b]$url[/b]\n",
        lead=lead,
        url=url,
    )
    if room_url:
        said += Content.from_markup("or open $room and type the room code [b]$code[/b]:\n", room=room_url, code=code)
    else:
        said += Content.from_markup("Room code [b]$code[/b]:\n", code=code)
    return said + big_code(code)


def door_content(session: LiveSession) -> Content:
    """Whether new phones may join, and a warning when more have joined than the head count."""
    lines = []
    if not session.joining_open:
        lines.append(Content.from_markup("[b]✖ Joining is closed.[/b] New phones are turned away; people already in keep answering (j opens it)."))
    extra = session.joined_beyond_head_count
    if extra:
        lines.append(Content.from_markup(
            "[b]⚠ $joined phones have joined, more than the head count of $count.[/b] "
            "Someone may have joined twice or from outside the room; consider closing joining.",
            joined=str(len(session.participants)),
            count=str(session.head_count),
        ))
    elif session.head_count:
        lines.append(Content(f"Head count: {session.head_count}."))
    return Content("\n").join(lines)


START_KEYS = "n,enter,right,space"
"""The keys a facilitator reaches for to begin: next, Enter, the arrow and the space bar."""


class LobbyBody(Horizontal):
    """The lobby under its bar; says when its size changes (a resize, the footer, a bar line), so the code is sized to it."""

    @dataclass
    class Resized(Message):
        size: Size

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(event.size))


class LobbyScreen(ClosesOnce, Screen):
    """Who is here and how to join; any of the start keys (or Esc) goes to the activities."""

    BINDINGS = [
        # Priority, so the people table's own Enter and Right do not swallow them;
        # `check_action` hands them back to the head-count field while it is being typed in.
        Binding(START_KEYS, "start", "Start", key_display="n", priority=True),
        Binding("escape", "back", "Back", show=False),
        Binding("f", "toggle_cells", "QR cells"),
        Binding("plus,equals_sign", "count_present(1)", "Add one", key_display="+"),
        Binding("minus", "count_present(-1)", "Take one", key_display="-"),
        Binding("c", "head_count", "Head count"),
        # Where the screen is short (80x24) the lines under the table scroll; the table keeps its own cursor keys.
        Binding("pagedown", "scroll_more(1)", "More below", show=False, priority=True),
        Binding("pageup", "scroll_more(-1)", "Back up", show=False, priority=True),
    ]

    def __init__(self, session: LiveSession) -> None:
        super().__init__()
        self.session = session
        self.half_blocks = False
        """The facilitator asked for the smaller code (f) where full cells would fit."""
        self._fit: QRFit | None = None
        self._full_cells_fit = False
        self._joining_open = session.joining_open
        """Whether joining was open when the join words were last drawn."""

    def compose(self) -> ComposeResult:
        yield SessionBar("Lobby")
        with LobbyBody(id="lobby-body"):
            with VerticalScroll(id="lobby-qr-box"):
                yield QRCode(id="lobby-qr")
                yield Static(id="lobby-qr-status", markup=False)
            with Vertical(id="lobby-info"):
                yield Static(id="lobby-title", markup=False)
                yield Static(id="lobby-join", markup=False)
                yield Static(id="lobby-room", markup=False)
                yield Static(id="lobby-presence", markup=False)
                yield Static(id="lobby-door", markup=False)
                table: DataTable = DataTable(id="lobby-people", cursor_type="row", show_cursor=True)
                table.add_column("Who is here", key="group")
                table.add_column("Phone", key="phones")
                table.add_column("No phone", key="hand")
                yield table
                with VerticalScroll(id="lobby-more", can_focus=False):
                    yield Static(Content("No phone? Choose the row; + counts a person in, - takes one out."), id="lobby-hands-hint", markup=False)
                    yield Static(id="lobby-roles", markup=False)
                    yield Static(id="lobby-names", markup=False)
                    yield Static(Content(PRESENCE_CREDIT), id="lobby-credit", markup=False)
                    yield Input(id="lobby-head-count", type="integer", placeholder="Head count: people in the room (c, then Enter)")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#lobby-people", DataTable)
        for group, label in GROUP_ROWS:
            table.add_row(label, "0", "0", key=group.value)
        table.focus(scroll_visible=False)
        self.refresh_from_session()
        self._show_address()
        app = self.app
        if isinstance(app, SessionHost):
            self.watch(app, "join_url", self._show_address)
            self.watch(app, "room_url", self._show_address)
            self.watch(app, "intake_problem", self._show_address)
            app.session_signal.subscribe(self, self._on_session_changed)

    def _on_session_changed(self, batch: ChangeBatch) -> None:
        if batch.kinds & {"participant", "state"}:
            self.refresh_from_session()
            if self.session.joining_open != self._joining_open:
                self._show_address()

    # -- the address ------------------------------------------------------------------

    @on(LobbyBody.Resized)
    def _body_resized(self) -> None:
        self._show_address()

    def _people_width(self) -> int:
        """Columns the people table takes without its border: the narrowest the lobby lets who is here become."""
        table = self.query_one("#lobby-people", DataTable)
        return sum(column.get_render_width(table) for column in table.columns.values())

    def _qr_space(self) -> tuple[int, int]:
        """Cells the code may take: its share of the lobby's width, less what who is here needs beside it,
        and the lobby's height with the f key in the footer.

        Sized as if f were offered, so offering it (which may add a footer row) never pushes the code's last row off.
        """
        body = self.query_one(LobbyBody)
        beside = self._people_width() + 2  # the info column's padding, one column each side
        width = min(body.size.width * QR_SHARE // 100, body.size.width - beside) - 2  # the box's padding, one column each side
        height = body.size.height
        footer = self.query_one(KeyFooter)
        if footer.display and not self._cells_offered:
            height -= max(0, footer.rows_with(1) - footer.outer_size.height)
        return width, height

    @property
    def _cells_offered(self) -> bool:
        """Is f (full cells or half blocks) offered? Only where full cells fit whole."""
        return self._fit is not None and self._full_cells_fit

    def _place_code(self, url: str) -> QRFit | None:
        """Size the code to the screen; None when no whole code fits."""
        modules = len(qr_matrix(url))
        width, height = self._qr_space()
        largest = qr_fit(modules, width, height)
        self._full_cells_fit = largest is not None and largest.full_cells
        return qr_fit(modules, width, height, full_cells=not (self.half_blocks and self._full_cells_fit))

    def _show_address(self, _value: object = None) -> None:
        app = self.app
        url = room_url = problem = ""
        if isinstance(app, SessionHost):
            url, room_url, problem = app.join_url, app.room_url, app.intake_problem
        qr = self.query_one("#lobby-qr", QRCode)
        box = self.query_one("#lobby-qr-box")
        status = self.query_one("#lobby-qr-status", Static)
        join = self.query_one("#lobby-join", Static)
        room = self.query_one("#lobby-room", Static)
        code = self.session.room_code
        joining_open = self._joining_open = self.session.joining_open
        box.display = room.display = True
        join.set_class(False, "-large")
        offered = self._cells_offered
        fit = self._place_code(url) if url and not problem else None
        if fit != self._fit or self._cells_offered != offered:
            # In half blocks the fit can stay the same while full cells stop fitting: f must go too.
            self._fit = fit
            self.refresh_bindings()
        self._fit_people(fit)
        if problem:
            qr.data = ""
            qr.display = False
            status.update(Content.from_markup("[b]⚠ The phone page is not running.[/b]\n$problem\nThe room can still vote by show of hands.", problem=problem))
            status.display = True
            join.update(Content("Phones cannot join until the phone page runs."))
            room.update(Content.from_markup("Room code: [b]$code[/b]", code=code))
            return
        if not url:
            qr.display = False
            status.update(Content("Starting the phone page…"))
            status.display = True
            join.update(Content(""))
            room.update(Content.from_markup("Room code: [b]$code[/b]", code=code))
            return
        qr.data = url
        status.display = False
        if fit is None:
            qr.display = box.display = False
            join.update(too_small_content(url, code, room_url, joining_open))
            join.set_class(True, "-large")
            room.display = False
            return
        qr.show(fit)
        qr.display = True
        join.update(join_content(url, joining_open))
        if room_url:
            room.update(Content.from_markup("No camera? Open $room and type the room code [b]$code[/b].", room=room_url, code=code))
        else:
            room.update(Content.from_markup("Room code: [b]$code[/b]", code=code))

    def _fit_people(self, fit: QRFit | None) -> None:
        """Beside a code that leaves too little width, the people table drops its border rather than run off the edge."""
        body = self.query_one(LobbyBody)
        table = self.query_one("#lobby-people", DataTable)
        beside = body.size.width - (fit.width + 2 if fit is not None and self.query_one("#lobby-qr-box").display else 0) - 2
        table.set_class(beside < self._people_width() + 2, "-borderless")

    # -- who is here -----------------------------------------------------------------

    def refresh_from_session(self) -> None:
        session = self.session
        participants = session.participants
        self.query_one("#lobby-title", Static).update(Content(session.title))
        by_group = room_counts(participants.values())
        hands = session.present_without_phones
        table = self.query_one("#lobby-people", DataTable)
        for group, _label in GROUP_ROWS:
            table.update_cell(group.value, "phones", str(by_group[group]))
            table.update_cell(group.value, "hand", str(hands[group]))
        lived, level = presence(participants.values(), extra_lived=hands[RoleGroup.LIVED])
        presence_widget = self.query_one("#lobby-presence", Static)
        presence_widget.update(presence_content(lived, level))
        for name in ("ideal", "minimum", "below"):
            presence_widget.set_class(name == level, f"-{name}")
        door = door_content(session)
        door_widget = self.query_one("#lobby-door", Static)
        door_widget.update(door)
        door_widget.display = bool(door.plain)
        self.query_one("#lobby-roles", Static).update(self._roles_line(sum(hands.values())))
        self.query_one("#lobby-names", Static).update(self._names_line())

    def _roles_line(self, without_phones: int) -> Content:
        participants = self.session.participants
        total = len(participants)
        without = f" and {without_phones:,} without a phone" if without_phones else ""
        if not total:
            return Content(f"Nobody has joined on a phone yet{without}.")
        by_role: dict[Role | None, int] = {}
        for participant in participants.values():
            by_role[participant.role] = by_role.get(participant.role, 0) + 1
        parts = []
        for role, (one, many) in ROLE_WORDS.items():
            count = by_role.get(role, 0)
            if count:
                parts.append(f"{count:,} {one if count == 1 else many}")
        unsaid = by_role.get(None, 0) + by_role.get(Role.PREFER_NOT, 0)
        if unsaid:
            parts.append(f"{unsaid:,} not said")
        joined = "1 person" if total == 1 else f"{total:,} people"
        return Content(f"On phones: {joined} ({', '.join(parts)}){without}.")

    def _names_line(self) -> Content:
        """The names the latest people chose, never their roles.

        A role is told to the phone, not to the room: beside a name, or beside
        "Anonymous" just after someone was seen scanning, it would single
        that person out. The room's mix of roles is in the counts above.
        """
        latest = list(islice(reversed(self.session.participants.values()), 6))
        if not latest:
            return Content("")
        return Content("Latest to join: ") + Content(", ").join(Content(participant.display_name) for participant in latest)

    # -- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start" and isinstance(self.focused, Input):
            return False
        if action == "toggle_cells":
            return self._cells_offered
        return True

    def action_start(self) -> None:
        """Start the activities, or go back to the one the room was on: the activity screen is under the lobby."""
        self.dismiss()

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_cells(self) -> None:
        self.half_blocks = not self.half_blocks
        self._show_address()
        qr = self.query_one("#lobby-qr", QRCode)
        self.notify("QR code: full cells, as large as fits." if qr.full_cells else "QR code: half-block cells, smaller.", markup=False)

    def action_scroll_more(self, pages: int) -> None:
        """Page the lines under the people table: on a short screen they do not all fit."""
        more = self.query_one("#lobby-more", VerticalScroll)
        more.scroll_relative(y=pages * max(more.scrollable_content_region.height - 1, 1), animate=False, immediate=True)

    def action_head_count(self) -> None:
        """Open the head-count field: in the room view it is hidden until asked for (screens.tcss)."""
        field = self.query_one("#lobby-head-count", Input)
        field.add_class("-open")
        field.focus()

    @on(Input.Blurred, "#lobby-head-count")
    def _head_count_left(self, event: Input.Blurred) -> None:
        event.input.remove_class("-open")

    @on(Input.Submitted, "#lobby-head-count")
    def _head_count_given(self, event: Input.Submitted) -> None:
        try:
            count = int(event.value or 0)
        except ValueError:
            self.app.bell()
            return
        if guard_storage(self, lambda: self.session.set_head_count(count)):
            self.notify(f"Head count: {count}." if count else "Head count cleared.", markup=False)
            self.refresh_from_session()
        self.query_one("#lobby-people", DataTable).focus()

    def action_count_present(self, delta: int) -> None:
        table = self.query_one("#lobby-people", DataTable)
        group = GROUP_ROWS[max(0, min(table.cursor_row, len(GROUP_ROWS) - 1))][0]
        count = self.session.present_without_phones[group] + delta
        if count < 0:
            self.app.bell()
            return
        if guard_storage(self, lambda: self.session.set_present_without_phones(group, count)):
            self.refresh_from_session()
