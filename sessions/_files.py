"""Reading a file someone handed us: only a regular file, only up to a size, never a hang.

`involve import` and the templates folder read files a person chose, or
dropped in a folder. A FIFO would block the read for ever, `/dev/zero` would
fill memory, and a huge file would do the same slowly; each is refused before
anything is read, in words that name the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["FileRefused", "read_limited"]


class FileRefused(ValueError):
    """A file that is not a regular file, or too big; the message names the problem, not the path."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "this is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "this is a pipe, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "this is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "this is a socket, not a regular file"
    return "this is not a regular file"


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def read_limited(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; FileRefused otherwise, OSError if unreadable.

    Checked before opening (a FIFO blocks in open itself) and again on the open
    file (it may have been swapped meanwhile), which is opened non-blocking."""
    path = Path(path)
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise FileRefused(_kind(mode))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(_kind(info.st_mode))
        if info.st_size > limit:
            raise FileRefused(f"the file is too big ({info.st_size:,} bytes; at most {_size(limit)})")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileRefused(f"the file is too big (more than {_size(limit)})")
    return data
