"""docs/architecture.md names every module where it lives, so the map cannot drift from the tree.

Each package has a `### `pkg/`` section whose table rows start with a module's
file name; a module added, moved or removed without its row fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ["tui", "screens", "sessions", "sessions/intake", "exports", "bench"]


def listed(package: str) -> set[str]:
    """The file names in the first column of the table under `### `package/``."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^### `{re.escape(package)}/`\n(.*?)(?=^##)", text, re.MULTILINE | re.DOTALL)
    assert match, f"docs/architecture.md has no section for {package}/"
    return set(re.findall(r"^\| `([^`]+)` \|", match.group(1), re.MULTILINE))


def on_disk(package: str) -> set[str]:
    folder = ROOT / package
    return {path.name for pattern in ("*.py", "*.tcss") for path in folder.glob(pattern)}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_is_named_in_its_package_section(package):
    missing = on_disk(package) - listed(package)
    assert not missing, f"docs/architecture.md does not say what these {package}/ modules hold: {sorted(missing)}"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_named_still_exists(package):
    gone = listed(package) - on_disk(package)
    assert not gone, f"docs/architecture.md names {package}/ modules that are not there: {sorted(gone)}"


def test_no_sentence_says_each_screen_has_its_own_style_sheet():
    """There is one shared screens/screens.tcss; the rest is DEFAULT_CSS in the modules."""
    text = DOC.read_text(encoding="utf-8")
    assert "each with its `.tcss` beside it" not in text
    assert sorted(path.name for path in (ROOT / "screens").rglob("*.tcss")) == ["screens.tcss"]
