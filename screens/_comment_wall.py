"""The comments the room may see for the current activity, pinned first.

Only approved and pinned comments appear; the newest fifty are drawn so a
session with thousands of comments redraws as fast as one with ten.
"""

from __future__ import annotations

from typing import Iterable

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from sessions import Comment, CommentState, LiveSession, topic_of

__all__ = ["CommentWall", "WALL_LIMIT", "comment_content", "wall_comments"]

WALL_LIMIT = 50
PIN = "★"  # one cell wide and in every projector font, unlike an emoji pin


def wall_comments(session: LiveSession, activity_id: str | None, limit: int = WALL_LIMIT) -> tuple[list[Comment], int]:
    """The first `limit` comments of a wall, ordered like `LiveSession.wall`, and how many there are.

    One pass, newest first: the session numbers comments in the order they
    arrive and keeps them in that order, so the newest approved ones are met
    first and the scan never sorts the whole wall. `activity_id` None means
    every activity (the moderation list of comments on the wall).
    """
    pinned: list[Comment] = []
    approved: list[Comment] = []
    total = 0
    for comment in reversed(session.comments.values()):
        if activity_id is not None and comment.activity_id != activity_id:
            continue
        state = comment.state
        if state is CommentState.PINNED:
            pinned.append(comment)
            total += 1
        elif state is CommentState.APPROVED:
            total += 1
            if len(approved) < limit:
                approved.append(comment)
    return (pinned + approved)[:limit], total


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


class CommentWall(VerticalScroll, can_focus=False):
    """Approved comments for one activity; call `refresh_from_session` after a change."""

    DEFAULT_CSS = """
    CommentWall {
        height: 1fr;
        padding: 0 1;
        border-left: tall $primary;
        background: $surface;
        #wall-heading { text-style: bold; margin-bottom: 1; }
        #wall-body { height: auto; }
    }
    """

    def __init__(self, session: LiveSession, activity_id: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.session = session
        self.activity_id = activity_id
        self.shown: list[Comment] = []
        self.total = -1
        self._drawn: dict[tuple[str, CommentState], Content] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="wall-heading", markup=False)
        yield Static(id="wall-body", markup=False)

    def on_mount(self) -> None:
        self.refresh_from_session()

    def show_activity(self, activity_id: str) -> None:
        self.activity_id = activity_id
        self._drawn = {}
        self.refresh_from_session()
        self.scroll_home(animate=False)

    def refresh_from_session(self) -> None:
        shown, total = wall_comments(self.session, self.activity_id)
        if shown == self.shown and total == self.total:
            return
        self.shown, self.total = shown, total
        try:
            activity = self.session.template.activity(self.activity_id)
        except KeyError:
            activity = None
        heading = "Comments" if not total else f"Comments ({total:,})"
        if total > WALL_LIMIT:
            heading += f" · newest {WALL_LIMIT}"
        self.query_one("#wall-heading", Static).update(Content(heading))
        self.query_one("#wall-body", Static).update(self._body(shown, activity))

    def _body(self, comments: Iterable[Comment], activity) -> Content:
        drawn: dict[tuple[str, CommentState], Content] = {}
        for comment in comments:
            key = (comment.id, comment.state)
            drawn[key] = self._drawn.get(key) or comment_content(comment, topic_of(activity, comment.item))
        self._drawn = drawn
        blocks = list(drawn.values())
        if not blocks:
            return Content("No comments on the screen yet. Comments from phones wait for you in the moderation queue (m).")
        return Content("\n\n").join(blocks)
