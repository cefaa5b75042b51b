"""The comments the room may see for the current activity, pinned first.

Only approved and pinned comments appear; the newest fifty are drawn so a
session with thousands of comments redraws as fast as one with ten. Each
comment is wrapped once per width and kept as strips, and only the comments
near what is visible are wrapped at all, so a burst of new comments in a full
room costs a screenful of wrapping, not fifty comments' worth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from sessions import Comment, CommentState, LiveSession, topic_of

from ._redraw import show_content

__all__ = ["CommentWall", "WALL_LIMIT", "WallLines", "comment_content", "wall_comments"]

WALL_LIMIT = 50
PIN = "★"  # one cell wide and in every projector font, unlike an emoji pin
EMPTY_WALL = "Comments appear here once they have been read."
"""Said to the room, so nothing about how moderation works; the activity screen hides an empty wall anyway."""


def wall_comments(session: LiveSession, activity_id: str | None, limit: int = WALL_LIMIT) -> tuple[list[Comment], int]:
    """The first `limit` comments of a wall (None: every activity's), and how many there are."""
    return session.wall(activity_id, limit), session.wall_count(activity_id)


def comment_content(comment: Comment, topic: str = "") -> Content:
    """One comment as literal text under a heading: pin, who, topic."""
    who = "Facilitator" if comment.from_facilitator else (comment.author or "Anonymous")
    parts: list[Content] = []
    if comment.state is CommentState.PINNED:
        parts.append(Content.from_markup("[bold reverse] $pin Pinned [/] ", pin=PIN))
    parts.append(Content.from_markup("[bold]$who[/]", who=who))
    if topic:
        parts.append(Content.from_markup(" · [italic]$topic[/]", topic=topic))
    heading = Content("").join(parts)
    return Content("\n").join([heading, Content(comment.text)])


BlockKey = tuple[str, CommentState]
"""What a comment's lines depend on besides the width: its id (its text never changes) and its state (the pin)."""


class Block(NamedTuple):
    """One comment (or message) on the wall, made into text only when it is about to be seen."""

    key: BlockKey
    make: Callable[[], Content]
    plain: str
    """Roughly the text `make` returns, to guess its height without wrapping it."""


def guess_height(plain: str, width: int) -> int:
    return sum(max(1, -(-cell_len(line) // width)) for line in plain.split("\n"))


class WallLines(ScrollView, can_focus=False):
    """Blocks of text one under another, each wrapped once per width (Textual's Line API).

    A block already wrapped at this width under its key is neither made nor
    wrapped again, and blocks more than a screen below the visible part are
    not wrapped at all until scrolled near: their height is guessed, so with a
    full room commenting each redraw wraps only what can be seen.
    """

    DEFAULT_CSS = """
    WallLines {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;  /* lines are wrapped for one width, scrollbar or not */
        overflow-x: hidden;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._blocks: list[Block] = []
        self._wrapped: dict[tuple[BlockKey, int], list[Strip]] = {}
        self._lines: list[Strip | None] = []  # None: a line of a block not wrapped yet
        self._wrapped_to = 0  # every line above this index is real

    def show_blocks(self, blocks: list[Block]) -> None:
        self._blocks = blocks
        self._lay_out()

    def forget(self) -> None:
        """Drop every wrapped block, e.g. when the topics change with the activity."""
        self._wrapped = {}

    def on_resize(self) -> None:
        self._lay_out()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        unwrapped = self._wrapped_to < len(self._lines)
        if unwrapped and round(new_value) + 2 * self.scrollable_content_region.height > self._wrapped_to:
            self._lay_out()

    def _lay_out(self) -> None:
        region = self.scrollable_content_region
        width = region.width
        if width <= 0:
            return
        enough = round(self.scroll_y) + 2 * max(region.height, 1)
        wrapped: dict[tuple[BlockKey, int], list[Strip]] = {}
        lines: list[Strip | None] = []
        wrapped_to: int | None = None
        for block in self._blocks:
            if lines:
                lines.append(Strip.blank(0))
            key = (block.key, width)
            strips = self._wrapped.get(key)
            if strips is None and len(lines) < enough:
                strips = [Strip(line.render_segments(), line.cell_length) for line in block.make().wrap(width)]
            if strips is None:
                if wrapped_to is None:
                    wrapped_to = len(lines)
                lines.extend([None] * guess_height(block.plain, width))
                continue
            wrapped[key] = strips
            lines.extend(strips)
        self._wrapped = wrapped
        self._lines = lines
        self._wrapped_to = len(lines) if wrapped_to is None else wrapped_to
        size = Size(width, len(lines))
        if size != self.virtual_size:
            self.virtual_size = size
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        style = self.rich_style
        index = scroll_y + y
        line = self._lines[index] if index < len(self._lines) else None
        if line is None:
            return Strip.blank(width, style)
        return line.crop_extend(scroll_x, scroll_x + width, style).apply_style(style)


class CommentWall(Vertical, can_focus=False):
    """Approved comments for one activity; call `refresh_from_session` after a change.

    With nothing on it the wall is not drawn (class `-empty`), so the activity
    has the whole width until the first comment is let through.
    """

    DEFAULT_CSS = """
    CommentWall {
        height: 1fr;
        padding: 0 1;
        border-left: tall $primary;
        background: $surface;
        #wall-heading { height: auto; text-style: bold; margin-bottom: 1; }
    }
    CommentWall.-empty {
        display: none;
    }
    """

    def __init__(self, session: LiveSession, activity_id: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        self.activity_id = activity_id
        self.shown: list[Comment] = []
        self.total = -1

    def compose(self) -> ComposeResult:
        yield Static(id="wall-heading", markup=False)
        yield WallLines(id="wall-body")

    def on_mount(self) -> None:
        self.refresh_from_session()

    def show_activity(self, activity_id: str) -> None:
        self.activity_id = activity_id
        self.shown, self.total = [], -1
        body = self.query_one("#wall-body", WallLines)
        body.forget()
        self.refresh_from_session()
        body.scroll_home(animate=False)

    def refresh_from_session(self) -> None:
        shown, total = wall_comments(self.session, self.activity_id)
        if shown == self.shown and total == self.total:
            return
        self.shown, self.total = shown, total
        self.set_class(not total, "-empty")
        try:
            activity = self.session.template.activity(self.activity_id)
        except KeyError:
            activity = None
        heading = "Comments" if not total else f"Comments ({total:,})"
        if total > WALL_LIMIT:
            heading += f" · newest {WALL_LIMIT}"
        show_content(self.query_one("#wall-heading", Static), Content(heading))
        self.query_one("#wall-body", WallLines).show_blocks(list(self._blocks(shown, activity)))

    @staticmethod
    def _blocks(comments: list[Comment], activity) -> Iterable[Block]:
        if not comments:
            yield Block(("", CommentState.APPROVED), lambda: Content(EMPTY_WALL), EMPTY_WALL)
        for comment in comments:
            yield Block(
                (comment.id, comment.state),
                lambda comment=comment: comment_content(comment, topic_of(activity, comment.item)),
                f"{comment.author or 'Anonymous'}\n{comment.text}",
            )
