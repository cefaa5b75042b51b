"""The start-up check: a foreign `tui` package is named, with the fix, instead of a SyntaxError.

PyPI's unrelated `tui` 1.1.1 ships a Python 2 `tui/__init__.py`. These tests lay
out what pip would leave on disk (a package folder and its .dist-info) in a
temporary site folder, with no network and no pip.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import involve

ROOT = Path(__file__).resolve().parents[2]
FOREIGN_INIT = '"""TUI Textual User Interface - A sane command line user interface."""\n\nexcept IOError, e:\n    print "moose"\n'


def add_foreign_tui(site: Path) -> None:
    """What `pip install tui==1.1.1` leaves behind: its own tui/__init__.py and its metadata."""
    (site / "tui").mkdir(exist_ok=True)
    (site / "tui" / "__init__.py").write_text(FOREIGN_INIT, encoding="utf-8")
    info = site / "tui-1.1.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tui\nVersion: 1.1.1\n", encoding="utf-8")
    (info / "top_level.txt").write_text("tui\n", encoding="utf-8")
    (info / "RECORD").write_text("tui/__init__.py,,\ntui-1.1.1.dist-info/METADATA,,\n", encoding="utf-8")


def install_involve(site: Path) -> None:
    """An ordinary (not editable) install of Involve into `site`, with pip's RECORD of its files."""
    rows = []
    shutil.copy(ROOT / "involve.py", site / "involve.py")
    for package in involve.PACKAGES:
        shutil.copytree(ROOT / package, site / package, ignore=shutil.ignore_patterns("__pycache__"))
        for path in sorted((site / package).rglob("*")):
            if path.is_file():
                digest = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()
                rows.append(f"{path.relative_to(site).as_posix()},sha256={digest},{path.stat().st_size}")
    info = site / "involve-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: involve\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "direct_url.json").write_text('{"url": "file:///src/involve", "dir_info": {}}', encoding="utf-8")
    (info / "RECORD").write_text("\n".join(rows) + "\n", encoding="utf-8")


def run(code: str, *, site: Path, extra_path: str = "") -> subprocess.CompletedProcess:
    path = str(site) + (f":{extra_path}" if extra_path else "")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(site), "PYTHONPATH": path, "INVOLVE_DATA_DIR": str(site / "data")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=site, timeout=60)


COMMAND = "import sys, involve; sys.exit(involve.main(['--help']))"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    return folder


def test_involves_own_packages_pass():
    assert involve.clashes() == []


def test_a_foreign_tui_over_an_ordinary_install_is_named_with_the_fix(site):
    install_involve(site)
    fine = run(COMMAND, site=site)
    assert fine.returncode == 0 and "usage: involve" in fine.stdout, fine.stderr

    add_foreign_tui(site)
    # Without the check, this is what a person would get.
    bare = run("import tui.cli", site=site)
    assert "SyntaxError" in bare.stderr

    result = run(COMMAND, site=site)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert f"the `tui` package here ({site / 'tui'}) is not Involve's" in line
    assert "the distribution tui 1.1.1 installed its own `tui` package over it" in line
    assert f"`{sys.executable} -m pip uninstall tui`" in line
    assert f"`{sys.executable} -m pip install --force-reinstall --no-deps /src/involve`" in line
    assert "pipx" in line


def test_a_foreign_tui_found_before_an_editable_install_is_named(site):
    add_foreign_tui(site)
    result = run(COMMAND, site=site, extra_path=str(ROOT))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert "the distribution tui 1.1.1 installed its own `tui` package" in line


def test_a_package_left_without_its_init_after_uninstalling_the_foreign_one(site):
    """`pip uninstall tui` takes the overwritten __init__.py with it: the check says to reinstall."""
    install_involve(site)
    (site / "sessions" / "__init__.py").unlink()
    result = run(COMMAND, site=site)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "Involve's `sessions` package is missing or changed (not found whole" in line
    assert "--force-reinstall --no-deps /src/involve" in line
