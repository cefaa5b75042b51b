"""The `involve` command's first step: check that its four packages are its own.

PyPI has an unrelated distribution called `tui` that installs a top-level `tui`
package. Installed beside Involve it overwrites Involve's `tui/__init__.py` (or,
in an editable install, is found first), and the command would die with a
SyntaxError before it could say anything. So this module imports none of the
four packages until it has checked them, and names whatever is in the way.

It costs a few file look-ups; the distributions are read only when something is
wrong, to say which one did it and, from how Involve itself was installed
(ordinary or editable, and from where), which commands fix it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

PACKAGES = ("tui", "screens", "sessions", "exports")
DISTRIBUTION = "involve"
HERE = Path(__file__).resolve().parent
EXIT_BROKEN_INSTALL = 2

__all__ = ["PACKAGES", "Clash", "Install", "clashes", "main"]


class Clash:
    """One of Involve's packages that is missing, shadowed or overwritten."""

    def __init__(self, package: str, found: Path | None, owner: str) -> None:
        self.package = package
        self.found = found
        """Where Python would import the package from (None: nowhere, or only a bare folder)."""
        self.owner = owner
        """The other distribution that installed a package of that name ("tui 1.1.1"), or ""."""

    def message(self, install: Install | None = None) -> str:
        """One line: what is wrong with the package, and the commands that fix it for this kind of install."""
        install = install or _install()
        pip = f"{sys.executable} -m pip"
        fresh = "better still, give Involve an environment of its own (python3 -m venv, or pipx), as its README says"
        own = HERE / self.package
        found = self.found.parent if self.found else None
        if self.owner and found is not None:
            uninstall = f"`{pip} uninstall {self.owner.split()[0]}`"
            if found == own:
                return (
                    f"involve: the `{self.package}` package here ({found}) is not Involve's: the distribution {self.owner} "
                    f"installed its own `{self.package}` package over it. Fix: {uninstall}, then {install.restore(self.package)}; {fresh}."
                )
            return (
                f"involve: Python finds the `{self.package}` package of the distribution {self.owner} ({found}) before Involve's own ({own}), "
                f"which is untouched. Fix: {uninstall}; {fresh}."
            )
        if found is not None and found != own:
            return (
                f"involve: Python finds a `{self.package}` package ({found}) before Involve's own ({own}), and no installed distribution "
                f"owns it. Fix: move {found} out of Python's way (or run involve from another folder); {fresh}."
            )
        where = f"found {found}" if found else "not found whole"
        return (
            f"involve: Involve's `{self.package}` package is missing or changed ({where}, expected {own}). "
            f"Fix: {install.restore(self.package)}; {fresh}."
        )

    def __repr__(self) -> str:
        return f"Clash({self.package!r}, {self.found!r}, {self.owner!r})"


class Install:
    """How pip installed the Involve whose `involve.py` this is, as its metadata says (PEP 610's direct_url.json)."""

    def __init__(self, editable: bool, source: str) -> None:
        self.editable = editable
        """True for `pip install -e`: the packages are the source folder's own files, which pip never copies."""
        self.source = source
        """What pip can install Involve again from: a folder, an archive, a VCS URL or `involve==VERSION`; "" if pip did not install it."""

    def restore(self, package: str) -> str:
        """The command (or, for files pip never copied, the step) that puts Involve's own `package` back."""
        if self.source and not self.editable:
            return f"`{sys.executable} -m pip install --force-reinstall --no-deps {self.source}`"
        if (HERE / ".git").exists():
            return f"`git -C {HERE} checkout -- {package}`"
        return f"put Involve's own `{package}` folder back in {HERE}"

    def __repr__(self) -> str:
        return f"Install({self.editable!r}, {self.source!r})"


def clashes() -> list[Clash]:
    """Involve's packages that Python would not import from Involve's own files."""
    recorded = _recorded_hashes()
    problems = []
    for package in PACKAGES:
        expected = HERE / package / "__init__.py"
        found = _import_origin(package)
        if found == expected and _unchanged(package, expected, recorded):
            continue
        problems.append(Clash(package, found, _other_owner(package)))
    return problems


def _import_origin(package: str) -> Path | None:
    """The `__init__.py` Python would run for `package`, found without running it."""
    try:
        spec = find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.has_location:
        return None
    return Path(spec.origin).resolve()


def _recorded_hashes() -> dict[str, str]:
    """Each package's `__init__.py` hash as pip recorded it, for an ordinary (not editable) install.

    An ordinary install puts its .dist-info beside involve.py, so this needs no
    importlib.metadata on every start. An editable install's RECORD (in
    site-packages) lists no package files: they are the source folder's own.
    """
    for record in HERE.glob(f"{DISTRIBUTION}-*.dist-info/RECORD"):
        hashes = {}
        for line in record.read_text(encoding="utf-8").splitlines():
            path, _, rest = line.partition(",")
            package, _, name = path.partition("/")
            if name == "__init__.py" and package in PACKAGES:
                hashes[package] = rest.split(",")[0]
        return hashes
    return {}


def _unchanged(package: str, init: Path, recorded: dict[str, str]) -> bool:
    wanted = recorded.get(package)
    if not wanted:
        return True  # a source checkout or an editable install: the files are the repository's own
    import base64
    import hashlib

    algorithm, _, digest = wanted.partition("=")
    try:
        actual = hashlib.new(algorithm, init.read_bytes()).digest()
    except (OSError, ValueError):
        return False
    return base64.urlsafe_b64encode(actual).rstrip(b"=").decode("ascii") == digest


def _other_owner(package: str) -> str:
    """Name and version of another installed distribution that ships a top-level `package`."""
    from importlib import metadata

    for dist in metadata.distributions():
        name = dist.metadata["Name"] or ""
        if name.lower() == DISTRIBUTION:
            continue
        top_level = dist.read_text("top_level.txt")
        if top_level is not None:
            names = set(top_level.split())
        else:
            names = {file.parts[0] for file in dist.files or () if len(file.parts) > 1}
        if package in names:
            return f"{name} {dist.version}"
    return ""


def _install() -> Install:
    """This Involve's install: the `involve` distribution whose files (or, editable, whose source folder) are `involve.py`'s."""
    from importlib import metadata

    for dist in metadata.distributions(name=DISTRIBUTION):
        noted = _direct_url(dist)
        dir_info = noted.get("dir_info")
        if isinstance(dir_info, dict) and dir_info.get("editable"):
            if _file_path(noted.get("url")) == HERE:
                return Install(True, str(HERE))
        elif Path(str(dist.locate_file("involve.py"))).resolve() == HERE / "involve.py":
            return Install(False, _requirement(dist, noted))
    return Install(False, "")  # run from a folder pip did not install


def _direct_url(dist) -> dict:
    """The distribution's direct_url.json (absent when pip installed it from an index by name)."""
    import json

    try:
        noted = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return {}
    return noted if isinstance(noted, dict) else {}


def _file_path(url: object) -> Path | None:
    from urllib.parse import unquote, urlparse

    if not isinstance(url, str) or not url.startswith("file:"):
        return None
    return Path(unquote(urlparse(url).path)).resolve()


def _requirement(dist, noted: dict) -> str:
    """What to give `pip install` for the same Involve again: the folder or archive it came from, or its version."""
    url = noted.get("url")
    path = _file_path(url)
    if path is not None:
        return str(path)
    vcs = noted.get("vcs_info")
    if isinstance(url, str) and isinstance(vcs, dict) and vcs.get("vcs"):
        commit = vcs.get("commit_id")
        return f"{vcs['vcs']}+{url}" + (f"@{commit}" if commit else "")
    if isinstance(url, str) and url:
        return url
    return f"{DISTRIBUTION}=={dist.version}"


def main(argv: Sequence[str] | None = None) -> int:
    """Check the install, then run the command line; a broken install gets one line per package and status 2."""
    problems = clashes()
    if problems:
        install = _install()
        for problem in problems:
            print(problem.message(install), file=sys.stderr)
        return EXIT_BROKEN_INSTALL
    from tui.cli import main as run

    return run(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
