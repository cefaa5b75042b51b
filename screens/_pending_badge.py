"""How many comments wait for the facilitator, on every screen."""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

__all__ = ["PendingBadge", "pending_label"]


def pending_label(count: int) -> Content:
    """The badge text: an envelope and a number, never colour alone."""
    if count <= 0:
        return Content("✉ none to review")
    return Content(f"✉ {count:,} to review")


class PendingBadge(Static):
    """Follows the app's `pending_count`; a click opens the moderation queue."""

    DEFAULT_CSS = """
    PendingBadge {
        width: auto;
        height: 1;
        padding: 0 1;
        color: $foreground;
        background: $panel;
        &.-waiting {
            color: $background;
            background: $primary;
            text-style: bold;
        }
    }
    """

    count: reactive[int] = reactive(0)

    def on_mount(self) -> None:
        if hasattr(self.app, "pending_count"):
            self.watch(self.app, "pending_count", self._follow)

    def _follow(self, count: int) -> None:
        self.count = count

    def watch_count(self, count: int) -> None:
        self.update(pending_label(count))
        self.set_class(count > 0, "-waiting")

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.app.run_action("app.moderation")
