"""Parts of the record that the then-and-now comparison shows too: stage marks, targets and how they went.

Both the record (`_record.py`) and the comparison (`_compare.py`) import them from
here, so neither imports the other's module for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sessions import SpectrumActivity, Target, TargetOutcome, numbers

__all__ = ["NOT_REVIEWED", "StageMark", "TargetRecord", "TargetReview", "stage_marks", "target_records", "target_reviews"]

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


def stage_marks(activity: SpectrumActivity) -> tuple[StageMark, ...]:
    """Where each stage sits on the line of positions."""
    stages = activity.stages
    if len(stages) == 1 or activity.positions <= 1:
        return tuple(StageMark(stage.name, 1.0) for stage in stages[:1])
    step = (activity.positions - 1) / (len(stages) - 1)
    return tuple(StageMark(stage.name, 1 + index * step) for index, stage in enumerate(stages))


def target_records(targets: Iterable[Target]) -> tuple[TargetRecord, ...]:
    """The targets in the order they were agreed (ties in the order they were stored, never by random id)."""
    ordered = sorted(targets, key=lambda target: target.created_at)
    return tuple(_target(target) for target in ordered)


def _target(target: Target) -> TargetRecord:
    review = target.review_date.isoformat() if target.review_date else ""
    return TargetRecord(target.text, target.owner, review, numbers.date_label(review))


NOT_REVIEWED = "Not reviewed yet"


@dataclass(frozen=True)
class TargetReview:
    """One target agreed at the earlier session and how it went (Getting there, step 4)."""

    target: TargetRecord
    outcome: str
    """'done', 'partly', 'not_yet', or '' while nobody has recorded how it went."""
    outcome_label: str
    what_happened: str
    working_together: str

    @property
    def reviewed(self) -> bool:
        return bool(self.outcome)


def target_reviews(earlier: Iterable[Target] | None, outcomes: Mapping[str, TargetOutcome]) -> tuple[TargetReview, ...]:
    """The earlier targets in the order they were agreed, each with its outcome.

    Outcomes whose target is not among `earlier` (the earlier session was
    not at hand, or was deleted) follow, read from the words kept with them,
    so a review's record never loses what it reviewed.
    """
    reviews = []
    seen = set()
    for target in sorted(earlier or (), key=lambda t: t.created_at):
        seen.add(target.id)
        reviews.append(_review(_target(target), outcomes.get(target.id)))
    for outcome in sorted(outcomes.values(), key=lambda o: (o.updated_at, o.target_id)):
        if outcome.target_id not in seen:
            reviews.append(_review(TargetRecord(outcome.target_text, "", "", ""), outcome))
    return tuple(reviews)


def _review(target: TargetRecord, outcome: TargetOutcome | None) -> TargetReview:
    if outcome is None:
        return TargetReview(target, "", NOT_REVIEWED, "", "")
    return TargetReview(target, outcome.outcome.value, outcome.outcome.label, outcome.what_happened, outcome.working_together)
