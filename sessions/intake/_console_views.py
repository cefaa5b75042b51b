"""What the facilitator's console pages show, as plain values for their templates.

The console is private, but it follows the same disclosure rules as every
other surface: hand counts are the facilitator's own figures, and no phone
answers are shown broken down by role or by option before the room sees them.
"""

from __future__ import annotations

from typing import Any

from .. import _numbers as numbers
from .._live import LiveSession
from .._model import (
    SPECTRUM_ITEM,
    Answer,
    Comment,
    CommentState,
    GridActivity,
    IndicatorsActivity,
    Outcome,
    Role,
    RoleGroup,
    SpectrumActivity,
    Target,
    grid_item,
    topic_of,
)
from .._risk import SAFEGUARDING_REMINDER

__all__ = [
    "COMMENT_LISTS",
    "COMMENT_PAGE",
    "HAND_GROUPS",
    "comment_counts",
    "comment_list",
    "comment_view",
    "countable_cells",
    "drive_view",
    "group_of",
    "lobby_view",
    "review_view",
]

COMMENT_PAGE = 50
"""Comments listed on one console page; the rest move up as these are dealt with."""

COMMENT_LISTS: dict[str, tuple[str, tuple[CommentState, ...]]] = {
    "waiting": ("Waiting", (CommentState.PENDING,)),
    "wall": ("On the wall", (CommentState.APPROVED, CommentState.PINNED)),
    "hidden": ("Hidden", (CommentState.HIDDEN,)),
}

STATE_WORDS = {
    CommentState.PENDING: "Waiting for you",
    CommentState.APPROVED: "On the wall",
    CommentState.PINNED: "★ Pinned on the wall",
    CommentState.HIDDEN: "Hidden",
}

HAND_GROUPS: tuple[tuple[str, Role | None, str], ...] = (
    ("everyone", None, "Everyone"),
    ("service_user", Role.SERVICE_USER, "Service users"),
    ("carer", Role.CARER, "Carers"),
    ("staff", Role.STAFF, "Staff"),
    ("other", Role.OTHER, "Other"),
)
"""The groups hands are counted for: the same tallies the keyboard records, in the same order."""

WHEN_WORDS = {"now": "now", "target": "where we want to be"}


def group_of(key: str) -> tuple[str, Role | None, str]:
    """The hand-count group named in a request; everyone when the name is unknown."""
    for group in HAND_GROUPS:
        if group[0] == key:
            return group
    return HAND_GROUPS[0]


def _activity_number(session: LiveSession, activity_id: str) -> int:
    for number, activity in enumerate(session.template.activities, start=1):
        if activity.id == activity_id:
            return number
    return 0


def comment_view(session: LiveSession, comment: Comment, reminder: str = "") -> dict[str, Any]:
    """One comment as the console lists it: all of its text, where it belongs and who sent it."""
    try:
        activity = session.template.activity(comment.activity_id)
    except KeyError:
        activity = None
    number = _activity_number(session, comment.activity_id)
    where = f"{number}. {activity.title}" if activity else comment.activity_id
    return {
        "id": comment.id,
        "text": comment.text,
        "state": comment.state.value,
        "state_words": STATE_WORDS[comment.state],
        "activity": where,
        "topic": topic_of(activity, comment.item) if activity else "",
        "who": "Facilitator" if comment.from_facilitator else (comment.author or "Anonymous"),
        "flags": ", ".join(comment.flags),
        "reminder": (reminder or SAFEGUARDING_REMINDER) if comment.flags else "",
        "follow_up": comment.follow_up,
        "pinned": comment.state is CommentState.PINNED,
    }


def comment_counts(session: LiveSession) -> dict[str, int]:
    counts = {name: 0 for name in COMMENT_LISTS}
    for comment in session.comments.values():
        for name, (_, states) in COMMENT_LISTS.items():
            if comment.state in states:
                counts[name] += 1
    return counts


def comment_list(session: LiveSession, name: str, limit: int = COMMENT_PAGE) -> tuple[list[Comment], int]:
    """The comments of one list (capped) and how many it holds.

    Waiting: possible disclosures (⚑) first, then oldest first, as on the
    moderation screen. The wall: as the room sees it. Hidden: newest first.
    """
    if name == "wall":
        return session.wall(None, limit), session.wall_count(None)
    state = CommentState.HIDDEN if name == "hidden" else CommentState.PENDING
    ordered = list(session.comments.values())
    if name == "hidden":
        ordered.reverse()
    matching = [c for c in ordered if c.state is state]
    if name == "waiting":
        matching = [c for c in matching if c.flags] + [c for c in matching if not c.flags]
    return matching[:limit], len(matching)


def drive_view(session: LiveSession) -> dict[str, Any]:
    """Where the room is, and every place it can go."""
    activities = session.template.activities
    current = session.current_activity
    results = session.results(current.id) if current.votable else None
    forced = bool(session.template.show_results or getattr(current, "show_results", False))
    minutes = current.minutes or 0
    elapsed = int(session.timer_elapsed(current.id)) if minutes else 0
    return {
        "index": session.current_index,
        "number": session.current_index + 1,
        "total": len(activities),
        "title": current.title,
        "prompt": current.prompt,
        "votable": current.votable,
        "revealed": forced or session.is_revealed(current.id),
        "forced": forced,
        "open": session.intake_open,
        "curtain": session.curtain,
        "split": bool(current.votable and session.is_split(current.id)),
        "split_warning": session.split_refusal(results) if results else "",
        "minutes": minutes,
        "timer_running": bool(minutes and session.timer_running(current.id)),
        "timer_text": f"{elapsed // 60}:{elapsed % 60:02d} of {minutes} {'minute' if minutes == 1 else 'minutes'}" if minutes else "",
        "respondents": results.respondents if results else 0,
        "tallied": results.tallied if results else 0,
        "held_note": results.held_note if results else "",
        "first": session.current_index == 0,
        "last": session.current_index >= len(activities) - 1,
        "agenda": [
            {"index": n, "number": n + 1, "title": a.title, "current": n == session.current_index}
            for n, a in enumerate(activities)
        ],
    }


def countable_cells(session: LiveSession, role: Role | None) -> list[dict[str, Any]]:
    """The current activity's options or grid cells, grouped as the keyboard walks them,
    each with the hands counted so far for `role` (None: everyone)."""
    activity = session.current_activity
    groups: list[dict[str, Any]] = []
    serial = 0

    def cell(item: str, value: int | str, label: str) -> dict[str, Any]:
        nonlocal serial
        serial += 1
        return {
            "anchor": f"cell-{serial}",
            "item": item,
            "value": value,
            "label": label,
            "count": session.tally_count(activity.id, item, value, role),
        }

    if isinstance(activity, SpectrumActivity):
        groups.append({
            "heading": "Positions on the line",
            "cells": [cell(SPECTRUM_ITEM, n, f"{n} – {activity.position_label(n)}") for n in range(1, activity.positions + 1)],
        })
    elif isinstance(activity, GridActivity):
        for area in activity.areas:
            for when in ("now", "target"):
                groups.append({
                    "heading": f"{area.name}: {WHEN_WORDS[when]}",
                    "cells": [cell(grid_item(area.id, when), level.number, f"{level.number} {level.name}") for level in activity.levels],
                })
    elif isinstance(activity, IndicatorsActivity):
        for statement in activity.statements:
            groups.append({
                "heading": statement.name,
                "cells": [cell(statement.id, answer.value, answer.label) for answer in Answer],
            })
    return groups


def lobby_view(session: LiveSession) -> dict[str, Any]:
    """Who is in: phones joined, and the people without phones the facilitator counted."""
    without = session.present_without_phones
    return {
        "joined": len(session.participants),
        "joining_open": session.joining_open,
        "groups": [{"key": group.value, "label": group.label, "count": without[group]} for group in RoleGroup],
        "without_total": sum(without.values()),
    }


OUTCOME_CHOICES = tuple((outcome.value, outcome.label) for outcome in Outcome)


def review_view(session: LiveSession, targets: tuple[Target, ...], problem: tuple[str, str, dict[str, str]] | None = None) -> dict[str, Any]:
    """The earlier session's targets, each with the outcome recorded so far, for the console's review form.

    `problem` is (target id, what was wrong, what was typed): that target's
    form comes back with the words typed still in it.
    """
    rows = []
    for number, target in enumerate(targets, start=1):
        recorded = session.outcomes.get(target.id)
        typed = problem[2] if problem and problem[0] == target.id else {}
        rows.append(
            {
                "number": number,
                "id": target.id,
                "text": target.text,
                "owner": target.owner,
                "review_date": numbers.date_label(target.review_date),
                "review_date_iso": target.review_date.isoformat() if target.review_date else "",
                "outcome": typed.get("outcome", recorded.outcome.value if recorded else ""),
                "outcome_label": recorded.outcome.label if recorded else "Not reviewed yet",
                "what_happened": typed.get("what_happened", recorded.what_happened if recorded else ""),
                "working_together": typed.get("working_together", recorded.working_together if recorded else ""),
                "error": problem[1] if problem and problem[0] == target.id else "",
            }
        )
    return {
        "reviews": bool(session.baseline_id),
        "targets": rows,
        "reviewed": sum(1 for target in targets if target.id in session.outcomes),
        "choices": OUTCOME_CHOICES,
    }
