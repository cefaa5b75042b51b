"""Lint and types hold for everyone running the tests, not only in CI (.ci/run runs them too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is missing: pip install -e '.[test]' installs it"
    return found


def test_ruff_finds_nothing():
    result = subprocess.run([_tool("ruff"), "check", "--no-cache", "."], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes_on_the_domain():
    result = subprocess.run([_tool("mypy"), "sessions", "exports"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_leave_sys_path_alone():
    """The pytest configuration's `pythonpath` makes the repository and the test helpers importable.

    A child process a test starts gets them through PYTHONPATH in its environment instead.
    """
    edits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "sys" + ".path" in line
    ]
    assert edits == [], edits


LINT_TOOLS = ("ruff", "mypy", "import-linter")


def test_the_lint_tools_are_pinned_to_a_minor_version_and_installed_as_pinned():
    """A new ruff, mypy or import-linter release may check more: it comes in when someone raises the pin, not by itself."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]["test"]
    pins = {req.name: req.specifier for req in map(Requirement, extra) if req.name in LINT_TOOLS}
    assert sorted(pins) == sorted(LINT_TOOLS)
    for name, specifier in pins.items():
        assert any(spec.operator == "<" for spec in specifier), f"{name} has no upper bound: {specifier}"
        assert version(name) in specifier, f"the installed {name} {version(name)} is not the pinned {specifier}"
