"""Live behaviour: bursts of changes, storage trouble, the palette, the demo room, headless mode."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from textual.message import Message

from app_fixtures import ROOT_DIR, fixed_session, make_app, make_config, new_session, open_queue, screen_text, store_for
from screens import ActivityScreen, ConfirmScreen, ReviewScreen
from sessions import SPECTRUM_ITEM, CommentState, LiveSession, StorageError
from tui._demo import DEMO_PEOPLE, DemoRoom
from tui._launch import LaunchRequest, prepare_launch
from tui._messages import ChangeBatch, SessionChanged

SIZE = (100, 30)


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


async def palette(pilot, words: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*words)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_burst_of_changes_is_merged_into_few_redraws(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        batches: list[ChangeBatch] = []
        app.session_signal.subscribe(app.screen, batches.append, immediate=True)
        seen.clear()
        for number in range(500):
            session.add_comment("welcome", f"Burst comment {number}")
        await settle(pilot)
        handled = {id(m) for m in seen if isinstance(m, SessionChanged)}
        assert sum(batch.count for batch in batches) == 500
        assert 1 <= len(batches) < 500
        assert len(handled) <= 2  # one message carries the whole burst
        assert batches[0].kinds == {"comment"} and batches[0].activity_ids == {"welcome"}
        assert "✉ 500 to review" in screen_text(app)


async def test_the_live_session_defers_full_collections_to_a_quiet_moment(tmp_path: Path) -> None:
    import gc

    from tui._collector import FULL_AFTER, QuietCollector

    config = make_config(tmp_path)
    session = new_session(config)
    before = gc.get_threshold()
    app = make_app(config, session=session, landing="activity", collector=QuietCollector())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.collector.active and gc.get_freeze_count() > 0
        for _ in range(FULL_AFTER):
            gc.collect(1)
        session.add_comment("welcome", "Something changed just now")
        changed = time.monotonic()
        while app.collector.full_passes == 0 and time.monotonic() - changed < 10:
            await pilot.pause(0.05)
        assert app.collector.full_passes == 1
        assert time.monotonic() - changed >= app.collector.quiet  # it waited for the room to be still
        await app.close_session()
        assert not app.collector.active
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


async def test_storage_trouble_is_shown_on_screen_and_the_app_keeps_going(tmp_path: Path, monkeypatch) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        failing = StorageError("No space left on device")
        monkeypatch.setattr(LiveSession, "storage_failure", property(lambda self: failing))
        await pilot.pause(1.3)  # the app checks once a second
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "⚠ Changes are not being saved: No space left on device" in text
        await open_queue(pilot)
        await settle(pilot)
        assert "Changes are not being saved" in " ".join(screen_text(app).split())  # on every screen
        await pilot.press("escape")
        monkeypatch.setattr(LiveSession, "storage_failure", property(lambda self: None))
        await pilot.pause(1.3)
        await settle(pilot)
        assert "not being saved" not in screen_text(app)

        def refuse(index: int) -> None:
            raise StorageError("the session at /tmp/x is closed")

        monkeypatch.setattr(session, "go_to", refuse)
        await pilot.press("n")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ActivityScreen)
        assert "⚠ A change could not be saved: the session at /tmp/x is closed" in " ".join(screen_text(app).split())
        await pilot.pause(1.3)  # a refused change stays on screen; the poll does not clear it
        assert "A change could not be saved" in " ".join(screen_text(app).split())


async def test_palette_resets_an_activity_after_asking(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum", revealed=("spectrum",))
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert session.votes_for("spectrum")
        await palette(pilot, "reset this activity")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert session.votes_for("spectrum")
        await palette(pilot, "reset this activity")
        await pilot.press("y")
        await settle(pilot)
        assert session.votes_for("spectrum") == [] and session.tallies_for("spectrum") == []
        assert not session.is_revealed("spectrum")
        assert session.wall("spectrum")  # comments stay
        assert app.screen.view.revealed is False


async def test_palette_closes_and_opens_phone_answers_and_switches_theme(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "phone answers closed" not in screen_text(app)
        await palette(pilot, "close phone answers")
        assert session.intake_open is False
        assert "⊘ phone answers closed" in screen_text(app)
        await palette(pilot, "open phone answers")
        assert session.intake_open is True
        assert "phone answers closed" not in screen_text(app)
        assert app.theme == "projector"
        await palette(pilot, "projector-light")
        assert app.theme == "projector-light"
        await palette(pilot, "reveal or hide")
        assert app.screen.view is not None  # welcome has no results: nothing to reveal, no crash


async def test_review_against_the_baseline_session(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    baseline = new_session(config, title="Last spring")
    baseline_id = baseline.id
    baseline.close()
    session = new_session(config, title="This spring", baseline_id=baseline_id)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "review progress")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
    # The baseline was opened read-only and closed again: it can be opened for writing.
    store_for(config).open(baseline_id).close()


def test_demo_room_joins_votes_and_comments_on_the_current_activity(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    room = DemoRoom(session, seed=7)
    for _ in range(40):
        room.step()
    assert len(session.participants) == len(DEMO_PEOPLE)
    names = {p.name for p in session.participants.values()}
    assert {"Jo", "Dev"} <= names and "" in names  # some named, most anonymous
    assert session.votes == {}  # the welcome takes no votes
    session.go_to(2)
    for _ in range(120):
        room.step()
    spectrum_voters = {vote.participant_id for vote in session.votes_for("spectrum")}
    assert len(spectrum_voters) == len(DEMO_PEOPLE)
    assert all(vote.item == SPECTRUM_ITEM for vote in session.votes_for("spectrum"))
    session.go_to(3)
    for _ in range(150):
        room.step()
    assert len({v.participant_id for v in session.votes_for("grid")}) == len(DEMO_PEOPLE)
    assert len(session.votes_for("grid")) == len(DEMO_PEOPLE) * 6
    states = [c.state for c in session.comments.values()]
    assert CommentState.PENDING in states and CommentState.APPROVED in states
    assert {c.activity_id for c in session.comments.values()} >= {"spectrum", "grid"}


async def test_demo_mode_brings_the_room_to_life_in_the_app(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    launch = prepare_launch(config, LaunchRequest(mode="demo"))
    try:
        assert launch.demo and launch.landing == "lobby"
        assert launch.session.title.startswith("Demo")
        assert Path(launch.store.root).is_relative_to(Path(launch.scratch.name))
        app = make_app(launch.config, store=launch.store, session=launch.session, landing="lobby", demo_speed=200.0, demo_seed=1)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.pause(0.5)
            await settle(pilot)
            assert len(app.session.participants) >= 4
            assert "On phones:" in " ".join(screen_text(app).split())
        launch.session = None
    finally:
        scratch = Path(launch.scratch.name)
        launch.cleanup()
    assert not scratch.exists()


def _headless(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, INVOLVE_DATA_DIR=str(tmp_path / "data"), INVOLVE_EXPORT_DIR=str(tmp_path / "exports"), PYTHONUNBUFFERED="1")
    env.pop("INVOLVE_PUBLIC_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *args, "--headless", "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _join_line(process: subprocess.Popen) -> str:
    line = process.stdout.readline()
    assert line.startswith("join: http://127.0.0.1:"), (line, process.stderr.read() if process.poll() is not None else "")
    return line.strip().removeprefix("join: ")


def _console_line(process: subprocess.Popen) -> str:
    line = process.stdout.readline()
    assert line.startswith("console: http://127.0.0.1:"), line
    return line.strip().removeprefix("console: ")


def _stop(process: subprocess.Popen, how: int) -> tuple[str, str]:
    process.send_signal(how)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    return out, err


def test_headless_run_serves_phones_until_stopped_then_closes_cleanly(tmp_path: Path) -> None:
    process = _headless(tmp_path, "run", "where-are-we", "--title", "No screen today")
    try:
        url = _join_line(process)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
        token = url.rsplit("/", 1)[1]
        request = urllib.request.Request(
            url.split("/j/")[0] + "/api/join",
            data=json.dumps({"join_token": token, "name": "Ava", "role": "carer"}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 201)
            device = json.loads(response.read())["token"]
        # Beside the join line: the facilitator's one-time console link, whose first page lists waiting comments in full.
        console = _console_line(process)
        assert console.startswith(url.split("/j/")[0] + "/console/link/")
        text = "The first line of a long comment\nand its second line, <b>all</b> of it"
        comment = urllib.request.Request(
            url.split("/j/")[0] + "/api/comment",
            data=json.dumps({"activity_id": "welcome", "text": text}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json", "X-Involve-Device": device},
            method="POST",
        )
        with urllib.request.urlopen(comment, timeout=10) as response:
            assert json.loads(response.read())["comment"]["state"] == "pending"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(console, timeout=10) as response:
            assert response.status == 200 and response.url.endswith("/console/comments")
            page = response.read().decode()
        assert "The first line of a long comment\nand its second line, &lt;b&gt;all&lt;/b&gt; of it" in page
        assert "from Ava" in page and "✉ 1 comment waiting" in page
        with pytest.raises(urllib.error.HTTPError) as again:
            urllib.request.urlopen(console, timeout=10)  # another browser: the link is spent
        assert again.value.code == 403
        out, _err = _stop(process, signal.SIGINT)
    finally:
        if process.poll() is None:
            process.kill()
    config = make_config(tmp_path)
    [info] = store_for(config).list()
    # After the join and console lines, only how to pick the session up again.
    assert out == f"closed: every change is saved; `involve resume {info.id}` reopens it, `involve export {info.id}` writes its record\n"
    assert info.title == "No screen today" and info.participants == 1
    session = store_for(config).open(info.id)  # the lock was released
    try:
        assert [p.name for p in session.participants.values()] == ["Ava"]
    finally:
        session.close()

    # Resume headless: the same session, so the same join token (the port may differ).
    process = _headless(tmp_path, "resume")
    try:
        assert _join_line(process).rsplit("/", 1)[1] == token
        _stop(process, signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()


def test_headless_without_a_session_is_a_clear_error(tmp_path: Path) -> None:
    env = dict(os.environ, INVOLVE_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run([sys.executable, "-m", "tui", "resume", "--headless"], cwd=ROOT_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "There are no sessions yet" in result.stderr
    assert result.stdout == ""
