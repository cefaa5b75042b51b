"""Session records as database documents, and the checks a value passes to become one.

Everything here is plain data in, plain data out: the live session calls it
on every write, the catalogue on every import.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ._model import (
    SPECTRUM_ITEM,
    Answer,
    Comment,
    CommentState,
    GridActivity,
    IndicatorsActivity,
    Outcome,
    SpectrumActivity,
    Target,
    TargetOutcome,
    Template,
    split_grid_item,
)

__all__ = [
    "InvalidInput",
    "check_answer",
    "outcome_from_doc",
    "outcome_to_doc",
    "parse_outcome",
    "comment_from_doc",
    "comment_to_doc",
    "parse_date",
    "target_from_doc",
    "target_to_doc",
    "whole_number",
]


class InvalidInput(ValueError):
    """A vote or edit that does not fit the activity; the message is safe to show.

    `field` names the value at fault when there is one ("text", "review_date"),
    so a form can put the cursor back where the fix belongs."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field



def check_answer(template: Template, activity_id: str, item: str, value: Any) -> int | str:
    """Validate an answer against the template; return it in canonical form."""
    try:
        activity = template.activity(activity_id)
    except KeyError:
        raise InvalidInput("That activity is not part of this session.") from None
    if isinstance(activity, SpectrumActivity):
        if item != SPECTRUM_ITEM:
            raise InvalidInput("That question is not part of this activity.")
        return whole_number(value, 1, activity.positions)
    if isinstance(activity, GridActivity):
        area_id, when = split_grid_item(item)
        if when not in ("now", "target") or area_id not in {area.id for area in activity.areas}:
            raise InvalidInput("That area is not part of this grid.")
        return whole_number(value, 1, len(activity.levels))
    if isinstance(activity, IndicatorsActivity):
        if item not in {statement.id for statement in activity.statements}:
            raise InvalidInput("That statement is not part of this activity.")
        try:
            return Answer(str(value)).value
        except ValueError:
            raise InvalidInput("Choose met, partly met or not met.") from None
    raise InvalidInput("This activity takes comments, not votes.")


def whole_number(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"Choose a number from {low} to {high}.")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"Choose a number from {low} to {high}.") from None
    if not low <= number <= high:
        raise InvalidInput(f"Choose a number from {low} to {high}.")
    return number


_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""Only the form the form asks for; Python would also take week dates and 20270331."""


def parse_date(value: date | str | None) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _DATE_SHAPE.fullmatch(text):
        raise InvalidInput("Give the review date as YYYY-MM-DD, for example 2027-03-31.", field="review_date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"There is no {text} in the calendar: check the month and the day.", field="review_date") from None


def comment_to_doc(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "activity_id": comment.activity_id,
        "item": comment.item,
        "text": comment.text,
        "state": comment.state.value,
        "author": comment.author,
        "participant_id": comment.participant_id,
        "created_at": comment.created_at,
        "from_facilitator": comment.from_facilitator,
        "flags": list(comment.flags),
        "follow_up": comment.follow_up,
    }


def comment_from_doc(doc: dict[str, Any]) -> Comment:
    return Comment(
        id=str(doc["id"]),
        activity_id=doc["activity_id"],
        text=doc["text"],
        item=doc.get("item", ""),
        state=CommentState(doc.get("state", "pending")),
        author=doc.get("author", ""),
        participant_id=doc.get("participant_id", ""),
        created_at=doc.get("created_at", ""),
        from_facilitator=bool(doc.get("from_facilitator", False)),
        flags=tuple(str(flag) for flag in doc.get("flags", ()) if isinstance(flag, str)),
        follow_up=bool(doc.get("follow_up", False)),
    )


def target_to_doc(target: Target) -> dict[str, Any]:
    return {
        "id": target.id,
        "activity_id": target.activity_id,
        "text": target.text,
        "owner": target.owner,
        "review_date": target.review_date.isoformat() if target.review_date else None,
        "created_at": target.created_at,
    }


def target_from_doc(doc: dict[str, Any]) -> Target:
    review = doc.get("review_date")
    return Target(
        id=doc["id"],
        activity_id=doc["activity_id"],
        text=doc["text"],
        owner=doc.get("owner", ""),
        review_date=date.fromisoformat(review) if review else None,
        created_at=doc.get("created_at", ""),
    )


def parse_outcome(value: Outcome | str | None) -> Outcome:
    """Done, partly or not yet; anything else is refused in words the form can show."""
    if isinstance(value, Outcome):
        return value
    try:
        return Outcome(str(value or "").strip())
    except ValueError:
        raise InvalidInput("Choose how it went: done, partly or not yet.", field="outcome") from None


def outcome_to_doc(outcome: TargetOutcome) -> dict[str, Any]:
    return {
        "target_id": outcome.target_id,
        "target_text": outcome.target_text,
        "outcome": outcome.outcome.value,
        "what_happened": outcome.what_happened,
        "working_together": outcome.working_together,
        "updated_at": outcome.updated_at,
    }


def outcome_from_doc(doc: dict[str, Any]) -> TargetOutcome:
    return TargetOutcome(
        target_id=str(doc["target_id"]),
        target_text=doc.get("target_text", ""),
        outcome=Outcome(doc["outcome"]),
        what_happened=doc.get("what_happened", ""),
        working_together=doc.get("working_together", ""),
        updated_at=doc.get("updated_at", ""),
    )
