"""The layers hold: the contracts in pyproject.toml, and what the quick commands load.

`lint-imports` checks every import, including the ones inside functions; the
import-time probe checks what a person's `involve --help` really pays for.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports() -> str:
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert found, "lint-imports is missing: pip install -e '.[test]' installs it"
    return found


def test_import_contracts_are_kept():
    result = subprocess.run([_lint_imports(), "--no-cache", "--no-logo"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails(tmp_path):
    """The checker really looks: a copy of the tree where the domain imports the app is refused."""
    for package in ("tui", "screens", "sessions", "exports"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "exports" / "_csv.py").open("a", encoding="utf-8") as source:
        source.write("\nimport tui  # the domain reaching for the app\n")
    result = subprocess.run(
        [_lint_imports(), "--no-cache", "--no-logo"], capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "exports._csv -> tui" in result.stdout


def _loaded_at_import_time(*args: str, data: Path) -> set[str]:
    """Top-level packages `python -X importtime -m tui.cli ARGS` imports."""
    env = {"INVOLVE_DATA_DIR": str(data), "PATH": "/usr/bin:/bin", "HOME": str(data), "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tui.cli", *args], capture_output=True, text=True, env=env, cwd=data, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "tui" in names, "the probe saw no imports at all"
    return names


@pytest.mark.parametrize("args", [("--help",), ("templates", "list")], ids=["help", "templates-list"])
def test_quick_commands_load_no_textual_and_no_server(args, tmp_path):
    loaded = _loaded_at_import_time(*args, data=tmp_path)
    assert not loaded & {"textual", "aiohttp", "screens"}, sorted(loaded & {"textual", "aiohttp", "screens"})


def test_the_app_is_the_host_the_screens_expect(tmp_path):
    """Screens reach the app only through screens.SessionHost; the app must keep implementing it."""
    from screens import SessionHost
    from tui import load_config
    from tui.app import InvolveApp

    app = InvolveApp(load_config())
    assert isinstance(app, SessionHost)
    assert app.config.safeguarding_reminder == ""
