"""Subtracting across time: a group held back when the room saw the results stays held back.

Five staff (3, 4, 3, 4, 3) and one service user (8): the room sees "8: 1" of
six. Two carers join and answer 6 and 7, so the service users and carers
number three. Shown now, the staff's "8: 0" beside the "8: 1" the room saw
earlier would give the service user's answer away. So every group the room
saw held back stays held back for that activity, on screen and in every
public record, and across resume and import.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports import FORMATS, export_session, import_record
from sessions import (
    SMALL_GROUP,
    SPLIT_GROUPS,
    Participant,
    Role,
    RoleGroup,
    SessionStore,
    SpectrumActivity,
    Stage,
    TemplateLibrary,
    Vote,
    Withheld,
    activity_results,
    item_counts,
)

CLOCK = "2026-03-02T10:00:00+00:00"
SESSION_ID = "grown"


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions", clock=lambda: CLOCK)


def five_and_one(store: SessionStore, session_id: str = SESSION_ID):
    template = TemplateLibrary().find("where-are-we")
    live = store.create(template, template.path.read_text(encoding="utf-8"), title="Grown", session_id=session_id)
    lone, _ = live.join("Robin", Role.SERVICE_USER)
    live.cast_vote(lone.id, "spectrum", "place", 8)
    for position in (3, 4, 3, 4, 3):
        live.cast_vote(live.join("", Role.STAFF)[0].id, "spectrum", "place", position)
    return live


def carers_join(live) -> None:
    for position in (6, 7):
        live.cast_vote(live.join("", Role.CARER)[0].id, "spectrum", "place", position)


def withheld(results) -> dict[RoleGroup, Withheld | None]:
    return {group.group: group.withheld for group in results.groups}


def export(live, out: Path, **options) -> dict[str, str]:
    return {path.name: path.read_bytes().decode("utf-8-sig") for path in export_session(live, FORMATS, out, **options)}


def test_a_group_the_room_saw_held_back_stays_held_back_when_it_grows(store) -> None:
    live = five_and_one(store)
    try:
        live.set_revealed("spectrum", True)
        first = live.results("spectrum")
        assert first.overall.positions.counts[8] == 1
        assert not first.split_shown
        carers_join(live)
        later = live.results("spectrum")
        assert withheld(later)[RoleGroup.LIVED] is Withheld.EARLIER
        assert withheld(later)[RoleGroup.STAFF] is Withheld.EARLIER
        assert not later.split_shown, "staff '8: 0' beside the earlier '8: 1' would give the service user away"
        assert later.split_warning(SPLIT_GROUPS) == (
            "Splitting by role would give away answers held back when the room saw these results earlier."
        )
        assert live.withheld_seen("spectrum") == {RoleGroup.LIVED, RoleGroup.STAFF}
    finally:
        live.close()


def test_without_a_reveal_the_grown_room_is_split_as_before(store) -> None:
    """Nothing was shown to the room, so there is nothing to subtract from: fixtures keep their figures."""
    live = five_and_one(store)
    try:
        live.results("spectrum")
        carers_join(live)
        later = live.results("spectrum")
        assert later.split_shown and withheld(later)[RoleGroup.STAFF] is None
        assert live.withheld_seen("spectrum") == frozenset()
        assert "withheld_seen" not in live.meta
    finally:
        live.close()


def test_the_public_records_keep_the_earlier_groups_back(store, tmp_path: Path) -> None:
    live = five_and_one(store)
    try:
        live.set_revealed("spectrum", True)
        carers_join(live)
        files = export(live, tmp_path / "out")
    finally:
        live.close()
    answers = list(csv.DictReader(io.StringIO(files[f"{SESSION_ID}-answers.csv"], newline="")))
    spectrum = [row for row in answers if row["activity_id"] == "spectrum"]
    assert {row["group"] for row in spectrum if row["source"] != "withheld"} == {"Everyone"}
    reasons = {row["group"]: row["value_label"] for row in spectrum if row["source"] == "withheld"}
    assert reasons["Staff"] == Withheld.EARLIER.words
    assert reasons["Service users and carers"] == Withheld.EARLIER.words
    markdown = files[f"{SESSION_ID}-record.md"]
    assert f"| Staff | {Withheld.EARLIER.words} |" in markdown
    assert Withheld.EARLIER.words in files[f"{SESSION_ID}-record.html"]
    data = json.loads(files[f"{SESSION_ID}-record.json"])
    assert all(group["results"] is None for group in data["results"]["spectrum"]["groups"])
    summary = list(csv.DictReader(io.StringIO(files[f"{SESSION_ID}-summary.csv"], newline="")))
    staff = [row for row in summary if row["item"] == "Staff" and row["section"] != "who was there"]
    assert all(row["value"] == "" for row in staff), staff


def test_held_back_groups_survive_resume_and_import(store, tmp_path: Path) -> None:
    live = five_and_one(store)
    live.set_revealed("spectrum", True)
    live.close()
    again = store.open(SESSION_ID)
    try:
        carers_join(again)
        assert again.withheld_seen("spectrum") == {RoleGroup.LIVED, RoleGroup.STAFF}
        assert not again.results("spectrum").split_shown
        private = export_session(again, FORMATS, tmp_path / "out", include_hidden=True)
    finally:
        again.close()
    record = next(path for path in private if path.name.endswith("-record-private.json"))
    imported = import_record(SessionStore(tmp_path / "other"), record)
    try:
        assert imported.withheld_seen("spectrum") == {RoleGroup.LIVED, RoleGroup.STAFF}
        assert not activity_results(
            imported.template.activity("spectrum"),
            imported.votes.values(),
            imported.tallies.values(),
            imported.participants,
            imported.withheld_seen("spectrum"),
        ).split_shown
    finally:
        imported.close()


def test_a_record_naming_unknown_groups_is_refused(store, tmp_path: Path) -> None:
    from exports import RecordError

    live = five_and_one(store)
    try:
        live.set_revealed("spectrum", True)
        private = export_session(live, FORMATS, tmp_path / "out", include_hidden=True)
    finally:
        live.close()
    record = next(path for path in private if path.name.endswith("-record-private.json"))
    data = json.loads(record.read_text(encoding="utf-8"))
    data["session"]["meta"]["withheld_seen"] = {"spectrum": ["managers"]}
    record.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RecordError, match="withheld_seen"):
        import_record(SessionStore(tmp_path / "other"), record)


# -- two looks at a growing room ------------------------------------------------------

SPECTRUM = SpectrumActivity("spectrum", "Spectrum", stages=(Stage("a", "A"), Stage("b", "B")), positions=5)
ROLES = {RoleGroup.LIVED: Role.SERVICE_USER, RoleGroup.STAFF: Role.STAFF, RoleGroup.OTHER: Role.OTHER}


@st.composite
def growing_rooms(draw):
    """People in each group at the first look, and who joins before the second."""
    before = {group: draw(st.lists(st.integers(1, 5), max_size=8)) for group in RoleGroup}
    joining = {group: draw(st.lists(st.integers(1, 5), max_size=5)) for group in RoleGroup}
    return before, joining


def room(people: dict[RoleGroup, list[int]], start: int = 0) -> tuple[dict[str, Participant], list[Vote]]:
    participants: dict[str, Participant] = {}
    votes: list[Vote] = []
    index = start
    for group, positions in people.items():
        for position in positions:
            participants[f"p{index}"] = Participant(f"p{index}", role=ROLES[group])
            votes.append(Vote("spectrum", "place", f"p{index}", position))
            index += 1
    return participants, votes


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rooms=growing_rooms())
def test_nothing_held_back_at_the_first_look_follows_from_the_second(rooms):
    before, joining = rooms
    participants, votes = room(before)
    first = activity_results(SPECTRUM, votes, [], participants)
    seen = first.withheld_groups
    new_participants, new_votes = room(joining, start=len(votes))
    second = activity_results(SPECTRUM, votes + new_votes, [], {**participants, **new_participants}, seen)

    first_shown = {group.group: group for group in first.groups if group.result is not None}
    second_shown = {group.group for group in second.groups if group.result is not None}
    # A group with answers at the first look is shown at the second only if it was shown at the first,
    # so a figure shown now never splits what the first look held back together.
    assert {group for group in second_shown if before[group]} <= set(first_shown), (before, joining)
    # Every group shown at either look, taken from the first room (their first figures are public either way),
    # leaves only the groups the first look held back, together: never one of them alone.
    first_counts = Counter(item_counts(first.overall)["place"])
    for group in first_shown.values():
        first_counts.subtract(item_counts(group.result)["place"])
    remainder = +first_counts
    hidden = [group for group in RoleGroup if before[group] and group not in first_shown]
    assert remainder == +sum((Counter(before[group]) for group in hidden), Counter())
    if remainder and first_shown:  # with nothing shown at all, the "remainder" is only the room's own figure
        assert sum(remainder.values()) >= SMALL_GROUP and len(remainder) >= 2, (before, joining, remainder)
        assert len(hidden) >= 2
    # The held-back groups stay held back, and say so.
    for group in second.groups:
        if group.group in seen and group.size:
            assert group.result is None and group.note
