"""Five staff and one service user: no public record lets anyone work out the service user's answers.

The service user places the spectrum at 8, the staff at 3 or 4. Shown beside
the room's "8: 1", any staff-only figure would give the answer away; so would
raw votes beside the roles people chose. Only the private copy keeps those.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from exports import FORMATS, export_session
from sessions import CommentState, Role, SessionStore, TemplateLibrary, Withheld, grid_item

CLOCK = "2026-03-02T10:00:00+00:00"
SESSION_ID = "five-and-one"
STAFF_POSITIONS = (3, 4, 3, 4, 3)


def five_and_one(store: SessionStore, session_id: str, lone_position: int = 8):
    """Five staff at 3 or 4 and one service user far from them, on every activity."""
    template = TemplateLibrary().find("where-are-we")
    live = store.create(template, template.path.read_text(encoding="utf-8"), title="Five and one", session_id=session_id)
    lone, _ = live.join("Robin", Role.SERVICE_USER)
    staff = [live.join("", Role.STAFF)[0] for _ in STAFF_POSITIONS]
    live.cast_vote(lone.id, "spectrum", "place", lone_position)
    for person, position in zip(staff, STAFF_POSITIONS):
        live.cast_vote(person.id, "spectrum", "place", position)
    for person in [lone, *staff]:
        live.cast_vote(person.id, "grid", grid_item("individual", "now"), 5 if person is lone else 2)
        live.cast_vote(person.id, "indicators", "valuing", "not_met" if person is lone else "met")
    comment = live.add_comment("spectrum", "We are further on than it feels.", participant_id=staff[0].id)
    live.moderate(comment.id, CommentState.APPROVED)
    return live


@pytest.fixture
def session(tmp_path: Path):
    live = five_and_one(SessionStore(tmp_path / "sessions", clock=lambda: CLOCK), SESSION_ID)
    yield live
    live.close()


def export(session, out: Path, **options) -> dict[str, str]:
    return {path.name: path.read_bytes().decode("utf-8-sig") for path in export_session(session, FORMATS, out, **options)}


def test_no_public_format_breaks_out_the_staff(session, tmp_path: Path) -> None:
    files = export(session, tmp_path)
    assert all("-private" not in name for name in files)

    answers = list(csv.DictReader(io.StringIO(files[f"{SESSION_ID}-answers.csv"], newline="")))
    assert {row["group"] for row in answers if row["source"] != "withheld"} == {"Everyone"}
    assert {row["count"] for row in answers if row["source"] == "tally"} == {"0"}, "nobody was counted by hand"
    # Every activity says why its groups are held back, in the same words as the other formats, with no counts.
    reasons = {(row["activity_id"], row["group"]): row["value_label"] for row in answers if row["source"] == "withheld"}
    for activity in ("spectrum", "grid", "indicators"):
        assert reasons[(activity, "Service users and carers")] == Withheld.SMALL.words
        assert reasons[(activity, "Staff")] == Withheld.SUBTRACTION.words
    assert all(row["count"] == "" for row in answers if row["source"] == "withheld")

    summary = list(csv.DictReader(io.StringIO(files[f"{SESSION_ID}-summary.csv"], newline="")))
    staff_figures = [row for row in summary if row["item"] == "Staff" and row["section"] != "who was there"]
    assert staff_figures and all(row["value"] == "" for row in staff_figures), staff_figures
    assert all(Withheld.SUBTRACTION.words == row["text"] for row in staff_figures)

    markdown = files[f"{SESSION_ID}-record.md"]
    by_role = markdown.split("### By role", 1)[1].split("###", 1)[0]
    assert f"| Staff | {Withheld.SUBTRACTION.words} |" in by_role
    assert f"| Service users and carers | {Withheld.SMALL.words} |" in by_role

    html = files[f"{SESSION_ID}-record.html"]
    assert Withheld.SUBTRACTION.words in html
    assert "Staff (5)" not in html and "Staff (5)" not in markdown

    data = json.loads(files[f"{SESSION_ID}-record.json"])
    assert data["private"] is False and "summaries only" in data["notice"]
    assert set(data["session"]) == {"meta", "comments", "targets", "outcomes"}, "no raw votes, participants or tallies"
    assert all("participant_id" not in comment and "created_at" not in comment for comment in data["session"]["comments"])
    for activity in data["results"].values():
        assert all(group["results"] is None for group in activity["groups"]), activity["title"]
    assert "Robin" not in json.dumps(data["session"]) and "Robin" not in json.dumps(data["results"])


def test_the_room_figure_still_shows_the_whole_room(session, tmp_path: Path) -> None:
    answers = csv.DictReader(io.StringIO(export(session, tmp_path)[f"{SESSION_ID}-answers.csv"], newline=""))
    spectrum = {int(row["value"]): int(row["count"]) for row in answers if row["activity_id"] == "spectrum" and row["source"] == "device"}
    assert spectrum[8] == 1 and spectrum[3] == 3 and spectrum[4] == 2


def test_the_private_copy_keeps_the_raw_answers_and_says_it_is_private(session, tmp_path: Path) -> None:
    files = export(session, tmp_path, include_hidden=True)
    data = json.loads(files[f"{SESSION_ID}-record-private.json"])
    assert data["private"] is True and data["notice"].startswith("Private copy")
    assert len(data["session"]["votes"]) == 6 * 3
    assert {person["role"] for person in data["session"]["participants"]} == {"service_user", "staff"}
    # Even the private copy's summaries follow the same disclosure rules.
    assert all(group["results"] is None for group in data["results"]["spectrum"]["groups"])


def test_the_progress_review_shows_the_whole_room_only(tmp_path: Path) -> None:
    """Then and now, both five staff and one service user: the review compares rooms, never a group."""
    from exports import render_comparison

    store = SessionStore(tmp_path / "sessions", clock=lambda: CLOCK)
    before = five_and_one(store, "five-and-one-before", lone_position=7)
    after = five_and_one(store, SESSION_ID)
    try:
        files = {path.name: path.read_bytes().decode("utf-8-sig") for path in export_session(after, FORMATS, tmp_path / "out", baseline=before)}
        review = render_comparison(before, after)
    finally:
        before.close()
        after.close()
    progress = files[f"{SESSION_ID}-record.md"].split("## Progress since", 1)[1]
    html = files[f"{SESSION_ID}-record.html"]
    html_progress = html[html.index("Progress since") :]
    for text in (review, progress, html_progress):
        assert "Staff" not in text.replace("Staff hear", "").replace("Staff take", ""), text
        assert "Service users and carers" not in text, text
    answers = list(csv.DictReader(io.StringIO(files[f"{SESSION_ID}-answers.csv"], newline="")))
    assert {row["group"] for row in answers if row["source"] != "withheld"} == {"Everyone"}
    data = json.loads(files[f"{SESSION_ID}-record.json"])
    assert all(group["results"] is None for activity in data["results"].values() for group in activity["groups"])


def test_carers_counted_by_hand_beside_one_phone_leave_no_group_to_subtract(tmp_path: Path) -> None:
    """Five staff and one service user on phones, three carers by hand: the room saw the hands, so neither group is shown."""
    store = SessionStore(tmp_path / "sessions", clock=lambda: CLOCK)
    live = five_and_one(store, SESSION_ID)
    try:
        live.set_tally("spectrum", "place", 6, 2, Role.CARER)
        live.set_tally("spectrum", "place", 7, 1, Role.CARER)
        files = export(live, tmp_path / "out")
    finally:
        live.close()
    answers = list(csv.DictReader(io.StringIO(files[f"{SESSION_ID}-answers.csv"], newline="")))
    assert {row["group"] for row in answers if row["activity_id"] == "spectrum" and row["source"] != "withheld"} == {"Everyone"}
    markdown = files[f"{SESSION_ID}-record.md"]
    by_role = markdown.split("### By role", 1)[1].split("###", 1)[0]
    assert f"| Service users and carers | {Withheld.SMALL.words} |" in by_role
    assert f"| Staff | {Withheld.SUBTRACTION.words} |" in by_role
    data = json.loads(files[f"{SESSION_ID}-record.json"])
    assert all(group["results"] is None for group in data["results"]["spectrum"]["groups"])


# -- one phone beside hands ------------------------------------------------------------------

HELD = "1 answer from a phone is not shown: with fewer than 3 on phones, it could be told apart from the hands counted."


def one_phone_beside_hands(store: SessionStore, session_id: str):
    """One service user on a phone (8, Not met, level 5); hands counted for everyone elsewhere on each scale.

    The room watched the hands go up, so any figure with the phone in it, minus the hands, is the service user's answer.
    """
    template = TemplateLibrary().find("where-are-we")
    live = store.create(template, template.path.read_text(encoding="utf-8"), title="One phone", session_id=session_id)
    lone, _ = live.join("Robin", Role.SERVICE_USER)
    live.cast_vote(lone.id, "spectrum", "place", 8)
    live.cast_vote(lone.id, "grid", grid_item("individual", "now"), 5)
    live.cast_vote(lone.id, "indicators", "valuing", "not_met")
    live.set_tally("spectrum", "place", 3, 4)
    live.set_tally("grid", grid_item("individual", "now"), 2, 4)
    live.set_tally("indicators", "valuing", "met", 2)
    live.set_tally("indicators", "valuing", "not_met", 2)
    return live


def test_no_public_format_leaves_a_lone_phone_answer_beside_the_hands(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions", clock=lambda: CLOCK)
    live = one_phone_beside_hands(store, SESSION_ID)
    try:
        files = export(live, tmp_path / "out")
        private = export(live, tmp_path / "private", include_hidden=True)
    finally:
        live.close()

    answers = list(csv.DictReader(io.StringIO(files[f"{SESSION_ID}-answers.csv"], newline="")))
    everyone = {(row["activity_id"], row["question_id"], row["value"]): row for row in answers if row["group"] == "Everyone" and row["source"] != "withheld"}
    assert {row["source"] for row in everyone.values()} == {"tally"}, "the room's counts are the hands alone"
    assert everyone[("spectrum", "place", "8")]["count"] == "0" and everyone[("spectrum", "place", "3")]["count"] == "4"
    assert everyone[("grid", "individual:now", "5")]["count"] == "0"
    assert everyone[("indicators", "valuing", "not_met")]["count"] == "2"
    held = {row["activity_id"]: row for row in answers if row["group"] == "Everyone" and row["source"] == "withheld"}
    assert set(held) == {"spectrum", "grid", "indicators"}
    assert all(row["value_label"] == HELD and row["count"] == "1" for row in held.values())

    summary = list(csv.DictReader(io.StringIO(files[f"{SESSION_ID}-summary.csv"], newline="")))
    median = next(row for row in summary if row["section"] == "spectrum" and row["item"] == "Everyone")
    assert median["value"] == "3", "the median of the hands alone"
    not_met = next(row for row in summary if row["section"] == "indicators" and row["measure"] == "not met" and row["value"] != "0")
    assert not_met["value"] == "2" and "2 of 4" in not_met["text"]
    assert [row["text"] for row in summary if row["section"] == "held back"] == [
        f"{title}: {HELD}" for title in ("Where do we sit on the leadership spectrum?", "Five levels, three areas: now and next", "The seven indicators")
    ]

    markdown = files[f"{SESSION_ID}-record.md"]
    html = files[f"{SESSION_ID}-record.html"]
    assert markdown.count(f"**{HELD}**") == 3 and markdown.count("### Phone answers not shown") == 1
    assert html.count(f"<p><strong>{HELD}</strong></p>") == 3 and html.count("Phone answers not shown") == 1
    spectrum = markdown.split("## 1. Where do we sit", 1)[1].split("\n## ", 1)[0]
    assert "| 8 | Nearly Service-user led | 0 |" in spectrum and "| 3 | Halfway between Beginnings of involvement and Good involvement | 4 |" in spectrum
    assert "By hand" not in markdown, "no phones-and-hands split beside a figure that is all hands"

    data = json.loads(files[f"{SESSION_ID}-record.json"])
    for activity in ("spectrum", "grid", "indicators"):
        assert data["results"][activity]["phones_held"] == 1 and data["results"][activity]["held_note"] == HELD
        assert data["results"][activity]["respondents"] == 1, "how many answered may be shown"
    counts = {count["value"]: count["count"] for count in data["results"]["spectrum"]["overall"]["placement"]["counts"]}
    assert counts[8] == 0 and counts[3] == 4
    assert len(data["summary"]["held_back"]) == 3

    # The private copy keeps the raw answers, as before.
    raw = json.loads(private[f"{SESSION_ID}-record-private.json"])
    assert {vote["value"] for vote in raw["session"]["votes"]} == {8, 5, "not_met"}


def test_the_progress_review_says_when_a_side_holds_back_phone_answers(tmp_path: Path) -> None:
    from exports import render_comparison

    store = SessionStore(tmp_path / "sessions", clock=lambda: CLOCK)
    before = five_and_one(store, "five-and-one-before")
    after = one_phone_beside_hands(store, SESSION_ID)
    try:
        files = export(after, tmp_path / "out", baseline=before)
        review = render_comparison(before, after)
    finally:
        before.close()
        after.close()
    line = f"The seven indicators (now): {HELD}"
    progress = files[f"{SESSION_ID}-record.md"].split("## Progress since", 1)[1]
    html = files[f"{SESSION_ID}-record.html"]
    for text in (review, progress, html[html.index("Progress since") :]):
        assert line in text and "(then):" not in text, text
    data = json.loads(files[f"{SESSION_ID}-record.json"])
    assert line in data["comparison"]["held_back"] and line in data["summary"]["review"]["held_back"]
    # Then and now are whole rooms, the hands alone where phones are held back: 8 never appears now.
    spectrum = next(a for a in data["comparison"]["activities"] if a["kind"] == "spectrum")
    assert spectrum["counts_after"][7] == 0 and spectrum["counts_after"][2] == 4
