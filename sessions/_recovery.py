"""Reading a session back after a crash or damage: the snapshot, then every good journal line after it.

A damaged line is skipped and said, never the good lines after it; an
unfinished last write (never confirmed) is cut off; a writable open sets a
damaged journal aside for a person and starts clean.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _disk
from ._disk import StorageError, _append_to, _fsync_directory, _write_all
from ._disk_format import DAMAGED, JOURNAL, JOURNAL_TEMP_PREFIX, SNAPSHOT, TEMP_PREFIX, Tables, _apply, _parse_line, _read_snapshot, _write_snapshot
from ._journal_damage import DamagedLines, JournalDamage, describe_payload, read_damage_note, write_damage_note

log = logging.getLogger(__name__)


@dataclass
class _Recovered:
    seq: int  # the last change the state below includes
    snapshot_seq: int
    tables: Tables
    journal_size: int  # bytes of the journal to keep: everything but an unfinished last write
    journal_entries: int
    unfinished: int = 0  # bytes of a last write a crash interrupted (no newline, unreadable): never confirmed
    needs_newline: bool = False  # the last line reads well but lost its newline
    damaged: tuple[DamagedLines, ...] = ()  # lines that could not be read, with good lines kept around them


_LINE_START = re.compile(rb"[0-9]{1,20} [0-9a-fA-F]{8} ")


def _resync(raw: bytes) -> list[tuple[int, int, tuple[int, dict[str, Any]] | None]]:
    """A line that fails its checksum may be two lines whose newline was damaged: split it if so.

    Returns (start, end, parsed or None) pieces of `raw`."""
    for match in _LINE_START.finditer(raw, 1):
        start = match.start()
        if raw[start - 1 : start].isdigit():
            continue  # the middle of a longer number, not the start of a line
        right = _parse_line(raw[start:])
        if right is not None:
            return [(0, start - 1, _parse_line(raw[: start - 1])), (start, len(raw), right)]
    return [(0, len(raw), None)]


class _Damage:
    """Consecutive unreadable pieces of a journal, gathered into stretches as recovery meets them."""

    def __init__(self, data: bytes, snapshot_seq: int) -> None:
        self.data = data
        self.snapshot_seq = snapshot_seq
        self.found: list[DamagedLines] = []
        self.open: list[int] | None = None  # first line, last line, start, end, seq before it

    def add(self, line_no: int, start: int, end: int, seq: int) -> None:
        if self.open is not None and self.open[3] >= start:
            self.open[1], self.open[3] = line_no, end
        else:
            self.close(None)
            self.open = [line_no, line_no, start, end, seq]

    def close(self, next_seq: int | None) -> None:
        """The stretch ends; `next_seq` (the next good line's number) tells how many changes it held."""
        if self.open is not None:
            first, last, start, end, before = self.open
            changes = None if next_seq is None else max(0, next_seq - before - 1)
            # Lines are in order, so a stretch before a change the snapshot holds held only older ones.
            covered = next_seq is not None and next_seq <= self.snapshot_seq + 1
            found = DamagedLines(first, last, start, end - start, changes, describe_payload(self.data[start:end]), covered)
            self.found.append(found)
            self.open = None

    def gap(self, line_no: int, offset: int, missing: int) -> None:
        """Numbered changes missing with no damaged line in their place: said all the same."""
        self.found.append(DamagedLines(line_no, line_no - 1, offset, 0, missing))


def _recover(directory: Path) -> _Recovered:
    """Snapshot, then every journal line after it that passes its checksum.

    A damaged line is skipped, never the good lines after it: every change sets
    state and carries its number, so applying the later ones is safe. What was
    skipped is kept in `damaged`, to be reported on every open.
    """
    snapshot = _read_snapshot(directory / SNAPSHOT)
    snapshot_seq, tables = snapshot if snapshot else (0, {})
    try:
        data = (directory / JOURNAL).read_bytes()
    except FileNotFoundError:
        data = b""
    seq = snapshot_seq
    entries = pos = line_no = 0
    damage = _Damage(data, snapshot_seq)
    last_bad: tuple[int, int] | None = None  # the latest unreadable piece, (line, start)
    newline_damaged = False
    while pos < len(data):
        end = data.find(b"\n", pos)
        terminated = end >= 0
        if not terminated:
            end = len(data)
        line_no += 1
        raw = data[pos:end]
        parsed = _parse_line(raw)
        if parsed is None and not terminated and len(raw) > 1:
            parsed = _parse_line(raw[:-1])  # the last line's newline itself was damaged
            if parsed is not None:
                raw = raw[:-1]
                newline_damaged = True
        pieces = [(0, len(raw), parsed)] if parsed is not None else _resync(raw)
        for start, stop, piece in pieces:
            piece_end = pos + stop + (1 if terminated or stop < len(raw) else 0)
            if piece is not None:
                line_seq, change = piece
                if line_seq <= snapshot_seq:
                    # Left over from a crash between writing the snapshot and emptying the
                    # journal: the snapshot already has it, and any damaged line before it.
                    damage.close(line_seq)
                    entries += 1
                    continue
                if line_seq > seq:  # not out of order: an older change would undo later ones
                    try:
                        _apply(tables, change)
                    except (KeyError, TypeError, AttributeError, ValueError):
                        pass
                    else:
                        if line_seq != seq + 1 and damage.open is None:
                            damage.gap(line_no, pos + start, line_seq - seq - 1)
                        damage.close(line_seq)
                        seq = line_seq
                        entries += 1
                        continue
            damage.add(line_no, pos + start, piece_end, seq)
            last_bad = (line_no, pos + start)
        pos = end + 1
    keep, unfinished = len(data), 0
    if damage.open is not None and last_bad is not None and not data.endswith(b"\n"):
        # The journal ends in an unreadable piece without its newline: the last write, which a
        # crash interrupted. Its batch was never fsync'd whole, so none of it was ever confirmed.
        line, start = last_bad
        keep, unfinished = start, len(data) - start
        if damage.open[0] == line:
            damage.open = None
        else:
            damage.open[1], damage.open[3] = line - 1, start
    damage.close(None)
    needs_newline = bool(data) and not data.endswith(b"\n") and not unfinished
    if newline_damaged:
        keep -= 1  # the byte that should have been the newline goes, and a newline comes in its place
    return _Recovered(seq, snapshot_seq, tables, keep, entries, unfinished, needs_newline, tuple(damage.found))


def _snapshot_identity(directory: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(directory / SNAPSHOT)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _recover_while_shared(directory: Path) -> _Recovered:
    """Read without the lock: if a writer compacted meanwhile, the pair may not match, so reread."""
    for _ in range(50):
        before = _snapshot_identity(directory)
        recovered = _recover(directory)
        if _snapshot_identity(directory) == before:
            return recovered
        time.sleep(0.01)
    raise StorageError(f"The session at {directory} kept changing while it was being read; try again.")


def _open_journal(directory: Path, recovered: _Recovered) -> int:
    """Open the journal for appending, cutting off an unfinished last write so new lines never follow garbage."""
    path = directory / JOURNAL
    existed = path.exists()
    fd = _append_to(path)
    try:
        if recovered.unfinished:
            log.info(
                "Cut %d bytes of an unfinished last write from the end of %s (a crash interrupted it before it was confirmed).",
                recovered.unfinished,
                path,
            )
            os.ftruncate(fd, recovered.journal_size)
            _disk._fsync(fd)
        elif recovered.needs_newline:
            os.ftruncate(fd, recovered.journal_size)
            _write_all(fd, b"\n")
            _disk._fsync(fd)
            recovered.journal_size += 1
            recovered.needs_newline = False
        if not existed:
            _fsync_directory(directory)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _free_name(directory: Path, name: str) -> str:
    if not (directory / name).exists():
        return name
    number = 2
    while (directory / f"{name}.{number}").exists():
        number += 1
    return f"{name}.{number}"


def _set_damage_aside(directory: Path, recovered: _Recovered, damage: JournalDamage) -> JournalDamage:
    """A writable open found damage: keep the journal as found for a person, then start clean.

    The damaged journal is copied aside, the note says what it lost, and a new
    snapshot of everything that was read well replaces the journal, so the
    damaged lines are neither read again nor reported as new.
    """
    kept = _free_name(directory, DAMAGED)
    with open(directory / JOURNAL, "rb") as source, os.fdopen(_disk._create_private(directory / kept), "wb") as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        _disk._fsync(copy.fileno())
    damage = JournalDamage(damage.journal, damage.regions, kept)
    write_damage_note(directory, damage, _disk._fsync)
    _fsync_directory(directory)
    _write_snapshot(directory, recovered.seq, recovered.tables)
    fd = _append_to(directory / JOURNAL)
    try:
        os.ftruncate(fd, 0)
        _disk._fsync(fd)
    finally:
        os.close(fd)
    recovered.snapshot_seq = recovered.seq
    recovered.journal_size = recovered.journal_entries = recovered.unfinished = 0
    recovered.needs_newline = False
    recovered.damaged = ()
    return damage


def _damage_of(directory: Path, recovered: _Recovered) -> JournalDamage | None:
    """What earlier opens set aside, and what this one found."""
    earlier = read_damage_note(directory)
    if not recovered.damaged:
        return earlier
    if earlier is None:
        return JournalDamage(directory / JOURNAL, recovered.damaged)
    return earlier.with_regions(recovered.damaged)


def _remove_temp_files(directory: Path) -> None:
    """Half-written snapshots from a crash are never read; clear them away."""
    for prefix in (TEMP_PREFIX, JOURNAL_TEMP_PREFIX):
        for temp in directory.glob(f"{prefix}*"):
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()

