"""Progress review: a baseline and a review session with known differences."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exports import compare_sessions, figure_groups, render_comparison
from sessions import SessionStore, TemplateLibrary, grid_item, numbers, parse_template

BASELINE_DAY = "2026-03-02T10:00:00+00:00"
REVIEW_DAY = "2026-09-01T10:00:00+00:00"
GOLDEN = Path(__file__).parent / "golden" / "comparison.txt"


def _create(root: Path, clock: str, session_id: str, template_name: str = "where-are-we", *, edit=None):
    store = SessionStore(root, clock=lambda: clock)
    template = TemplateLibrary().find(template_name)
    source = template.path.read_text(encoding="utf-8")
    if edit:
        source = edit(source)
        template = parse_template(source, "<edited>")
    return store.create(template, source, title=f"Ward 7 {session_id}", facilitator="Sam", session_id=session_id)


def _answer(session, people: list[str], activity: str, item: str, values: list) -> None:
    for pid, value in zip(people, values):
        session.cast_vote(pid, activity, item, value)


@pytest.fixture
def pair(tmp_path: Path):
    root = tmp_path / "sessions"
    baseline = _create(root, BASELINE_DAY, "baseline")
    then = [baseline.join("", role)[0].id for role in ("service_user", "carer", "staff", "staff")]
    _answer(baseline, then, "spectrum", "place", [2, 3, 3, 4])
    _answer(baseline, then, "grid", grid_item("individual", "now"), [2, 2, 3])
    _answer(baseline, then, "grid", grid_item("individual", "target"), [4, 4, 5])
    _answer(baseline, then, "grid", grid_item("setting", "now"), [1, 2])
    _answer(baseline, then, "grid", grid_item("setting", "target"), [3, 3])
    _answer(baseline, then, "grid", grid_item("policy", "now"), [1, 1, 1])
    _answer(baseline, then, "grid", grid_item("policy", "target"), [3, 3, 3])
    _answer(baseline, then, "indicators", "valuing", ["met", "partly", "not_met"])
    baseline.add_target("targets", "Co-write every care plan review.", owner="Ward manager", review_date="2026-09-01")

    review = _create(root, REVIEW_DAY, "review")
    now = [review.join("", role)[0].id for role in ("service_user", "service_user", "carer", "staff", "staff")]
    _answer(review, now, "spectrum", "place", [4, 5, 5, 6, 6])
    _answer(review, now, "grid", grid_item("individual", "now"), [3, 3, 4])
    _answer(review, now, "grid", grid_item("individual", "target"), [4, 4, 4])
    _answer(review, now, "grid", grid_item("setting", "now"), [2, 2])
    _answer(review, now, "grid", grid_item("setting", "target"), [4, 4])
    _answer(review, now, "indicators", "valuing", ["met", "met", "met", "partly"])
    review.set_tally("indicators", "valuing", "met", 1)
    yield baseline, review
    baseline.close()
    review.close()


def test_numbers_then_and_now(pair) -> None:
    baseline, review = pair
    comparison = compare_sessions(baseline, review)
    assert comparison.same_family
    assert (comparison.before.id, comparison.after.id) == ("baseline", "review")
    assert [a.kind for a in comparison.activities] == ["spectrum", "grid", "indicators"]
    spectrum, grid, indicators = comparison.activities

    assert (spectrum.median.before, spectrum.median.after, spectrum.median.change) == (3.0, 5.0, 2.0)
    assert (spectrum.spread.before, spectrum.spread.after, spectrum.spread.change) == (0.5, 1.0, 0.5)
    assert (spectrum.answers.before, spectrum.answers.after) == (4, 5)
    assert spectrum.counts_before == (0, 1, 2, 1, 0, 0, 0, 0, 0)
    assert spectrum.counts_after == (0, 0, 0, 1, 2, 2, 0, 0, 0)
    assert spectrum.median_label_after == "Good involvement"

    individual, setting, policy = grid.areas
    assert (individual.now.before, individual.now.after, individual.now.change) == (2.0, 3.0, 1.0)
    assert (individual.target.before, individual.target.after, individual.target.change) == (4.0, 4.0, 0.0)
    assert (individual.gap.before, individual.gap.after, individual.gap.change) == (2.0, 1.0, -1.0)
    assert (setting.now.before, setting.now.after, setting.now.change) == (1.5, 2.0, 0.5)
    assert (policy.now.before, policy.now.after, policy.now.change) == (1.0, None, None)

    valuing = indicators.statements[0]
    assert valuing.statement_id == "valuing"
    assert (valuing.met.before, valuing.met.after, valuing.met.change) == (1, 4, 3)
    assert (valuing.partly.before, valuing.partly.after, valuing.partly.change) == (1, 1, 0)
    assert (valuing.not_met.before, valuing.not_met.after, valuing.not_met.change) == (1, 0, -1)
    assert (valuing.answers.before, valuing.answers.after) == (3, 5)
    listening = indicators.statements[1]
    assert (listening.met.before, listening.met.after, listening.met.change) == (0, 0, 0)

    assert [t.text for t in comparison.targets_before] == ["Co-write every care plan review."]
    assert comparison.not_compared == ()


def test_rendered_text_reads_without_colour(pair) -> None:
    baseline, review = pair
    text = render_comparison(baseline, review)
    lines = text.splitlines()
    assert lines[0] == "Progress review: Ward 7 review"
    assert "  Then: Ward 7 baseline, 2 March 2026 (where-are-we v1.0)" in lines
    assert "  Now:  Ward 7 review, 1 September 2026 (where-are-we v1.0)" in lines

    def row(start: str) -> str:
        found = [line for line in lines if line.strip().startswith(start)]
        assert found, f"no line starting with {start!r} in\n{text}"
        return " ".join(found[0].split())

    assert row("Median position") == "Median position 3 5 +2 positions ↑ better: further along the spectrum"
    assert row("People answering") == "People answering 4 5 +1 → more people answering"
    assert row("Median now:") == "Median now: Good involvement"
    assert row("Individual care") == "Individual care People answering 3 3 = no change"
    assert row("Gap to target  ") == "Gap to target +2 +1 −1 level ↑ better: closer to the target", "a narrower gap is better"
    assert row("Care setting") == "Care setting People answering 2 2 = no change"
    assert "Gap to target +1.5 +2 +0.5 levels ↓ worse: further to go" in squeezed(lines), "a wider gap is worse though the number rose"
    assert row("Policy") == "Policy People answering 3 0 −3 → fewer people answering"
    # Three answered then and five now: the shares are compared, the counts stand beside them.
    assert "Met 1 of 3 (33%) 4 of 5 (80%) +47 points ↑ better: more say met" in squeezed(lines)
    assert "Not met 1 of 3 (33%) 0 of 5 (0%) −33 points ↑ better: fewer say not met" in squeezed(lines)
    assert row("Then ") == "Then 0 1 (25%) 2 (50%) 1 (25%) 0 0 0 0 0"
    assert "Targets agreed on 2 March 2026: how they went (0 of 1 reviewed)" in lines
    assert "  - Co-write every care plan review. (who: Ward manager; review by 1 September 2026)" in lines
    assert "    Outcome: Not reviewed yet" in lines
    assert "\x1b" not in text and "[/" not in text, "plain text only: no escape codes, no markup"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def squeezed(lines: list[str]) -> list[str]:
    return [" ".join(line.split()) for line in lines]


def _room(session, size: int) -> list[str]:
    roles = ("service_user", "carer", "staff")
    return [session.join("", roles[i % 3])[0].id for i in range(size)]


@pytest.fixture
def seven_then_eight(tmp_path: Path):
    """Seven in the room at the baseline, eight at the review, and most things went backwards."""
    root = tmp_path / "sessions"
    baseline = _create(root, BASELINE_DAY, "baseline")
    then = _room(baseline, 7)
    _answer(baseline, then, "spectrum", "place", [5, 5, 5, 5, 6, 6, 6])
    _answer(baseline, then, "grid", grid_item("individual", "now"), [3] * 7)
    _answer(baseline, then, "grid", grid_item("individual", "target"), [4] * 7)
    _answer(baseline, then, "indicators", "valuing", ["met"] * 3 + ["partly"] * 2 + ["not_met"] * 2)
    _answer(baseline, then, "indicators", "listening", ["met"] * 4 + ["not_met"] * 3)
    review = _create(root, REVIEW_DAY, "review")
    now = _room(review, 8)
    _answer(review, now, "spectrum", "place", [3, 3, 3, 3, 4, 4, 4, 4])
    _answer(review, now, "grid", grid_item("individual", "now"), [2] * 8)
    _answer(review, now, "grid", grid_item("individual", "target"), [4] * 8)
    _answer(review, now, "indicators", "valuing", ["met"] * 2 + ["partly"] * 2 + ["not_met"] * 4)
    # The same count of "met" (4) is a smaller share of a bigger room: that is worse, not "no change".
    _answer(review, now, "indicators", "listening", ["met"] * 4 + ["not_met"] * 4)
    yield baseline, review
    baseline.close()
    review.close()


def test_a_room_that_grew_is_compared_in_shares_with_the_counts_beside(seven_then_eight) -> None:
    comparison = compare_sessions(*seven_then_eight)
    _, grid, indicators = comparison.activities
    valuing, listening = indicators.statements[:2]
    [group_valuing, group_listening] = figure_groups(indicators)[:2]
    figures = {f.key: f for f in group_valuing.figures}
    assert (figures["answers"].then, figures["answers"].now) == ("7", "8")
    assert (figures["not_met"].then, figures["not_met"].now) == ("2 of 7 (29%)", "4 of 8 (50%)")
    assert figures["not_met"].change == "+21 points ↓ worse: more say not met"
    assert figures["not_met"].verdict == "worse"
    assert (figures["met"].then, figures["met"].now) == ("3 of 7 (43%)", "2 of 8 (25%)")
    assert figures["met"].change == "−18 points ↓ worse: fewer say met"
    assert figures["partly"].change == "−4 points → fewer say partly met"
    assert figures["partly"].verdict == "changed", "partly met is neither better nor worse"
    listening_met = {f.key: f for f in group_listening.figures}["met"]
    assert (listening.met.before, listening.met.after) == (4, 4)
    assert listening_met.then == "4 of 7 (57%)" and listening_met.now == "4 of 8 (50%)"
    assert listening_met.change == "−7 points ↓ worse: fewer say met", "the same count of a bigger room is a smaller share"
    area = {f.key: f for f in figure_groups(grid)[0].figures}
    assert area["now"].change == "−1 level ↓ worse: less involvement"
    assert area["gap"].change == "+1 level ↓ worse: further to go"
    assert area["gap"].verdict == "worse" and "↑" not in area["gap"].change, "a widening gap never carries the up arrow"
    assert area["target"].change == "= no change"
    spectrum = {f.key: f for f in figure_groups(comparison.activities[0])[0].figures}
    assert spectrum["median"].change == "−1.5 positions ↓ worse: further back on the spectrum"
    assert valuing.answers.before == 7


def test_worse_results_read_worse_in_every_format(seven_then_eight, tmp_path: Path) -> None:
    from exports import build_record
    from exports._html import render_html
    from exports._markdown import render_markdown

    baseline, review = seven_then_eight
    text = render_comparison(baseline, review)
    rows = squeezed(text.splitlines())
    assert "Not met 2 of 7 (29%) 4 of 8 (50%) +21 points ↓ worse: more say not met" in rows
    assert "Gap to target +1 +2 +1 level ↓ worse: further to go" in rows
    assert "Level now (median) 3 2 −1 level ↓ worse: less involvement" in rows
    assert any("↑ better and ↓ worse in the framework's terms" in row for row in rows), "the key says what the arrows mean"
    for line in text.splitlines()[3:]:
        if "framework's terms" in line:
            continue
        assert not ("↑" in line and "worse" in line) and not ("↓" in line and "better" in line), line
    record = build_record(review, baseline=baseline)
    markdown = render_markdown(record)
    assert "| Not met | 2 of 7 (29%) | 4 of 8 (50%) | +21 points ↓ worse: more say not met |" in markdown
    assert "|  | Gap to target | +1 | +2 | +1 level ↓ worse: further to go |" in markdown
    assert "↑ better and ↓ worse in the framework" in markdown
    html = render_html(record)
    assert "<td>+21 points ↓ worse: more say not met</td>" in html
    assert "<td>+1 level ↓ worse: further to go</td>" in html
    assert "↑ better and ↓ worse in the framework" in html


def test_the_json_summary_gives_each_change_as_numbers_beside_its_words(seven_then_eight) -> None:
    """`summary.review` carries the figures as numbers, as the rest of the summary does, not words alone."""
    import json

    from exports import build_record
    from exports._json import render_json

    baseline, review = seven_then_eight
    data = json.loads(render_json(review, build_record(review, baseline=baseline)))
    changes = {c["measure"]: c for moved in data["summary"]["review"]["activities"] for c in moved["changes"]}
    not_met = changes["Valuing: Not met"]
    assert (not_met["then"], not_met["now"]) == ("2 of 7 (29%)", "4 of 8 (50%)")
    assert (not_met["then_value"], not_met["now_value"], not_met["change_value"]) == (29, 50, 21)
    assert (not_met["unit"], not_met["change_unit"]) == ("percent", "percentage points")
    assert (not_met["then_count"], not_met["then_answered"], not_met["now_count"], not_met["now_answered"]) == (2, 7, 4, 8)
    gap = changes["Individual care: Gap to target"]
    assert (gap["then"], gap["now"]) == ("+1", "+2")
    assert (gap["then_value"], gap["now_value"], gap["change_value"], gap["unit"]) == (1, 2, 1, "levels")
    assert gap["then_count"] is None, "counts and room sizes only where a share is meant"
    median = changes["Median position"]
    assert (median["then_value"], median["now_value"], median["change_value"], median["unit"]) == (5, 3.5, -1.5, "positions")
    for change in changes.values():
        for side in ("then", "now"):
            assert change[side] == _as_words(change, side), (side, change)
    # The comparison's own judged figures carry the same numbers.
    figures = data["comparison"]["activities"][2]["figures"][0]["figures"]
    assert {f["key"]: f["change_value"] for f in figures}["not_met"] == 21


def _as_words(change: dict, side: str) -> str:
    """What the words should say, made again from the numbers beside them."""
    value = change[f"{side}_value"]
    if change["unit"] == "percent":
        return numbers.count_of(change[f"{side}_count"], change[f"{side}_answered"])
    if change["measure"].endswith("Gap to target"):
        return numbers.signed(value)
    return numbers.median(value)


def test_sessions_from_different_families_are_matched_by_kind(tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    old = _create(root, BASELINE_DAY, "old", "where-are-we")
    new = _create(root, REVIEW_DAY, "new", "seven-indicators")
    try:
        person = old.join("", "staff")[0].id
        old.cast_vote(person, "indicators", "listening", "not_met")
        other = new.join("", "staff")[0].id
        new_indicators = next(a for a in new.template.activities if a.kind == "indicators")
        assert new_indicators.id != "indicators"
        new.cast_vote(other, new_indicators.id, "listening", "met")
        comparison = compare_sessions(old, new)
        assert not comparison.same_family
        [indicators] = comparison.activities
        listening = next(s for s in indicators.statements if s.statement_id == "listening")
        assert (listening.met.before, listening.met.after, listening.not_met.before, listening.not_met.after) == (0, 1, 1, 0)
        text = render_comparison(old, new)
        assert "different session plans" in text
        # The other way round, the spectrum and the grid were never asked before.
        backwards = compare_sessions(new, old)
        assert [a.kind for a in backwards.activities] == ["indicators"]
        assert backwards.not_compared == (
            "Where do we sit on the leadership spectrum?: not asked in the earlier session",
            "Five levels, three areas: now and next: not asked in the earlier session",
        )
        assert "Not compared" in render_comparison(new, old)
    finally:
        old.close()
        new.close()


def test_a_spectrum_with_other_positions_is_not_compared(tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    old = _create(root, BASELINE_DAY, "old")
    new = _create(root, REVIEW_DAY, "new", edit=lambda text: text.replace("positions = 9", "positions = 7"))
    try:
        comparison = compare_sessions(old, new)
        assert [a.kind for a in comparison.activities] == ["grid", "indicators"]
        assert comparison.not_compared == (
            "Where do we sit on the leadership spectrum?: the spectrum had 9 positions then and 7 now",
        )
        assert comparison.same_family
        text = render_comparison(old, new)
        assert "No targets were recorded on 2 March 2026." in text
        assert "Individual care People answering 0 0 = no change" in squeezed(text.splitlines()), "nobody answered in either session"
        assert "Level now (median)" not in text, "no medians where nobody answered"
    finally:
        old.close()
        new.close()
