"""The session model, templates, storage and participant intake.

Plain Python: nothing here imports Textual, so the model can be used from the
command line, the intake server, the exports and the tests alike.
"""

from ._model import (
    ACTIVITY_KINDS,
    SPECTRUM_ITEM,
    Activity,
    Answer,
    AnyActivity,
    Area,
    Comment,
    CommentState,
    GridActivity,
    IndicatorsActivity,
    InfoActivity,
    Level,
    Participant,
    QuestionsActivity,
    Role,
    RoleGroup,
    SessionInfo,
    Source,
    SpectrumActivity,
    Stage,
    Statement,
    Tally,
    Target,
    TargetsActivity,
    Template,
    Vote,
    grid_item,
    role_group,
    split_grid_item,
    topic_of,
)
from ._results import (
    SMALL_GROUP,
    ActivityResults,
    AreaResult,
    Distribution,
    GridResult,
    GroupResult,
    IndicatorResult,
    IndicatorsResult,
    SpectrumResult,
    activity_results,
    presence,
    room_counts,
)
from ._storage import DurableDB, StorageError
from ._store import Change, InvalidInput, LiveSession, SessionNotFound, SessionStore
from ._templates import TemplateEntry, TemplateError, TemplateLibrary, load_template_file, parse_template
from ._text import COMMENT_MAX, NAME_MAX, TEXT_MAX, TITLE_MAX, clean_line, clean_text

__all__ = [name for name in dir() if not name.startswith("_")]
