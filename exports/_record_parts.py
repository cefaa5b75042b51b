"""Parts of the record that the then-and-now comparison shows too: dates, stage marks, targets.

Both the record (`_record.py`) and the comparison (`_compare.py`) import them from
here, so neither imports the other's module for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sessions import SpectrumActivity, Target

__all__ = ["MONTHS", "StageMark", "TargetRecord", "date_label", "stage_marks", "target_records"]

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True)
class StageMark:
    name: str
    position: float


@dataclass(frozen=True)
class TargetRecord:
    text: str
    owner: str
    review_date: str
    review_date_label: str


def date_label(value: str | date | None) -> str:
    """'2 March 2026', written out so no reader mixes up day and month."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def stage_marks(activity: SpectrumActivity) -> tuple[StageMark, ...]:
    """Where each stage sits on the line of positions."""
    stages = activity.stages
    if len(stages) == 1 or activity.positions <= 1:
        return tuple(StageMark(stage.name, 1.0) for stage in stages[:1])
    step = (activity.positions - 1) / (len(stages) - 1)
    return tuple(StageMark(stage.name, 1 + index * step) for index, stage in enumerate(stages))


def target_records(targets: Iterable[Target]) -> tuple[TargetRecord, ...]:
    """The targets in the order they were agreed."""
    ordered = sorted(targets, key=lambda target: (target.created_at, target.id))
    return tuple(_target(target) for target in ordered)


def _target(target: Target) -> TargetRecord:
    review = target.review_date.isoformat() if target.review_date else ""
    return TargetRecord(target.text, target.owner, review, date_label(review))
