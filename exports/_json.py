"""The record as JSON: summaries for anyone, and a private full copy that `involve import` reads back.

The private copy's session part is `LiveSession.snapshot()` (no device
tokens, no join token, no room code), in a stable order with sorted keys,
so exporting an imported session gives the same bytes. The public copy keeps
only what a circulated record may show: the plan, approved comments without
who sent them or when, the targets, and results with small groups held back.
The results part is there for other tools to read; import rebuilds results
from the answers instead.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from sessions import (
    COMMENT_MAX,
    NAME_MAX,
    TITLE_MAX,
    CommentState,
    LiveSession,
    SessionStore,
    TemplateError,
    clean_line,
    clean_text,
)
from sessions._text import TEXT_MAX

from ._record import Record

SCHEMA = "involve.session-record"
SCHEMA_VERSION = 1
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class RecordError(Exception):
    """A session record that cannot be imported; the message names the file and says why."""


def to_data(value: Any) -> Any:
    """Dataclasses, tuples and dates as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_data(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _order(value: Any) -> tuple:
    """Ids that are numbers sort as numbers, so comment 10 follows comment 9."""
    text = str(value)
    return (0, int(text), "") if text.isdigit() else (1, 0, text)


def ordered_snapshot(session: LiveSession, include_hidden: bool) -> dict[str, Any]:
    """The session snapshot in an order that does not depend on how it was stored."""
    snapshot = session.snapshot()
    comments = snapshot["comments"]
    if not include_hidden:
        comments = [c for c in comments if CommentState(c["state"]).visible]
    return {
        "meta": snapshot["meta"],
        "participants": sorted(snapshot["participants"], key=lambda p: (p["joined_at"], p["id"])),
        "votes": sorted(snapshot["votes"], key=lambda v: (v["activity_id"], v["item"], v["participant_id"])),
        "tallies": sorted(
            snapshot["tallies"],
            key=lambda t: (t["activity_id"], t["item"], _order(t["value"]), t["role"] or ""),
        ),
        "comments": sorted(comments, key=lambda c: _order(c["id"])),
        "targets": sorted(snapshot["targets"], key=lambda t: (t["created_at"], t["id"])),
    }


PRIVATE_NOTICE = (
    "Private copy: the raw answers, who gave them, and comments the room did not see. "
    "Keep it with the facilitator; do not circulate it."
)
PUBLIC_NOTICE = (
    "Public record: summaries only, with small groups held back. "
    "It cannot be imported; the private copy (involve export --include-hidden) can."
)
PUBLIC_COMMENT_FIELDS = ("id", "activity_id", "item", "text", "author", "state", "from_facilitator")
"""What a circulated record keeps of a comment: not who sent it (their id) nor when."""


def public_session(session: LiveSession) -> dict[str, Any]:
    """The session as a circulated record may show it: no raw answers, no participant ids.

    Raw votes beside the roles people chose would let anyone rebuild what a
    lone service user answered, whatever the summaries hold back.
    """
    snapshot = ordered_snapshot(session, include_hidden=False)
    return {
        "meta": snapshot["meta"],
        "comments": [
            {key: comment.get(key) for key in PUBLIC_COMMENT_FIELDS}
            for comment in snapshot["comments"]
            if not comment.get("flags") and not comment.get("follow_up")
        ],
        "targets": snapshot["targets"],
    }


def render_json(session: LiveSession, record: Record) -> str:
    results = {
        activity.id: {
            "kind": activity.kind,
            "title": activity.title,
            "respondents": activity.respondents,
            "by_hand": activity.by_hand,
            "overall": to_data(activity.results),
            "groups": to_data(activity.groups),
        }
        for activity in record.activities
        if activity.results is not None
    }
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "private": record.private,
        "notice": PRIVATE_NOTICE if record.private else PUBLIC_NOTICE,
        "session": ordered_snapshot(session, True) if record.private else public_session(session),
        "people": to_data(record.people),
        **({"follow_up": to_data(record.follow_up)} if record.private else {}),
        "results": results,
    }
    if record.exported_at:
        data["exported_at"] = record.exported_at
    if record.comparison is not None:
        data["comparison"] = to_data(record.comparison)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# -- import -------------------------------------------------------------------------


def import_record(store: SessionStore, path: Path) -> LiveSession:
    """Read a JSON record back into `store` under the session id it was exported with."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RecordError(f"{path}: cannot read the file ({error.strerror or error}).") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not a session record (the file is not UTF-8 text).") from None
    except json.JSONDecodeError as error:
        raise RecordError(
            f"{path}: not a valid session record (broken JSON at line {error.lineno}, column {error.colno}: {error.msg})."
        ) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise RecordError(f"{path}: not an Involve session record (expected \"schema\": \"{SCHEMA}\").")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise RecordError(
            f"{path}: record format version {version!r} is not supported; "
            f"this version of Involve reads version {SCHEMA_VERSION}."
        )
    session = data.get("session")
    if data.get("private") is False and isinstance(session, dict) and "participants" not in session:
        raise RecordError(
            f"{path}: a public record holds summaries, not answers, so it cannot be imported; "
            "import the private copy (<id>-record-private.json, from `involve export --include-hidden`)."
        )
    snapshot = _checked_snapshot(path, session)
    session_id = snapshot["meta"]["id"]
    directory = store.session_dir(session_id)
    if directory.exists() and any(directory.iterdir()):
        raise RecordError(
            f"{path}: a session with id {session_id} already exists. "
            f"Delete it first with `involve purge {session_id}` if you want to replace it."
        )
    try:
        return store.restore(snapshot)
    except TemplateError as error:
        raise RecordError(f"{path}: the session plan inside the record cannot be used: {error.message}") from None
    except FileExistsError:
        raise RecordError(f"{path}: a session with id {session_id} already exists.") from None


def _checked_snapshot(path: Path, session: Any) -> dict[str, Any]:
    """The snapshot with only the fields a session has, each of the right type and cleaned."""

    def fail(where: str, problem: str) -> RecordError:
        return RecordError(f"{path}: not a valid session record ({where} {problem}).")

    if not isinstance(session, dict) or not isinstance(session.get("meta"), dict):
        raise fail("\"session.meta\"", "is missing")
    meta = dict(session["meta"])
    for key in ("id", "title", "template_source", "created_at", "template_name", "template_version"):
        if not isinstance(meta.get(key), str):
            raise fail(f"\"session.meta.{key}\"", "is missing or not text")
    if not SAFE_ID.match(meta["id"]):
        raise fail("\"session.meta.id\"", "is not a usable session id")
    meta.pop("join_token", None)
    meta.pop("room_code", None)
    meta["title"] = clean_line(meta["title"], TITLE_MAX)
    meta["facilitator"] = clean_line(meta.get("facilitator", ""), NAME_MAX)

    def rows(name: str) -> list[dict[str, Any]]:
        value = session.get(name, [])
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            raise fail(f"\"session.{name}\"", "is not a list of records")
        return value

    def text(row: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = row.get(key, None if required else "")
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise fail(where, f"has no text \"{key}\"")
        return value

    def answer(value: Any, where: str) -> int | str:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise fail(where, "has an answer that is neither a number nor a word")
        return value

    def role(value: Any, where: str) -> str | None:
        if value is None or isinstance(value, str):
            return value or None
        raise fail(where, "has a role that is not text")

    participants = []
    for i, row in enumerate(rows("participants")):
        where = f"participant {i + 1}"
        participants.append(
            {
                "id": text(row, "id", where),
                "name": clean_line(text(row, "name", where, required=False), NAME_MAX),
                "role": role(row.get("role"), where),
                "joined_at": text(row, "joined_at", where, required=False),
            }
        )
    votes = []
    for i, row in enumerate(rows("votes")):
        where = f"vote {i + 1}"
        votes.append(
            {
                "activity_id": text(row, "activity_id", where),
                "item": text(row, "item", where),
                "participant_id": text(row, "participant_id", where),
                "value": answer(row.get("value"), where),
                "updated_at": text(row, "updated_at", where, required=False),
            }
        )
    tallies = []
    for i, row in enumerate(rows("tallies")):
        where = f"hand count {i + 1}"
        count = row.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise fail(where, "has a count that is not a whole number")
        tallies.append(
            {
                "activity_id": text(row, "activity_id", where),
                "item": text(row, "item", where),
                "value": answer(row.get("value"), where),
                "count": count,
                "role": role(row.get("role"), where),
            }
        )
    comments = []
    for i, row in enumerate(rows("comments")):
        where = f"comment {i + 1}"
        state = row.get("state", "pending")
        if state not in {s.value for s in CommentState}:
            raise fail(where, f"has an unknown state {state!r}")
        comment_id = row.get("id")
        if isinstance(comment_id, bool) or not isinstance(comment_id, (int, str)):
            raise fail(where, "has no id")
        comments.append(
            {
                "id": str(comment_id),
                "activity_id": text(row, "activity_id", where),
                "item": clean_line(text(row, "item", where, required=False), 40),
                "text": clean_text(text(row, "text", where), COMMENT_MAX),
                "state": state,
                "author": clean_line(text(row, "author", where, required=False), NAME_MAX),
                "participant_id": text(row, "participant_id", where, required=False),
                "created_at": text(row, "created_at", where, required=False),
                "from_facilitator": bool(row.get("from_facilitator", False)),
            }
        )
    targets = []
    for i, row in enumerate(rows("targets")):
        where = f"target {i + 1}"
        review = row.get("review_date")
        if review not in (None, ""):
            try:
                review = date.fromisoformat(str(review)).isoformat()
            except ValueError:
                raise fail(where, "has a review date that is not YYYY-MM-DD") from None
        else:
            review = None
        targets.append(
            {
                "id": text(row, "id", where),
                "activity_id": text(row, "activity_id", where),
                "text": clean_text(text(row, "text", where), TEXT_MAX),
                "owner": clean_line(text(row, "owner", where, required=False), TITLE_MAX),
                "review_date": review,
                "created_at": text(row, "created_at", where, required=False),
            }
        )
    return {
        "meta": meta,
        "participants": participants,
        "votes": votes,
        "tallies": tallies,
        "comments": comments,
        "targets": targets,
    }
