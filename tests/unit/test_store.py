"""The session store: write-through to disk, one vote per person per question, resume intact."""

from datetime import date

import pytest

from sessions import (
    CommentState,
    InvalidInput,
    Role,
    SessionNotFound,
    SessionStore,
    TemplateLibrary,
    grid_item,
)

CLOCK = "2026-03-02T10:00:00+00:00"


@pytest.fixture
def template():
    return TemplateLibrary().find("where-are-we")


@pytest.fixture
def store(tmp_path):
    return SessionStore(tmp_path / "sessions", clock=lambda: CLOCK)


@pytest.fixture
def live(store, template):
    session = store.create(template, template.path.read_text(encoding="utf-8"), title="Ward 7 review", facilitator="Sam", session_id="s1")
    yield session
    session.close()


def test_create_keeps_template_text_and_secrets(live, template):
    assert live.title == "Ward 7 review"
    assert live.template.activities == template.activities
    assert len(live.join_token) >= 22  # 18 random bytes: at least 128 bits
    assert len(live.room_code) == 6
    assert live.hold_comments is True
    assert live.current_activity.id == "welcome"


def test_one_vote_per_person_per_question_that_can_change(live):
    person, token = live.join("Ana", "service_user")
    assert live.participant_for_token(token) == person
    assert live.participant_for_token("forged") is None
    live.cast_vote(person.id, "spectrum", "place", 3)
    live.cast_vote(person.id, "spectrum", "place", "7")
    assert [vote.value for vote in live.votes_for("spectrum")] == [7]
    live.cast_vote(person.id, "grid", grid_item("policy", "now"), 2)
    live.cast_vote(person.id, "grid", grid_item("policy", "target"), 4)
    assert len(live.votes) == 3


@pytest.mark.parametrize(
    "activity, item, value",
    [
        ("spectrum", "place", 0),
        ("spectrum", "place", 10),
        ("spectrum", "elsewhere", 3),
        ("grid", "policy:later", 3),
        ("grid", "nowhere:now", 3),
        ("grid", "policy:now", 6),
        ("indicators", "valuing", "sometimes"),
        ("indicators", "unknown", "met"),
        ("welcome", "place", 1),
        ("missing", "place", 1),
        ("spectrum", "place", True),
        ("spectrum", "place", "three"),
    ],
)
def test_invalid_votes_are_refused(live, activity, item, value):
    person, _ = live.join()
    with pytest.raises(InvalidInput):
        live.cast_vote(person.id, activity, item, value)
    assert not live.votes


def test_tallies_set_adjust_and_clear(live):
    live.set_tally("spectrum", "place", 4, 12)
    live.adjust_tally("spectrum", "place", 4, 3)
    live.adjust_tally("spectrum", "place", 4, -1)
    assert live.tally_count("spectrum", "place", 4) == 14
    live.set_tally("spectrum", "place", 4, 5, Role.STAFF)
    assert live.tally_count("spectrum", "place", 4, Role.STAFF) == 5
    live.adjust_tally("spectrum", "place", 4, -20)
    assert live.tally_count("spectrum", "place", 4) == 0
    assert len(live.tallies_for("spectrum")) == 1


def test_comments_wait_for_moderation_and_the_wall_puts_pins_first(live):
    first = live.add_comment("spectrum", "We only ever do surveys")
    second = live.add_comment("spectrum", "Staff set every agenda")
    third = live.add_comment("spectrum", "Peer support is growing")
    assert first.state is CommentState.PENDING
    assert live.wall("spectrum") == []
    assert len(live.pending_comments()) == 3
    live.moderate(first.id, "approved")
    live.moderate(second.id, CommentState.HIDDEN)
    live.moderate(third.id, CommentState.PINNED)
    assert [c.id for c in live.wall("spectrum")] == [third.id, first.id]
    assert live.pending_comments() == []


def test_comment_text_is_cleaned_and_capped(live):
    comment = live.add_comment("spectrum", "\x1b[2J" + "y" * 500)
    assert comment.text.startswith("[2J") and len(comment.text) == 280
    with pytest.raises(InvalidInput):
        live.add_comment("spectrum", " \x07 ")
    with pytest.raises(InvalidInput):
        live.add_comment("no-such-activity", "hello")


def test_facilitator_comments_and_auto_approve(live):
    assert live.add_comment("grid", "Said aloud", from_facilitator=True).state is CommentState.APPROVED
    live.set_hold_comments(False)
    assert live.add_comment("grid", "From a phone").state is CommentState.APPROVED


def test_targets(live):
    target = live.add_target("targets", "Welcome pack written with service users", "Jo and Priya", "2027-01-31")
    assert target.review_date == date(2027, 1, 31)
    live.update_target(target.id, owner="Jo")
    assert live.targets_for("targets")[0].owner == "Jo"
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        live.add_target("targets", "x", review_date="next spring")
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        live.add_target("targets", "x", review_date="2027-W05-1")  # Python would read a week date
    with pytest.raises(InvalidInput, match="no 2027-02-30 in the calendar"):
        live.add_target("targets", "x", review_date="2027-02-30")
    live.remove_target(target.id)
    assert live.targets_for("targets") == []


def test_a_review_date_already_gone_is_refused_when_the_form_asks(live):
    """`not_before` is the form's today: a past date is refused there, never in an import or a record."""
    today = date(2026, 12, 3)
    with pytest.raises(InvalidInput, match="3 December 2025 has already passed") as refused:
        live.add_target("targets", "Peer worker on panels", review_date="2025-12-03", not_before=today)
    assert refused.value.field == "review_date"
    assert live.targets_for("targets") == []  # nothing half saved
    target = live.add_target("targets", "Peer worker on panels", review_date="2026-12-03", not_before=today)  # today is fine
    old = live.add_target("targets", "Agreed last year", review_date="2025-06-30")  # no form: kept as given
    # An unchanged date may have passed since (a session resumed later); a changed one may not.
    assert live.update_target(old.id, owner="Jo", review_date="2025-06-30", not_before=today).owner == "Jo"
    with pytest.raises(InvalidInput, match="has already passed"):
        live.update_target(target.id, review_date="2026-12-02", not_before=today)
    assert live.targets[target.id].review_date == date(2026, 12, 3)
    assert live.update_target(target.id, review_date="", not_before=today).review_date is None  # cleared


def test_reset_activity_clears_votes_and_tallies_only(live):
    person, _ = live.join()
    live.cast_vote(person.id, "spectrum", "place", 2)
    live.set_tally("spectrum", "place", 5, 4)
    live.add_comment("spectrum", "keep me")
    live.set_revealed("spectrum", True)
    live.reset_activity("spectrum")
    assert live.votes_for("spectrum") == [] and live.tallies_for("spectrum") == []
    assert len(live.comments) == 1
    assert not live.is_revealed("spectrum")


def test_listeners_hear_every_change(live):
    heard = []
    live.add_listener(heard.append)
    person, _ = live.join()
    live.cast_vote(person.id, "spectrum", "place", 2)
    live.add_comment("spectrum", "hi")
    live.go_to(2)
    assert [change.kind for change in heard] == ["participant", "vote", "comment", "state"]
    assert heard[1].activity_id == "spectrum"


def test_everything_survives_reopening(store, live):
    person, token = live.join("Kim", Role.CARER)
    live.cast_vote(person.id, "grid", grid_item("individual", "now"), 2)
    live.set_tally("grid", grid_item("individual", "now"), 3, 7)
    comment = live.add_comment("grid", "Care plans are written for us, not with us", item="individual")
    live.moderate(comment.id, "pinned")
    live.add_target("targets", "Co-write care plans", "Kim", "2027-02-01")
    live.go_to(3)
    live.set_revealed("grid", True)
    live.sync()
    live.close()

    again = store.open("s1")
    try:
        assert again.participants[person.id].role is Role.CARER
        assert again.participant_for_token(token).id == person.id
        assert again.vote_of(person.id, "grid", "individual:now").value == 2
        assert again.tally_count("grid", "individual:now", 3) == 7
        assert again.comments[comment.id].state is CommentState.PINNED
        assert again.targets_for("targets")[0].text == "Co-write care plans"
        assert again.current_index == 3 and again.is_revealed("grid")
        # a changed vote after resuming still replaces the old one
        again.cast_vote(person.id, "grid", "individual:now", 4)
        assert len(again.votes) == 1
    finally:
        again.close()


def test_catalogue_lists_finds_and_purges(store, live, template):
    person, _ = live.join()
    live.cast_vote(person.id, "spectrum", "place", 2)
    live.add_comment("spectrum", "hello")
    live.sync()
    live.close()
    other = store.create(template, template.path.read_text(encoding="utf-8"), title="Second", session_id="s2")
    other.close()
    infos = {info.id: info for info in store.list()}
    assert set(infos) == {"s1", "s2"}
    assert (infos["s1"].participants, infos["s1"].votes, infos["s1"].comments) == (1, 1, 1)
    assert store.find("s1").title == "Ward 7 review"
    assert store.find("Second").id == "s2"
    with pytest.raises(SessionNotFound, match="2 sessions"):
        store.find("s")
    store.purge("s1")
    assert not (store.root / "s1").exists()
    assert [info.id for info in store.list()] == ["s2"]
    with pytest.raises(SessionNotFound):
        store.open("s1")


def test_snapshot_restore_round_trip(tmp_path, store, live):
    person, _ = live.join("Lee", "staff")
    live.cast_vote(person.id, "indicators", "valuing", "partly")
    live.add_comment("indicators", "Depends on the shift", item="valuing")
    snapshot = live.snapshot()
    assert "join_token" not in snapshot["meta"] and "room_code" not in snapshot["meta"]
    assert all("token_hash" not in p for p in snapshot["participants"])
    other = SessionStore(tmp_path / "elsewhere", clock=lambda: CLOCK)
    restored = other.restore(snapshot)
    try:
        assert restored.snapshot() == snapshot
        assert restored.join_token != live.join_token
    finally:
        restored.close()


def test_comment_numbers_never_collide_after_a_gap(tmp_path, live):
    first = live.add_comment("spectrum", "one")
    live.add_comment("spectrum", "two")
    snapshot = live.snapshot()
    snapshot["comments"] = [c for c in snapshot["comments"] if c["id"] != first.id]
    restored = SessionStore(tmp_path / "other", clock=lambda: CLOCK).restore(snapshot)
    try:
        new = restored.add_comment("spectrum", "three")
        assert new.id == "3"
        assert {c.text for c in restored.comments.values()} == {"two", "three"}
    finally:
        restored.close()


def test_people_present_without_phones_are_kept_per_group(store, live):
    from sessions import RoleGroup

    live.set_present_without_phones(RoleGroup.LIVED, 2)
    live.set_present_without_phones(RoleGroup.STAFF, -4)
    assert live.present_without_phones == {RoleGroup.LIVED: 2, RoleGroup.STAFF: 0, RoleGroup.OTHER: 0}
    live.sync()
    live.close()
    again = store.open("s1")
    try:
        assert again.present_without_phones[RoleGroup.LIVED] == 2
    finally:
        again.close()


def test_wall_and_counts_follow_moderation_without_scanning(store, live) -> None:
    """The index behind the wall agrees with a plain filter-and-sort after every kind of change."""
    import random

    from sessions import CommentState

    session = live
    activities = [a.id for a in session.template.activities][:3]
    rng = random.Random(7)
    states = list(CommentState)

    def expected(activity_id, limit=None):
        shown = [c for c in session.comments.values() if (activity_id is None or c.activity_id == activity_id) and c.state.visible]
        shown.sort(key=lambda c: (c.state is not CommentState.PINNED, -int(c.id)))
        return shown if limit is None else shown[:limit]

    for step in range(400):
        if step % 3 or not session.comments:
            session.add_comment(rng.choice(activities), f"comment {step}", from_facilitator=rng.random() < 0.5)
        else:
            session.moderate(rng.choice(list(session.comments)), rng.choice(states))
        for activity_id in (*activities, None):
            for limit in (None, 1, 5, 50):
                assert session.wall(activity_id, limit) == expected(activity_id, limit)
            assert session.wall_count(activity_id) == len(expected(activity_id))
        assert session.pending_count == sum(c.state is CommentState.PENDING for c in session.comments.values())
    session.sync()
    reopened = store.open(session.id, readonly=True)
    try:
        for activity_id in (*activities, None):
            assert [c.id for c in reopened.wall(activity_id)] == [c.id for c in expected(activity_id)]
        assert reopened.pending_count == session.pending_count
    finally:
        reopened.close()


def test_live_results_follow_every_change_without_recounting(store, live) -> None:
    """The counts kept as votes arrive agree with a fresh count after every kind of change."""
    import random

    from sessions import Answer, GridActivity, IndicatorsActivity, SpectrumActivity, activity_results

    session = live
    votable = [a for a in session.template.activities if a.votable]
    rng = random.Random(11)
    roles = [None, *Role]
    people = [session.join("", rng.choice(roles))[0].id for _ in range(12)]

    def answer(activity):
        if isinstance(activity, SpectrumActivity):
            return activity.items[0], rng.randint(1, activity.positions)
        if isinstance(activity, GridActivity):
            return rng.choice(activity.items), rng.randint(1, len(activity.levels))
        assert isinstance(activity, IndicatorsActivity)
        return rng.choice(activity.items), rng.choice(list(Answer)).value

    def check(session) -> None:
        for activity in votable:
            expected = activity_results(activity, session.votes.values(), session.tallies.values(), session.participants)
            assert session.results(activity.id) == expected

    for _ in range(600):
        activity = rng.choice(votable)
        roll = rng.random()
        if roll < 0.7:
            item, value = answer(activity)
            session.cast_vote(rng.choice(people), activity.id, item, value)
        elif roll < 0.8:
            vote = rng.choice(list(session.votes.values())) if session.votes else None
            if vote is not None:
                session.withdraw_vote(vote.participant_id, vote.activity_id, vote.item)
        elif roll < 0.9:
            session.update_participant(rng.choice(people), role=rng.choice([r for r in Role]))
        elif roll < 0.97:
            item, value = answer(activity)
            session.set_tally(activity.id, item, value, rng.randint(0, 4), rng.choice([None, *Role]))
        else:
            session.reset_activity(activity.id)
        check(session)
    assert any(session.results(a.id).respondents for a in votable)
    session.sync()
    reopened = store.open(session.id, readonly=True)
    try:
        check(reopened)
    finally:
        reopened.close()


async def test_answers_in_one_turn_share_one_wait_for_the_disk(live, monkeypatch) -> None:
    import asyncio
    from concurrent.futures import Future

    barriers: list[Future] = []

    def barrier() -> Future:
        barriers.append(Future())
        return barriers[-1]

    monkeypatch.setattr(live._db, "barrier", barrier)
    person, _ = live.join("")
    live.cast_vote(person.id, "spectrum", "place", 2)
    waits = [asyncio.ensure_future(live.saved(5.0)) for _ in range(50)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert len(barriers) == 1 and not any(w.done() for w in waits)
    waits[0].cancel()  # that phone went away; the rest still hear back
    await asyncio.sleep(0)
    barriers[0].set_result(None)
    await asyncio.gather(*waits[1:])
    assert waits[0].cancelled()


async def test_a_disk_that_never_answers_times_out_and_a_failing_one_says_why(live, monkeypatch) -> None:
    import asyncio
    from concurrent.futures import Future

    from sessions import StorageError

    monkeypatch.setattr(live._db, "barrier", Future)  # never resolved
    waits = [asyncio.ensure_future(live.saved(0.05)) for _ in range(3)]
    for wait in waits:
        with pytest.raises(TimeoutError):
            await wait

    def failing() -> Future:
        future: Future = Future()
        future.set_exception(StorageError("disk full"))
        return future

    monkeypatch.setattr(live._db, "barrier", failing)
    waits = [asyncio.ensure_future(live.saved(5.0)) for _ in range(3)]
    for wait in waits:
        with pytest.raises(StorageError, match="disk full"):
            await wait
