"""Shared test set-up.

Tests never touch the real per-user data folder: every test gets its own
INVOLVE_DATA_DIR under tmp, and a stray `.env` in the working directory is
ignored.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The intake fixtures (a live session, a running server, a client, a browser) and the tmux
# `terminal` reach every test module this way, instead of each importing them by name.
pytest_plugins = ["conftest_intake", "tmux_terminal"]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, headless, with nothing reaching for the network on its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_required() -> bool:
    """CI sets INVOLVE_REQUIRE_BROWSER=1 so a missing browser fails instead of skipping."""
    return os.environ.get("INVOLVE_REQUIRE_BROWSER") == "1"


def skip_or_fail(reason: str) -> None:
    if browser_required():
        pytest.fail(f"{reason} (INVOLVE_REQUIRE_BROWSER=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture
def chromium_path() -> str:
    """Path to Debian's Chromium, or skip (fail in CI) when it is missing."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        skip_or_fail("the playwright package is not installed")
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def axe_script_path() -> Path:
    """axe-core's script for WCAG checks in the browser, or skip (fail in CI) when it cannot be had."""
    from accessibility import axe_script

    script = axe_script()
    if script is None:
        skip_or_fail("axe-core is missing and npm could not install it")
    return script


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path_factory.mktemp("involve-data")
    monkeypatch.setenv("INVOLVE_DATA_DIR", str(data))
    monkeypatch.setenv("INVOLVE_EXPORT_DIR", str(data / "exports"))
    for name in ("INVOLVE_HOST", "INVOLVE_PORT", "INVOLVE_THEME", "INVOLVE_HOLD_COMMENTS", "INVOLVE_SHOW_RESULTS", "INVOLVE_PUBLIC_URL", "INVOLVE_ROOM_VIEW"):
        monkeypatch.delenv(name, raising=False)
    return data


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The order's seed, under -q too (pytest-randomly's header line is hidden there): a failure needs it to be repeated."""
    if config.pluginmanager.hasplugin("randomly"):
        seed = config.getoption("randomly_seed")
        terminalreporter.write_line(
            f"The tests ran in random order; add --randomly-seed={seed} -n 0 to repeat it in one process, or -p no:randomly for file order."
        )


@pytest.fixture(autouse=True)
def _idle_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """An app a test makes leaves Python's garbage collector alone unless the test passes its own collector.

    The live collector's start runs a full collection, about 0.2 s for every session opened;
    only the tests of collection need it, and they pass a `QuietCollector`. Apps in child
    processes (tmux, headless) are the real product and keep the live one.
    """
    from tui._collector import IdleCollector

    monkeypatch.setattr("tui.app.QuietCollector", IdleCollector)


def have(program: str) -> bool:
    return shutil.which(program) is not None
