"""What a damaged journal cost: which lines could not be read, said in words a facilitator can act on.

Recovery skips a journal line that fails its checksum and keeps every good
line after it (docs/storage.md). The loss is never silent: it is described
here, once for every way a session is opened, and kept in a small note beside
the session, so a later export still says what an earlier open repaired.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ._disk import _create_private

__all__ = ["DamagedLines", "JournalDamage", "describe_payload", "read_damage_note", "write_damage_note"]

DAMAGE_NOTE = "journal.log.damaged.json"
"""Beside the session: every damaged stretch found so far, and where the damaged journal was kept."""

_NOTE_MAX = 256 * 1024
_IDS_SHOWN = 3


@dataclass(frozen=True)
class DamagedLines:
    """One stretch of consecutive journal lines that could not be read."""

    first_line: int  # 1-based, in the journal as it was found
    last_line: int
    offset: int  # byte offset of the first of them
    length: int  # bytes, newlines included
    changes: int | None  # numbered changes missing there, when the lines around tell
    what: str = ""  # the table and record ids the damaged text still names, when legible
    covered: bool = False  # left over from before the last save (the snapshot), which already holds its changes

    def describe(self) -> str:
        if not self.length:
            return f"{self.changes} change{'s' if self.changes != 1 else ''} missing before line {self.first_line}"
        where = f"line {self.first_line}" if self.first_line == self.last_line else f"lines {self.first_line}-{self.last_line}"
        text = f"{where}, bytes {self.offset}-{self.offset + self.length - 1}"
        if self.covered:
            text += ", left over from before the last save"
        elif self.changes is not None:
            text += f", {self.changes} change{'s' if self.changes != 1 else ''}"
        if self.what:
            text += f": {self.what}"
        return text


@dataclass(frozen=True)
class JournalDamage:
    """Everything a session's journal lost to damage, as found on this open and earlier ones."""

    journal: Path
    regions: tuple[DamagedLines, ...]
    kept: str = ""  # the file name the damaged journal was copied to, once a writable open set it aside

    @property
    def lines(self) -> int:
        return sum(region.last_line - region.first_line + 1 for region in self.regions)

    @property
    def nothing_lost(self) -> bool:
        """Every damaged line was left over from before the last save, which already holds what it held."""
        return all(region.covered for region in self.regions)

    def describe(self) -> str:
        """One line: what was lost, where, and that everything else was kept (or that nothing was lost)."""
        count = self.lines
        lost = f"{count} damaged line{'s' if count != 1 else ''}" if count else "changes missing"
        shown = "; ".join(region.describe() for region in self.regions[:_IDS_SHOWN])
        if len(self.regions) > _IDS_SHOWN:
            shown += f"; and {len(self.regions) - _IDS_SHOWN} more"
        if self.nothing_lost:
            text = (
                f"The saved session {self.journal.parent.name} had {lost} in its journal ({shown}); "
                "the last save already holds what it held, so nothing was lost."
            )
        else:
            text = (
                f"Part of the saved session {self.journal.parent.name} could not be read back: {lost} in its journal "
                f"({shown}) {'was' if count == 1 else 'were'} skipped; every other saved change is here."
            )
        if self.kept:
            text += f" The damaged journal is kept as {self.journal.parent / self.kept}."
        return text

    def in_short(self) -> str:
        """The loss in a few plain words, for a screen the room can see: no line numbers or byte offsets.

        Says how many lines were skipped (or changes are missing), what they held
        where the damaged text still names it, and where the damaged copy is kept.
        Lines left over from before the last save cost nothing, and are not counted as lost."""
        if self.nothing_lost:
            count = self.lines
            text = f"{count} damaged line{'s' if count != 1 else ''} left over from before the last save; nothing was lost."
            if self.kept:
                text += f" A copy of the damaged file is kept at {self.journal.parent / self.kept}."
            return text
        regions = [region for region in self.regions if not region.covered]
        count = sum(region.last_line - region.first_line + 1 for region in regions)
        missing = sum(region.changes or 0 for region in regions if not region.length)
        lost = []
        if count:
            lost.append(f"{count} damaged line{'s were' if count != 1 else ' was'} skipped")
        if missing or not count:
            lost.append(f"{missing} saved change{'s are' if missing != 1 else ' is'} missing")
        held = list(dict.fromkeys(region.what for region in regions if region.what))
        what = "; ".join(held[:_IDS_SHOWN]) + (f"; and {len(held) - _IDS_SHOWN} more" if len(held) > _IDS_SHOWN else "")
        text = f"Some saved changes could not be read back: {' and '.join(lost)}{f' ({what})' if what else ''}. Everything else is here."
        if self.kept:
            text += f" A copy of the damaged file is kept at {self.journal.parent / self.kept}."
        return text

    def with_regions(self, regions: tuple[DamagedLines, ...]) -> JournalDamage:
        new = tuple(region for region in regions if region not in self.regions)
        return JournalDamage(self.journal, self.regions + new, self.kept)


_TABLE = re.compile(rb'"t":"([A-Za-z0-9_]{1,40})"')
_KEYS = re.compile(rb'"([0-9]{1,12})":\{')


def describe_payload(raw: bytes) -> str:
    """The table and record ids a damaged line still names ("votes record 45"), or ""."""
    table = _TABLE.search(raw)
    if table is None:
        return ""
    ids = list(dict.fromkeys(match.group(1).decode() for match in _KEYS.finditer(raw)))
    name = table.group(1).decode()
    if not ids:
        return f"{name} table"
    shown = ", ".join(ids[:_IDS_SHOWN]) + (f" and {len(ids) - _IDS_SHOWN} more" if len(ids) > _IDS_SHOWN else "")
    return f"{name} record{'s' if len(ids) != 1 else ''} {shown}"


def read_damage_note(directory: Path) -> JournalDamage | None:
    """The damage an earlier writable open set aside; None if there was none (or the note is unreadable)."""
    path = directory / DAMAGE_NOTE
    try:
        with open(path, "rb") as note:
            raw = note.read(_NOTE_MAX + 1)
    except OSError:
        return None
    try:
        data = json.loads(raw) if len(raw) <= _NOTE_MAX else {}
        regions = tuple(DamagedLines(**region) for region in data["regions"])
        kept = str(data.get("kept", ""))
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    return JournalDamage(directory / "journal.log", regions, kept) if regions else None


def write_damage_note(directory: Path, damage: JournalDamage, fsync: Any) -> None:
    """Replace the note atomically (temp file, fsync, rename), so a crash leaves the old note or the new."""
    data: dict[str, Any] = {"kept": damage.kept, "regions": [asdict(region) for region in damage.regions]}
    temp = directory / f"{DAMAGE_NOTE}.tmp-{secrets.token_hex(4)}"
    try:
        with os.fdopen(_create_private(temp), "wb") as note:
            note.write(json.dumps(data, indent=1).encode())
            note.flush()
            fsync(note.fileno())
        os.replace(temp, directory / DAMAGE_NOTE)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
