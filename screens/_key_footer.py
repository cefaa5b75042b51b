"""A footer that wraps onto more rows instead of hiding keys off the edge.

Textual's Footer scrolls sideways when the keys do not fit; on a projected
screen a key that is off the edge does not exist. This one lays the keys out
in a grid with as many columns as the width allows.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

__all__ = ["KeyFooter"]

CELL_WIDTH = 14
"""Columns given to one key and its short description."""


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter {
        layout: grid;
        grid-gutter: 0 0;
        height: auto;
        max-height: 4;
        FooterKey { width: 1fr; margin: 0; }
        FooterKey.-command-palette { dock: none; border-left: none; padding: 0; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True, show_command_palette=True)

    def compose(self) -> ComposeResult:
        yield from super().compose()
        self.styles.grid_size_columns = self._columns(self.size.width or self.app.size.width)

    @staticmethod
    def _columns(width: int) -> int:
        return max(3, width // CELL_WIDTH)

    def on_resize(self, event: events.Resize) -> None:
        columns = self._columns(event.size.width)
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns
