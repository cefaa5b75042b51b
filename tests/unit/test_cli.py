"""The `involve` command line, run as a person would: exit codes and messages, no tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest

from sessions import SessionStore, TemplateLibrary

ROOT = Path(__file__).resolve().parents[2]


def involve(*args: str, data: Path) -> subprocess.CompletedProcess:
    env = {"INVOLVE_DATA_DIR": str(data), "PATH": "/usr/bin:/bin", "HOME": str(data), "PYTHONPATH": str(ROOT), "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, env=env, timeout=60, cwd=data
    )


@pytest.fixture
def data(tmp_path):
    return tmp_path


def test_templates_list_shows_builtins_and_folder(data):
    result = involve("templates", "list", data=data)
    assert result.returncode == 0, result.stderr
    for name in ("where-are-we", "seven-indicators"):
        assert name in result.stdout
    assert "templates" in result.stdout


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[template]\ntitle = "x"\n[[activities]]\nkind = "poll"\ntitle = "a"\n', "line 4 (field 'activities[1].kind')"),
        ('[template]\ntitle = "x"\ntitle = "y"\n', "line 3"),
        ('[template]\ntitle = "x"\n[[activities]]\nkind = "grid"\ntitle = "g"\n', "field 'activities[1].areas'"),
        ('[template]\n[[activities]]\nkind = "info"\ntitle = "i"\n', "field 'template.title'"),
    ],
)
def test_validate_reports_file_line_field_and_exits_2(data, text, expected):
    path = data / "broken.toml"
    path.write_text(text)
    result = involve("templates", "validate", str(path), data=data)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr and expected in result.stderr


def test_validate_good_file(data):
    good = TemplateLibrary().find("seven-indicators").path
    result = involve("templates", "validate", str(good), data=data)
    assert result.returncode == 0 and "OK" in result.stdout


def test_copy_then_show(data):
    result = involve("templates", "copy", "where-are-we", "ward-7", data=data)
    assert result.returncode == 0, result.stderr
    assert (data / "templates" / "ward-7.toml").is_file()
    shown = involve("templates", "show", "ward-7", data=data)
    assert shown.returncode == 0 and "spectrum" in shown.stdout


def test_unknown_template_and_session_are_clear_errors(data):
    result = involve("templates", "show", "nope", data=data)
    assert result.returncode == 2 and "no template" in result.stderr and "Traceback" not in result.stderr
    result = involve("resume", "nope", "--headless", data=data)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_sessions_lists_counts(data):
    template = TemplateLibrary().find("where-are-we")
    store = SessionStore(data / "sessions")
    live = store.create(template, template.path.read_text(), title="Team day", session_id="20260302-abc123")
    person, _ = live.join()
    live.cast_vote(person.id, "spectrum", "place", 4)
    live.add_comment("spectrum", "a comment")
    live.sync()
    live.close()
    result = involve("sessions", data=data)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "20260302-abc123" in line)
    assert "Team day" in row and "where-are-we" in row
    assert row.split()[-3:] == ["1", "1", "1"] or row.replace("│", " ").split()[-3:] == ["1", "1", "1"]


def test_bad_setting_is_a_clear_error(data):
    (data / ".env").write_text("INVOLVE_PORT=eighty\n")
    result = involve("sessions", data=data)
    assert result.returncode == 2 and "INVOLVE_PORT" in result.stderr


def test_help_reads_the_arguments_before_loading_anything_else(data):
    """`involve --help` must not pay for storage, settings or drawing (see bench/startup.py for the time)."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['involve', '--help']\n"
        "try:\n"
        "    runpy.run_module('tui', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'rich', 'sessions', 'dotenv', 'platformdirs', 'textual', 'tinydb', 'aiohttp', 'exports', 'screens'}\n"
        "loaded = sorted({name.split('.')[0] for name in sys.modules} & heavy)\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    env = {"INVOLVE_DATA_DIR": str(data), "PATH": "/usr/bin:/bin", "HOME": str(data), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60, cwd=data)
    assert "usage: involve" in result.stdout
    assert "LOADED []" in result.stderr, result.stderr


def test_the_bind_message_names_the_cause_on_every_python() -> None:
    """Python 3.13 wraps several failed binds in one OSError with no errno; the cause is still named."""
    import errno

    from sessions.intake._network import bind_error_message

    busy = OSError(errno.EADDRINUSE, "Address already in use")
    wrapped = OSError("Multiple exceptions: [Errno 98] error while attempting to bind on address ('::1', 8765, 0, 0): address already in use")
    wrapped.__context__ = busy
    assert "already in use" in bind_error_message(wrapped, "localhost", 8765)
    text_only = OSError("Multiple exceptions: [Errno 98] error while attempting to bind on address")
    assert "already in use" in bind_error_message(text_only, "localhost", 8765)
    group = OSError("Multiple exceptions")
    group.exceptions = [OSError(errno.EACCES, "Permission denied")]  # type: ignore[attr-defined]
    assert "administrator rights" in bind_error_message(group, "localhost", 80)
    none_bound = OSError("could not bind on any address out of [('192.0.2.77', 0)]")
    assert "not one of this computer's addresses" in bind_error_message(none_bound, "192.0.2.77", 0)
    assert ": OSError." not in bind_error_message(OSError(errno.ENETDOWN, "Network is down"), "10.0.0.1", 8765)


def _catalogued(data: Path) -> list[str]:
    return [info.id for info in SessionStore(data / "sessions").list()]


@pytest.mark.parametrize("port", ["99999", "65536", "-1"])
def test_a_port_outside_1_to_65535_is_refused_before_anything_is_created(data, port):
    result = involve("run", "where-are-we", "--headless", "--host", "127.0.0.1", "--port", port, data=data)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"involve: --port must be between 1 and 65535 (or 0 for any free port), not {port}"]
    assert "Traceback" not in result.stderr
    assert not (data / "sessions").exists() and _catalogued(data) == []


def test_the_port_check_lets_every_real_port_and_0_through() -> None:
    from tui.cli import CommandError, _check_port

    for port in (None, 0, 1, 8765, 65535):
        _check_port(port)
    for port in (-1, 65536, 99999):
        with pytest.raises(CommandError):
            _check_port(port)


def test_a_refused_start_leaves_no_session_behind(data):
    """The phone page's port is taken: the start is refused, and the session it made goes with it."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = involve("run", "where-are-we", "--headless", "--host", "127.0.0.1", "--port", str(port), data=data)
    assert result.returncode == 2
    assert "already in use" in result.stderr and "Traceback" not in result.stderr
    assert _catalogued(data) == []
    assert [p.name for p in (data / "sessions").iterdir() if p.name != "catalogue"] == []


def test_a_refused_resume_keeps_the_session_it_reopened(data):
    """Only a session the refused start created is taken back; an existing one, even empty, stays."""
    import socket

    template = TemplateLibrary().find("where-are-we")
    store = SessionStore(data / "sessions")
    store.create(template, template.path.read_text(), session_id="20260302-abc123").close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = involve("resume", "20260302-abc123", "--headless", "--host", "127.0.0.1", "--port", str(taken.getsockname()[1]), data=data)
    assert result.returncode == 2
    assert _catalogued(data) == ["20260302-abc123"]


@pytest.mark.parametrize("days", ["-1", "-0.5", "nan"])
def test_purge_refuses_a_negative_age_and_deletes_nothing(data, days):
    template = TemplateLibrary().find("where-are-we")
    SessionStore(data / "sessions").create(template, template.path.read_text(), session_id="20260302-abc123").close()
    result = involve("purge", "--older-than", days, "--yes", data=data)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"involve: --older-than must be a number of days, 0 or more, not {float(days):g}"]
    assert _catalogued(data) == ["20260302-abc123"]


def test_a_refused_start_keeps_a_session_that_has_something_in_it(data):
    """Whatever was recorded while the phone page was down (a hand count, a person) is the facilitator's work."""
    from tui._config import load_config
    from tui._launch import LaunchRequest, prepare_launch

    config = load_config({"INVOLVE_DATA_DIR": str(data)})
    kept = prepare_launch(config, LaunchRequest(mode="run", template="where-are-we"))
    assert kept.created and kept.session is not None
    kept.session.set_tally("spectrum", "place", 4, 2)
    assert kept.cleanup(refused=True)
    gone = prepare_launch(config, LaunchRequest(mode="run", template="where-are-we"))
    assert gone.cleanup(refused=True)
    assert _catalogued(data) == [kept.session.id]


def test_sessions_shows_a_session_whose_snapshot_is_damaged_as_unreadable_not_as_empty(data):
    store = SessionStore(data / "sessions")
    template = TemplateLibrary().find("where-are-we")
    session = store.create(template, template.path.read_text(encoding="utf-8"), title="Damaged room")
    participant, _ = session.join("A")
    session.cast_vote(participant.id, "spectrum", "place", 3)
    session_id = session.id
    session.close()
    snapshot = data / "sessions" / session_id / "snapshot.json"
    raw = bytearray(snapshot.read_bytes())
    raw[len(raw) // 2] ^= 0x04
    snapshot.write_bytes(bytes(raw))
    [info] = store.list()
    assert not info.readable and info.counts() == ("unreadable", "–", "–")
    result = involve("sessions", data=data)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    [row] = [line for line in result.stdout.splitlines() if session_id in line]
    assert "unreadable" in row and " 0 " not in row
    assert f"Session {session_id} cannot be opened" in " ".join(result.stderr.split())
