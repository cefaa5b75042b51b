"""Reviewing progress (Getting there, step 4): how each earlier target went, kept with the review session."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from exports import FORMATS, RecordError, compare_sessions, export_session, import_record, render_comparison
from sessions import InvalidInput, Outcome, SessionStore, TemplateLibrary, earlier_targets

BASELINE_DAY = "2026-03-02T10:00:00+00:00"
REVIEW_DAY = "2026-09-01T10:00:00+00:00"


def _create(root: Path, clock: str, session_id: str, **kwargs):
    template = TemplateLibrary().find("where-are-we")
    store = SessionStore(root, clock=lambda: clock)
    return store.create(template, template.path.read_text(encoding="utf-8"), title=f"Ward 7 {session_id}", session_id=session_id, **kwargs)


@pytest.fixture
def pair(tmp_path: Path):
    root = tmp_path / "sessions"
    baseline = _create(root, BASELINE_DAY, "baseline")
    first = baseline.add_target("targets", "Service users co-chair the team meeting.", owner="Ward manager", review_date="2026-09-01")
    second = baseline.add_target("targets", "Carers see the care plan before it is signed.")
    baseline.sync()  # the review reads the earlier session from disk: let its writer finish first
    review = _create(root, REVIEW_DAY, "review", baseline_id="baseline")
    yield root, baseline, review, (first, second)
    baseline.close()
    review.close()


# -- the model ------------------------------------------------------------------------


def test_an_outcome_is_recorded_changed_and_cleared(pair) -> None:
    _, _, review, (first, second) = pair
    recorded = review.record_outcome(first, "partly", "Co-chaired twice out of six.", "Good once the agenda came out a week ahead.")
    assert recorded.outcome is Outcome.PARTLY and recorded.outcome.label == "Partly done"
    assert recorded.target_text == first.text, "the target's words are kept with the outcome"
    assert recorded.updated_at == REVIEW_DAY
    changed = review.record_outcome(first, Outcome.DONE, "Every meeting since June.")
    assert review.outcomes == {first.id: changed}
    assert changed.working_together == "", "changing an outcome replaces all of it"
    review.record_outcome(second, "not_yet")
    review.clear_outcome(second.id)
    assert set(review.outcomes) == {first.id}


def test_free_text_is_cleaned_as_all_untrusted_text_is(pair) -> None:
    _, _, review, (first, _) = pair
    recorded = review.record_outcome(first, "done", "bell\x07 and escape\x1b[2J here\u202e", "  fine  ")
    assert recorded.what_happened == "bell and escape[2J here"
    assert recorded.working_together == "fine"
    long = review.record_outcome(first, "done", "x" * 5000)
    assert len(long.what_happened) == 2000


@pytest.mark.parametrize("value", ["finished", "", None, "DONE ", 3])
def test_an_unknown_outcome_is_refused_in_words_the_form_can_show(pair, value) -> None:
    _, _, review, (first, _) = pair
    with pytest.raises(InvalidInput, match="done, partly or not yet") as caught:
        review.record_outcome(first, value)
    assert caught.value.field == "outcome"
    assert review.outcomes == {}


def test_only_a_review_session_records_outcomes_and_only_for_earlier_targets(pair) -> None:
    _, baseline, review, (first, _) = pair
    with pytest.raises(InvalidInput, match="not started as a review"):
        baseline.record_outcome(first, "done")
    own = review.add_target("targets", "A new target for next time.")
    with pytest.raises(InvalidInput, match="agreed in this session"):
        review.record_outcome(own, "done")


def test_outcomes_survive_closing_and_reopening(tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    baseline = _create(root, BASELINE_DAY, "baseline")
    first = baseline.add_target("targets", "Service users co-chair the team meeting.")
    second = baseline.add_target("targets", "Carers see the care plan before it is signed.")
    baseline.close()
    review = _create(root, REVIEW_DAY, "review", baseline_id="baseline")
    review.record_outcome(first, "done", "Every meeting since June.", "Slow to start, then easy.")
    review.record_outcome(second, "not_yet")
    review.record_outcome(second, "partly", "Half the plans.")
    expected = dict(review.outcomes)
    review.close()
    again = SessionStore(root).open("review")
    try:
        assert again.outcomes == expected
        assert again.outcomes[second.id].what_happened == "Half the plans."
    finally:
        again.close()


def test_snapshot_and_restore_keep_outcomes(pair, tmp_path: Path) -> None:
    _, _, review, (first, _) = pair
    review.record_outcome(first, "partly", "Twice.", "Well.")
    snapshot = review.snapshot()
    assert snapshot["outcomes"] == [
        {
            "target_id": first.id,
            "target_text": first.text,
            "outcome": "partly",
            "what_happened": "Twice.",
            "working_together": "Well.",
            "updated_at": REVIEW_DAY,
        }
    ]
    restored = SessionStore(tmp_path / "elsewhere").restore(snapshot)
    try:
        assert restored.outcomes == review.outcomes
    finally:
        restored.close()


# -- the comparison and the record ------------------------------------------------------


def test_the_comparison_lists_each_earlier_target_with_how_it_went(pair) -> None:
    _, baseline, review, (first, second) = pair
    review.record_outcome(first, "done", "Every meeting since June.", "Slow to start, then easy.")
    comparison = compare_sessions(baseline, review)
    assert [(r.target.text, r.outcome, r.outcome_label) for r in comparison.target_reviews] == [
        (first.text, "done", "Done"),
        (second.text, "", "Not reviewed yet"),
    ]
    assert comparison.reviewed == 1
    lines = render_comparison(baseline, review).splitlines()
    at = lines.index("Targets agreed on 2 March 2026: how they went (1 of 2 reviewed)")
    assert lines[at + 1 :] == [
        "  - Service users co-chair the team meeting. (who: Ward manager; review by 1 September 2026)",
        "    Outcome: Done",
        "    What happened: Every meeting since June.",
        "    Working together: Slow to start, then easy.",
        "  - Carers see the care plan before it is signed.",
        "    Outcome: Not reviewed yet",
    ]


def _export(review, out: Path, baseline=None) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in export_session(review, FORMATS, out, baseline=baseline)}


def test_outcomes_reach_every_format(pair, tmp_path: Path) -> None:
    _, baseline, review, (first, second) = pair
    review.record_outcome(first, "partly", "Co-chaired *twice* <b>of</b> six.", "Good once the agenda\ncame out early.")
    files = _export(review, tmp_path / "out", baseline)
    markdown = files["review-record.md"].decode()
    assert "### Targets agreed on 2 March 2026: how they went (1 of 2 reviewed)" in markdown
    assert "1. **Service users co-chair the team meeting.** (who: Ward manager; review by 1 September 2026)" in markdown
    assert "   - **Outcome:** Partly done" in markdown
    assert "   - **What happened:** Co-chaired \\*twice\\* &lt;b&gt;of&lt;/b&gt; six." in markdown
    assert "   - **How working together on it went:** Good once the agenda  \n     came out early." in markdown
    assert "<b>of</b>" not in markdown, "participants' text stays text"
    assert "2. **Carers see the care plan before it is signed.**" in markdown and "   - **Outcome:** Not reviewed yet" in markdown
    html = files["review-record.html"].decode()
    assert "how they went (1 of 2 reviewed)</h3>" in html
    assert "<dt>Outcome</dt><dd>Partly done</dd>" in html
    assert '<dd class="text">Co-chaired *twice* &lt;b&gt;of&lt;/b&gt; six.</dd>' in html
    assert "<dt>How working together on it went</dt>" in html
    rows = list(csv.DictReader(io.StringIO(files["review-targets.csv"].decode("utf-8-sig"), newline="")))
    earlier = [row for row in rows if row["agreed_in"] == "the earlier session"]
    assert [(row["target"], row["outcome"]) for row in earlier] == [(first.text, "partly"), (second.text, "")]
    assert earlier[0]["working_together"] == "Good once the agenda\ncame out early."
    data = json.loads(files["review-record.json"])
    assert data["session"]["outcomes"][0]["outcome"] == "partly"
    reviews = data["comparison"]["target_reviews"]
    assert [review["outcome_label"] for review in reviews] == ["Partly done", "Not reviewed yet"]


def test_the_record_keeps_outcomes_without_the_earlier_session_at_hand(pair, tmp_path: Path) -> None:
    _, _, review, (first, _) = pair
    review.record_outcome(first, "not_yet", "The meeting moved to a day service users cannot make.")
    files = _export(review, tmp_path / "out")
    markdown = files["review-record.md"].decode()
    assert "## How the earlier targets went" in markdown
    assert "1. **Service users co-chair the team meeting.**" in markdown
    assert "   - **Outcome:** Not yet" in markdown
    assert "<h2 id=\"reviews\">How the earlier targets went</h2>" in files["review-record.html"].decode()


# -- import -----------------------------------------------------------------------------


def _private_json(review, out: Path) -> dict:
    [path] = export_session(review, ["json"], out, include_hidden=True)
    return json.loads(path.read_text(encoding="utf-8"))


def test_an_exported_review_imports_with_its_outcomes(pair, tmp_path: Path) -> None:
    _, _, review, (first, _) = pair
    review.record_outcome(first, "done", "Every meeting.", "Well.")
    [path] = export_session(review, ["json"], tmp_path / "out", include_hidden=True)
    imported = import_record(SessionStore(tmp_path / "fresh"), path)
    try:
        assert imported.outcomes == review.outcomes
    finally:
        imported.close()


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda o: o.update(outcome="finished"), "outcome 1 has an unknown \"outcome\" 'finished'"),
        (lambda o: o.update(outcome=None), "outcome 1 has an unknown \"outcome\""),
        (lambda o: o.update(target_id="../x"), "outcome 1 has an \"target_id\" that is not a usable id"),
        (lambda o: o.update(what_happened=5), "outcome 1 has no text \"what_happened\""),
    ],
)
def test_import_refuses_a_bad_outcome_in_one_line(pair, tmp_path: Path, change, words: str) -> None:
    _, _, review, (first, _) = pair
    review.record_outcome(first, "done")
    data = _private_json(review, tmp_path / "out")
    change(data["session"]["outcomes"][0])
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(data), encoding="utf-8")
    fresh = tmp_path / "fresh"
    with pytest.raises(RecordError) as caught:
        import_record(SessionStore(fresh), crafted)
    message = str(caught.value)
    assert words in message and str(crafted) in message and "\n" not in message, message
    assert not fresh.exists() or not any(fresh.iterdir())


def test_import_refuses_outcomes_in_a_session_that_reviews_nothing(pair, tmp_path: Path) -> None:
    _, _, review, (first, _) = pair
    review.record_outcome(first, "done")
    data = _private_json(review, tmp_path / "out")
    data["session"]["meta"]["baseline_id"] = ""
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RecordError, match="reviews no earlier session"):
        import_record(SessionStore(tmp_path / "fresh"), crafted)


def test_import_cleans_outcome_text(pair, tmp_path: Path) -> None:
    _, _, review, (first, _) = pair
    review.record_outcome(first, "done")
    data = _private_json(review, tmp_path / "out")
    data["session"]["outcomes"][0]["what_happened"] = "bell\x07 and escape\x1b[2J here"
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(data), encoding="utf-8")
    imported = import_record(SessionStore(tmp_path / "fresh"), crafted)
    try:
        assert imported.outcomes[first.id].what_happened == "bell and escape[2J here"
    finally:
        imported.close()


def test_the_earlier_targets_are_read_from_beside_the_review_session(pair, tmp_path: Path) -> None:
    root, baseline, review, (first, second) = pair
    assert earlier_targets(review) == (first, second)
    assert earlier_targets(baseline) == (), "a session that reviews nothing has no earlier targets"
    orphan = _create(root, REVIEW_DAY, "orphan", baseline_id="gone")
    try:
        assert earlier_targets(orphan) == (), "an earlier session that was deleted reads as none, not a traceback"
    finally:
        orphan.close()
