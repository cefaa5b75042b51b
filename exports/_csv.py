"""The record as four tidy tables for a spreadsheet: the summary, answers, comments, targets (with how earlier ones went).

One row per figure or count, in long form, so a pivot table can slice it any way.
UTF-8 with a byte order mark and CRLF line ends so Excel opens it cleanly;
any cell a spreadsheet could read as a formula is prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence

from sessions import numbers

from ._record import (
    ActivityRecord,
    Count,
    GridRecord,
    IndicatorsRecord,
    Record,
    Results,
    SpectrumRecord,
    TargetReview,
)
from ._summary import SessionSummary

EVERYONE = "Everyone"
WITHHELD = "withheld"
"""The source of a row that gives a held-back role group's reason instead of its counts."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

ANSWER_COLUMNS = (
    "activity_id",
    "activity_title",
    "question_id",
    "question",
    "group",
    "value",
    "value_label",
    "count",
    "source",
)
COMMENT_COLUMNS = ("activity_id", "activity_title", "about", "state", "author", "text")
TARGET_COLUMNS = ("number", "target", "who", "review_date", "agreed_in", "outcome", "what_happened", "working_together")
THIS_SESSION = "this session"
EARLIER_SESSION = "the earlier session"
SUMMARY_COLUMNS = ("section", "activity", "item", "measure", "value", "text")


LOOK_ALIKES = {"\u2212": "-", "\u2796": "-", "\u2795": "+"}
"""The minus sign and the heavy signs, which NFKC leaves as they are, read as the sign they look like."""


def _starts_a_formula(value: str) -> bool:
    """Could a spreadsheet read this cell as a formula, however the sign at its start is written?

    A spreadsheet may take a full-width or small form (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫) for the
    ASCII sign, and may skip leading spaces, so the cell is judged as NFKC folds
    its first character after any spaces; a tab, CR or LF at the very start counts too.
    """
    if value.startswith(("\t", "\r", "\n")):
        return True
    head = unicodedata.normalize("NFKC", value.lstrip()[:1])[:1]
    return bool(head) and LOOK_ALIKES.get(head, head) in FORMULA_STARTS


def neutralise(value: object) -> object:
    """Keep a cell as text: a leading = + - @ (or tab, CR, or a look-alike of one) would make it a formula."""
    if isinstance(value, str) and _starts_a_formula(value):
        return "'" + value
    return value


def _table(columns: tuple[str, ...], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _questions(results: Results) -> list[tuple[str, str, tuple[Count, ...]]]:
    """(question id, question, counts) for each question an activity asked."""
    if isinstance(results, SpectrumRecord):
        return [("place", "Position on the spectrum", results.placement.counts)]
    if isinstance(results, GridRecord):
        rows = []
        for area in results.areas:
            rows.append((f"{area.id}:now", f"{area.name} (now)", area.now.counts))
            rows.append((f"{area.id}:target", f"{area.name} (target)", area.target.counts))
        return rows
    if isinstance(results, IndicatorsRecord):
        return [(statement.id, statement.name, statement.counts) for statement in results.statements]
    return []


def _answer_rows(activity: ActivityRecord) -> list[tuple[object, ...]]:
    if activity.results is None:
        return []
    rows: list[tuple[object, ...]] = []
    head = (activity.id, activity.title)
    # With phone answers held back the room's counts are hands alone, and one row says how many phones are left out and why.
    together = "tally" if activity.phones_held else "device+tally"
    for question_id, question, counts in _questions(activity.results):
        for count in counts:
            if count.device is None:
                # Phones and hands apart would single someone out: only the sum is given.
                rows.append((*head, question_id, question, EVERYONE, count.value, count.label, count.count, together))
                continue
            rows.append((*head, question_id, question, EVERYONE, count.value, count.label, count.device, "device"))
            rows.append((*head, question_id, question, EVERYONE, count.value, count.label, count.by_hand or 0, "tally"))
    if activity.phones_held:
        rows.append((*head, "", "", EVERYONE, "", activity.held_note, activity.phones_held, WITHHELD))
    for group in activity.groups:
        if group.held_back:
            # No counts, only why: the words the screen and every other record use.
            rows.append((*head, "", "", group.label, "", group.note, "", WITHHELD))
            continue
        if group.results is None:
            continue
        for question_id, question, counts in _questions(group.results):
            for count in counts:
                rows.append((*head, question_id, question, group.label, count.value, count.label, count.count, "device+tally"))
    return rows


def _figure(value: float | int | None) -> object:
    """A figure for a spreadsheet to compute with: a number, or an empty cell when there is none."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _summary_rows(summary: SessionSummary) -> list[tuple[object, ...]]:
    """The summary the record opens with, one figure a row: its value to compute with, and its words."""
    rows: list[tuple[object, ...]] = [
        ("session", "", "title", "", "", summary.title),
        ("session", "", "date", "", summary.date, summary.date_label),
        ("session", "", "facilitator", "", "", summary.facilitator),
    ]
    attendance = summary.attendance
    for group in attendance.groups:
        for measure, value in (("on a phone", group.on_phones), ("without a phone", group.without_phones), ("together", group.total)):
            rows.append(("who was there", "", group.label, measure, value, numbers.count(value)))
    for measure, value in (("on a phone", attendance.on_phones), ("without a phone", attendance.without_phones), ("together", attendance.total)):
        rows.append(("who was there", "", "Everyone", measure, value, numbers.count(value)))
    if attendance.head_count is not None:
        rows.append(("who was there", "", "Everyone", "head count", attendance.head_count, numbers.count(attendance.head_count)))
    if attendance.largest_hand_count:
        rows.append(("who was there", "", "Everyone", "largest show of hands", attendance.largest_hand_count, numbers.people(attendance.largest_hand_count)))
    presence = attendance.presence
    rows.append(("presence check", "", "Service users or carers", "there", presence.lived, numbers.count(presence.lived)))
    rows.append(("presence check", "", "Service users or carers", "verdict", presence.level, presence.verdict))
    rows.append(("presence check", "", "", "standard", "", presence.standard))
    for placement in summary.spectrum:
        rows.append(("spectrum", placement.title, EVERYONE, "median position", _figure(placement.median), placement.text))
        for shown in placement.groups:
            rows.append(("spectrum", placement.title, shown.label, "median position", _figure(shown.median), shown.text))
    for grid in summary.grid:
        for area in grid.areas:
            rows.append(("grid", grid.title, area.name, "median now", _figure(area.now), area.now_text))
            rows.append(("grid", grid.title, area.name, "median target", _figure(area.target), area.target_text))
            rows.append(("grid", grid.title, area.name, "gap", _figure(area.gap), area.gap_text))
    for glance in summary.indicators:
        for statement in glance.statements:
            rows.append(("indicators", glance.title, statement.name, "met", statement.met, statement.met_text))
            rows.append(("indicators", glance.title, statement.name, "partly met", statement.partly, statement.partly_text))
            rows.append(("indicators", glance.title, statement.name, "not met", statement.not_met, statement.not_met_text))
    for line in summary.held_back:
        rows.append(("held back", "", EVERYONE, "phone answers not shown", "", line))
    for index, target in enumerate(summary.targets, start=1):
        rows.append(("target", "", index, "target", "", target.text))
        rows.append(("target", "", index, "who", "", target.owner))
        rows.append(("target", "", index, "review date", target.review_date, target.review_date_label))
    review = summary.review
    if review is not None:
        rows.append(("since", "", review.earlier_title, "earlier session", review.earlier_date, review.text))
        for moved in review.activities:
            for change in moved.changes:
                rows.append(("since", moved.title, change.measure, "change", change.word, change.text))
        for reason in review.not_compared:
            rows.append(("since", "", "", "not compared", "", reason))
        for line in review.held_back:
            rows.append(("since", "", "", "phone answers not shown", "", line))
    earlier = summary.earlier_targets
    if earlier is not None:
        rows.append(("earlier target", "", "", "reviewed", earlier.reviewed, earlier.text))
        for index, reviewed in enumerate(earlier.reviews, start=1):
            target = reviewed.target
            rows.append(("earlier target", "", index, "target", "", target.text))
            rows.append(("earlier target", "", index, "who", "", target.owner))
            rows.append(("earlier target", "", index, "review date", target.review_date, target.review_date_label))
            rows.append(("earlier target", "", index, "outcome", reviewed.outcome, reviewed.outcome_label))
            rows.append(("earlier target", "", index, "what happened", "", reviewed.what_happened))
            rows.append(("earlier target", "", index, "how working together went", "", reviewed.working_together))
    return rows


def render_csv(record: Record) -> dict[str, bytes]:
    """The four tables, keyed by the part of the file name that tells them apart."""
    answers = [row for activity in record.activities for row in _answer_rows(activity)]
    comments = [
        (activity.id, activity.title, comment.about, comment.state, comment.signature, comment.text)
        for activity in record.activities
        for comment in activity.comments
    ]
    targets = [
        (index, target.text, target.owner, target.review_date, THIS_SESSION, "", "", "")
        for index, target in enumerate(record.targets, start=1)
    ]
    # A review session's earlier targets follow, each with how it went.
    targets += [
        (index, review.target.text, review.target.owner, review.target.review_date, EARLIER_SESSION, *_outcome(review))
        for index, review in enumerate(record.target_reviews, start=1)
    ]
    return {
        "summary": _table(SUMMARY_COLUMNS, _summary_rows(record.summary)),
        "answers": _table(ANSWER_COLUMNS, answers),
        "comments": _table(COMMENT_COLUMNS, comments),
        "targets": _table(TARGET_COLUMNS, targets),
    }


def _outcome(review: TargetReview) -> tuple[str, str, str]:
    return review.outcome, review.what_happened, review.working_together
