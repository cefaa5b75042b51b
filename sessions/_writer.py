"""The writer: one thread that owns every write to a session's files, and the helper that writes snapshots.

Changes reach it as journal lines; it appends a batch with one write and one
fsync (group commit), retries what the disk refuses, and compacts the journal
into a snapshot beside its work, so the event loop never waits for the disk.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from pathlib import Path
from typing import NamedTuple

from . import _disk
from ._disk import _O_BINARY, StorageError, _append_to, _fsync_directory, _reason, _save_error, _write_all
from ._disk_format import JOURNAL, JOURNAL_TEMP_PREFIX, SNAPSHOT, Tables, _write_snapshot
from ._recovery import _Recovered

log = logging.getLogger(__name__)

#: Compact when the journal grows past this many bytes, whatever the entry count.
COMPACT_BYTES = 32 * 1024 * 1024
#: How long the writer waits before retrying a batch the disk refused.
RETRY_SECONDS = 1.0
#: How long changes nobody has asked to be confirmed may wait for company before they are written.
BATCH_SECONDS = 0.02
#: How long the writer leaves compaction alone after the disk refused a snapshot.
COMPACT_BACKOFF_SECONDS = 30.0


def _resolve(future: Future[None], error: StorageError | None = None) -> None:
    # A caller may have cancelled its future (asyncio.wait_for does); that is not our failure.
    with contextlib.suppress(InvalidStateError):
        if error is None:
            future.set_result(None)
        else:
            copy = StorageError(str(error))
            copy.__cause__ = error.__cause__
            future.set_exception(copy)


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
                _disk._fsync(self._fd)
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
            _disk._fsync(self._fd)
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
                _disk._fsync(fd)
            finally:
                os.close(fd)
            self._close_journal()  # closed first: some systems cannot rename over an open file
            try:
                _disk._replace(temp, self._journal_path)
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

