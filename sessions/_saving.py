"""Save batching: one request to the disk writer per turn of the event loop.

A full room acknowledges hundreds of answers a second; each may only be
acknowledged once it is on disk. `SaveBatcher` gathers everyone who asks in
one turn of the loop into one barrier request on the `DurableDB` writer.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import Future

from ._storage import DurableDB

__all__ = ["SaveBatcher"]


class _SaveBatch:
    """Everyone who asked to hear from the disk during one turn of the event loop.

    Each asker waits on a future of its own, so one that is cancelled (its
    phone went away) leaves the others waiting; the batch settles them all.
    """

    __slots__ = ("loop", "waiters", "timer")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiters: list[asyncio.Future[None]] = []
        self.timer: asyncio.TimerHandle | None = None

    def settle(self, error: BaseException | None = None) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                if error is None:
                    waiter.set_result(None)
                else:
                    waiter.set_exception(error)

    def settle_from(self, barrier: Future[None]) -> None:
        error = barrier.exception()
        self.settle(error if isinstance(error, Exception) else None)

    def settle_soon(self, barrier: Future[None]) -> None:
        """From the writer's thread: settle on the loop's own thread, unless the loop is gone."""
        with contextlib.suppress(RuntimeError):  # the loop closed while the disk was busy
            self.loop.call_soon_threadsafe(self.settle_from, barrier)


class SaveBatcher:
    """Acknowledges changes to one database once they are on disk, a batch at a time."""

    __slots__ = ("_db", "_batch")

    def __init__(self, db: DurableDB) -> None:
        self._db = db
        self._batch: _SaveBatch | None = None

    async def saved(self, timeout: float | None = None) -> None:
        """Wait until every change so far is on disk; only then acknowledge it.

        Everyone who asks during one turn of the event loop shares one request
        to the writer and one timer: with a full room that is one wake-up per
        batch of answers, not one per answer. The batch gives up with
        TimeoutError `timeout` seconds after it began (its first asker's).
        """
        loop = asyncio.get_running_loop()
        batch = self._batch
        if batch is None or batch.loop is not loop:
            batch = self._batch = _SaveBatch(loop)
            loop.call_soon(self._wait_for_disk, batch)
            if timeout is not None:
                batch.timer = loop.call_later(timeout, batch.settle, TimeoutError("the disk did not answer in time"))
        waiter: asyncio.Future[None] = loop.create_future()
        batch.waiters.append(waiter)
        await waiter

    def _wait_for_disk(self, batch: _SaveBatch) -> None:
        """Ask the writer once for everything committed up to now, on behalf of the whole batch."""
        if self._batch is batch:
            self._batch = None
        try:
            barrier = self._db.barrier()
        except Exception as error:  # noqa: BLE001 - handed to every waiter
            batch.settle(error)
            return
        if barrier.done():
            batch.settle_from(barrier)
        else:
            barrier.add_done_callback(batch.settle_soon)
