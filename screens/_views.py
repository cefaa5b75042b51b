"""Every activity view, gathered: `view_for` picks the one that fits an activity's kind.

It lives here, not beside the base class, so the base never imports its subclasses.
"""

from __future__ import annotations

from sessions import AnyActivity, LiveSession

from ._activity_view import ActivityView
from ._grid_view import GridView
from ._indicators_view import IndicatorsView
from ._info_view import InfoView
from ._questions_view import QuestionsView
from ._spectrum_view import SpectrumView
from ._targets_view import TargetsView

__all__ = ["ACTIVITY_VIEWS", "view_for"]

ACTIVITY_VIEWS: dict[str, type[ActivityView]] = {
    "info": InfoView,
    "spectrum": SpectrumView,
    "grid": GridView,
    "indicators": IndicatorsView,
    "questions": QuestionsView,
    "targets": TargetsView,
}
"""The view for each activity kind; an unknown kind is shown as information."""


def view_for(session: LiveSession, activity: AnyActivity, *, id: str | None = None) -> ActivityView:
    """The view that fits the activity's kind."""
    return ACTIVITY_VIEWS.get(activity.kind, InfoView)(session, activity, id=id)
