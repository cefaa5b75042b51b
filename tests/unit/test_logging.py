"""The log file on a full disk: records are dropped in silence, never a traceback on the terminal."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest

from tui._logging import LOG_FILE, keep_logs_off_the_terminal


class _FullDisk:
    """A log stream on a disk with no room left: every write and flush refuses."""

    closed = False

    def _refuse(self, *_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    write = flush = close = _refuse


def _our_handler() -> logging.FileHandler:
    [handler] = [h for h in logging.getLogger("sessions").handlers if getattr(h, "_involve", False)]
    assert isinstance(handler, logging.FileHandler)
    return handler


@pytest.fixture
def log_file(tmp_path: Path):
    yield keep_logs_off_the_terminal(tmp_path)
    keep_logs_off_the_terminal(None)  # the next test's records go nowhere, not into this tmp folder


def test_a_log_that_cannot_be_written_stays_silent_and_resumes_when_there_is_room(log_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = logging.getLogger("sessions.test")
    log.error("before the disk filled")
    handler = _our_handler()
    handler.stream = _FullDisk()  # type: ignore[assignment]
    log.error("Could not save %s: %s; will keep retrying", "journal.log", "no space left on device")
    log.error("and again")
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == "", captured.err
    log.error("after room was made")
    handler.flush()
    written = log_file.read_text(encoding="utf-8")
    assert log_file.name == LOG_FILE
    assert "before the disk filled" in written and "after room was made" in written
    assert "will keep retrying" not in written
