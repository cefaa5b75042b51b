"""Hostile files handed to the command line: one clear line naming the file, exit 2, no traceback,
no hang, bounded memory; and one broken template never hides the others."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench._headless import headless_app
from sessions import FileRefused, SessionStore, read_limited
from test_faults import assert_one_clear_line, run_involve

ROOT = Path(__file__).resolve().parents[2]
DEEP = 10_000
HOSTILE_TEMPLATES = {
    "deep-array": '[template]\nname = "deep-array"\ntitle = "x"\nvalues = ' + "[" * DEEP + "]" * DEEP + "\n",
    "deep-table": '[template]\nname = "deep-table"\ntitle = "x"\nvalues = ' + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
}


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
