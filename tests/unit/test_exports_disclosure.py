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
