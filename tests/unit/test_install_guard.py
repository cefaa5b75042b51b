"""The start-up check: a foreign `tui` package is named, with the fix, instead of a SyntaxError.

PyPI's unrelated `tui` 1.1.1 ships a Python 2 `tui/__init__.py`. These tests lay
out what pip would leave on disk (a package folder and its .dist-info) in a
temporary site folder, with no network and no pip.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
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


def install_involve(site: Path, direct_url: str | None = '{"url": "file:///src/involve", "dir_info": {}}') -> None:
    """An ordinary (not editable) install of Involve into `site`, with pip's RECORD of its files.

    `direct_url` is the direct_url.json pip writes when it installs from a folder or
    a file (PEP 610); None is an install from an index, which writes none.
    """
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
    if direct_url is not None:
        (info / "direct_url.json").write_text(direct_url, encoding="utf-8")
    (info / "RECORD").write_text("\n".join(rows) + "\n", encoding="utf-8")


def install_involve_editable(site: Path) -> None:
    """What `pip install -e ROOT` leaves in `site`: metadata only, naming the source folder as editable.

    pip's editable finder is consulted after site-packages; `run(..., extra_path=ROOT)`
    puts the source folder after `site` on the path to the same effect.
    """
    info = site / "involve-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: involve\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "direct_url.json").write_text(json.dumps({"dir_info": {"editable": True}, "url": ROOT.as_uri()}), encoding="utf-8")
    (info / "RECORD").write_text("involve-0.1.0.dist-info/METADATA,,\ninvolve-0.1.0.dist-info/RECORD,,\n", encoding="utf-8")


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


def test_a_foreign_tui_found_before_an_editable_install_is_named_with_the_one_fix(site):
    """With `pip install -e`, a foreign `tui` only shadows Involve's: uninstalling it is the whole fix."""
    install_involve_editable(site)
    add_foreign_tui(site)
    result = run(COMMAND, site=site, extra_path=str(ROOT))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line == (
        f"involve: Python finds the `tui` package of the distribution tui 1.1.1 ({site / 'tui'}) before Involve's own ({ROOT / 'tui'}), "
        f"which is untouched. Fix: `{sys.executable} -m pip uninstall tui`; "
        "better still, give Involve an environment of its own (python3 -m venv, or pipx), as its README says."
    )
    assert not PLACEHOLDER.search(line)

    (site / "tui" / "__init__.py").unlink()  # what `pip uninstall tui` takes away
    (site / "tui").rmdir()
    fixed = run(COMMAND, site=site, extra_path=str(ROOT))
    assert fixed.returncode == 0 and "usage: involve" in fixed.stdout, fixed.stderr


def test_an_install_from_an_index_is_reinstalled_by_its_version(site):
    install_involve(site, direct_url=None)
    add_foreign_tui(site)
    [line] = run(COMMAND, site=site).stderr.splitlines()
    assert f"then `{sys.executable} -m pip install --force-reinstall --no-deps involve==0.1.0`;" in line


PLACEHOLDER = re.compile(r"\b[A-Z]{2,}(?:[-_][A-Z]{2,})+\b|<[a-z-]+>")
"""A stand-in for something the person would have to find out, like FOLDER-INVOLVE-CAME-FROM."""


@pytest.mark.parametrize(
    "install",
    [involve.Install(False, "/src/involve"), involve.Install(False, "involve==0.1.0"), involve.Install(True, str(ROOT)), involve.Install(False, "")],
    ids=["ordinary", "from-an-index", "editable", "not-installed"],
)
@pytest.mark.parametrize(
    "clash",
    [
        involve.Clash("tui", ROOT / "tui" / "__init__.py", "tui 1.1.1"),
        involve.Clash("tui", Path("/elsewhere/tui/__init__.py"), "tui 1.1.1"),
        involve.Clash("tui", Path("/elsewhere/tui/__init__.py"), ""),
        involve.Clash("sessions", None, ""),
    ],
    ids=["overwritten", "shadowed", "shadowed-by-a-folder", "missing"],
)
def test_every_fix_is_a_whole_command_or_step(install, clash):
    message = clash.message(install)
    assert "Fix: " in message and not PLACEHOLDER.search(message), message
    for command in re.findall(r"`([^`]*)`", message.partition("Fix: ")[2]):
        assert command.startswith((sys.executable, "git -C ")), command


def test_the_check_loads_no_textual_and_no_metadata_when_all_is_well():
    """It runs before every command, so it stays a few file look-ups."""
    code = "import sys; before = set(sys.modules); import involve; assert involve.clashes() == []; print(*sorted(set(sys.modules) - before))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True).stdout.split()
    assert "involve" in loaded
    assert not [name for name in loaded if name.split(".")[0] in {"textual", "tui", "screens", "sessions", "exports"} or name == "importlib.metadata"]


def test_a_package_left_without_its_init_after_uninstalling_the_foreign_one(site):
    """`pip uninstall tui` takes the overwritten __init__.py with it: the check says to reinstall."""
    install_involve(site)
    (site / "sessions" / "__init__.py").unlink()
    result = run(COMMAND, site=site)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "Involve's `sessions` package is missing or changed (not found whole" in line
    assert "--force-reinstall --no-deps /src/involve" in line
