"""Where records go: file names, atomic writes, and deleting them again.

Every name starts with the session id, so `purge_exports` can remove exactly
one session's files and nothing else. A file is written to a temporary name
and moved into place, so a reader never sees half a record.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sessions import LiveSession

from ._csv import render_csv
from ._html import render_html
from ._json import render_json
from ._markdown import render_markdown
from ._record import build_record

FORMATS: tuple[str, ...] = ("md", "html", "csv", "json")
CSV_PARTS: tuple[str, ...] = ("summary", "answers", "comments", "targets")
PRIVATE = "-private"
_TEMP_SUFFIX = ".tmp"


def _check_id(session_id: str) -> None:
    if not session_id or "/" in session_id or "\\" in session_id or session_id in (".", "..") or "\x00" in session_id:
        raise ValueError(f"not a usable session id: {session_id!r}")


def export_names(session_id: str, fmt: str, *, private: bool = False) -> tuple[str, ...]:
    """The file names one format produces, e.g. `<id>-record.md` or the three CSV tables."""
    _check_id(session_id)
    suffix = PRIVATE if private else ""
    if fmt == "csv":
        return tuple(f"{session_id}-{part}{suffix}.csv" for part in CSV_PARTS)
    if fmt in FORMATS:
        return (f"{session_id}-record{suffix}.{fmt}",)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


def write_atomically(path: Path, data: bytes) -> Path:
    """Write to a temporary file beside `path`, flush it to disk, then move it into place."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    return path


def export_session(
    session: LiveSession,
    formats: Sequence[str],
    out_dir: Path,
    *,
    include_hidden: bool = False,
    baseline: LiveSession | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Write the session record in each format asked for; returns the files written.

    `include_hidden` makes a private copy (with `-private` in its names) that
    keeps hidden and waiting comments. `baseline` adds the progress review.
    """
    wanted = list(dict.fromkeys(fmt.strip().lower() for fmt in formats))
    for fmt in wanted:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    out_dir = Path(out_dir).expanduser()
    out_dir.mkdir(parents=True, exist_ok=True)
    record = build_record(session, include_hidden=include_hidden, baseline=baseline, now=now)
    written: list[Path] = []
    for fmt in wanted:
        names = export_names(session.id, fmt, private=include_hidden)
        if fmt == "md":
            contents = [render_markdown(record).encode("utf-8")]
        elif fmt == "html":
            contents = [render_html(record).encode("utf-8")]
        elif fmt == "json":
            contents = [render_json(session, record).encode("utf-8")]
        else:
            tables = render_csv(record)
            contents = [tables[part] for part in CSV_PARTS]
        for name, data in zip(names, contents):
            written.append(write_atomically(out_dir / name, data))
    return written


def purge_exports(export_dir: Path, session_id: str) -> int:
    """Delete every exported file of one session (all formats, private copies too)."""
    export_dir = Path(export_dir).expanduser()
    if not export_dir.is_dir():
        return 0
    names = {name for fmt in FORMATS for private in (False, True) for name in export_names(session_id, fmt, private=private)}
    removed = 0
    for entry in export_dir.iterdir():
        name = entry.name
        leftover = name.startswith(".") and name.endswith(_TEMP_SUFFIX) and any(name.startswith(f".{n}.") for n in names)
        if (name in names or leftover) and (entry.is_file() or entry.is_symlink()):
            entry.unlink()
            removed += 1
    return removed
