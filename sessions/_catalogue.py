"""The catalogue of sessions: every workshop under one folder, found, opened, restored and purged."""

from __future__ import annotations

import builtins
import re
import secrets
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ._clock import utc_now
from ._codes import new_code
from ._live import LiveSession, SessionNotFound
from ._model import SessionInfo, Target, Template
from ._risk import RISK_FILE, read_phrase_file
from ._storage import DurableDB, StorageError
from ._templates import TemplateError, parse_template
from ._text import NAME_MAX, TITLE_MAX, clean_line

__all__ = ["SessionStore", "earlier_targets", "is_session_id"]

CATALOGUE = "catalogue"
_SESSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def is_session_id(text: object) -> bool:
    """A name a session's folder may have: short, plain, inside the sessions folder, not the catalogue's."""
    return (
        isinstance(text, str)
        and _SESSION_ID.fullmatch(text) is not None
        and ".." not in text
        and text.casefold() != CATALOGUE
    )


class SessionStore:
    """All sessions under one folder: a catalogue plus a database per session."""

    def __init__(self, root: Path | str, *, clock: Callable[[], str] = utc_now, timer_clock: Callable[[], float] = time.time) -> None:
        self.root = Path(root)
        self._clock = clock
        self._timer_clock = timer_clock
        # The data folder (the sessions folder's parent) may add risk phrases for every session.
        self.risk_phrases = read_phrase_file(self.root.parent / RISK_FILE)

    @property
    def _catalogue_dir(self) -> Path:
        return self.root / CATALOGUE

    def _catalogue(self, readonly: bool = False) -> DurableDB:
        return DurableDB(self._catalogue_dir, readonly=readonly)

    def session_dir(self, session_id: str) -> Path:
        """The folder of a session; an id that could lead anywhere else is no session at all."""
        if not is_session_id(session_id):
            raise SessionNotFound(f"'{str(session_id)[:80]}' is not a session id.")
        return self.root / session_id

    def create(
        self,
        template: Template,
        template_source: str,
        *,
        title: str = "",
        facilitator: str = "",
        baseline_id: str = "",
        hold_comments: bool = True,
        session_id: str | None = None,
    ) -> LiveSession:
        """Start a new session; the template text is kept with it so it never drifts."""
        created = self._clock()
        session_id = session_id or f"{created[:10].replace('-', '')}-{secrets.token_hex(3)}"
        meta = {
            "id": session_id,
            "title": clean_line(title, TITLE_MAX) or template.title,
            "facilitator": clean_line(facilitator, NAME_MAX),
            "created_at": created,
            "template_name": template.name,
            "template_version": template.version,
            "template_family": template.family_name,
            "template_title": template.title,
            "template_source": template_source,
            "baseline_id": baseline_id,
            "current": 0,
            "revealed": [],
            "intake_open": True,
            "hold_comments": bool(hold_comments),
            "join_token": secrets.token_urlsafe(18),
            "room_code": new_code(6),
        }
        return self._materialise(meta, {})

    def _materialise(self, meta: dict[str, Any], tables: dict[str, list[dict[str, Any]]]) -> LiveSession:
        directory = self.session_dir(meta["id"])
        if directory.exists() and any(directory.iterdir()):
            raise FileExistsError(f"a session with id {meta['id']} already exists")
        db = DurableDB(directory)
        try:
            db.table("meta").insert(meta)
            for name, rows in tables.items():
                if rows:
                    db.table(name).insert_multiple(rows)
            db.sync()
        except BaseException:
            db.close()
            shutil.rmtree(directory, ignore_errors=True)
            raise
        with self._catalogue() as catalogue:
            catalogue.table("sessions").insert({k: meta[k] for k in _CATALOGUE_FIELDS if k in meta})
            catalogue.sync()
        return LiveSession(db, clock=self._clock, timer_clock=self._timer_clock, risk_phrases=self.risk_phrases)

    def restore(self, snapshot: dict[str, Any], *, session_id: str | None = None) -> LiveSession:
        """Recreate a session from `LiveSession.snapshot()` data (used by import)."""
        meta = dict(snapshot["meta"])
        if session_id:
            meta["id"] = session_id
        meta.setdefault("join_token", secrets.token_urlsafe(18))
        meta.setdefault("room_code", new_code(6))
        parse_template(meta["template_source"], "<imported template>")
        tables = {name: [dict(row) for row in snapshot.get(name, [])] for name in ("participants", "votes", "tallies", "comments", "targets", "outcomes")}
        return self._materialise(meta, tables)

    def list(self) -> list[SessionInfo]:
        """Every session, newest first, with counts read from its own database."""
        if not self._catalogue_dir.exists():
            return []
        with self._catalogue(readonly=True) as catalogue:
            rows = [dict(doc) for doc in catalogue.table("sessions").all()]
        infos = []
        for row in rows:
            if not is_session_id(row.get("id")):
                continue
            directory = self.session_dir(row["id"])
            if not directory.exists():
                continue
            counts = self._counts(directory)
            infos.append(
                SessionInfo(
                    id=row["id"],
                    title=row.get("title", ""),
                    template_name=row.get("template_name", ""),
                    template_version=row.get("template_version", ""),
                    template_family=row.get("template_family", ""),
                    facilitator=row.get("facilitator", ""),
                    created_at=row.get("created_at", ""),
                    baseline_id=row.get("baseline_id", ""),
                    **counts,
                )
            )
        return sorted(infos, key=lambda info: info.created_at, reverse=True)

    @staticmethod
    def _counts(directory: Path) -> dict[str, Any]:
        try:
            with DurableDB(directory, readonly=True) as db:
                return {
                    "participants": len(db.table("participants")),
                    "votes": len(db.table("votes")),
                    "comments": len(db.table("comments")),
                    "damage": db.damage.describe() if db.damage is not None else "",
                }
        except (StorageError, OSError, ValueError) as error:
            return {"damage": f"Session {directory.name} cannot be opened: {error}", "readable": False}

    def find(self, reference: str | None = None) -> SessionInfo:
        """A session by id, id prefix or exact title; the newest when no reference is given."""
        sessions = self.list()
        if not sessions:
            raise SessionNotFound("There are no sessions yet. Start one with `involve run TEMPLATE`.")
        if not reference:
            return sessions[0]
        exact = [s for s in sessions if s.id == reference]
        if exact:
            return exact[0]
        matches = [s for s in sessions if s.id.startswith(reference) or s.title == reference]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise SessionNotFound(f"'{reference}' matches {len(matches)} sessions; give more of the id.")
        raise SessionNotFound(f"No session matches '{reference}'. See `involve sessions`.")

    def open(self, session_id: str, *, readonly: bool = False) -> LiveSession:
        directory = self.session_dir(session_id)
        if not directory.is_dir():
            raise SessionNotFound(f"No session with id {session_id}.")
        db = DurableDB(directory, readonly=readonly)
        try:
            return LiveSession(db, clock=self._clock, timer_clock=self._timer_clock, risk_phrases=self.risk_phrases)
        except BaseException:
            db.close()
            raise

    def purge(self, session_id: str) -> None:
        """Delete a session and everything derived from it, for good."""
        directory = self.session_dir(session_id)
        if directory.exists():
            # Take the session's lock first so a running app is never purged from under.
            DurableDB(directory).close()
            shutil.rmtree(directory)
        if self._catalogue_dir.exists():
            from tinydb import Query

            with self._catalogue() as catalogue:
                catalogue.table("sessions").remove(Query().id == session_id)
                catalogue.sync()

    # builtins.list: inside this class, `list` is the method above.
    def older_than(self, days: float) -> builtins.list[SessionInfo]:
        cutoff = time.time() - days * 86400
        return [s for s in self.list() if _timestamp(s.created_at) < cutoff]


_CATALOGUE_FIELDS = (
    "id",
    "title",
    "facilitator",
    "created_at",
    "template_name",
    "template_version",
    "template_family",
    "baseline_id",
)


def _timestamp(value: str) -> float:
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return 0.0



def earlier_session_absent(baseline_id: str) -> str:
    """What to say when the session a review compares with is not in this data folder.

    A record imported alone may review a session that was never imported here: it still
    resumes and exports, with the outcomes it recorded, but without the comparison."""
    return (
        f"The earlier session this one reviews ({baseline_id}) is not in this data folder, so there is "
        "no progress review beside it; the outcomes recorded here are kept. Import that session's record to add the review."
    )


def earlier_targets(session: LiveSession) -> tuple[Target, ...]:
    """The targets of the session `session` reviews, in the order they were agreed; () when there is none to read.

    For the facilitator's console, which has the live session but not the
    store: the earlier session sits beside it in the same sessions folder and
    is opened read-only, only for as long as it takes to read its targets.
    """
    if not session.baseline_id:
        return ()
    try:
        earlier = SessionStore(session.directory.parent).open(session.baseline_id, readonly=True)
    except (SessionNotFound, StorageError, TemplateError, OSError):
        return ()
    try:
        return tuple(sorted(earlier.targets.values(), key=lambda target: target.created_at))
    finally:
        earlier.close()
