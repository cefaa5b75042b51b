"""A damaged journal line costs that line only, and every way of opening the session says so.

The session is left as a crash would leave it (snapshot and journal, no
compaction), one line in the middle of its journal is damaged, and then it is
opened the ways a facilitator would: `involve export`, `involve sessions`,
and the projected app.
"""

from __future__ import annotations

from pathlib import Path

from bench._headless import prepare_session
from sessions import SessionStore, TemplateLibrary
from test_faults import run_involve

PEOPLE = 12


def _damaged_session(data: Path) -> tuple[str, list[str], int]:
    """A session whose journal has one damaged line in the middle; returns its id, the voters, the damaged line."""
    session_id = prepare_session(data, "where-are-we", "spectrum")
    store = SessionStore(data / "sessions")
    session = store.open(session_id)
    voters = []
    for n in range(PEOPLE):
        participant, _ = session.join(f"P{n}")
        session.cast_vote(participant.id, "spectrum", "place", 1 + n % 7)
        voters.append(participant.id)
    session.sync()
    directory = session.directory
    image = {name: (directory / name).read_bytes() for name in ("snapshot.json", "journal.log")}
    session.close()  # compacts; put the files back as a crash would have left them
    for name, data_bytes in image.items():
        (directory / name).write_bytes(data_bytes)
    lines = image["journal.log"].splitlines(keepends=True)
    victim = len(lines) // 2
    assert b'"votes"' in lines[victim] or b'"participants"' in lines[victim]
    line = bytearray(lines[victim])
    line[len(line) // 2] ^= 0x04
    lines[victim] = bytes(line)
    (directory / "journal.log").write_bytes(b"".join(lines))
    return session_id, voters, victim + 1


def test_export_and_sessions_say_what_was_lost_and_keep_the_rest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    session_id, voters, line = _damaged_session(data)
    out = tmp_path / "out"
    done = run_involve(data, "export", session_id, "--format", "json", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    warning = [text for text in done.stderr.splitlines() if text.strip()]
    assert len(warning) == 1 and "warning" in warning[0]
    assert f"line {line}," in warning[0] and "1 damaged line" in warning[0] and "never confirmed" not in warning[0]
    assert list(out.glob("*.json"))
    # Everything but the damaged line's records: the last voters came after the damage and are kept.
    view = SessionStore(data / "sessions").open(session_id, readonly=True)
    kept = {vote.participant_id for vote in view.votes.values()}
    view.close()
    assert voters[-1] in kept and voters[-2] in kept
    assert len(kept) >= PEOPLE - 1

    listed = run_involve(data, "sessions")
    assert listed.returncode == 0
    assert "Traceback" not in listed.stderr
    assert f"line {line}," in listed.stderr and "could not be read back" in listed.stderr


def _open_damaged_app(tmp_path: Path, data_dir_name: str = "data", landing: str = "activity"):
    """The projected app, opened (writably, as `involve resume` does) on a session with one damaged journal line."""
    from app_fixtures import FakeServers, make_config
    from tui.app import InvolveApp

    config = make_config(tmp_path, data_dir=tmp_path / data_dir_name)
    session_id, _, line = _damaged_session(config.data_dir)
    store = SessionStore(config.sessions_dir)
    session = store.open(session_id)
    assert len({vote.participant_id for vote in session.votes.values()}) >= PEOPLE - 1
    app = InvolveApp(config, store=store, session=session, landing=landing, server_factory=FakeServers())
    return app, config, session_id, line


def _banner(app) -> str:
    from textual.widgets import Static

    banner = app.screen.query_one("#bar-damage", Static)
    return " ".join(str(banner.render()).split()) if banner.display else ""


async def test_the_app_says_so_calmly_in_a_banner_and_every_later_open_still_does(tmp_path: Path) -> None:
    from app_fixtures import screen_text

    app, config, session_id, line = _open_damaged_app(tmp_path)
    kept = config.sessions_dir / session_id / "journal.log.damaged"
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.pause()
        banner = _banner(app)
        assert banner.startswith("⚠ Some saved changes could not be read back: 1 damaged line was skipped ("), banner
        assert "record" in banner and "Everything else is here." in banner
        assert f"A copy of the damaged file is kept at {kept}." in banner
        assert f"line {line}" not in banner and "bytes" not in banner, "plain words for the room: no line numbers or offsets"
        assert not [note for note in app._notifications if "read back" in str(note.message)], "a banner, not a toast that times out"
        assert app.storage_problem == ""  # not an alarm on the projector: nothing is failing now
        text = " ".join(screen_text(app).split())
        assert "Everything else is here." in text and "w Hide notice" in text
    # The writable open set the damaged journal aside; the loss is still told afterwards.
    assert kept.exists()
    again = run_involve(config.data_dir, "export", session_id, "--format", "json", "--out", str(tmp_path / "out"))
    assert again.returncode == 0 and f"line {line}," in again.stderr


async def test_the_banner_outlasts_the_old_notice_follows_the_screens_and_w_hides_it(tmp_path: Path, monkeypatch) -> None:
    """At 80x24 the banner is whole and the key to hide it is in the footer; a minute on (the toast it
    replaces lasted 30 s) it is still there; the lobby shows it too; w (or the palette) hides it everywhere."""
    import time

    import textual.notifications
    from textual.widgets import Static

    from app_fixtures import screen_text
    from tui._commands import SessionCommands

    app, config, session_id, _ = _open_damaged_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.pause()
        banner = _banner(app)
        assert "1 damaged line was skipped" in banner
        text = screen_text(app)
        assert "".join(banner.split()) in "".join(text.split()), "the whole banner is on screen at 80x24 (a long path folds)"
        assert "w Hide notice" in text
        assert any(name.startswith("Hide the notice") for name, _, _ in SessionCommands(app.screen).commands())

        app.notify("an ordinary 30-second notice", timeout=30, markup=False)
        later = time.time() + 61
        monkeypatch.setattr(textual.notifications, "time", lambda: later)
        app._refresh_notifications()
        await pilot.pause()
        assert len(app._notifications) == 0, "the clock moved on: a 30-second notice is gone"
        assert _banner(app) == banner, "the banner is not"

        await pilot.press("l")
        await pilot.pause()
        assert type(app.screen).__name__ == "LobbyScreen"
        assert _banner(app) == banner

        await pilot.press("w")
        await pilot.pause()
        assert app.damage_notice == "" and _banner(app) == ""
        assert "Hide notice" not in screen_text(app), "offered only while there is a notice"
        assert not any(name.startswith("Hide the notice") for name, _, _ in SessionCommands(app.screen).commands())
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ActivityScreen"
        assert not app.screen.query_one("#bar-damage", Static).display
        assert "read back" not in screen_text(app)


async def test_the_banner_shows_a_folder_name_as_it_is_never_as_markup(tmp_path: Path) -> None:
    """The kept copy's path comes from the data folder's name: it is shown as text, brackets and all."""
    app, config, session_id, _ = _open_damaged_app(tmp_path, data_dir_name="data [b]x[/b] $y")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert f"{config.sessions_dir / session_id / 'journal.log.damaged'}." in _banner(app)
        assert "data [b]x[/b] $y" in _banner(app)


def test_a_headless_resume_says_what_was_lost_and_keeps_running(tmp_path: Path) -> None:
    """`involve resume --headless`: the damage is one warning line on stderr, the phone page still starts."""
    import signal
    import subprocess
    import sys

    from bench._headless import app_env

    data = tmp_path / "data"
    session_id, voters, line = _damaged_session(data)
    child = subprocess.Popen(
        [sys.executable, "-m", "tui", "resume", session_id, "--headless", "--host", "127.0.0.1", "--port", "0"],
        env=app_env(data),
        cwd=data,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().startswith("join: http://127.0.0.1:")
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    assert "Traceback" not in err
    warnings = [text for text in err.splitlines() if text.strip()]
    assert len(warnings) == 1, err
    assert f"line {line}," in warnings[0] and "every other saved change is here" in warnings[0] and "never confirmed" not in warnings[0]
    assert (data / "sessions" / session_id / "journal.log.damaged").exists(), "the damaged journal is kept for a person to inspect"


def test_compare_and_an_export_against_a_damaged_baseline_say_so_too(tmp_path: Path) -> None:
    """Figures compared with a damaged session are said to come from one, whichever side it is on."""
    data = tmp_path / "data"
    damaged, _, line = _damaged_session(data)
    template = TemplateLibrary().find("where-are-we")
    review = SessionStore(data / "sessions").create(template, template.path.read_text(encoding="utf-8"), baseline_id=damaged)
    review_id = review.id
    review.close()
    for args in (("compare", damaged, review_id), ("compare", review_id, damaged), ("export", review_id, "--format", "md", "--out", str(tmp_path / "out"))):
        done = run_involve(data, *args)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        warnings = [text for text in done.stderr.splitlines() if text.strip()]
        assert len(warnings) == 1 and f"session {damaged} could not be read back" in warnings[0] and f"line {line}," in warnings[0], (args, done.stderr)


def test_a_record_exported_after_a_participant_was_lost_imports_with_every_answer(tmp_path: Path) -> None:
    """The line that saved someone joining is damaged, the line with their vote is not: the vote was
    confirmed, so it stays, under a participant with only the id, and the record imports whole."""
    data = tmp_path / "data"
    session_id = prepare_session(data, "where-are-we", "spectrum")
    store = SessionStore(data / "sessions")
    session = store.open(session_id)
    voters = []
    for n in range(PEOPLE):
        participant, _ = session.join(f"P{n}", "staff")
        session.cast_vote(participant.id, "spectrum", "place", 1 + n % 7)
        session.add_comment("spectrum", f"comment {n}", participant_id=participant.id)
        voters.append(participant.id)
    session.sync()
    directory = session.directory
    image = {name: (directory / name).read_bytes() for name in ("snapshot.json", "journal.log")}
    session.close()
    for name, data_bytes in image.items():
        (directory / name).write_bytes(data_bytes)
    lost = voters[PEOPLE // 2]
    lines = image["journal.log"].splitlines(keepends=True)
    [victim] = [i for i, text in enumerate(lines) if b'"participants"' in text and lost.encode() in text]
    line = bytearray(lines[victim])
    line[len(line) // 2] ^= 0x04
    lines[victim] = bytes(line)
    (directory / "journal.log").write_bytes(b"".join(lines))

    view = SessionStore(data / "sessions").open(session_id, readonly=True)
    try:
        assert len(view.votes) == PEOPLE and view.participants[lost].role is None and view.participants[lost].name == ""
    finally:
        view.close()
    out = tmp_path / "out"
    exported = run_involve(data, "export", session_id, "--format", "json", "--include-hidden", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    [record] = out.glob("*-private.json")
    here = tmp_path / "elsewhere"
    here.mkdir()
    imported = run_involve(here, "import", str(record))
    assert imported.returncode == 0, imported.stderr
    again = SessionStore(here / "sessions").open(session_id, readonly=True)
    try:
        assert len(again.votes) == PEOPLE and len(again.participants) == PEOPLE
        assert sum(1 for c in again.comments.values() if c.participant_id == lost) == 1
    finally:
        again.close()


def test_the_damaged_journal_kept_aside_is_owner_only_like_every_session_file(tmp_path: Path) -> None:
    import os
    import stat

    data = tmp_path / "data"
    session_id, _voters, _line = _damaged_session(data)
    old_umask = os.umask(0o022)  # what most machines use: files made with open() would be 0644
    try:
        session = SessionStore(data / "sessions").open(session_id)  # a writable open sets the damage aside
        session.close()
    finally:
        os.umask(old_umask)
    directory = data / "sessions" / session_id
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in directory.iterdir() if path.is_file()}
    assert "journal.log.damaged" in modes and "journal.log.damaged.json" in modes, modes
    assert modes == {name: 0o600 for name in modes}, modes
