"""The disk as storage sees it: whole writes, fsyncs that reach the drive, and the error they become.

Every write to a session's files goes through `_write`, `_fsync` and `_replace`
here, looked up at call time, so a test can make the disk "full" (raise
OSError(ENOSPC)) and put it back again in one place.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["StorageError"]

_O_BINARY = getattr(os, "O_BINARY", 0)


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


def _append_to(path: Path) -> int:
    """The journal opened for appending (created if missing, owner-only)."""
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _O_BINARY, 0o600)


def _create_private(path: Path) -> int:
    """A new file only its owner may read, as every file of a session is; refused if one is there."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)

