"""The projected activity: the question, its results, the comment wall, the clock.

The view for the activity comes from `view_for` (one per activity kind);
this screen only frames it, moves between activities and decides whether the
room may see results yet.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from sessions import FLAGGED_NOT_ON_WALL, LiveSession

from ._activity_view import ActivityView
from ._agenda_screen import AgendaScreen
from ._comment_form import CommentDraft, CommentForm
from ._comment_wall import CommentWall
from ._host import SessionHost
from ._key_footer import KeyFooter
from ._key_hints import with_key_hint
from ._messages import ChangeBatch, guard_storage
from ._session_bar import SessionBar
from ._views import view_for

__all__ = ["ActivityScreen", "clock_text", "NARROW_WIDTH"]

NARROW_WIDTH = 70
"""Below this width the comment wall moves under the activity."""


def clock_text(minutes: int, seconds: float, running: bool) -> tuple[str, bool]:
    """The timer as words (left or over, running or paused) and whether it is over time."""
    remaining = minutes * 60 - int(seconds)
    over = remaining < 0
    shown = abs(remaining)
    clock = f"{shown // 60:02d}:{shown % 60:02d}"
    glyph = "◷"
    state = "" if running else " · paused"
    if over:
        return f"{glyph} {clock} over time{state}", True
    return f"{glyph} {clock} left{state}", False


class ActivityScreen(Screen):
    BINDINGS = [
        Binding("n", "next", "Next"),
        Binding("p", "previous", "Previous"),
        Binding("r", "reveal", "Reveal"),
        Binding("s", "split", "Split roles"),
        Binding("t", "timer", "Timer"),
        Binding("o", "agenda", "Agenda"),
        Binding("c", "comment", "Comment"),
    ]

    split: var[bool] = var(False, init=False)
    """The current activity's split choice, as the session holds it (the console may change it)."""

    def __init__(self, session: LiveSession, *, show_results: bool = False) -> None:
        super().__init__()
        self.session = session
        self.show_results = show_results
        self.shown_index = -1
        self._ticker: Timer | None = None

    # -- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionBar("", id="activity-bar")
        with Horizontal(id="activity-heading"):
            yield Static(id="activity-title", markup=False)
            yield Static(id="activity-timer", markup=False)
        with Horizontal(id="activity-body"):
            yield Container(id="view-slot")
            yield CommentWall(self.session, self.session.current_activity.id, id="wall")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self._ticker = self.set_interval(1.0, self._show_timer, pause=True)
        if isinstance(self.app, SessionHost):
            self.app.session_signal.subscribe(self, self._on_session_changed)
        await self.show_current()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    @property
    def view(self) -> ActivityView | None:
        for view in self.query(ActivityView):
            return view
        return None

    def activity_label(self) -> str:
        total = len(self.session.template.activities)
        activity = self.session.current_activity
        return f"Activity {self.session.current_index + 1} of {total}: {activity.title}"

    # -- what the room sees ----------------------------------------------------------

    def results_forced(self, activity) -> bool:
        """Results show without a reveal when the settings, template or activity say so."""
        return bool(self.show_results or self.session.template.show_results or activity.show_results)

    def is_revealed(self, activity) -> bool:
        return self.results_forced(activity) or self.session.is_revealed(activity.id)

    async def show_current(self) -> None:
        """Put the current activity on screen, replacing the previous view."""
        session = self.session
        activity = session.current_activity
        if self.shown_index != session.current_index or self.view is None:
            self.shown_index = session.current_index
            slot = self.query_one("#view-slot", Container)
            await slot.remove_children()
            view = view_for(session, activity)
            view.revealed = self.is_revealed(activity)
            self.split = session.is_split(activity.id)
            view.split = self.split
            view.show_title = False  # the heading above already names the activity
            await slot.mount(view)
            if self.app.screen is self:
                view.focus()
            self.query_one("#wall", CommentWall).show_activity(activity.id)
            self.refresh_bindings()
        self._show_heading()

    def _show_heading(self) -> None:
        activity = self.session.current_activity
        self.query_one("#activity-title", Static).update(Content(self.activity_label()))
        bar = self.query_one("#activity-bar", SessionBar)
        if activity.votable:
            revealed = self.is_revealed(activity)
            bar.set_where("◉ results shown" if revealed else "◌ results hidden")
        else:
            bar.set_where("")
        self._show_timer()

    def _show_timer(self) -> None:
        activity = self.session.current_activity
        timer = self.query_one("#activity-timer", Static)
        if not activity.minutes:
            timer.update(Content(""))
            timer.display = False
            if self._ticker is not None:
                self._ticker.pause()
            return
        running = self.session.timer_running(activity.id)
        text, over = clock_text(activity.minutes, self.session.timer_elapsed(activity.id), running)
        timer.display = True
        timer.update(Content(text))
        timer.set_class(over, "-over")
        timer.set_class(running, "-running")
        if self._ticker is not None:
            if running:
                self._ticker.resume()
            else:
                self._ticker.pause()

    async def _on_session_changed(self, batch: ChangeBatch) -> None:
        session = self.session
        activity = session.current_activity
        if "state" in batch.kinds:
            if session.current_index != self.shown_index:
                await self.show_current()
            else:
                self._show_heading()
            view = self.view
            if view is not None:
                view.revealed = self.is_revealed(activity)
            self.split = session.is_split(activity.id)
        view = self.view
        # Only the questions view shows comments itself; the others leave them to the wall.
        kinds = ("vote", "tally", "target", "comment") if activity.kind == "questions" else ("vote", "tally", "target")
        if view is not None and (batch.touches(activity.id, *kinds) or "participant" in batch.kinds):
            view.refresh_from_session()
        if batch.touches(activity.id, "comment"):
            self.query_one("#wall", CommentWall).refresh_from_session()

    def watch_split(self, split: bool) -> None:
        view = self.view
        if view is not None:
            view.split = split

    # -- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that mean nothing for this activity leave the footer, so the room sees only what applies."""
        activity = self.session.current_activity
        if action in ("reveal", "split"):
            return activity.votable
        if action == "timer":
            return bool(activity.minutes)
        return True

    def _guarded(self, change: Callable[[], object]) -> bool:
        return guard_storage(self, change)

    def action_next(self) -> None:
        session = self.session
        if session.current_index >= len(session.template.activities) - 1:
            self.notify(with_key_hint(self.app, "This is the last activity.", "Press x to export the record."), markup=False)
            return
        self._guarded(lambda: session.go_to(session.current_index + 1))

    def action_previous(self) -> None:
        session = self.session
        if session.current_index == 0:
            self.notify("This is the first activity.", markup=False)
            return
        self._guarded(lambda: session.go_to(session.current_index - 1))

    def action_reveal(self) -> None:
        activity = self.session.current_activity
        if not activity.votable:
            self.notify("This activity has no results to reveal.", markup=False)
            return
        if self.results_forced(activity):
            self.notify("Results for this activity always show (set by the template or INVOLVE_SHOW_RESULTS).", markup=False)
            return
        shown = not self.session.is_revealed(activity.id)
        self._guarded(lambda: self.session.set_revealed(activity.id, shown))

    def action_split(self) -> None:
        view = self.view
        refusal = view.refusal_notice() if view is not None and not self.split else ""
        if refusal:
            # Say who it would single out instead of drawing a split the room could subtract from.
            self.notify(refusal, severity="warning", markup=False)
            return
        activity = self.session.current_activity
        if not activity.votable:
            self.notify("This activity has no results to split.", markup=False)
            return
        wanted = not self.split
        if self._guarded(lambda: self.session.set_split(activity.id, wanted)):
            self.split = wanted
            self.notify("Results split by role." if wanted else "Results for everyone together.", markup=False)

    def action_timer(self) -> None:
        activity = self.session.current_activity
        if not activity.minutes:
            self.notify("This activity has no time set in its template.", markup=False)
            return
        session = self.session
        toggle = session.pause_timer if session.timer_running(activity.id) else session.start_timer
        if self._guarded(lambda: toggle(activity.id)):
            self._show_timer()

    def action_agenda(self) -> None:
        revealed = {activity.id: self.is_revealed(activity) for activity in self.session.template.activities}

        def chosen(index: int | None) -> None:
            if index is not None:
                self._guarded(lambda: self.session.go_to(index))

        self.app.push_screen(AgendaScreen(self.session, revealed), chosen)

    def action_comment(self) -> None:
        activity = self.session.current_activity

        def added(draft: CommentDraft | None) -> None:
            if draft is None:
                return
            added_comments: list = []
            if self._guarded(
                lambda: added_comments.append(self.session.add_comment(activity.id, draft.text, item=draft.item, from_facilitator=True))
            ):
                if added_comments and added_comments[0].flags:
                    self.notify(FLAGGED_NOT_ON_WALL, markup=False, severity="warning")
                else:
                    self.notify("Comment added to the wall.", markup=False)

        self.app.push_screen(CommentForm(activity), added)

    def on_screen_resume(self) -> None:
        view = self.view
        if view is not None:
            view.focus()
