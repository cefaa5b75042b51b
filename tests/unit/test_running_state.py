"""How the room is being run (split, timers, curtain): session state that survives resume and stays out of the record."""

from __future__ import annotations

import pytest

from exports import export_session
from sessions import Change, InvalidInput, SessionStore, TemplateLibrary

CLOCK = "2026-03-02T10:00:00+00:00"


class WallClock:
    """Seconds since the epoch that move only when the test says so."""

    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def store(tmp_path, wall):
    return SessionStore(tmp_path / "sessions", clock=lambda: CLOCK, timer_clock=wall)


@pytest.fixture
def live(store):
    template = TemplateLibrary().find("where-are-we")
    session = store.create(template, template.path.read_text(encoding="utf-8"), title="Ward 7 review", session_id="s1")
    yield session
    session.close()


def heard(live) -> list[Change]:
    changes: list[Change] = []
    live.add_listener(changes.append)
    return changes


def test_split_is_kept_per_activity_and_says_so(live):
    changes = heard(live)
    assert not live.is_split("spectrum")
    live.set_split("spectrum", True)
    assert live.is_split("spectrum") and not live.is_split("grid")
    assert changes == [Change("state")]
    live.set_split("spectrum", True)  # already split: nothing to tell anyone
    assert len(changes) == 1
    live.set_split("grid", True)
    live.set_split("spectrum", False)
    assert not live.is_split("spectrum") and live.is_split("grid")
    assert len(changes) == 3


def test_split_refuses_activities_without_results(live):
    with pytest.raises(InvalidInput, match="no results to split"):
        live.set_split("welcome", True)
    with pytest.raises(InvalidInput, match="not part of this session"):
        live.set_split("no-such-activity", True)


def test_timer_runs_pauses_and_counts_only_running_time(live, wall):
    changes = heard(live)
    assert not live.timer_running("welcome") and live.timer_elapsed("welcome") == 0
    live.start_timer("welcome")
    assert live.timer_running("welcome") and changes == [Change("state")]
    wall.now += 65
    assert live.timer_elapsed("welcome") == 65
    live.start_timer("welcome")  # already running: no restart, no change
    assert live.timer_elapsed("welcome") == 65 and len(changes) == 1
    live.pause_timer("welcome")
    wall.now += 500
    assert not live.timer_running("welcome") and live.timer_elapsed("welcome") == 65
    live.pause_timer("welcome")
    assert len(changes) == 2
    live.start_timer("welcome")
    wall.now += 10.5
    assert live.timer_elapsed("welcome") == 75.5
    assert live.timer_elapsed("spectrum") == 0, "each activity has its own clock"


def test_a_clock_set_back_never_makes_time_negative(live, wall):
    live.start_timer("welcome")
    wall.now -= 3600
    assert live.timer_elapsed("welcome") == 0
    live.pause_timer("welcome")
    assert live.timer_elapsed("welcome") == 0


def test_timer_refuses_activities_without_a_time(store, live):
    with pytest.raises(InvalidInput, match="not part of this session"):
        live.pause_timer("no-such-activity")
    template = TemplateLibrary().find("where-are-we")
    untimed = template.path.read_text(encoding="utf-8").replace("minutes = 10\n", "", 1)
    session = store.create(template, untimed, session_id="s3")
    try:
        assert not session.template.activity("welcome").minutes
        with pytest.raises(InvalidInput, match="no time set"):
            session.start_timer("welcome")
    finally:
        session.close()


def test_split_timer_and_curtain_survive_reopening_from_disk(tmp_path, wall):
    """Read back by a new store, as `involve resume` does (kill -9: tests/functional/test_resume_keeps_running_state.py)."""
    store = SessionStore(tmp_path / "sessions", clock=lambda: CLOCK, timer_clock=wall)
    template = TemplateLibrary().find("where-are-we")
    live = store.create(template, template.path.read_text(encoding="utf-8"), session_id="s2")
    live.set_split("grid", True)
    live.start_timer("welcome")
    wall.now += 40
    live.pause_timer("welcome")
    live.start_timer("spectrum")
    wall.now += 20
    live.set_curtain(True)
    live.close()

    reopened = SessionStore(tmp_path / "sessions", clock=lambda: CLOCK, timer_clock=wall).open("s2")
    try:
        assert reopened.is_split("grid") and not reopened.is_split("spectrum")
        assert not reopened.timer_running("welcome") and reopened.timer_elapsed("welcome") == 40
        assert reopened.timer_running("spectrum") and reopened.timer_elapsed("spectrum") == 20
        wall.now += 5  # a running timer keeps counting, as the room's time did
        assert reopened.timer_elapsed("spectrum") == 25
        assert reopened.curtain is True
    finally:
        reopened.close()


def test_curtain_is_drawn_and_lifted_once(live):
    changes = heard(live)
    assert live.curtain is False
    live.set_curtain(True)
    live.set_curtain(True)
    assert live.curtain is True and changes == [Change("state")]
    live.set_curtain(False)
    assert live.curtain is False and len(changes) == 2


def test_running_state_stays_out_of_the_snapshot_and_every_record(live, wall, tmp_path):
    live.set_split("spectrum", True)
    live.start_timer("welcome")
    live.set_curtain(True)
    meta = live.snapshot()["meta"]
    for key in ("split", "timers", "curtain"):
        assert key not in meta
    paths = export_session(live, ["md", "html", "csv", "json"], tmp_path / "exports")
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert "curtain" not in text and "timers" not in text and "started_at" not in text
