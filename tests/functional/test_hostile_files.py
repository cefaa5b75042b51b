"""Hostile files handed to the command line: one clear line naming the file, exit 2, no traceback,
no hang, bounded memory; and one broken template never hides the others."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench._headless import ChildServer, app_env, headless_app, prepare_session
from sessions import FileRefused, SessionStore, read_limited
from test_faults import assert_one_clear_line, run_involve

ROOT = Path(__file__).resolve().parents[2]
DEEP = 10_000
HOSTILE_TEMPLATES = {
    "deep-array": '[template]\nname = "deep-array"\ntitle = "x"\nvalues = ' + "[" * DEEP + "]" * DEEP + "\n",
    "deep-table": '[template]\nname = "deep-table"\ntitle = "x"\nvalues = ' + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
}


# A child `python -m tui` whose address space is capped: tomllib's cost is quadratic in a dotted key's
# depth (a 100 KB key of 50,000 parts took 8 GB), so an unguarded parse fails here by memory, not by a clock.
MEMORY_CAP = 768 * 1024 * 1024
CAPPED_TUI = (
    "import resource, runpy, sys; "
    f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP})); "
    "sys.argv[0] = 'involve'; runpy.run_module('tui', run_name='__main__')"
)
DEEP_KEY = "a" + ".a" * 50_000 + " = 1\n"


def run_capped(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = app_env(data_dir) | {"COLUMNS": "240"}  # the list's table wide enough to keep each reason on one line
    return subprocess.run(
        [sys.executable, "-c", CAPPED_TUI, *args],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_template_key_with_many_dotted_parts_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir(parents=True)
    path = folder / "d.toml"
    path.write_text(DEEP_KEY)
    assert path.stat().st_size < 1024 * 1024  # under the size cap: only the depth can refuse it
    line = assert_one_clear_line(run_capped(tmp_path, "templates", "validate", str(path)), str(path), "line 1", "field 'a.a.a.")
    assert "50,001 parts separated by dots" in line
    listed = run_capped(tmp_path, "templates", "list")
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stdout + listed.stderr
    flat = " ".join(listed.stdout.split())
    assert "where-are-we" in flat and "seven-indicators" in flat
    assert flat.count("cannot be used") == 1 and "parts separated by dots" in flat
    shown = run_capped(tmp_path, "templates", "show", "where-are-we")
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr


def test_a_record_whose_session_plan_has_a_deep_key_is_refused_on_import(tmp_path: Path) -> None:
    made = tmp_path / "made"
    session_id = prepare_session(made)
    exported = run_involve(made, "export", session_id, "--format", "json", "--include-hidden", "--out", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    [path] = (tmp_path / "out").glob("*.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    record["session"]["meta"]["template_source"] += DEEP_KEY
    path.write_text(json.dumps(record), encoding="utf-8")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert_one_clear_line(run_capped(fresh, "import", str(path)), str(path), "50,001 parts separated by dots")
    assert not (fresh / "sessions").exists() or not any((fresh / "sessions").iterdir())


async def test_a_run_starts_under_a_memory_cap_beside_a_template_with_a_deep_key(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir(parents=True)
    (folder / "d.toml").write_text(DEEP_KEY)
    flags = ("--headless", "--host", "127.0.0.1", "--port", "0", "--auto-approve")
    app = ChildServer([sys.executable, "-c", CAPPED_TUI, "run", "where-are-we", *flags], env=app_env(tmp_path), cwd=tmp_path)
    url = await app.start(timeout=60)
    try:
        assert url.startswith("http://127.0.0.1:")
    finally:
        assert await app.stop() == 0


def test_deeply_nested_json_in_import_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * DEEP + "]" * DEEP)
    done = run_involve(tmp_path, "import", str(path))
    assert_one_clear_line(done, str(path), "nested too deeply")
    nested = tmp_path / "nested.json"
    nested.write_text('{"schema": "involve.session-record", "schema_version": 1, "session": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}")
    assert_one_clear_line(run_involve(tmp_path, "import", str(nested)), str(nested), "nested too deeply")


def test_dev_zero_as_the_import_file_is_refused_at_once(tmp_path: Path) -> None:
    done = run_involve(tmp_path, "import", "/dev/zero", timeout=30)
    assert_one_clear_line(done, "/dev/zero", "device, not a regular file")


def test_a_fifo_as_the_import_file_is_refused_without_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "record.json"
    os.mkfifo(fifo)
    done = run_involve(tmp_path, "import", str(fifo), timeout=30)
    assert_one_clear_line(done, str(fifo), "pipe, not a regular file")
    assert not (tmp_path / "sessions").exists() or not any((tmp_path / "sessions").iterdir())


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 5000)
    assert read_limited(path, 5000) == b"x" * 5000
    with pytest.raises(FileRefused, match="too big"):
        read_limited(path, 4999)


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEMPLATES))
def test_deeply_nested_template_is_one_clear_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.toml"
    path.write_text(HOSTILE_TEMPLATES[kind])
    assert_one_clear_line(run_involve(tmp_path, "templates", "validate", str(path)), str(path), "nested too deeply")
    assert_one_clear_line(run_involve(tmp_path, "templates", "show", str(path)), str(path), "nested too deeply")


def test_templates_folder_with_broken_files_still_serves_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir(parents=True)
    for kind, text in HOSTILE_TEMPLATES.items():
        (folder / f"{kind}.toml").write_text(text)
    os.mkfifo(folder / "a-pipe.toml")
    (folder / "huge.toml").write_bytes(b"#" * (2 * 1024 * 1024))
    listed = run_involve(tmp_path, "templates", "list", timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stdout + listed.stderr
    flat = " ".join(listed.stdout.split())
    assert "where-are-we" in flat
    for name in ("deep-array", "deep-table", "a-pipe", "huge"):
        assert name in flat
    assert flat.count("cannot be used") == 4
    from sessions import TemplateLibrary

    reasons = {entry.name: entry.error.message for entry in TemplateLibrary(folder).entries() if entry.error}
    assert reasons == {
        "a-pipe": "this is a pipe, not a regular file",
        "deep-array": "this is not a usable template: its arrays or tables are nested too deeply",
        "deep-table": "this is not a usable template: its arrays or tables are nested too deeply",
        "huge": "the file is too big (2,097,152 bytes; at most 1 MB)",
    }
    shown = run_involve(tmp_path, "templates", "show", "where-are-we")
    assert shown.returncode == 0 and "Traceback" not in shown.stderr
    assert_one_clear_line(run_involve(tmp_path, "templates", "show", "deep-array"), "deep-array.toml", "nested too deeply")


async def test_a_run_of_another_template_starts_beside_broken_ones(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir(parents=True)
    for kind, text in HOSTILE_TEMPLATES.items():
        (folder / f"{kind}.toml").write_text(text)
    app = headless_app(tmp_path, "run", "where-are-we")
    url = await app.start(timeout=60)
    try:
        assert url.startswith("http://127.0.0.1:")
        assert [info.template_name for info in SessionStore(tmp_path / "sessions").list()] == ["where-are-we"]
    finally:
        assert await app.stop() == 0


def test_a_template_that_starts_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    source = (ROOT / "sessions" / "templates" / "where-are-we.toml").read_text(encoding="utf-8")
    path = tmp_path / "with-bom.toml"
    path.write_text("\ufeff" + source, encoding="utf-8")
    done = run_involve(tmp_path, "templates", "validate", str(path))
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


# Python will not read a whole number of more than 4,300 digits from text; it raises a bare ValueError.
LONG_NUMBER = "1" * 5000
LONG_NUMBER_TEMPLATE = '[template]\nname = "long-number"\ntitle = "x"\nx = ' + LONG_NUMBER + "\n"


def test_a_template_with_a_number_too_long_to_read_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "long-number.toml"
    path.write_text(LONG_NUMBER_TEMPLATE)
    for command in ("validate", "show"):
        line = assert_one_clear_line(run_involve(tmp_path, "templates", command, str(path)), str(path), "line 4")
        assert "a number longer than 4,300 digits" in line


def test_a_templates_folder_with_a_too_long_number_lists_it_broken_and_still_runs_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir(parents=True)
    (folder / "long-number.toml").write_text(LONG_NUMBER_TEMPLATE)
    listed = run_involve(tmp_path, "templates", "list", timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stdout + listed.stderr
    flat = " ".join(listed.stdout.split())
    assert "where-are-we" in flat and "seven-indicators" in flat and "long-number" in flat
    assert flat.count("cannot be used") == 1
    from sessions import TemplateLibrary

    [broken] = [entry for entry in TemplateLibrary(folder).entries() if entry.error]
    assert broken.name == "long-number" and broken.error is not None and broken.error.line == 4
    assert broken.error.message == "this is not a usable template: it has a number longer than 4,300 digits"


async def test_a_run_starts_beside_a_template_with_a_too_long_number(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir(parents=True)
    (folder / "long-number.toml").write_text(LONG_NUMBER_TEMPLATE)
    app = headless_app(tmp_path, "run", "where-are-we")
    url = await app.start(timeout=60)
    try:
        assert url.startswith("http://127.0.0.1:")
    finally:
        assert await app.stop() == 0


async def test_the_home_screen_lists_a_template_with_a_too_long_number_as_broken(tmp_path: Path) -> None:
    from app_fixtures import make_app, make_config, screen_text
    from screens import HomeScreen

    config = make_config(tmp_path)
    config.templates_dir.mkdir(parents=True, exist_ok=True)
    (config.templates_dir / "long-number.toml").write_text(LONG_NUMBER_TEMPLATE)
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        text = " ".join(screen_text(app).split())
        assert "long-number: cannot be used" in text
        assert "where-are-we" in text


def _exported_record(tmp_path: Path) -> Path:
    made = tmp_path / "made"
    session_id = prepare_session(made)
    exported = run_involve(made, "export", session_id, "--format", "json", "--include-hidden", "--out", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    [path] = (tmp_path / "out").glob("*.json")
    return path


def test_a_record_with_a_number_too_long_to_read_is_one_clear_line_on_import(tmp_path: Path) -> None:
    path = _exported_record(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert '"schema_version": 1,' in text
    path.write_text(text.replace('"schema_version": 1,', f'"schema_version": {LONG_NUMBER},'), encoding="utf-8")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert_one_clear_line(run_involve(fresh, "import", str(path)), str(path), "a number longer than 4,300 digits")
    record = json.loads(text)
    record["session"]["meta"]["template_source"] += "x = " + LONG_NUMBER + "\n"
    path.write_text(json.dumps(record), encoding="utf-8")
    line = assert_one_clear_line(run_involve(fresh, "import", str(path)), str(path), "a number longer than 4,300 digits")
    assert "session plan" in line
    assert not (fresh / "sessions").exists() or not any((fresh / "sessions").iterdir())
