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
    RISK_REASONS,
    TEMPLATE_MAX_BYTES,
    TITLE_MAX,
    CommentState,
    FileRefused,
    InvalidInput,
    LiveSession,
    Outcome,
    Role,
    RoleGroup,
    SessionStore,
    Template,
    TemplateError,
    clean_line,
    clean_text,
    is_session_id,
    parse_template,
    read_limited,
)
from sessions._documents import check_answer
from sessions._text import TEXT_MAX

from ._compare import LEGEND, figure_groups
from ._record import Record

SCHEMA = "involve.session-record"
SCHEMA_VERSION = 1
RECORD_MAX_BYTES = 256 * 1024 * 1024
"""Far above any workshop's record (10,000 answers are a few MB), far below a full memory."""
COUNT_MAX = 10_000
"""The most one hand count or head count may say, as in the live session."""
_RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


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
        "outcomes": sorted(snapshot["outcomes"], key=lambda o: (o["updated_at"], o["target_id"])),
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
        "outcomes": snapshot["outcomes"],
    }


def render_json(session: LiveSession, record: Record) -> str:
    results = {
        activity.id: {
            "kind": activity.kind,
            "title": activity.title,
            "respondents": activity.respondents,
            "by_hand": activity.by_hand,
            # Only where it applies, so a record with nothing held back reads as before.
            **({"phones_held": activity.phones_held, "held_note": activity.held_note} if activity.phones_held else {}),
            "overall": to_data(activity.results),
            "groups": to_data(activity.groups),
        }
        for activity in record.activities
        if activity.results is not None
    }
    summary = to_data(record.summary)
    # Held-back notes only where they apply, so a record with nothing held back reads as before.
    _drop_empty(summary, "held_back")
    if summary.get("review"):
        _drop_empty(summary["review"], "held_back")
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "private": record.private,
        "notice": PRIVATE_NOTICE if record.private else PUBLIC_NOTICE,
        "session": ordered_snapshot(session, True) if record.private else public_session(session),
        "summary": summary,
        "people": to_data(record.people),
        **({"follow_up": to_data(record.follow_up)} if record.private else {}),
        "results": results,
    }
    if record.exported_at:
        data["exported_at"] = record.exported_at
    if record.comparison is not None:
        comparison = to_data(record.comparison)
        _drop_empty(comparison, "held_back")
        # The judged figures too (better or worse in the framework's terms), as the other formats show them.
        for compared, activity in zip(comparison["activities"], record.comparison.activities):
            compared["figures"] = to_data(figure_groups(activity))
        comparison["legend"] = LEGEND
        data["comparison"] = comparison
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _drop_empty(data: dict[str, Any], key: str) -> None:
    if not data.get(key):
        data.pop(key, None)


# -- import -------------------------------------------------------------------------


def import_record(store: SessionStore, path: Path) -> LiveSession:
    """Read a JSON record back into `store` under the session id it was exported with."""
    path = Path(path)
    try:
        raw = read_limited(path, RECORD_MAX_BYTES)
    except FileRefused as refused:
        raise RecordError(f"{path}: cannot be imported: {refused}.") from None
    except OSError as error:
        raise RecordError(f"{path}: cannot read the file ({error.strerror or error}).") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not a session record (the file is not UTF-8 text).") from None
    except RecursionError:
        raise RecordError(f"{path}: not a valid session record (its JSON is nested too deeply).") from None
    except MemoryError:
        raise RecordError(f"{path}: cannot be imported: there is not enough memory to read its {len(raw):,} bytes.") from None
    except json.JSONDecodeError as error:
        raise RecordError(
            f"{path}: not a valid session record (broken JSON at line {error.lineno}, column {error.colno}: {error.msg})."
        ) from None
    except ValueError:  # Python refuses to read a whole number of more than 4,300 digits
        raise RecordError(f"{path}: not a valid session record (it has a number longer than 4,300 digits).") from None
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


_META_TEXT = ("facilitator", "template_family", "template_title", "ended_at", "baseline_id")
_META_FLAGS = ("intake_open", "hold_comments", "joining_open")


def _checked_meta(meta: dict[str, Any], template: Template, fail: Any) -> dict[str, Any]:
    """The session's own fields, each checked as the live session would have set it; unknown ones dropped."""
    checked: dict[str, Any] = {
        key: meta[key] for key in ("id", "title", "template_source", "created_at", "template_name", "template_version")
    }
    checked["title"] = clean_line(meta["title"], TITLE_MAX)
    for key in _META_TEXT:
        value = meta.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise fail(f"\"session.meta.{key}\"", "is not text")
        checked[key] = value
    checked["facilitator"] = clean_line(checked["facilitator"], NAME_MAX)
    baseline = checked["baseline_id"]
    if baseline and (not is_session_id(baseline) or baseline == checked["id"]):
        raise fail("\"session.meta.baseline_id\"", "is not the id of another session")
    for key in _META_FLAGS:
        if key in meta:
            if not isinstance(meta[key], bool):
                raise fail(f"\"session.meta.{key}\"", "is not true or false")
            checked[key] = meta[key]
    current = meta.get("current", 0)
    if isinstance(current, bool) or not isinstance(current, int) or not 0 <= current < len(template.activities):
        raise fail("\"session.meta.current\"", f"is not an activity number from 0 to {len(template.activities) - 1}")
    checked["current"] = current
    revealed = meta.get("revealed", [])
    ids = {activity.id for activity in template.activities}
    if not isinstance(revealed, list) or not all(isinstance(a, str) and a in ids for a in revealed):
        raise fail("\"session.meta.revealed\"", "is not a list of the session plan's activity ids")
    checked["revealed"] = list(dict.fromkeys(revealed))
    if "withheld_seen" in meta:
        seen = meta["withheld_seen"]
        groups = {group.value for group in RoleGroup}
        if not isinstance(seen, dict) or not all(
            a in ids and isinstance(held, list) and all(isinstance(g, str) and g in groups for g in held) for a, held in seen.items()
        ):
            raise fail("\"session.meta.withheld_seen\"", "is not a list of role groups for each of the session plan's activity ids")
        checked["withheld_seen"] = {a: sorted(set(held)) for a, held in seen.items()}
    if "head_count" in meta:
        checked["head_count"] = _count(meta["head_count"], "\"session.meta.head_count\"", fail)
    if "present_without_phones" in meta:
        present = meta["present_without_phones"]
        groups = {group.value for group in RoleGroup}
        if not isinstance(present, dict) or not set(present) <= groups:
            raise fail("\"session.meta.present_without_phones\"", f"is not a count for each of {', '.join(sorted(groups))}")
        checked["present_without_phones"] = {
            group: _count(value, f"\"session.meta.present_without_phones.{group}\"", fail) for group, value in present.items()
        }
    return checked


def _count(value: Any, where: str, fail: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
        raise fail(where, f"is not a whole number from 0 to {COUNT_MAX:,}")
    return value


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
    if not is_session_id(meta["id"]):
        raise fail("\"session.meta.id\"", "is not a usable session id")
    plan_bytes = len(meta["template_source"].encode("utf-8", "surrogatepass"))
    if plan_bytes > TEMPLATE_MAX_BYTES:
        raise RecordError(
            f"{path}: the session plan inside the record cannot be used: it is too big "
            f"({plan_bytes:,} bytes; at most {TEMPLATE_MAX_BYTES // (1024 * 1024)} MB, as for a template file)."
        )
    try:
        template = parse_template(meta["template_source"], "<the record's session plan>")
    except TemplateError as error:
        raise RecordError(f"{path}: the session plan inside the record cannot be used: {error.message}") from None
    meta = _checked_meta(meta, template, fail)

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

    def record_id(row: dict[str, Any], key: str, where: str, seen: set[str]) -> str:
        value = text(row, key, where)
        if not _RECORD_ID.fullmatch(value):
            raise fail(where, f"has an \"{key}\" that is not a usable id")
        if value in seen:
            raise fail(where, f"has the same \"{key}\" as an earlier one")
        seen.add(value)
        return value

    def activity(row: dict[str, Any], where: str) -> str:
        value = text(row, "activity_id", where)
        if value not in activity_ids:
            raise fail(where, f"names an activity {value[:40]!r} that is not in the session plan")
        return value

    def checked_answer(row: dict[str, Any], where: str) -> int | str:
        value = answer(row.get("value"), where)
        try:
            return check_answer(template, row["activity_id"], row["item"], value)
        except InvalidInput as error:
            raise fail(where, f"has an answer that does not fit its activity: {str(error).rstrip('.')}") from None

    def checked_role(value: Any, where: str) -> str | None:
        value = role(value, where)
        if value is not None and Role.parse(value) is None:
            raise fail(where, f"has an unknown role {value[:40]!r}")
        return value

    activity_ids = {a.id for a in template.activities}
    seen_people: set[str] = set()
    participants = []
    for i, row in enumerate(rows("participants")):
        where = f"participant {i + 1}"
        participants.append(
            {
                "id": record_id(row, "id", where, seen_people),
                "name": clean_line(text(row, "name", where, required=False), NAME_MAX),
                "role": checked_role(row.get("role"), where),
                "joined_at": text(row, "joined_at", where, required=False),
            }
        )
    votes = []
    answered: set[tuple[str, str, str]] = set()
    for i, row in enumerate(rows("votes")):
        where = f"vote {i + 1}"
        vote: dict[str, Any] = {
            "activity_id": activity(row, where),
            "item": text(row, "item", where),
            "participant_id": text(row, "participant_id", where),
        }
        if vote["participant_id"] not in seen_people:
            raise fail(where, "is from a participant the record does not have")
        answer_key = (vote["activity_id"], vote["item"], vote["participant_id"])
        if answer_key in answered:
            raise fail(where, "answers a question its participant already answered")
        answered.add(answer_key)
        vote["value"] = checked_answer({**row, **vote}, where)
        vote["updated_at"] = text(row, "updated_at", where, required=False)
        votes.append(vote)
    tallies = []
    counted: set[tuple[str, str, Any, str]] = set()
    for i, row in enumerate(rows("tallies")):
        where = f"hand count {i + 1}"
        count = row.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= COUNT_MAX:
            raise fail(where, f"has a count that is not a whole number from 0 to {COUNT_MAX:,}")
        tally: dict[str, Any] = {"activity_id": activity(row, where), "item": text(row, "item", where)}
        tally["value"] = checked_answer({**row, **tally}, where)
        tally["count"] = count
        tally["role"] = checked_role(row.get("role"), where)
        count_key = (tally["activity_id"], tally["item"], tally["value"], tally["role"] or "")
        if count_key in counted:
            raise fail(where, "counts the same answer as an earlier hand count")
        counted.add(count_key)
        if count:
            tallies.append(tally)
    comments = []
    seen_comments: set[str] = set()
    for i, row in enumerate(rows("comments")):
        where = f"comment {i + 1}"
        state = row.get("state", "pending")
        if not isinstance(state, str) or state not in {s.value for s in CommentState}:
            raise fail(where, f"has an unknown state {str(state)[:40]!r}")
        comment_id = row.get("id")
        if isinstance(comment_id, bool) or not isinstance(comment_id, (int, str)) or not _RECORD_ID.fullmatch(str(comment_id)):
            raise fail(where, "has no usable id")
        if str(comment_id) in seen_comments:
            raise fail(where, "has the same \"id\" as an earlier one")
        seen_comments.add(str(comment_id))
        author_id = text(row, "participant_id", where, required=False)
        if author_id and author_id not in seen_people:
            raise fail(where, "is from a participant the record does not have")
        from_facilitator = row.get("from_facilitator", False)
        if not isinstance(from_facilitator, bool):
            raise fail(where, "has a \"from_facilitator\" that is not true or false")
        follow_up = row.get("follow_up", False)
        if not isinstance(follow_up, bool):
            raise fail(where, "has a \"follow_up\" that is not true or false")
        flags = row.get("flags", [])
        if not isinstance(flags, list) or not all(isinstance(flag, str) and flag in RISK_REASONS for flag in flags):
            raise fail(where, "has \"flags\" that are not a list of the risk reasons Involve gives")
        comments.append(
            {
                "id": str(comment_id),
                "activity_id": activity(row, where),
                "item": clean_line(text(row, "item", where, required=False), 40),
                "text": clean_text(text(row, "text", where), COMMENT_MAX),
                "state": state,
                "author": clean_line(text(row, "author", where, required=False), NAME_MAX),
                "participant_id": author_id,
                "created_at": text(row, "created_at", where, required=False),
                "from_facilitator": from_facilitator,
                "flags": list(dict.fromkeys(flags)),
                "follow_up": follow_up,
            }
        )
    targets = []
    seen_targets: set[str] = set()
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
                "id": record_id(row, "id", where, seen_targets),
                "activity_id": activity(row, where),
                "text": clean_text(text(row, "text", where), TEXT_MAX),
                "owner": clean_line(text(row, "owner", where, required=False), TITLE_MAX),
                "review_date": review,
                "created_at": text(row, "created_at", where, required=False),
            }
        )
    outcome_rows = rows("outcomes")
    if outcome_rows and not meta["baseline_id"]:
        raise fail("\"session.outcomes\"", "record how earlier targets went, but the session reviews no earlier session")
    outcomes = []
    seen_outcomes: set[str] = set()
    for i, row in enumerate(outcome_rows):
        where = f"outcome {i + 1}"
        value = row.get("outcome")
        if not isinstance(value, str) or value not in {o.value for o in Outcome}:
            raise fail(where, f"has an unknown \"outcome\" {str(value)[:40]!r} (expected done, partly or not_yet)")
        outcomes.append(
            {
                "target_id": record_id(row, "target_id", where, seen_outcomes),
                "target_text": clean_text(text(row, "target_text", where, required=False), TEXT_MAX),
                "outcome": value,
                "what_happened": clean_text(text(row, "what_happened", where, required=False), TEXT_MAX),
                "working_together": clean_text(text(row, "working_together", where, required=False), TEXT_MAX),
                "updated_at": text(row, "updated_at", where, required=False),
            }
        )
    return {
        "meta": meta,
        "participants": participants,
        "votes": votes,
        "tallies": tallies,
        "comments": comments,
        "targets": targets,
        "outcomes": outcomes,
    }
