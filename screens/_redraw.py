"""Updating a line of text without asking the whole screen for a new layout.

`Static.update` lays the screen out again on every call. With a full room
the projected screen changes twenty times a second, and a layout pass costs
more than drawing the few lines that changed; most updates (a count going up)
keep the text's height, so they only need their own lines redrawn.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

__all__ = ["show_content"]


def show_content(static: Static, content: Content) -> None:
    """Show `content` in `static`: nothing if it is already shown, a layout pass only if its height changes."""
    old = static.content
    if isinstance(old, Content) and old.plain == content.plain and old.spans == content.spans:
        return
    width = static.size.width
    rule = static.styles.width  # None fills the container; only "auto" follows the text
    fixed_width = rule is None or not rule.is_auto
    keeps_height = fixed_width and width > 0 and content.get_height(static.styles, width) == static.size.height
    static.update(content, layout=not keeps_height)
