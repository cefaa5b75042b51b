"""Where Involve's log records go: a small file in the data folder, never the terminal.

The terminal may be the projector. A warning about a damaged journal or a full
disk is said to the facilitator in the app's own words; the log keeps the same
record for later, in `involve.log` beside the sessions. No addresses or device
data are ever logged (docs/intake.md).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

__all__ = ["LOG_FILE", "keep_logs_off_the_terminal"]

LOG_FILE = "involve.log"
_LOGGERS = ("sessions", "exports", "tui", "screens", "asyncio", "aiohttp", "textual")
_MAX_BYTES = 1_000_000


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that, when it cannot be written (a full disk), drops the record in silence.

    The standard handler prints "--- Logging error ---" and a traceback to stderr, which
    may be the projector; the facilitator already hears about a full disk from the save
    status. The file is reopened on the next record, so logging resumes once there is room.
    """

    failures = 0

    def handleError(self, record: logging.LogRecord) -> None:
        self.failures += 1
        stream, self.stream = self.stream, None
        if stream is not None:
            try:
                stream.close()
            except (OSError, ValueError):
                pass  # what is still buffered cannot reach the disk either


def keep_logs_off_the_terminal(data_dir: Path | None) -> Path | None:
    """Send every log record of ours, asyncio's and aiohttp's to `involve.log` (or nowhere).

    Returns the log file, or None when the data folder cannot take one."""
    handler: logging.Handler
    path: Path | None = None
    try:
        if data_dir is None:
            raise OSError("no data folder")
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / LOG_FILE
        handler = _QuietFileHandler(path, maxBytes=_MAX_BYTES, backupCount=1, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
    except OSError:
        handler, path = logging.NullHandler(), None
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        logger.propagate = False
        for old in [h for h in logger.handlers if getattr(h, "_involve", False)]:
            logger.removeHandler(old)
            old.close()
        handler._involve = True  # type: ignore[union-attr]
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    return path
