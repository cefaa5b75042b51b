"""A page of words for the room: welcome, ground rules, a definition."""

from __future__ import annotations

from textual.content import Content

from sessions import InfoActivity

from ._activity_view import ActivityView


class InfoView(ActivityView):
    """The activity's title and body text; nothing to count."""

    activity: InfoActivity

    def draw(self, width: int, height: int) -> list[Content]:
        body = getattr(self.activity, "body", "")
        return [Content(body)] if body else []
