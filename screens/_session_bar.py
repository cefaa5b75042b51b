"""The strip across the top of every session screen.

It carries what the room must always be able to see: the session title,
where we are, the pending-comment badge, whether phones can answer, and any
storage problem (which must never scroll out of sight).

What a damaged journal cost the session is said here too, below any storage
problem: on every session screen, in the place the room already looks for
status, and it stays until the facilitator hides it (w). It is calmer than a
storage problem (nothing is failing now): plain colours, the ⚠ and the words
carry it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from ._pending_badge import PendingBadge

__all__ = ["SessionBar"]


class SessionBar(Vertical):
    """Title, location and status; follows the app's session variables."""

    DEFAULT_CSS = """
    SessionBar {
        height: auto;
        dock: top;
        background: $panel;
        #bar-line { height: 1; }
        #bar-title { width: 1fr; height: 1; padding: 0 1; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis; }
        #bar-where { width: auto; height: 1; padding: 0 1; }
        #bar-intake { width: auto; height: 1; padding: 0 1; display: none; color: $warning; text-style: bold; }
        #bar-intake.-closed { display: block; }
        #bar-problem { height: auto; padding: 0 1; display: none; color: $text; background: $error 60%; text-style: bold; }
        #bar-problem.-shown { display: block; }
        #bar-damage { height: auto; padding: 0 1; display: none; color: $text; background: $warning 25%; }
        #bar-damage.-shown { display: block; }
    }
    """

    def __init__(self, where: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._where = where

    def compose(self) -> ComposeResult:
        with Horizontal(id="bar-line"):
            yield Static(id="bar-title", markup=False)
            yield Static(Content(self._where), id="bar-where", markup=False)
            yield Static(Content("⊘ phone answers closed"), id="bar-intake", markup=False)
            yield PendingBadge(id="bar-badge")
        yield Static(id="bar-problem", markup=False)
        yield Static(id="bar-damage", markup=False)

    def on_mount(self) -> None:
        app = self.app
        if hasattr(app, "session_title"):
            self.watch(app, "session_title", self._show_title)
            self.watch(app, "intake_open", self._show_intake)
            self.watch(app, "storage_problem", self._show_problem)
        if hasattr(app, "damage_notice"):
            self.watch(app, "damage_notice", self._show_damage)

    def set_where(self, where: str) -> None:
        self._where = where
        self.query_one("#bar-where", Static).update(Content(where))

    def _show_title(self, title: str) -> None:
        self.query_one("#bar-title", Static).update(Content(title))

    def _show_intake(self, is_open: bool) -> None:
        self.query_one("#bar-intake", Static).set_class(not is_open, "-closed")

    def _show_problem(self, problem: str) -> None:
        banner = self.query_one("#bar-problem", Static)
        banner.update(Content(f"⚠ {problem}") if problem else Content(""))
        banner.set_class(bool(problem), "-shown")

    def _show_damage(self, notice: str) -> None:
        banner = self.query_one("#bar-damage", Static)
        banner.update(Content(f"⚠ {notice}") if notice else Content(""))
        banner.set_class(bool(notice), "-shown")
