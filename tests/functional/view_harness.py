"""A tiny app that shows one activity view of a real LiveSession, for Pilot tests.

Imported explicitly by the view tests. Like the shell, it refreshes the view
when the session reports a change, merging a burst into one redraw.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer

from screens import ActivityView, view_for
from sessions import Change, LiveSession, SessionStore, TemplateLibrary, parse_template


def make_session(root: Path, template_name: str = "where-are-we", *, source: str | None = None) -> LiveSession:
    """A session in `root` from a built-in template, or from TOML `source` when given."""
    store = SessionStore(root)
    if source is not None:
        template = parse_template(source, "<test template>")
        return store.create(template, source, session_id="t")
    template = TemplateLibrary().find(template_name)
    assert template.path is not None
    return store.create(template, template.path.read_text(encoding="utf-8"), session_id="t")


class ViewHarness(App[None]):
    """Mounts `view_for(session, activity)` full screen with a footer."""

    def __init__(self, session: LiveSession, activity_id: str, *, revealed: bool = False, split: bool = False) -> None:
        super().__init__()
        self.session = session
        self.activity = session.template.activity(activity_id)
        self.start_revealed = revealed
        self.start_split = split
        self.recorded: list[ActivityView.TallyRecorded] = []
        self.refreshes = 0
        self._refresh_pending = False

    @property
    def view(self) -> ActivityView:
        return self.query_one(ActivityView)

    def compose(self) -> ComposeResult:
        view = view_for(self.session, self.activity, id="view")
        view.revealed = self.start_revealed
        view.split = self.start_split
        yield view
        yield Footer()

    def on_mount(self) -> None:
        self.session.add_listener(self._changed)
        self.view.focus()

    def on_unmount(self) -> None:
        self.session.remove_listener(self._changed)

    def _changed(self, change: Change) -> None:
        if change.activity_id in ("", self.activity.id) and not self._refresh_pending:
            self._refresh_pending = True
            self.call_later(self._refresh_view)

    def _refresh_view(self) -> None:
        self._refresh_pending = False
        self.refreshes += 1
        self.view.refresh_from_session()

    def on_activity_view_tally_recorded(self, message: ActivityView.TallyRecorded) -> None:
        self.recorded.append(message)


def screen_text(app: App) -> str:
    """What is on the terminal right now, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
