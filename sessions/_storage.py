"""Durable storage for TinyDB: one database per workshop session.

TinyDB stays the store of record and the query API. Underneath it, each
session directory holds:

* ``snapshot.json`` - the whole database as of one sequence number, only ever
  replaced atomically (temp file, fsync, rename, fsync of the directory);
* ``journal.log`` - one checksummed line per change made after that snapshot,
  appended by a single writer thread with one fsync per batch (group commit);
* ``lock`` - held with ``flock`` while a window has the session open.

The calling thread (the app's event loop) only changes memory and queues a
journal line, so a write costs the same with ten documents or ten thousand.
docs/storage.md explains the design and the reasons for it.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import logging
import os
import re
import secrets
import shutil
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from tinydb import TinyDB
from tinydb.queries import QueryLike
from tinydb.storages import Storage
from tinydb.table import Document, Table

from ._journal_damage import DamagedLines, JournalDamage, describe_payload, read_damage_note, write_damage_note
from ._json import dumps, loads

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

__all__ = ["DurableDB", "JournalDamage", "StorageError"]

log = logging.getLogger(__name__)

SNAPSHOT = "snapshot.json"
JOURNAL = "journal.log"
LOCK = "lock"
TEMP_PREFIX = SNAPSHOT + ".tmp-"
JOURNAL_TEMP_PREFIX = JOURNAL + ".tmp-"
DAMAGED = JOURNAL + ".damaged"
FORMAT = 2
"""Snapshot format: 2 checksums the header's numbers with the body; 1 (read, never written) the body only."""
#: Compact when the journal grows past this many bytes, whatever the entry count.
COMPACT_BYTES = 32 * 1024 * 1024
#: How long the writer waits before retrying a batch the disk refused.
RETRY_SECONDS = 1.0
#: How long changes nobody has asked to be confirmed may wait for company before they are written.
BATCH_SECONDS = 0.02
#: How long the writer leaves compaction alone after the disk refused a snapshot.
COMPACT_BACKOFF_SECONDS = 30.0
#: Documents serialised per slice when writing a snapshot (see `_encode_tables`).
_SLICE = 200
_O_BINARY = getattr(os, "O_BINARY", 0)

Tables = dict[str, dict[str, Any]]


def _full_fsync(fd: int) -> None:
    """fsync; on macOS ask the drive itself to flush, since plain fsync stops at its cache."""
    if sys.platform == "darwin" and fcntl is not None and hasattr(fcntl, "F_FULLFSYNC"):
        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass
    os.fsync(fd)


# The file operations the writer goes through. They are module attributes so a
# test can make the disk "full" (raise OSError(ENOSPC)) and put it back again.
_write = os.write
_fsync = _full_fsync
_replace = os.replace


class StorageError(Exception):
    """A session could not be read or saved; the message is safe to show to a facilitator."""


# -- small helpers --------------------------------------------------------------------


def _deep(value: Any) -> Any:
    """Copy JSON data; stored documents must never share lists or dicts with callers."""
    if isinstance(value, dict):
        return {key: _deep(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deep(item) for item in value]
    return value


def _detached(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """What to hand to `Document()`: it copies the top level itself, so only nesting needs a copy."""
    for item in doc.values():
        if isinstance(item, (dict, list)):
            return _deep(doc)
    return doc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno:
        reason = os.strerror(exc.errno)
    else:
        reason = str(exc) or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def _save_error(exc: BaseException, path: Path) -> StorageError:
    error = StorageError(f"Could not save to disk: {_reason(exc)} ({path})")
    error.__cause__ = exc
    return error


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[_write(fd, view) :]


def _fsync_directory(path: Path) -> None:
    """Make a rename or a new file in `path` survive power loss (not possible on Windows)."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        _fsync(fd)
    finally:
        os.close(fd)


def _resolve(future: Future[None], error: StorageError | None = None) -> None:
    # A caller may have cancelled its future (asyncio.wait_for does); that is not our failure.
    with contextlib.suppress(InvalidStateError):
        if error is None:
            future.set_result(None)
        else:
            copy = StorageError(str(error))
            copy.__cause__ = error.__cause__
            future.set_exception(copy)


# -- the on-disk format ---------------------------------------------------------------


def _journal_line(seq: int, payload: bytes) -> bytes:
    """``<seq> <crc32 of "seq payload"> <payload>\\n``: a torn or garbled line fails its checksum."""
    return b"%d %08x %s\n" % (seq, zlib.crc32(b"%d %s" % (seq, payload)), payload)


def _parse_line(line: bytes) -> tuple[int, dict[str, Any]] | None:
    try:
        seq, crc, payload = line.split(b" ", 2)
        if len(crc) != 8 or zlib.crc32(seq + b" " + payload) != int(crc, 16):
            return None
        change = loads(payload)
        return (int(seq), change) if isinstance(change, dict) else None
    except ValueError:
        return None


def _apply(tables: Tables, change: dict[str, Any]) -> None:
    """Apply one change set. Every change sets state (never increments), so replay is idempotent."""
    if "all" in change:
        tables.clear()
        tables.update(change["all"])
        return
    name = change["t"]
    docs = tables.get(name)
    if docs is None or change.get("clear"):
        docs = tables[name] = {}
    for key in change.get("del", ()):
        docs.pop(key, None)
    docs.update(change.get("put", {}))


def _encode_tables(tables: Tables) -> bytes:
    """Serialise in slices, handing the GIL back after each one.

    The JSON encoder holds the GIL for a whole call, and a thread that does not
    let go is only made to after the interpreter's switch interval (5 ms): the
    event loop, answering phones and drawing the screen, would wait that long
    again and again while a big session's snapshot is written.
    """
    parts = []
    for name, docs in tables.items():
        items = list(docs.items())
        slices = []
        for start in range(0, len(items), _SLICE):
            slices.append(dumps(dict(items[start : start + _SLICE]))[1:-1])
            time.sleep(0)
        parts.append(dumps(name) + b":{" + b",".join(slices) + b"}")
    return b"{" + b",".join(parts) + b"}"


def _snapshot_crc(seq: int, size: int, body: bytes) -> int:
    """The checksum of a format 2 snapshot: its header's numbers and its body, so no field can change unseen."""
    return zlib.crc32(body, zlib.crc32(b"involve snapshot %d %d %d\n" % (FORMAT, seq, size)))


def _snapshot_header(seq: int, body: bytes) -> bytes:
    return dumps({"format": FORMAT, "seq": seq, "size": len(body), "crc32": _snapshot_crc(seq, len(body), body)})


def _write_snapshot(directory: Path, seq: int, tables: Tables) -> int:
    """Replace the snapshot atomically: a crash leaves the old one or the new one, never half.

    Returns its size in bytes."""
    body = _encode_tables(tables)
    header = _snapshot_header(seq, body)
    temp = directory / f"{TEMP_PREFIX}{secrets.token_hex(4)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
    try:
        try:
            _write_all(fd, header + b"\n")
            _write_all(fd, body)
            _fsync(fd)
        finally:
            os.close(fd)
        _replace(temp, directory / SNAPSHOT)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)
    return len(header) + 1 + len(body)


def _read_snapshot(path: Path) -> tuple[int, Tables] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    header, _, body = raw.partition(b"\n")
    try:
        meta = loads(header)
        if not isinstance(meta, dict) or set(meta) != {"format", "seq", "size", "crc32"}:
            raise ValueError("the header is not a snapshot header")
        if not all(type(meta[key]) is int and meta[key] >= 0 for key in meta):
            raise ValueError("the header's numbers are not whole numbers")
        if meta["format"] == FORMAT:
            # Every field is in the checksum, and the header must be exactly as written:
            # a flipped bit anywhere in it is refused, never read as a different session.
            if header != _snapshot_header(meta["seq"], body) or len(body) != meta["size"]:
                raise ValueError("checksum mismatch")
        elif meta["format"] == 1:
            # Written before version 2: the body's checksum only.
            if len(body) != meta["size"] or zlib.crc32(body) != meta["crc32"]:
                raise ValueError("checksum mismatch")
        else:
            raise ValueError(f"unknown format {meta['format']!r}")
        tables = loads(body)
        if not isinstance(tables, dict):
            raise ValueError("no tables")
        return int(meta["seq"]), tables
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise StorageError(f"The saved session in {path} is damaged and cannot be read ({exc}).") from exc


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

    def __init__(self, data: bytes) -> None:
        self.data = data
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
            self.found.append(DamagedLines(first, last, start, end - start, changes, describe_payload(self.data[start:end])))
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
    damage = _Damage(data)
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
                    # journal: the snapshot already has it.
                    damage.close(None)
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


def _lock_directory(directory: Path) -> int:
    """One writer per session: a second window (or process) gets a clear refusal."""
    if not directory.is_dir():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        _fsync_directory(directory.parent)
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT | _O_BINARY, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
            raise StorageError(
                f"The session at {directory} is already open in another Involve window; close it there first."
            ) from None
        raise
    return fd


def _append_to(path: Path) -> int:
    """The journal opened for appending (created if missing, owner-only)."""
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _O_BINARY, 0o600)


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
            _fsync(fd)
        elif recovered.needs_newline:
            os.ftruncate(fd, recovered.journal_size)
            _write_all(fd, b"\n")
            _fsync(fd)
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
    with open(directory / JOURNAL, "rb") as source, open(directory / kept, "xb") as copy:
        shutil.copyfileobj(source, copy)
        copy.flush()
        _fsync(copy.fileno())
    damage = JournalDamage(damage.journal, damage.regions, kept)
    write_damage_note(directory, damage, _fsync)
    _fsync_directory(directory)
    _write_snapshot(directory, recovered.seq, recovered.tables)
    fd = _append_to(directory / JOURNAL)
    try:
        os.ftruncate(fd, 0)
        _fsync(fd)
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


# -- the writer thread ------------------------------------------------------------------


class _Record(NamedTuple):
    seq: int
    line: bytes


class _Compaction(threading.Thread):
    """Writes one snapshot beside the writer, so no acknowledgement waits for a big session's rewrite.

    Meanwhile the writer goes on appending to the journal, and keeps every line
    it writes after the snapshot's number in `tail`: once the snapshot is safe,
    the journal is cut down to those lines.
    """

    def __init__(self, directory: Path, seq: int, tables: Tables, done: Callable[[], None]) -> None:
        super().__init__(name=f"involve-compaction:{directory.name}", daemon=True)
        self.directory = directory
        self.seq = seq
        self.tables: Tables | None = tables
        self.size = 0
        self.error: BaseException | None = None
        self.tail: list[bytes] = []
        self._done = done

    def run(self) -> None:
        try:
            assert self.tables is not None
            self.size = _write_snapshot(self.directory, self.seq, self.tables)
        except BaseException as exc:  # handed to the writer, which decides what it means
            self.error = exc
        finally:
            self.tables = None
            self._done()


class _Writer(threading.Thread):
    """Owns every write to a session's files, so the event loop never waits for the disk.

    It takes whatever is queued, appends it to the journal with one write and one
    fsync (group commit), then resolves the barriers that were waiting on it. A batch
    the disk refuses is kept and retried, so nothing confirmed is ever lost and the
    session recovers by itself once space is freed.
    """

    def __init__(
        self,
        directory: Path,
        journal_fd: int,
        recovered: _Recovered,
        capture: Callable[[], tuple[int, Tables]],
        compact_after: int,
    ) -> None:
        super().__init__(name=f"involve-storage:{directory.name}", daemon=True)
        self._directory = directory
        self._journal_path = directory / JOURNAL
        self._fd = journal_fd
        self._capture = capture
        self._compact_after = compact_after
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[_Record | Future[None]] = deque()
        self._asked = False  # a barrier is queued
        self._queue_since = 0.0  # when the first of the queued changes came
        self._stopping = False
        self._pending: list[_Record] = []  # accepted, not yet durable
        self._size = recovered.journal_size  # journal bytes known to be durable
        self._entries = recovered.journal_entries
        self._snapshot_seq = recovered.snapshot_seq
        try:
            self._snapshot_size = (directory / SNAPSHOT).stat().st_size
        except FileNotFoundError:
            self._snapshot_size = 0
        self._dirty = False  # the journal may hold unsynced bytes past `_size`
        self._compact_not_before = 0.0
        self._compaction: _Compaction | None = None
        self._compaction_done = False
        self._final_error: StorageError | None = None
        self._waiters: list[Future[None]] = []  # barriers in the batch being written
        self.durable_seq = recovered.seq
        self.failure: StorageError | None = None
        self.dead: StorageError | None = None

    def submit(self, job: _Record | Future[None]) -> None:
        with self._cond:
            if self.dead is not None:
                if isinstance(job, Future):
                    _resolve(job, self.dead)
                return
            queue = self._queue
            queue.append(job)
            # Wake for a barrier (someone is waiting), or for the first change into an empty
            # queue (to start its short wait). Each change of a busy turn used to wake the
            # writer, which then wrote the first alone and the rest with a second fsync.
            if isinstance(job, Future):
                self._asked = True
                self._cond.notify()
            elif len(queue) == 1:
                self._queue_since = time.monotonic()
                self._cond.notify()

    def stop(self) -> StorageError | None:
        """Drain, compact and close; returns the error if the last changes could not be saved."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self.join()
        return self._final_error

    def run(self) -> None:
        try:
            self._maybe_compact()
            while True:
                with self._cond:
                    while not (self._stopping or self._asked or self._compaction_done):
                        if self._queue:
                            # Changes nobody waits for yet: the event loop asks at the end of
                            # its turn, so a moment's wait lets one fsync take the whole turn.
                            left = self._queue_since + BATCH_SECONDS - time.monotonic()
                            if left <= 0:
                                break
                            self._cond.wait(left)
                        elif not self._pending:
                            self._cond.wait()
                        elif not self._cond.wait(RETRY_SECONDS):
                            break  # retry the batch the disk refused
                    jobs, self._queue = self._queue, deque()
                    self._asked = False
                    stopping = self._stopping
                    compacted, self._compaction_done = self._compaction_done, False
                self._process(jobs)
                if compacted:
                    self._end_compaction()
                if stopping:
                    self._finish()
                    return
        except BaseException as exc:  # a bug, not a disk error: fail loudly, never hang callers
            self._die(exc)

    def _process(self, jobs: deque[_Record | Future[None]]) -> None:
        waiters = self._waiters = []
        for job in jobs:
            if isinstance(job, Future):
                waiters.append(job)
            else:
                self._pending.append(job)
        try:
            self._flush()
        except OSError as exc:
            if self.failure is None:
                log.error("Could not save %s: %s; will keep retrying", self._journal_path, _reason(exc))
            self.failure = _save_error(exc, self._journal_path)
            for waiter in waiters:
                _resolve(waiter, self.failure)
            waiters.clear()
            return
        if self.failure is not None:
            log.warning("Saving %s works again", self._journal_path)
            self.failure = None
        for waiter in waiters:
            _resolve(waiter)
        waiters.clear()
        self._maybe_compact()

    def _flush(self) -> None:
        if self._fd < 0:  # shortening the journal could not reopen it; try again now
            self._fd = _append_to(self._journal_path)
        if self._dirty:
            # The last attempt failed part-way: whatever it left past the durable end may be
            # torn or (after a failed fsync) silently lost, so cut it off and write it again.
            os.ftruncate(self._fd, self._size)
            self._dirty = False
        records = [record for record in self._pending if record.seq > self._snapshot_seq]
        if records:
            data = b"".join(record.line for record in records)
            self._dirty = True
            try:
                _write_all(self._fd, data)
                _fsync(self._fd)
            except OSError:
                with contextlib.suppress(OSError):  # if this fails too, the next attempt retries it
                    os.ftruncate(self._fd, self._size)
                    self._dirty = False
                raise
            self._dirty = False
            self._size += len(data)
            self._entries += len(records)
            if self._compaction is not None:
                self._compaction.tail.extend(record.line for record in records if record.seq > self._compaction.seq)
        if self._pending:
            self.durable_seq = max(self.durable_seq, self._pending[-1].seq)
            self._pending.clear()

    def _maybe_compact(self, *, force: bool = False) -> None:
        """Start a snapshot when the journal has grown enough; at close (`force`), write it and wait."""
        if self._compaction is not None:
            if not force:
                return
            self._compaction.join()
            self._end_compaction()
        if force:
            if not self._entries:
                return
        elif self._size < COMPACT_BYTES and (self._entries < self._compact_after or self._size < self._snapshot_size):
            # Not before the journal is as big as the snapshot: rewriting a big session's
            # snapshot then costs each change a constant share, however big the session grows.
            return
        elif time.monotonic() < self._compact_not_before:
            return
        seq, tables = self._capture()
        compaction = self._compaction = _Compaction(self._directory, seq, tables, self._compaction_finished)
        if force:
            compaction.run()  # closing: nothing else will be written meanwhile
            self._compaction_done = False
            self._end_compaction()
        else:
            compaction.start()

    def _compaction_finished(self) -> None:
        with self._cond:
            self._compaction_done = True
            self._cond.notify()

    def _end_compaction(self) -> None:
        """The snapshot is written (or failed): cut the journal down to what came after it."""
        compaction, self._compaction = self._compaction, None
        if compaction is None:
            return
        if compaction.error is not None:
            if not isinstance(compaction.error, OSError):
                raise compaction.error
            # Nothing is lost: the journal still holds every change. Try again later.
            self._compact_not_before = time.monotonic() + COMPACT_BACKOFF_SECONDS
            log.warning("Could not compact %s: %s", self._directory, _reason(compaction.error))
            return
        self._snapshot_seq = compaction.seq
        self._snapshot_size = compaction.size
        self.durable_seq = max(self.durable_seq, compaction.seq)
        # The snapshot is durable, so journal lines up to its number are redundant. If we crash
        # before (or during) the cut, recovery skips them by their sequence number.
        try:
            self._cut_journal(compaction.tail)
        except OSError as exc:
            log.warning("Could not shorten %s: %s", self._journal_path, _reason(exc))

    def _cut_journal(self, tail: list[bytes]) -> None:
        if self._dirty:
            return  # a failed write left bytes to cut first; the next compaction tidies up
        if not tail:
            os.ftruncate(self._fd, 0)
            _fsync(self._fd)
            self._size = self._entries = 0
            return
        # Lines arrived while the snapshot was written: the new journal is just those, put in
        # place by rename, so a crash leaves either the old journal or the new one, whole.
        data = b"".join(tail)
        temp = self._directory / f"{JOURNAL_TEMP_PREFIX}{secrets.token_hex(4)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
        try:
            try:
                _write_all(fd, data)
                _fsync(fd)
            finally:
                os.close(fd)
            self._close_journal()  # closed first: some systems cannot rename over an open file
            try:
                _replace(temp, self._journal_path)
            finally:
                self._fd = _append_to(self._journal_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_directory(self._directory)
        self._size = len(data)
        self._entries = len(tail)

    def _finish(self) -> None:
        try:
            if self._pending:
                self._final_error = self.failure or StorageError(f"Could not save to disk ({self._journal_path})")
                if self._compaction is not None:
                    self._compaction.join()
                    self._end_compaction()
            else:
                self._maybe_compact(force=True)
        finally:
            self._close_journal()

    def _close_journal(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            with contextlib.suppress(OSError):
                os.close(fd)

    def _die(self, exc: BaseException) -> None:
        log.critical("The storage writer for %s stopped", self._directory, exc_info=exc)
        error = _save_error(exc, self._journal_path)
        with self._cond:
            self.dead = self.failure = self._final_error = error
            jobs, self._queue = self._queue, deque()
        for job in [*self._waiters, *jobs]:
            if isinstance(job, Future):
                _resolve(job, error)
        self._close_journal()


# -- TinyDB integration --------------------------------------------------------------------


class JournalStorage(Storage):
    """A TinyDB storage whose state lives in memory and reaches disk through the journal.

    `DurableDB` creates it; on its own, with TinyDB's stock `Table`, every write
    would become a whole-database journal entry (correct, but slow).
    """

    def __init__(self, directory: Path, *, readonly: bool = False, compact_after: int = 5000) -> None:
        self.directory = directory
        self.readonly = readonly
        self.lock = threading.RLock()
        self._closed = False
        self._lock_fd: int | None = None
        self._writer: _Writer | None = None
        self.damage: JournalDamage | None = None
        """What the journal lost to damage (on this open or an earlier one), or None."""
        try:
            if readonly:
                if not directory.is_dir():
                    raise StorageError(f"There is no saved session at {directory}.")
                recovered = _recover_while_shared(directory)
                self.damage = _damage_of(directory, recovered)
            else:
                self._lock_fd = _lock_directory(directory)
                _remove_temp_files(directory)
                recovered = _recover(directory)
                self.damage = _damage_of(directory, recovered)
                if recovered.damaged and self.damage is not None:
                    try:
                        self.damage = _set_damage_aside(directory, recovered, self.damage)
                    except OSError as exc:  # the journal still reads the same way next time
                        log.warning("Could not set the damaged journal of %s aside: %s", directory, _reason(exc))
                journal_fd = _open_journal(directory, recovered)
                self._writer = _Writer(directory, journal_fd, recovered, self._capture, compact_after)
        except OSError as exc:
            self._release_lock()
            raise StorageError(f"Could not open the session at {directory}: {_reason(exc)}") from exc
        except BaseException:
            self._release_lock()
            raise
        self.tables: Tables = recovered.tables
        self.seq = recovered.seq
        if self.damage is not None:
            log.warning("%s", self.damage.describe())
        if self._writer is not None:
            self._writer.start()
            atexit.register(self._close_at_exit)

    # The Storage interface: whole-database reads and writes, used by TinyDB's
    # tables() and drop_table(s) (our JournalTable has a cheaper path).

    def read(self) -> Tables:
        with self.lock:
            return {name: {key: _deep(doc) for key, doc in docs.items()} for name, docs in self.tables.items()}

    def write(self, data: Mapping[str, Mapping[Any, Any]]) -> None:
        self.commit({"all": {str(name): {str(key): doc for key, doc in docs.items()} for name, docs in data.items()}})

    def close(self, *, give_up: bool = False) -> None:
        """Wait until everything is durable, compact, stop the writer and release the lock.

        If the last changes cannot be saved, raise StorageError and stay open, so the
        caller can free space and close again rather than lose them. With `give_up`
        (a person chose to lose them) it makes one last attempt, closes all the same,
        and then raises StorageError saying how many changes were not saved.
        """
        if self._closed:
            return
        if self._writer is None:
            self._closed = True
            return
        if self._writer.dead is None and not give_up:
            self.barrier().result()
        with self.lock:
            self._closed = True
        error = self._writer.stop()
        self._release_lock()
        atexit.unregister(self._close_at_exit)
        if error is not None:
            lost = self.seq - self._writer.durable_seq
            if give_up and lost > 0:
                gone = StorageError(f"{lost} change{'s were' if lost != 1 else ' was'} not saved: {error}")
                gone.__cause__ = error.__cause__
                raise gone
            raise error

    @property
    def unsaved(self) -> int:
        """How many changes are in memory but not yet on disk."""
        writer = self._writer
        return 0 if writer is None else max(0, self.seq - writer.durable_seq)

    # Durability.

    @property
    def failure(self) -> StorageError | None:
        return self._writer.failure if self._writer is not None else None

    def barrier(self) -> Future[None]:
        future: Future[None] = Future()
        with self.lock:
            writer = self._writer
            if writer is None or self._closed or writer.durable_seq >= self.seq:
                _resolve(future, writer.dead if writer is not None else None)
            else:
                writer.submit(future)
        return future

    # The write path, used by JournalTable.

    def check_writable(self) -> None:
        if self.readonly:
            raise StorageError(f"The session at {self.directory} was opened read-only.")
        if self._closed:
            raise StorageError(f"The session at {self.directory} is closed.")
        assert self._writer is not None
        if self._writer.dead is not None:
            raise self._writer.dead

    def commit(self, change: dict[str, Any]) -> None:
        """Apply one change set to memory and queue its journal line; never touches the disk.

        The change goes through JSON before it reaches memory, so memory always
        equals what recovery would rebuild, and unsavable values fail here, not later.
        """
        with self.lock:
            self.check_writable()
            assert self._writer is not None
            payload = dumps(change)
            applied = loads(payload)
            seq = self.seq + 1
            line = _journal_line(seq, payload)
            _apply(self.tables, applied)
            self.seq = seq
            self._writer.submit(_Record(seq, line))

    def _capture(self) -> tuple[int, Tables]:
        """A consistent view for a snapshot. Stored documents are never changed in place
        (writes replace them), so copying the table dicts is enough."""
        with self.lock:
            return self.seq, {name: dict(docs) for name, docs in self.tables.items()}

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _close_at_exit(self) -> None:
        """The interpreter is ending with the session open: save what can be, and log (never print) what cannot."""
        try:
            self.close(give_up=True)
        except Exception as error:  # noqa: BLE001 - the log is the only place left to say it
            log.error("Could not save %s before exiting: %s", self.directory, error)


_GONE: Any = object()


class _StagedTable(MutableMapping[int, dict[str, Any]]):
    """The table as TinyDB's updaters expect it (int ids), recording only what they touch.

    Reading a document hands out a copy and stages it, so in-place edits by
    `update()` are caught, and nothing reaches the stored state unless the whole
    updater succeeds.
    """

    def __init__(self, live: dict[str, Any]) -> None:
        self._live = live
        self._staged: dict[int, Any] = {}
        self._cleared = False

    def __getitem__(self, doc_id: int) -> dict[str, Any]:
        doc = self._staged.get(doc_id, _GONE)
        if doc is _GONE:
            if doc_id in self._staged or self._cleared:
                raise KeyError(doc_id)
            doc = self._staged[doc_id] = _deep(self._live[str(doc_id)])
        return doc

    def __setitem__(self, doc_id: int, doc: dict[str, Any]) -> None:
        self._staged[doc_id] = doc

    def __delitem__(self, doc_id: int) -> None:
        if doc_id not in self:
            raise KeyError(doc_id)
        self._staged[doc_id] = _GONE

    def __contains__(self, doc_id: object) -> bool:
        if doc_id in self._staged:
            return self._staged[doc_id] is not _GONE
        return not self._cleared and str(doc_id) in self._live

    def __iter__(self) -> Iterator[int]:
        if not self._cleared:
            for key in list(self._live):
                if self._staged.get(int(key)) is not _GONE:
                    yield int(key)
        for doc_id, doc in list(self._staged.items()):
            if doc is not _GONE and (self._cleared or str(doc_id) not in self._live):
                yield doc_id

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        self._staged.clear()
        self._cleared = True

    def change(self, name: str, *, exists: bool) -> dict[str, Any] | None:
        """The journal record for what the updater did, or None if it changed nothing."""
        put: dict[str, Any] = {}
        gone: list[str] = []
        for doc_id, doc in self._staged.items():
            key = str(doc_id)
            if doc is _GONE:
                if not self._cleared and key in self._live:
                    gone.append(key)
            elif self._cleared or self._live.get(key, _GONE) != doc:
                put[key] = doc
        change: dict[str, Any] = {"t": name}
        if self._cleared and (self._live or not exists):
            change["clear"] = True
        if gone:
            change["del"] = gone
        if put:
            change["put"] = put
        return change if len(change) > 1 else None


class JournalTable(Table):
    """A TinyDB table whose writes cost O(changed documents) and whose reads return copies.

    Stock `Table._update_table` reads, rebuilds and rewrites the whole table on
    every write; here TinyDB's own update logic runs against a `_StagedTable` and
    only the documents it touched become a journal entry. Reads skip the query
    cache (every write clears it anyway) and hand out deep copies, so a caller
    editing a result can never change stored state behind the journal's back.
    """

    _storage: JournalStorage

    def _read_table(self) -> dict[str, Mapping[str, Any]]:
        return self._storage.tables.get(self.name, {})

    def _update_table(self, updater: Callable[[dict[int, Mapping[str, Any]]], None]) -> None:
        storage = self._storage
        with storage.lock:
            storage.check_writable()
            live = storage.tables.get(self.name)
            staged = _StagedTable(live if live is not None else {})
            updater(staged)  # type: ignore[arg-type]
            change = staged.change(self.name, exists=live is not None)
            if change is not None:
                storage.commit(change)
        self.clear_cache()

    def insert(self, document: Mapping[str, Any]) -> int:
        """As TinyDB's; a new document (every comment and join) is one journal line, with no staging."""
        if not isinstance(document, Mapping):
            raise ValueError("Document is not a Mapping")
        if isinstance(document, self.document_class):
            return super().insert(document)  # it brings its own id
        doc_id = self._get_next_id()
        storage = self._storage
        with storage.lock:
            storage.check_writable()
            live = storage.tables.get(self.name)
            if live is not None and str(doc_id) in live:
                raise ValueError(f"Document with ID {doc_id} already exists")
            storage.commit({"t": self.name, "put": {str(doc_id): dict(document)}})
        self.clear_cache()
        return doc_id

    def update(
        self,
        fields: Mapping[str, Any] | Callable[[MutableMapping[str, Any]], None],
        cond: QueryLike | None = None,
        doc_ids: Iterable[int] | None = None,
    ) -> list[int]:
        """As TinyDB's; setting fields on documents named by id (every vote a room changes)
        skips the staging copy and costs one journal line of just those documents."""
        if callable(fields) or cond is not None or doc_ids is None:
            return super().update(fields, cond, doc_ids)
        storage = self._storage
        updated: list[int] = []
        with storage.lock:
            storage.check_writable()
            live = storage.tables.get(self.name, {})
            put: dict[str, Any] = {}
            for doc_id in doc_ids:
                key = str(doc_id)
                doc = live.get(key)
                if doc is None:
                    continue  # as TinyDB: ids that are not there are skipped
                updated.append(doc_id)
                new = {**doc, **fields}
                if new != doc:
                    put[key] = new
            if put:
                storage.commit({"t": self.name, "put": put})
        self.clear_cache()
        return updated

    def _document(self, key: str, doc: Mapping[str, Any]) -> Document:
        return self.document_class(_detached(doc), self.document_id_class(key))

    def __iter__(self) -> Iterator[Document]:
        for key, doc in list(self._read_table().items()):
            yield self._document(key, doc)

    def search(self, cond: QueryLike) -> list[Document]:
        return [self._document(key, doc) for key, doc in self._read_table().items() if cond(doc)]

    def get(  # type: ignore[override]
        self,
        cond: QueryLike | None = None,
        doc_id: int | None = None,
        doc_ids: list[int] | None = None,
    ) -> Document | list[Document] | None:
        """As TinyDB's, but `doc_ids` costs O(ids) and returns documents in the order asked."""
        table = self._read_table()
        if doc_id is not None:
            doc = table.get(str(doc_id))
            return None if doc is None else self.document_class(_detached(doc), doc_id)
        if doc_ids is not None:
            keys = dict.fromkeys(str(doc_id) for doc_id in doc_ids)
            return [self._document(key, table[key]) for key in keys if key in table]
        if cond is not None:
            for key, doc in table.items():
                if cond(doc):
                    return self._document(key, doc)
            return None
        raise RuntimeError("You have to pass either cond or doc_id or doc_ids")


class _JournalTinyDB(TinyDB):
    """A TinyDB whose tables are JournalTables; DurableDB hands it a JournalStorage."""

    table_class = JournalTable


# -- the public face -------------------------------------------------------------------


class DurableDB:
    """One session's TinyDB, kept safe on disk by a journal and snapshots.

    Writes return as soon as memory has changed; `barrier()` / `sync()` say when
    they are on disk, and only then should anything be confirmed to a person.
    Use it from one thread (the app's event loop). Callbacks added to a barrier's
    future run on the writer thread and must not block.
    """

    def __init__(self, directory: Path | str, *, readonly: bool = False, compact_after: int = 5000) -> None:
        if compact_after < 1:
            raise ValueError("compact_after must be at least 1")
        self.directory = Path(directory)
        self.db: TinyDB = _JournalTinyDB(self.directory, storage=JournalStorage, readonly=readonly, compact_after=compact_after)
        self._storage: JournalStorage = self.db.storage  # type: ignore[assignment]

    def __repr__(self) -> str:
        mode = "readonly" if self.readonly else "writable"
        return f"<DurableDB {str(self.directory)!r} {mode}>"

    @property
    def readonly(self) -> bool:
        return self._storage.readonly

    def table(self, name: str) -> Table:
        return self.db.table(name)

    def barrier(self) -> Future[None]:
        """A future that resolves once every write made so far is fsync'd.

        It fails with StorageError if they could not be saved; in asyncio use
        ``await asyncio.wrap_future(db.barrier())``.
        """
        return self._storage.barrier()

    def sync(self, timeout: float | None = None) -> None:
        """Block until every write so far is on disk (StorageError, or TimeoutError after `timeout`)."""
        self.barrier().result(timeout)

    @property
    def failure(self) -> Exception | None:
        """The last save error while saving is failing; None when healthy."""
        return self._storage.failure

    @property
    def damage(self) -> JournalDamage | None:
        """What this session lost to a damaged journal, found now or by an earlier open; None if nothing."""
        return self._storage.damage

    @property
    def unsaved(self) -> int:
        """How many changes are only in memory so far (0 once everything is on disk)."""
        return self._storage.unsaved

    def close(self, *, give_up: bool = False) -> None:
        """Save everything, compact, stop the writer and release the lock; safe to call twice.

        If changes cannot be saved it raises StorageError and stays open; with
        `give_up` it closes all the same and raises saying how many were lost."""
        if give_up:
            self._storage.close(give_up=True)
        self.db.close()

    def __enter__(self) -> DurableDB:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
