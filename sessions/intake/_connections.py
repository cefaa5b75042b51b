"""How many connections the phone page holds open: a cap per address and in total.

An idle connection costs a file descriptor for as long as the keep-alive time.
Thousands of them (a slowloris flood, or a broken client) would use up the
process's descriptors, and then nobody's phone could connect and asyncio
would fill the log with "Too many open files". So each connection is counted
as it is accepted, before aiohttp spends anything on it. At a cap, the oldest
idle connection (kept alive, no request in flight) of the address holding the
most is closed to make room, so a few addresses filling the cap with idle
connections never lock out a phone from another. Failing that, a newcomer
from an address holding under half as many as the heaviest closes a slow
sender: a request whose body has been arriving for longer than a phone ever
takes (a trickle of a byte a second), heaviest address first. The flooding
addresses themselves may not, or their own reconnections would keep every
slow sender young and the phone would find none old enough. A request that
has all arrived, or began only moments ago, is never cut off; only when no
connection may be closed does the newcomer get a short 503 and close at once.
The caps sit well inside the descriptor limit, which is raised to its hard
limit at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

__all__ = ["ConnectionGate", "GatedSite", "raise_file_limit"]

_REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 5\r\n"
    b"Connection: close\r\n"
    b"Content-Length: 46\r\n"
    b"\r\n"
    b"Too many connections. Please try again soon.\r\n"
)
_SPARE_FILES = 128
"""Descriptors kept back from the connection cap for the session's files, the log and the screen."""


def raise_file_limit(want: int = 65_536) -> int:
    """Raise the soft limit on open files towards the hard limit; returns the soft limit now in force."""
    if resource is None:  # pragma: no cover
        return want
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    return want if soft == resource.RLIM_INFINITY else soft


class ConnectionGate:
    """Counts open connections per address and in total; never stores an address after it closes."""

    def __init__(self, per_address: int, total: int, slow_after: float = 2.0) -> None:
        self.per_address = per_address
        self.total = total
        self.slow_after = slow_after
        """Seconds a request's body may take to arrive before, at a cap, it may be closed for a newcomer."""
        self.open = 0
        self.refused = 0
        self.evicted = 0
        # Each address's open connections, oldest first (a dict keeps the order they were admitted in).
        self._by_address: dict[str, dict[_GatedProtocol, None]] = {}

    def held(self, address: str) -> int:
        return len(self._by_address.get(address, ()))

    def admit(self, address: str, connection: _GatedProtocol) -> bool:
        """Count a new connection in; at a cap, first close an idle one (else a slow sender) to make room."""
        if self.held(address) >= self.per_address and not self._evict(address, time.monotonic(), slow=False):
            self.refused += 1
            return False
        if self.open >= self.total and not self._evict_from_largest(address):
            self.refused += 1
            return False
        self.open += 1
        self._by_address.setdefault(address, {})[connection] = None
        return True

    def release(self, address: str, connection: _GatedProtocol) -> None:
        held = self._by_address.get(address)
        if not held or connection not in held:
            return
        del held[connection]
        self.open -= 1
        if not held:
            del self._by_address[address]

    def _evict_from_largest(self, newcomer: str) -> bool:
        """Make room for `newcomer`'s address, at the expense of the address holding the most first.

        An idle connection may go for anyone, as before; a slow sender only for an
        address holding under half as many as the one it is closed from. False when
        nothing may be closed."""
        if not self._by_address:
            return False
        now = time.monotonic()
        mine = self.held(newcomer)
        by_size = sorted(self._by_address, key=lambda address: len(self._by_address[address]), reverse=True)
        if self._evict(by_size[0], now, slow=mine * 2 < len(self._by_address[by_size[0]])):
            return True
        for address in by_size[1:]:
            if mine * 2 >= len(self._by_address[address]):
                break
            if self._evict(address, now, slow=True):
                return True
        return False

    def _evict(self, address: str, now: float, *, slow: bool) -> bool:
        """Close the address's oldest idle connection, else (if `slow`) its oldest slow sender; False when neither."""
        held = self._by_address.get(address, {})
        chosen = next((connection for connection in held if connection.idle), None)
        if chosen is None and slow:
            chosen = next((connection for connection in held if connection.slow_sender(now, self.slow_after)), None)
        if chosen is None:
            return False
        self.release(address, chosen)
        chosen.evict()
        self.evicted += 1
        return True

    def protocol(self, factory: Callable[[], asyncio.Protocol]) -> asyncio.Protocol:
        return _GatedProtocol(self, factory)


class _GatedProtocol(asyncio.Protocol):
    """Stands in front of aiohttp's protocol: admits the connection, or answers 503 and closes it."""

    __slots__ = ("_gate", "_factory", "_inner", "_address", "_transport", "_counted", "_busy_since")

    def __init__(self, gate: ConnectionGate, factory: Callable[[], asyncio.Protocol]) -> None:
        self._gate = gate
        self._factory = factory
        self._inner: Any = None
        self._address = ""
        self._transport: asyncio.BaseTransport | None = None
        self._counted = False
        self._busy_since: float | None = None  # when the bytes of the request in hand began to arrive

    @property
    def idle(self) -> bool:
        """Kept alive between requests (or never sent one): aiohttp waits for a request and handles none.

        The same test aiohttp makes before closing a connection at its keep-alive time; a
        connection whose state cannot be read counts as busy, so it is never closed early."""
        inner = self._inner
        if inner is None or self._transport is None or self._transport.is_closing():
            return False
        waiter = getattr(inner, "_waiter", None)
        return (
            waiter is not None
            and not waiter.done()
            and not getattr(inner, "_request_in_progress", True)
            and not getattr(inner, "_messages", True)
        )

    def slow_sender(self, now: float, after: float) -> bool:
        """A request whose body is still arriving more than `after` seconds after it began.

        A phone sends its whole request at once, well inside a second; a body still
        trickling in after that is a slow sender's. A request that has all arrived is
        never slow, however long its handler takes (waiting for the disk, say), nor is
        its answer cut off while being written. A request answered before its body
        arrived (refused, say) is slow at once while aiohttp reads and drops the rest
        of that body: its answer is already sent, so closing it costs its sender nothing."""
        inner = self._inner
        if inner is None or self._busy_since is None or self._transport is None or self._transport.is_closing():
            return False
        request = getattr(inner, "_current_request", None)
        if request is not None:
            is_eof = getattr(getattr(request, "content", None), "is_eof", None)
            return now - self._busy_since > after and callable(is_eof) and not is_eof()
        # No handler running and not waiting for a request: answered, the body still arriving.
        return getattr(inner, "_request_in_progress", True) is False and getattr(inner, "_waiter", True) is None

    def evict(self) -> None:
        """Close to make room for a newcomer; the gate has already stopped counting it."""
        self._counted = False
        if self._transport is not None:
            self._transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        if not self._gate.admit(address, self):
            with contextlib.suppress(Exception):
                transport.write(_REFUSED)  # type: ignore[attr-defined]
            transport.close()
            return
        self._address = address
        self._transport = transport
        self._counted = True
        self._inner = self._factory()
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        inner, self._inner = self._inner, None
        self._transport = None
        if inner is not None:
            if self._counted:
                self._counted = False
                self._gate.release(self._address, self)
            inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            if self._busy_since is None or self.idle:  # the first bytes of a new request
                self._busy_since = time.monotonic()
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._inner is not None else None

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()


class GatedSite(web.TCPSite):
    """aiohttp's TCP site, with every accepted connection passing the gate first."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, *, gate: ConnectionGate, backlog: int = 128) -> None:
        super().__init__(runner, host, port, backlog=backlog)
        self.gate = gate

    async def start(self) -> None:
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None
        self._server = await loop.create_server(
            lambda: self.gate.protocol(server),
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port
