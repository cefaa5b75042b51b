"""The session record: Markdown, a web page, spreadsheets and JSON, plus import and review.

All four formats render one `Record` built from the session, so they agree
to the vote; none of them carries device tokens, the join link or the room
code, and only JSON (which must round-trip) carries participant ids.
"""

from ._compare import (
    LEGEND,
    AreaComparison,
    Comparison,
    Figure,
    FigureGroup,
    GridComparison,
    IndicatorsComparison,
    SessionSide,
    Shift,
    SpectrumComparison,
    StatementComparison,
    compare_sessions,
    figure_groups,
    position_counts,
    render_comparison,
    review_count,
)
from ._files import FORMATS, export_names, export_session, purge_exports, write_atomically
from ._json import SCHEMA, SCHEMA_VERSION, RecordError, import_record
from ._record import Record, build_record

__all__ = [
    "FORMATS",
    "LEGEND",
    "SCHEMA",
    "SCHEMA_VERSION",
    "AreaComparison",
    "Comparison",
    "Figure",
    "FigureGroup",
    "GridComparison",
    "IndicatorsComparison",
    "Record",
    "RecordError",
    "SessionSide",
    "Shift",
    "SpectrumComparison",
    "StatementComparison",
    "build_record",
    "compare_sessions",
    "export_names",
    "figure_groups",
    "export_session",
    "import_record",
    "position_counts",
    "purge_exports",
    "render_comparison",
    "review_count",
    "write_atomically",
]
