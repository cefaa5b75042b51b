"""A footer that wraps onto more rows instead of hiding keys off the edge.

Textual's Footer scrolls sideways when the keys do not fit; on a projected
screen a key that is off the edge does not exist. This one lays the keys out
in a grid with as many columns as the width allows, at most MAX_ROWS rows;
when even that is too few, the spare keys (still listed by `?` and the palette)
leave first.

It also carries a quiet `? keys`, hidden here; the app's room view shows only
that (see `tui/app.tcss`): the keys are the facilitator's workings, not the room's.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["KeyFooter"]

CELL_WIDTH = 14
"""Columns given to one key and its short description."""
SPARE_ACTIONS = ("pair_console", "toggle_room_view")
"""Keys that give up their place when the footer is full (the last first), so no other key is cut:
both are in the palette and under `?`, and a full footer is a narrow screen while a count is typed."""

MAX_ROWS = 4
"""The footer never grows taller than this (its max-height)."""


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter {
        layout: grid;
        grid-gutter: 0 0;
        height: auto;
        max-height: 4;
        FooterKey { width: 1fr; margin: 0; }
        FooterKey.-command-palette { dock: none; border-left: none; padding: 0; }
        FooterKey.-room-hint { display: none; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True, show_command_palette=True)
        self._drawn: tuple[object, ...] | None = None  # what the keys on screen were composed from
        self._recompose_asked = False

    def _keys_to_draw(self) -> tuple[object, ...]:
        """Everything compose reads: the shown bindings, whether each is enabled, and the columns."""
        shown = tuple(
            (binding.key, binding.action, binding.description, self.app.get_key_display(binding), enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )
        return (self._columns(self.size.width or self.app.size.width), *shown)

    def bindings_changed(self, screen: Screen) -> None:
        """Recompose only when the keys to draw changed, and once for a burst of changes.

        Textual's Footer rebuilds every key each time any binding might have changed: on a
        session's first minute that was about 45 rebuilds of some 20 keys each, most of them
        drawing what was already there, and a large share of the app's start-up work.
        """
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen or self._recompose_asked:
            return
        self._recompose_asked = True
        self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._recompose_asked = False
        if self.is_attached and self._keys_to_draw() != self._drawn:
            await self.recompose()

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._drawn = self._keys_to_draw()
        columns = self._columns(self.size.width or self.app.size.width)
        keys = list(super().compose())
        spare = [key for key in keys if isinstance(key, FooterKey) and key.action in SPARE_ACTIONS]
        while len(keys) > MAX_ROWS * columns and spare:
            keys.remove(spare.pop())
        yield from keys
        yield FooterKey("question_mark", "?", "keys", "app.keys", classes="-room-hint")
        self.styles.grid_size_columns = columns

    @staticmethod
    def _columns(width: int) -> int:
        return max(3, width // CELL_WIDTH)

    def rows_with(self, extra_keys: int = 0) -> int:
        """Rows the footer would take with `extra_keys` more keys: lets a screen size what sits above it before a key appears."""
        keys = sum(1 for key in self.query(FooterKey) if key.display) + extra_keys  # not the hidden `? keys`, nor keys the room view hides
        return min(MAX_ROWS, -(-keys // self._columns(self.size.width or self.app.size.width)))

    def on_resize(self, event: events.Resize) -> None:
        columns = self._columns(event.size.width)
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns
            self.call_after_refresh(self.recompose)  # a spare key may fit again, or have to go
