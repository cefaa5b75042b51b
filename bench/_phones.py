"""A room of phones arriving at once, each behaving as a phone's browser does.

Each phone arrives at a random moment within `arrive_seconds`, opens the join
link, fetches the style sheet and script it has not cached yet, posts the
join form (and follows its 303 to the activity page), then answers and
comments. What it does next depends on the page it was given, as a browser's
would: a page whose script answers in place (`<body data-in-place>`) is
answered with `fetch` to the JSON API; any other page, and every phone with
JavaScript off, posts the HTML forms, follows the redirect and loads the page
again. Phones with JavaScript poll `/api/version` as the page's script does,
until the whole room is done.

"Saved" is the time from the tap on "Save" to the moment the phone can show
"Saved": the JSON answer, or the whole reloaded page after the redirect.

The client speaks HTTP/1.1 through a bare asyncio protocol, one keep-alive
connection per phone from its own loopback address, so three thousand phones
cost the two-core machine far less CPU than the server they measure.

    python -m bench._phones --url http://127.0.0.1:PORT/j/TOKEN --phones 3000 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from ._load import loopback_only, percentile, source_address

__all__ = ["BurstPlan", "run_burst", "Http", "HttpError"]

STATIC = re.compile(rb'(?:href|src)="(/static/[^"]+)"')
POLL_MS = re.compile(rb'data-poll-ms="(\d+)"')
ROLES = ("service_user", "carer", "staff", "staff", "other", "prefer_not", "")
NAVIGATE = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class HttpError(Exception):
    """The server closed the connection or answered in a way no browser would accept."""


@dataclass(frozen=True)
class BurstPlan:
    url: str
    phones: int = 300
    arrive_seconds: float = 5.0
    no_js_share: float = 0.2
    """Phones with JavaScript off (or a browser too old for the page's script)."""
    vote_activity: str = "spectrum"
    vote_item: str = "place"
    vote_values: int = 9
    max_seconds: float = 60.0
    seed: int = 1
    offset: int = 0
    """First source-address index, so rounds against one server never reuse an address."""


class _Answer(asyncio.Protocol):
    """Reads HTTP/1.1 answers off one connection, with no stream machinery in between."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiting: asyncio.Future[tuple[int, dict[bytes, bytes], bytes]] | None = None
        self.closed = False
        self._head: tuple[int, dict[bytes, bytes], int, int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(HttpError("connection closed"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self._head is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status_line, *header_lines = bytes(self.buffer[:end]).split(b"\r\n")
            headers: dict[bytes, bytes] = {}
            for line in header_lines:
                name, _, value = line.partition(b":")
                key = name.strip().lower()
                if key == b"set-cookie":  # one response may set several: keep each name=value
                    pair = value.strip().split(b";", 1)[0]
                    headers[b"cookie"] = headers[b"cookie"] + b"; " + pair if b"cookie" in headers else pair
                headers[key] = value.strip()
            if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
                self._fail(HttpError("chunked answers are not expected here"))
                return
            self._head = (int(status_line.split(b" ", 2)[1]), headers, end + 4, int(headers.get(b"content-length", b"0")))
        status, headers, start, length = self._head
        if len(self.buffer) - start < length:
            return
        body = bytes(self.buffer[start:start + length])
        del self.buffer[:start + length]
        self._head = None
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_result((status, headers, body))

    def _fail(self, error: Exception) -> None:
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(error)
        if self.transport is not None:
            self.transport.close()


class Http:
    """One keep-alive HTTP/1.1 connection, as a browser keeps to a page's origin."""

    def __init__(self, host: str, port: int, local: str) -> None:
        self.host, self.port, self.local = host, port, local
        self.authority = f"{host}:{port}".encode()
        self.cookies: dict[bytes, bytes] = {}
        """name -> name=value, as a browser's jar: a new cookie joins the others, the same name replaces."""
        self._answer: _Answer | None = None

    async def close(self) -> None:
        if self._answer is not None and self._answer.transport is not None:
            self._answer.transport.close()
        self._answer = None

    async def request(self, method: str, path: str, *, accept: str = NAVIGATE, body: bytes = b"", media: str = "") -> tuple[int, dict[bytes, bytes], bytes]:
        loop = asyncio.get_running_loop()
        if self._answer is None or self._answer.closed:
            _, self._answer = await loop.create_connection(_Answer, self.host, self.port, local_addr=(self.local, 0))
        answer = self._answer
        head = (
            b"%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (Linux; Android 14) InvolveBench/1\r\n"
            b"Accept: %s\r\nAccept-Language: en-GB,en;q=0.9\r\n"
        ) % (
            method.encode(), path.encode(), self.authority, accept.encode()
        )
        if self.cookies:
            head += b"Cookie: " + b"; ".join(self.cookies.values()) + b"\r\n"
        if method == "POST":
            head += b"Origin: http://%s\r\nSec-Fetch-Site: same-origin\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (
                self.authority, media.encode(), len(body)
            )
        answer.waiting = loop.create_future()
        assert answer.transport is not None
        answer.transport.write(head + b"\r\n" + body)
        try:
            status, headers, payload = await answer.waiting
        except HttpError as error:
            await self.close()
            raise HttpError(f"{method} {path}: {error}") from None
        for pair in headers.get(b"cookie", b"").split(b"; "):
            if pair:
                self.cookies[pair.split(b"=", 1)[0]] = pair
        if headers.get(b"connection", b"").lower() == b"close":
            await self.close()
        return status, headers, payload


@dataclass
class _Room:
    plan: BurstPlan
    host: str
    port: int
    join_path: str
    started: float
    done: asyncio.Event = field(default_factory=asyncio.Event)
    remaining: int = 0
    saved: dict[str, list[float]] = field(default_factory=lambda: {"js": [], "form": []})
    commented: dict[str, list[float]] = field(default_factory=lambda: {"js": [], "form": []})
    joined: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


class _Phone:
    def __init__(self, room: _Room, index: int, javascript: bool, rng: random.Random) -> None:
        self.room = room
        self.index = index
        self.javascript = javascript
        self.rng = rng
        self.http = Http(room.host, room.port, source_address(room.plan.offset + index))
        self.cache: set[bytes] = set()
        self.poll_ms = 3000

    async def _get(self, path: str, accept: str = NAVIGATE) -> tuple[int, dict[bytes, bytes], bytes]:
        self.room.requests += 1
        status, headers, body = await self.http.request("GET", path, accept=accept)
        self.room.count(f"GET {path.split('?')[0]} {status}")
        return status, headers, body

    async def _post(self, path: str, body: bytes, media: str, accept: str = NAVIGATE) -> tuple[int, dict[bytes, bytes], bytes]:
        self.room.requests += 1
        status, headers, payload = await self.http.request("POST", path, body=body, media=media, accept=accept)
        self.room.count(f"POST {path} {status}")
        return status, headers, payload

    async def _page(self, path: str) -> bytes:
        """Load a page as a browser navigates: the HTML, then whatever it links that is not cached."""
        status, _, body = await self._get(path)
        if status != 200:
            raise HttpError(f"GET {path} answered {status}")
        for asset in STATIC.findall(body):
            if asset.endswith(b".js") or b".js?" in asset:
                if not self.javascript:
                    continue
            if asset not in self.cache:
                status, _, _ = await self._get(asset.decode(), accept="*/*")
                if status == 200:
                    self.cache.add(asset)
        found = POLL_MS.search(body)
        if found:
            self.poll_ms = int(found.group(1))
        return body

    async def _form(self, path: str, fields: dict[str, Any]) -> bytes:
        """Post a form and follow its 303 as a browser does; returns the page shown after it."""
        status, headers, _ = await self._post(path, urlencode(fields).encode(), "application/x-www-form-urlencoded")
        if status != 303:
            raise HttpError(f"POST {path} answered {status}")
        return await self._page(headers[b"location"].decode())

    async def _json(self, path: str, fields: dict[str, Any]) -> dict[str, Any]:
        status, _, payload = await self._post(path, json.dumps(fields).encode(), "application/json", accept="application/json")
        if status != 200:
            raise HttpError(f"POST {path} answered {status}: {payload[:200]!r}")
        return json.loads(payload)

    async def run(self, delay: float) -> None:
        room, plan = self.room, self.room.plan
        await asyncio.sleep(delay)
        try:
            await self._page(room.join_path)
            role = self.rng.choice(ROLES)
            page = await self._form(room.join_path, {"name": "", "role": role})
            room.joined.append(time.monotonic() - room.started)
            loaded = time.monotonic()
            in_place = self.javascript and b"data-in-place" in page
            flow = "js" if in_place else "form"
            value = self.rng.randint(1, plan.vote_values)
            text = f"Phone {self.index} says people who use the service should chair the review zq{self.index}z"
            tapped = time.monotonic()
            if in_place:
                answer = await self._json("/api/vote", {"activity_id": plan.vote_activity, "item": plan.vote_item, "value": value})
                if not answer.get("summary"):
                    raise HttpError("the vote's answer carries no summary")
            else:
                shown = await self._form("/s/answer", {"activity_id": plan.vote_activity, plan.vote_item: value})
                if b"Saved" not in shown:
                    raise HttpError("the page after the vote does not say Saved")
            room.saved[flow].append(time.monotonic() - tapped)
            tapped = time.monotonic()
            if in_place:
                await self._json("/api/comment", {"activity_id": plan.vote_activity, "text": text})
            else:
                shown = await self._form("/s/comment", {"activity_id": plan.vote_activity, "item": "", "text": text})
                if b"Thanks" not in shown:
                    raise HttpError("the page after the comment does not thank")
            room.commented[flow].append(time.monotonic() - tapped)
            room.finished.append(time.monotonic() - room.started)
        except (HttpError, OSError, asyncio.IncompleteReadError, KeyError, ValueError) as error:
            room.errors.append(f"phone {self.index}: {error}")
            room.count("error")
            loaded = 0.0
        finally:
            room.remaining -= 1
            if room.remaining == 0:
                room.done.set()
        if self.javascript and loaded:
            await self._poll(loaded)
        await self.http.close()

    async def _poll(self, loaded: float) -> None:
        """The page's script asks whether the room has moved on, every poll interval, until all are done."""
        interval = self.poll_ms / 1000
        due = loaded + interval
        while not self.room.done.is_set():
            try:
                await asyncio.wait_for(self.room.done.wait(), max(0.0, due - time.monotonic()))
                return
            except TimeoutError:
                pass
            try:
                await self._get("/api/version", accept="application/json")
            except (HttpError, OSError):
                return
            due += interval


async def run_burst(plan: BurstPlan) -> dict[str, Any]:
    """Every phone of `plan` arrives, answers and comments; returns what each step took."""
    base, _ = loopback_only(plan.url)
    parts = urlsplit(plan.url)
    rng = random.Random(plan.seed)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    started = time.monotonic()
    room = _Room(plan, parts.hostname or "127.0.0.1", parts.port or 80, parts.path, started, remaining=plan.phones)
    phones = [_Phone(room, n, rng.random() >= plan.no_js_share, random.Random(plan.seed * 100_003 + n)) for n in range(plan.phones)]
    arrivals = sorted(rng.uniform(0, plan.arrive_seconds) for _ in phones)
    tasks = [asyncio.create_task(phone.run(delay)) for phone, delay in zip(phones, arrivals)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), plan.max_seconds)
        timed_out = False
    except TimeoutError:
        timed_out = True
    for task in tasks:
        task.cancel()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "phones": plan.phones,
        "arrive_seconds": plan.arrive_seconds,
        "no_js_share": plan.no_js_share,
        "started": started,
        "timed_out": timed_out,
        "all_answered_s": max(room.finished) if len(room.finished) == plan.phones else None,
        "answered": len(room.finished),
        "saved": room.saved,
        "commented": room.commented,
        "joined": room.joined,
        "requests": room.requests,
        "counts": dict(sorted(room.counts.items())),
        "errors": room.errors[:20],
        "error_count": len(room.errors),
        "client_cpu": usage.ru_utime + usage.ru_stime - cpu,
        "base": base,
    }


def summary(result: dict[str, Any]) -> dict[str, Any]:
    def q(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {f"p{p}": round(percentile(ordered, p) * 1000, 1) for p in (50, 95, 99)}

    return {
        "phones": result["phones"],
        "answered": result["answered"],
        "all_answered_s": result["all_answered_s"],
        "saved_ms": {flow: q(v) for flow, v in result["saved"].items() if v},
        "errors": result["error_count"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._phones", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the join URL (loopback only)")
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--arrive-seconds", type=float, default=5.0)
    parser.add_argument("--no-js-share", type=float, default=0.2)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--offset", type=int, default=0, help="first source-address index")
    parser.add_argument("--json", required=True)
    args = parser.parse_args(argv)
    try:
        loopback_only(args.url)
    except ValueError as error:
        parser.error(str(error))
    plan = BurstPlan(
        url=args.url,
        phones=args.phones,
        arrive_seconds=args.arrive_seconds,
        no_js_share=args.no_js_share,
        max_seconds=args.max_seconds,
        seed=args.seed,
        offset=args.offset,
    )
    result = asyncio.run(run_burst(plan))
    with open(args.json, "w", encoding="utf-8") as out:
        json.dump(result, out)
    print(json.dumps(summary(result)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
