"""How many requests may start their work in one turn of the event loop.

The phone page shares its event loop with the projected screen. When a whole
room sends at once, hundreds of requests become ready together and asyncio
would run every one of them before the next frame or timer: the screen would
freeze for the length of the burst. A small budget per turn keeps the screen
at most one short batch away; the rest of the room waits its turn, in order.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["TurnBudget"]


class TurnBudget:
    def __init__(self, per_turn: int) -> None:
        if per_turn < 1:
            raise ValueError("per_turn must be at least 1")
        self.per_turn = per_turn
        self._used = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._turn_pending = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def enter(self) -> None:
        """Return at once while this turn has room; otherwise wait, first come first served."""
        loop = asyncio.get_running_loop()
        if self._used < self.per_turn and not self._waiting:
            self._used += 1
            self._schedule(loop)
            return
        ticket: asyncio.Future[None] = loop.create_future()
        self._waiting.append(ticket)
        self._schedule(loop)
        await ticket

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._turn_pending:
            self._turn_pending = True
            loop.call_soon(self._next_turn, loop)

    def _next_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        """Runs once per turn while there is work: a fresh budget, spent first on those waiting."""
        self._turn_pending = False
        self._used = 0
        waiting = self._waiting
        while waiting and self._used < self.per_turn:
            ticket = waiting.popleft()
            if not ticket.done():  # a request that went away while waiting uses nothing
                ticket.set_result(None)
                self._used += 1
        if self._used or waiting:
            self._schedule(loop)
