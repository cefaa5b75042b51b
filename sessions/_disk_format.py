"""What a session's files hold: the snapshot and the journal, byte for byte, with their checksums.

``snapshot.json`` is a header line (format, sequence number, size, checksum)
and the whole database; ``journal.log`` is one ``<seq> <crc32> <change>`` line
per change after it. Every change sets state and carries its number, so
replaying one twice changes nothing. docs/storage.md gives the reasons.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
import zlib
from pathlib import Path
from typing import Any

from . import _disk
from ._disk import _O_BINARY, StorageError, _fsync_directory, _write_all
from ._json import dumps, loads

SNAPSHOT = "snapshot.json"
JOURNAL = "journal.log"
LOCK = "lock"
TEMP_PREFIX = SNAPSHOT + ".tmp-"
JOURNAL_TEMP_PREFIX = JOURNAL + ".tmp-"
DAMAGED = JOURNAL + ".damaged"
FORMAT = 2
"""Snapshot format: 2 checksums the header's numbers with the body; 1 (read, never written) the body only."""
#: Documents serialised per slice when writing a snapshot (see `_encode_tables`).
_SLICE = 200

Tables = dict[str, dict[str, Any]]


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
            _disk._fsync(fd)
        finally:
            os.close(fd)
        _disk._replace(temp, directory / SNAPSHOT)
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

