"""The `involve` command's first step: check that its four packages are its own.

PyPI has an unrelated distribution called `tui` that installs a top-level `tui`
package. Installed beside Involve it overwrites Involve's `tui/__init__.py` (or,
in an editable install, is found first), and the command would die with a
SyntaxError before it could say anything. So this module imports none of the
four packages until it has checked them, and names whatever is in the way.

It costs a few file look-ups; the distributions are read only when something is
wrong, to say which one did it.
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

__all__ = ["PACKAGES", "Clash", "clashes", "main"]


class Clash:
    """One of Involve's packages that is missing, shadowed or overwritten."""

    def __init__(self, package: str, found: Path | None, owner: str) -> None:
        self.package = package
        self.found = found
        """Where Python would import the package from (None: nowhere, or only a bare folder)."""
        self.owner = owner
        """The other distribution that installed a package of that name ("tui 1.1.1"), or ""."""

    def message(self) -> str:
        pip = f"{sys.executable} -m pip"
        reinstall = f"`{pip} install --force-reinstall --no-deps {_source()}`"
        fresh = "better still, give Involve an environment of its own (python3 -m venv, or pipx), as its README says"
        if self.owner:
            name = self.owner.split()[0]
            where = f" ({self.found.parent})" if self.found else ""
            return (
                f"involve: the `{self.package}` package here{where} is not Involve's: the distribution {self.owner} "
                f"installed its own `{self.package}` package over it. Fix: `{pip} uninstall {name}`, then {reinstall}; {fresh}."
            )
        found = f"found {self.found.parent}" if self.found else "not found whole"
        return (
            f"involve: Involve's `{self.package}` package is missing or changed ({found}, expected {HERE / self.package}). "
            f"Fix: {reinstall}; {fresh}."
        )

    def __repr__(self) -> str:
        return f"Clash({self.package!r}, {self.found!r}, {self.owner!r})"


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
    """Each package's `__init__.py` hash as pip recorded it, for an ordinary (not editable) install."""
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


def _source() -> str:
    """The folder Involve was installed from, as pip noted it, for the reinstall command."""
    import json
    from urllib.parse import unquote, urlparse

    for noted in HERE.glob(f"{DISTRIBUTION}-*.dist-info/direct_url.json"):
        try:
            url = urlparse(json.loads(noted.read_text(encoding="utf-8"))["url"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if url.scheme == "file":
            return unquote(url.path)
    return "FOLDER-INVOLVE-CAME-FROM"


def main(argv: Sequence[str] | None = None) -> int:
    """Check the install, then run the command line; a broken install gets one line per package and status 2."""
    problems = clashes()
    if problems:
        for problem in problems:
            print(problem.message(), file=sys.stderr)
        return EXIT_BROKEN_INSTALL
    from tui.cli import main as run

    return run(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
