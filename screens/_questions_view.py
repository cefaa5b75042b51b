"""Discussion questions, with what the room has said about each one."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import var

from sessions import Comment, CommentState, QuestionsActivity

from . import _layout as layout
from ._activity_view import ActivityView

COMMENTS_PER_QUESTION = 3
LINES_PER_COMMENT = 2


class QuestionsView(ActivityView):
    """Each question, and under it a few of the comments the facilitator let through.

    The comment wall beside the view shows everything; here a question keeps
    its own answers close so the room can follow one thread at a time.
    """

    question: var[int] = var(0)

    activity: QuestionsActivity

    def move(self, dx: int, dy: int) -> bool:
        if not dy:
            return False
        before = self.question
        self.question = max(0, min(len(self.activity.questions) - 1, self.question + dy))
        return self.question != before

    def draw(self, width: int, height: int) -> list[Content]:
        wall = self.session.wall(self.activity.id)
        lines: list[Content] = []
        for index, question in enumerate(self.activity.questions):
            if index:
                lines.append(Content(""))
            chosen = index == self.question
            top = len(lines)
            lines += layout.numbered_heading(index + 1, question.name, width, chosen=chosen)
            if question.text:
                lines += [Content.styled(line, layout.QUIET) for line in layout.wrap(question.text, width, first="     ", indent="     ")]
            lines += self._comments([c for c in wall if c.item == question.id], width)
            if chosen:
                self.focus_lines = (top, len(lines) - 1)
        return lines

    def _comments(self, comments: list[Comment], width: int) -> list[Content]:
        if not comments:
            return [Content.styled("     No comments on this question yet.", layout.QUIET)]
        lines: list[Content] = []
        for comment in comments[:COMMENTS_PER_QUESTION]:
            mark = "★ " if comment.state is CommentState.PINNED else "❝ "
            text = f"{comment.text} — {comment.author}" if comment.author else comment.text
            wrapped = layout.wrap(text, width, first=f"     {mark}", indent="       ")
            if len(wrapped) > LINES_PER_COMMENT:
                last = layout.fit(wrapped[LINES_PER_COMMENT - 1], width - 1)
                wrapped = wrapped[: LINES_PER_COMMENT - 1] + [last.removesuffix("…") + "…"]
            lines += [Content(line) for line in wrapped]
        more = len(comments) - COMMENTS_PER_QUESTION
        if more > 0:
            lines.append(Content.styled(f"       … and {more} more on the wall", layout.QUIET))
        return lines
