"""The facilitator reads every comment before the room does.

The queue shows comments waiting for a decision, oldest first, with the
ones the risk list flagged (⚑) above the rest; `f` marks any comment to
follow up, privately. `v` switches
to the comments on the wall (to hide one later) and to hidden ones (to bring
one back). At most QUEUE_LIMIT rows are drawn, so a flood of comments never
stalls the screen; the heading says how many more there are.

This screen is on the projector. The app asked before the queue opened; the
hidden list is asked about again, every time, because it holds the comments
judged unfit for the room, which a "yes" to the queue did not cover.
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Static

from sessions import SAFEGUARDING_REMINDER, Comment, CommentState, LiveSession, topic_of

from ._closes_once import ClosesOnce
from ._comment_wall import wall_comments
from ._confirm_screen import ConfirmScreen
from ._host import SessionHost
from ._key_footer import KeyFooter
from ._messages import ChangeBatch, guard_storage
from ._session_bar import SessionBar

__all__ = ["ModerationScreen", "QUEUE_LIMIT", "STATE_LABELS", "VIEWS"]

QUEUE_LIMIT = 200
COMMENT_MIN = 20
FIXED_COLUMNS = 5 + 11 + 22 + 14
"""Widths of the number, state, activity and name columns."""

STATE_LABELS = {
    CommentState.PENDING: "✉ waiting",
    CommentState.APPROVED: "✔ on wall",
    CommentState.PINNED: "★ pinned",
    CommentState.HIDDEN: "✖ hidden",
}

VIEWS: dict[str, tuple[str, tuple[CommentState, ...]]] = {
    "waiting": ("Waiting for you", (CommentState.PENDING,)),
    "wall": ("On the wall", (CommentState.APPROVED, CommentState.PINNED)),
    "hidden": ("Hidden", (CommentState.HIDDEN,)),
}
_NEXT_VIEW = {"waiting": "wall", "wall": "hidden", "hidden": "waiting"}
HIDDEN_QUESTION = "Hidden comments were kept off the wall. Show them on this screen?"
HIDDEN_KEPT_OFF = "The hidden comments stay off this screen; here are the waiting ones."
FLAG = "⚑"
FOLLOW_UP = "↻"


def comment_marks(comment: Comment) -> str:
    """⚑ for a risk flag, ↻ for follow up, before the comment's number."""
    return (FLAG if comment.flags else "") + (FOLLOW_UP if comment.follow_up else "")


class ModerationScreen(ClosesOnce, Screen):
    BINDINGS = [
        Binding("a", "moderate('approved')", "Approve"),
        Binding("h", "moderate('hidden')", "Hide"),
        Binding("p", "moderate('pinned')", "Pin"),
        Binding("u", "unpin", "Unpin"),
        Binding("f", "follow_up", "Follow up"),
        Binding("v", "next_view", "Switch list"),
        Binding("escape", "back", "Back"),
        Binding("m", "back", "Back", show=False),
    ]

    view: reactive[str] = reactive("waiting", init=False)

    def __init__(self, session: LiveSession) -> None:
        super().__init__()
        self.session = session
        self.row_ids: list[str] = []
        self.row_states: dict[str, tuple[CommentState, str]] = {}
        self.comment_width = COMMENT_MIN
        self.note = ""
        self.shown_by_choice = False
        """Opened on the projector after the facilitator, with a console paired, said to show it here."""

    def compose(self) -> ComposeResult:
        yield SessionBar("Moderation")
        yield Static(id="moderation-heading", markup=False)
        table: DataTable = DataTable(id="moderation-queue", cursor_type="row", zebra_stripes=True)
        self._add_columns(table, self.app.size.width)
        yield table
        with VerticalScroll(id="moderation-detail-box", can_focus=False):
            yield Static(id="moderation-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_from_session()
        self.query_one(DataTable).focus()
        if isinstance(self.app, SessionHost):
            self.app.session_signal.subscribe(self, self._on_session_changed)

    def _add_columns(self, table: DataTable, screen_width: int) -> None:
        """The comment column takes the rest of the width, so rows never scroll sideways."""
        padding = 2 * table.cell_padding * 5
        self.comment_width = max(COMMENT_MIN, screen_width - FIXED_COLUMNS - padding - 4)
        table.add_column("#", key="id", width=5)
        table.add_column("State", key="state", width=11)
        table.add_column("Activity", key="activity", width=22)
        table.add_column("From", key="from", width=14)
        table.add_column("Comment", key="text", width=self.comment_width)

    def on_resize(self, event: events.Resize) -> None:
        table = self.query_one(DataTable)
        padding = 2 * table.cell_padding * 5
        if max(COMMENT_MIN, event.size.width - FIXED_COLUMNS - padding - 4) != self.comment_width:
            table.clear(columns=True)
            self._add_columns(table, event.size.width)
            self.row_ids = []
            self.row_states = {}
            self.refresh_from_session()

    def _on_session_changed(self, batch: ChangeBatch) -> None:
        if "comment" in batch.kinds or "state" in batch.kinds:
            self.refresh_from_session()

    # -- the list -------------------------------------------------------------------

    def wanted(self) -> tuple[list[Comment], int]:
        """The comments this view shows (capped) and how many match in all."""
        if self.view == "wall":
            return wall_comments(self.session, None, QUEUE_LIMIT)
        wanted_state = CommentState.PENDING if self.view == "waiting" else CommentState.HIDDEN
        comments = self.session.comments.values()
        # Comments are kept in the order they arrived: waiting ones oldest first, hidden ones newest first.
        ordered = comments if self.view == "waiting" else reversed(comments)
        flagged: list[Comment] = []
        first: list[Comment] = []
        total = 0
        for comment in ordered:
            if comment.state is wanted_state:
                total += 1
                if comment.flags and len(flagged) < QUEUE_LIMIT:
                    # A possible disclosure is read first, however many arrived before it.
                    flagged.append(comment)
                elif not comment.flags and len(first) < QUEUE_LIMIT:
                    first.append(comment)
        return (flagged + first)[:QUEUE_LIMIT], total

    def refresh_from_session(self) -> None:
        table = self.query_one(DataTable)
        comments, total = self.wanted()
        wanted_ids = [c.id for c in comments]
        by_id = {c.id: c for c in comments}
        if wanted_ids != self.row_ids:
            kept = [row for row in self.row_ids if row in by_id]
            appended = [cid for cid in wanted_ids if cid not in set(kept)]
            if kept + appended == wanted_ids:
                for row in self.row_ids:
                    if row not in by_id:
                        table.remove_row(row)
                for cid in appended:
                    self._add_row(table, by_id[cid])
            else:
                table.clear()
                for comment in comments:
                    self._add_row(table, comment)
            self.row_ids = wanted_ids
            self.row_states = {c.id: (c.state, comment_marks(c)) for c in comments}
        for comment in comments:
            if self.row_states.get(comment.id) != (comment.state, comment_marks(comment)):
                table.update_cell(comment.id, "state", Text(STATE_LABELS[comment.state]))
                table.update_cell(comment.id, "id", Text(comment_marks(comment) + comment.id))
                self.row_states[comment.id] = (comment.state, comment_marks(comment))
        self._show_heading(total)
        self._show_detail()

    def _add_row(self, table: DataTable, comment: Comment) -> None:
        activity = self._activity(comment)
        number = self._activity_number(comment)
        activity_text = Text(f"{number}. {activity.title}" if activity else comment.activity_id, no_wrap=True, overflow="ellipsis")
        topic = topic_of(activity, comment.item) if activity else ""
        if topic:
            activity_text.append(f" · {topic}")
        who = "Facilitator" if comment.from_facilitator else (comment.author or "Anonymous")
        first_line = " ".join(comment.text.split())
        table.add_row(
            Text(comment_marks(comment) + comment.id),
            Text(STATE_LABELS[comment.state]),
            activity_text,
            Text(who),
            Text(first_line, no_wrap=True, overflow="ellipsis"),
            key=comment.id,
        )

    def _activity(self, comment: Comment):
        try:
            return self.session.template.activity(comment.activity_id)
        except KeyError:
            return None

    def _activity_number(self, comment: Comment) -> int:
        for number, activity in enumerate(self.session.template.activities, start=1):
            if activity.id == comment.activity_id:
                return number
        return 0

    def _show_heading(self, total: int) -> None:
        by_state = Counter(comment.state for comment in self.session.comments.values())
        counts = {name: sum(by_state[state] for state in states) for name, (_, states) in VIEWS.items()}
        parts = []
        for name, (label, _) in VIEWS.items():
            marker = "▶ " if name == self.view else ""
            parts.append(f"{marker}{label}: {counts[name]:,}")
        heading = "   ".join(parts) + "   (v switches)"
        if total > QUEUE_LIMIT:
            heading += f"\nShowing the first {QUEUE_LIMIT} of {total:,}; deal with these and the rest move up."
        self.query_one("#moderation-heading", Static).update(Content(heading))

    # -- the selected comment --------------------------------------------------------

    def selected(self) -> Comment | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return self.session.comments.get(str(row_key.value))

    def _show_detail(self) -> None:
        detail = self.query_one("#moderation-detail", Static)
        comment = self.selected()
        lines: list[Content] = []
        if self.note:
            lines.append(Content.from_markup("[b]$note[/b]", note=self.note))
        if comment is None:
            empty = {
                "waiting": "Nothing is waiting. New comments from phones appear here before the room sees them.",
                "wall": "No comments are on the wall yet.",
                "hidden": "No comments are hidden.",
            }[self.view]
            lines.append(Content(empty))
        else:
            activity = self._activity(comment)
            who = "Facilitator" if comment.from_facilitator else (comment.author or "Anonymous")
            where = activity.title if activity else comment.activity_id
            topic = topic_of(activity, comment.item) if activity else ""
            if topic:
                where = f"{where} · about {topic}"
            lines.append(Content.from_markup("[b]#$id[/b] · $state · $who · $where", id=comment.id, state=STATE_LABELS[comment.state], who=who, where=where))
            if comment.flags:
                lines.append(Content.from_markup(
                    "[b]⚑ Flagged:[/b] $why. Read it before anyone else does; it is never approved automatically.",
                    why=", ".join(comment.flags),
                ))
                app = self.app
                reminder = (app.config.safeguarding_reminder if isinstance(app, SessionHost) else "") or SAFEGUARDING_REMINDER
                lines.append(Content.styled(reminder, "bold"))
            if comment.follow_up:
                lines.append(Content("↻ Marked to follow up (private: only in the facilitator's copy of the record)."))
            lines.append(Content(comment.text))
        detail.update(Content("\n").join(lines))

    @on(DataTable.RowHighlighted, "#moderation-queue")
    def _highlighted(self) -> None:
        self._show_detail()

    # -- actions ---------------------------------------------------------------------

    def action_moderate(self, state: str) -> None:
        comment = self.selected()
        if comment is None:
            self.app.bell()
            return
        new_state = CommentState(state)
        if not guard_storage(self, lambda: self.session.moderate(comment.id, new_state)):
            return
        verb = {
            CommentState.APPROVED: "approved: on the wall now",
            CommentState.HIDDEN: "hidden from the room",
            CommentState.PINNED: "pinned to the top of the wall",
        }[new_state]
        self.note = f"Comment #{comment.id} {verb}."
        self.refresh_from_session()

    def action_unpin(self) -> None:
        comment = self.selected()
        if comment is None or comment.state is not CommentState.PINNED:
            self.note = "Only a pinned comment can be unpinned."
            self._show_detail()
            self.app.bell()
            return
        if not guard_storage(self, lambda: self.session.moderate(comment.id, CommentState.APPROVED)):
            return
        self.note = f"Comment #{comment.id} unpinned; it stays on the wall."
        self.refresh_from_session()

    def action_follow_up(self) -> None:
        comment = self.selected()
        if comment is None:
            self.app.bell()
            return
        wanted = not comment.follow_up
        if not guard_storage(self, lambda: self.session.set_follow_up(comment.id, wanted)):
            return
        self.note = f"Comment #{comment.id} marked to follow up." if wanted else f"Comment #{comment.id}: follow-up mark removed."
        self.refresh_from_session()

    def action_next_view(self) -> None:
        """The next list; the hidden one only after its own question (Enter or Esc: no)."""
        wanted = _NEXT_VIEW[self.view]
        if wanted != "hidden":
            self.view = wanted
            return
        asked_from = self.view

        def answered(yes: bool | None) -> None:
            if self.view != asked_from:
                return
            if yes:
                self.view = "hidden"
                return
            self.view = _NEXT_VIEW["hidden"]
            self.note = HIDDEN_KEPT_OFF
            self._show_detail()

        hidden = sum(1 for comment in self.session.comments.values() if comment.state is CommentState.HIDDEN)
        detail = f"{hidden:,} hidden. To read them where the room cannot see, use your console (k pairs one)."
        self.app.push_screen(ConfirmScreen(HIDDEN_QUESTION, detail, yes="Show them here", no="Not here"), answered)

    def watch_view(self) -> None:
        self.note = ""
        table = self.query_one(DataTable)
        table.clear()
        self.row_ids = []
        self.row_states = {}
        self.refresh_from_session()
        table.move_cursor(row=0)

    def action_back(self) -> None:
        self.dismiss()
