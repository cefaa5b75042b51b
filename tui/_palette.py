"""The command palette (ctrl+p), made safe against keys at machine speed.

Textual's palette, as of 8.2.8, closes the app in two races: PageUp or
PageDown before its list has been laid out (KeyError in the option list),
and a search that finishes after the palette has been taken away (NoMatches
on its command list). This one ignores list moves until the list has lines
and drops a search whose palette has gone.
"""

from __future__ import annotations

from textual import work
from textual.command import CommandList, CommandPalette
from textual.css.query import NoMatches

__all__ = ["InvolvePalette", "palette_in"]

_gather_commands = CommandPalette._gather_commands.__wrapped__  # type: ignore[attr-defined]
"""Textual's search, without the worker wrapper, so that ours can run it and catch what it raises."""

_NEEDS_LINES = frozenset({"page_up", "page_down"})
"""List moves that read the laid-out lines, which do not exist until the list has been drawn."""


class InvolvePalette(CommandPalette):
    """Textual's palette, minus the two ways it can close the app."""

    def _action_command_list(self, action: str) -> None:
        if action in _NEEDS_LINES:
            lists = self.query(CommandList)
            if not lists or not lists.first()._lines:
                return  # nothing drawn yet to page through
        super()._action_command_list(action)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        if not self.query(CommandList):
            return  # the palette went before the search began
        try:
            await _gather_commands(self, search_value)
        except NoMatches:
            if self.query(CommandList):
                raise  # the palette is still there: a real fault, not the race
            # the palette went while the search ran: nobody is waiting for its results

    def close(self) -> None:
        """Close as Escape does: the search stops and the app hears that nothing was chosen."""
        self._action_escape()


def palette_in(screens) -> InvolvePalette | CommandPalette | None:
    """The palette, wherever it is in the stack: Textual only looks at the top screen."""
    for screen in screens:
        if isinstance(screen, CommandPalette):
            return screen
    return None
