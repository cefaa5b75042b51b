"""Textual screens and widgets: the projected side of a workshop.

Shell screens (home, lobby, activity, moderation, agenda) frame the activity
views, which render one activity each and take keyboard tallies.
"""

from ._activity_screen import NARROW_WIDTH, ActivityScreen, clock_text
from ._activity_view import ActivityView
from ._agenda_screen import AgendaScreen, agenda_line
from ._comment_form import CommentDraft, CommentForm, comment_topics
from ._comment_wall import WALL_LIMIT, CommentWall, comment_content
from ._confirm_screen import ConfirmScreen
from ._curtain_screen import CurtainScreen
from ._grid_view import GridView
from ._home_screen import HomeScreen
from ._host import FacilitatorSettings, SessionHost
from ._indicators_view import IndicatorsView
from ._info_view import InfoView
from ._key_footer import KeyFooter
from ._key_hints import with_key_hint
from ._lobby_screen import PRESENCE_CREDIT, LobbyScreen, presence_content
from ._messages import ChangeBatch, ResumeSession, StartSession, StorageFailed, guard_storage
from ._moderation_screen import QUEUE_LIMIT, STATE_LABELS, ModerationScreen
from ._outcome_form import OutcomeForm
from ._pairing_form import PairingForm, code_problem
from ._pending_badge import PendingBadge, pending_label
from ._qr import NARROWEST_QUIET_ZONE, QUIET_ZONE, QRCode, QRFit, qr_cells, qr_fit, qr_matrix
from ._questions_view import QuestionsView
from ._review_screen import ReviewScreen
from ._session_bar import SessionBar
from ._spectrum_view import SpectrumView
from ._target_form import TargetForm
from ._targets_view import TargetsView
from ._views import view_for

__all__ = [
    "NARROW_WIDTH",
    "PRESENCE_CREDIT",
    "QUEUE_LIMIT",
    "QUIET_ZONE",
    "NARROWEST_QUIET_ZONE",
    "STATE_LABELS",
    "WALL_LIMIT",
    "ActivityScreen",
    "ActivityView",
    "AgendaScreen",
    "ChangeBatch",
    "CommentDraft",
    "CommentForm",
    "CurtainScreen",
    "CommentWall",
    "ConfirmScreen",
    "FacilitatorSettings",
    "GridView",
    "HomeScreen",
    "IndicatorsView",
    "InfoView",
    "KeyFooter",
    "LobbyScreen",
    "ModerationScreen",
    "PairingForm",
    "PendingBadge",
    "QRCode",
    "QRFit",
    "QuestionsView",
    "ResumeSession",
    "ReviewScreen",
    "SessionBar",
    "SessionHost",
    "SpectrumView",
    "StartSession",
    "StorageFailed",
    "OutcomeForm",
    "TargetForm",
    "TargetsView",
    "agenda_line",
    "clock_text",
    "code_problem",
    "comment_content",
    "comment_topics",
    "guard_storage",
    "pending_label",
    "presence_content",
    "qr_cells",
    "qr_fit",
    "qr_matrix",
    "view_for",
    "with_key_hint",
]
