"""A room full of phones, simulated: the load every benchmark and fault drill uses.

Each simulated phone has its own aiohttp client session, its own connection
and its own loopback source address (127.0.x.y), as real phones on a venue's
wifi each have their own address. It joins, then votes, changes its vote and
comments, one request at a time, by default as fast as the server answers (a closed loop),
bounded by a request count and by a time limit, so it always stops by itself.

With `rate` set it is paced instead: each phone pauses a random time before
each request, so the room as a whole sends about `rate` requests a second.

Every answer the server acknowledges (2xx) is written in the `Ledger`, which
is what the fault drills check the database against afterwards.

    python -m bench._load --url http://127.0.0.1:PORT/j/TOKEN --phones 300 --requests 10000 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

DEVICE_HEADER = "X-Involve-Device"
ROLES = ("service_user", "carer", "staff", "staff", "other", "prefer_not", "")
KINDS = ("join", "vote", "change", "comment")
COMMENT_SHARE = 0.35
"""After its first vote, this share of a phone's requests are comments; the rest change its vote."""


def loopback_only(url: str) -> tuple[str, str]:
    """Split a join URL into (base URL, join token), refusing anything off this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        is_loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        is_loopback = False
    if parts.scheme != "http" or not is_loopback:
        raise ValueError(f"load is only ever sent to a loopback address, not {url!r}")
    token = parts.path.rstrip("/").rpartition("/j/")[2] if "/j/" in parts.path else ""
    return f"{parts.scheme}://{parts.netloc}", token


def source_address(index: int) -> str:
    """A distinct loopback source address for phone `index` (127.0.0.2 upwards)."""
    index += 2
    return f"127.0.{index // 250}.{index % 250}"


@dataclass(frozen=True)
class LoadPlan:
    """What the room does: how many phones, how many requests, which activity they answer."""

    url: str
    phones: int = 300
    requests: int = 10_000
    vote_activity: str = "spectrum"
    vote_item: str = "place"
    vote_values: int = 9
    comment_activities: tuple[str, ...] = ("spectrum",)
    max_seconds: float = 120.0
    seed: int = 1
    one_address: bool = False
    """Every phone from 127.0.0.2, as a room behind one NAT address would look."""
    rate: float = 0.0
    """Requests per second for the whole room, each phone pausing a random (exponential)
    time before each request; 0 sends each request as soon as the last was answered."""


@dataclass
class Phone:
    """One simulated participant; keeps its device token across server restarts."""

    index: int
    token: str = ""
    participant_id: str = ""
    voted: bool = False
    sent: int = 0

    @property
    def address(self) -> str:
        return source_address(self.index)


@dataclass
class Ledger:
    """Everything the server acknowledged, and what it might have saved without saying so."""

    joins: dict[str, str] = field(default_factory=dict)
    """participant id -> device token, for every acknowledged join."""
    votes: dict[str, Any] = field(default_factory=dict)
    """"participant|activity|item" -> the last acknowledged value."""
    unconfirmed_votes: dict[str, list[Any]] = field(default_factory=dict)
    """Values sent after the last acknowledgement of a key: saved or not, either is fine."""
    comments: dict[str, str] = field(default_factory=dict)
    """comment id -> text, for every acknowledged comment."""

    @staticmethod
    def vote_key(participant_id: str, activity_id: str, item: str) -> str:
        return f"{participant_id}|{activity_id}|{item}"

    @property
    def acknowledged(self) -> int:
        return len(self.joins) + len(self.votes) + len(self.comments)


@dataclass
class LoadResult:
    plan: dict[str, Any]
    started: float
    """time.monotonic() when the first request went out (comparable across processes)."""
    seconds: float
    counts: dict[str, int]
    """Responses by kind and status, e.g. "vote 200": 3000, and "error" for no response."""
    latencies: dict[str, list[float]]
    """Seconds from sending to a complete 2xx answer, by kind."""
    client_cpu: float
    probes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def acknowledged(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def throughput(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0

    def all_latencies(self) -> list[float]:
        return sorted(x for values in self.latencies.values() for x in values)

    def summary(self) -> dict[str, Any]:
        latencies = self.all_latencies()
        return {
            "requests_acknowledged": self.acknowledged,
            "responses": dict(sorted(self.counts.items())),
            "seconds": round(self.seconds, 3),
            "throughput_rps": round(self.throughput, 1),
            "latency_ms": {f"p{q}": round(percentile(latencies, q) * 1000, 2) for q in (50, 95, 99)},
            "latency_ms_max": round(latencies[-1] * 1000, 2) if latencies else None,
            "client_cpu_seconds": round(self.client_cpu, 2),
        }


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Room:
    """Runs the phones of one plan against one server."""

    def __init__(self, plan: LoadPlan, phones: list[Phone], ledger: Ledger, stop: asyncio.Event | None) -> None:
        self.plan = plan
        self.base, self.join_token = loopback_only(plan.url)
        self.phones = phones
        self.ledger = ledger
        self.stop = stop or asyncio.Event()
        self.counts: dict[str, int] = {}
        self.latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.random = random.Random(plan.seed)
        self.deadline = 0.0

    def _count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    async def run(self) -> LoadResult:
        plan = self.plan
        quota, extra = divmod(plan.requests, max(1, len(self.phones)))
        cpu = _cpu_seconds()
        started = time.monotonic()
        self.deadline = started + plan.max_seconds
        tasks = [
            asyncio.create_task(self._phone(phone, quota + (1 if n < extra else 0)))
            for n, phone in enumerate(self.phones)
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        seconds = time.monotonic() - started
        return LoadResult(
            plan=asdict(plan),
            started=started,
            seconds=seconds,
            counts=self.counts,
            latencies={k: v for k, v in self.latencies.items() if v},
            client_cpu=_cpu_seconds() - cpu,
        )

    def _next_request(self, phone: Phone) -> tuple[str, str, dict[str, Any]]:
        plan = self.plan
        if not phone.token:
            role = self.random.choice(ROLES)
            return "join", "/api/join", {"join_token": self.join_token, "name": "", "role": role}
        if not phone.voted or self.random.random() >= COMMENT_SHARE:
            kind = "change" if phone.voted else "vote"
            value = self.random.randint(1, plan.vote_values)
            return kind, "/api/vote", {"activity_id": plan.vote_activity, "item": plan.vote_item, "value": value}
        phone.sent += 1
        activity = self.random.choice(plan.comment_activities)
        text = f"Phone {phone.index} note {phone.sent}: let people who use the service chair the review zq{phone.index}x{phone.sent}z"
        return "comment", "/api/comment", {"activity_id": activity, "text": text}

    async def _phone(self, phone: Phone, quota: int) -> None:
        address = source_address(0) if self.plan.one_address else phone.address
        connector = aiohttp.TCPConnector(limit=1, local_addr=(address, 0), keepalive_timeout=30)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
        ) as client:
            pause = len(self.phones) / self.plan.rate if self.plan.rate > 0 else 0.0
            for _ in range(quota):
                if pause:
                    await asyncio.sleep(self.random.expovariate(1 / pause))
                if self.stop.is_set() or time.monotonic() > self.deadline:
                    return
                kind, path, body = self._next_request(phone)
                if not await self._send(client, phone, kind, path, body):
                    return

    async def _send(self, client: aiohttp.ClientSession, phone: Phone, kind: str, path: str, body: dict[str, Any]) -> bool:
        """One request; False when the server is gone and this phone should stop."""
        headers = {DEVICE_HEADER: phone.token} if phone.token else {}
        vote_key = ""
        if kind in ("vote", "change"):
            vote_key = Ledger.vote_key(phone.participant_id, body["activity_id"], body["item"])
            self.ledger.unconfirmed_votes.setdefault(vote_key, []).append(body["value"])
        sent = time.monotonic()
        try:
            async with client.post(self.base + path, json=body, headers=headers) as response:
                payload = await response.read()
                status = response.status
                retry = response.headers.get("Retry-After")
        except (TimeoutError, aiohttp.ClientError, OSError):
            self._count("error")
            return False
        elapsed = time.monotonic() - sent
        self._count(f"{kind} {status}")
        if not 200 <= status < 300:
            if status == 429 and retry:
                await asyncio.sleep(min(2.0, float(retry)))
            return True
        self.latencies[kind].append(elapsed)
        data = json.loads(payload) if payload else {}
        if kind == "join":
            phone.token = data["token"]
            phone.participant_id = data["participant"]["id"]
            self.ledger.joins[phone.participant_id] = phone.token
        elif vote_key:
            phone.voted = True
            self.ledger.votes[vote_key] = body["value"]
            self.ledger.unconfirmed_votes.pop(vote_key, None)
        elif kind == "comment" and "comment" in data:
            self.ledger.comments[str(data["comment"]["id"])] = body["text"]
        return True


async def run_load(
    plan: LoadPlan,
    *,
    phones: list[Phone] | None = None,
    ledger: Ledger | None = None,
    stop: asyncio.Event | None = None,
) -> LoadResult:
    """Drive one server with `plan`; pass `phones` and `ledger` again to carry on after a restart."""
    phones = phones if phones is not None else [Phone(i) for i in range(plan.phones)]
    room = _Room(plan, phones, ledger if ledger is not None else Ledger(), stop)
    return await room.run()


async def run_probe(url: str, activity_id: str, count: int, interval: float, *, index: int = 9_999) -> list[dict[str, Any]]:
    """One extra phone that comments every `interval` seconds and notes when each was acknowledged.

    The app under test notes when each comment's marker first reaches its screen;
    both use time.monotonic(), one clock for every process on the machine.
    """
    base, join_token = loopback_only(url)
    probes: list[dict[str, Any]] = []
    connector = aiohttp.TCPConnector(limit=1, local_addr=(source_address(index), 0))
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as client:
        async with client.post(f"{base}/api/join", json={"join_token": join_token}) as response:
            token = (await response.json())["token"]
        for n in range(count):
            marker = f"probe{n:04d}mark"
            sent = time.monotonic()
            async with client.post(
                f"{base}/api/comment",
                json={"activity_id": activity_id, "text": f"Comment {marker} from the probe phone"},
                headers={DEVICE_HEADER: token},
            ) as response:
                await response.read()
                acknowledged = time.monotonic()
                probes.append({"marker": marker, "sent": sent, "acknowledged": acknowledged, "status": response.status})
            await asyncio.sleep(interval)
    return probes


async def run_join_rush(url: str, phones: int, *, one_address: bool = False, max_seconds: float = 30.0) -> dict[str, Any]:
    """Everyone scans the QR code at once: each phone joins, waiting out any 429 as told, until
    it is in or `max_seconds` have passed. Returns seconds from the start to each phone's join."""
    base, join_token = loopback_only(url)
    started = time.monotonic()
    deadline = started + max_seconds
    joined: list[float] = []
    refusals = 0

    async def phone(index: int) -> None:
        nonlocal refusals
        address = source_address(0) if one_address else source_address(index)
        connector = aiohttp.TCPConnector(limit=1, local_addr=(address, 0))
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as client:
            while time.monotonic() < deadline:
                async with client.post(f"{base}/api/join", json={"join_token": join_token}) as response:
                    await response.read()
                    if response.status == 200:
                        joined.append(time.monotonic() - started)
                        return
                    refusals += 1
                    wait = float(response.headers.get("Retry-After", "1"))
                await asyncio.sleep(min(wait, max(0.0, deadline - time.monotonic())))

    await asyncio.gather(*(phone(i) for i in range(phones)))
    joined.sort()
    return {
        "phones": phones,
        "one_address": one_address,
        "joined": len(joined),
        "refusals": refusals,
        "all_in_s": joined[-1] if len(joined) == phones else None,
        "p50_s": percentile(joined, 50),
        "p95_s": percentile(joined, 95),
        "max_seconds": max_seconds,
    }


async def _main_async(args: argparse.Namespace) -> dict[str, Any]:
    plan = LoadPlan(
        url=args.url,
        phones=args.phones,
        requests=args.requests,
        vote_activity=args.vote_activity,
        vote_item=args.vote_item,
        vote_values=args.vote_values,
        comment_activities=tuple(args.comment_activity or ["spectrum"]),
        max_seconds=args.max_seconds,
        seed=args.seed,
        rate=args.rate,
        one_address=args.one_address,
    )
    if not args.probe_comments:
        result = await run_load(plan)
        return {**asdict(result), "summary": result.summary()}
    # The room keeps going until the probe phone is done, so every probe meets the same load.
    stop = asyncio.Event()
    probe = asyncio.create_task(run_probe(args.url, args.probe_activity or plan.vote_activity, args.probe_comments, args.probe_interval))
    probe.add_done_callback(lambda _: stop.set())
    result = await run_load(plan, stop=stop)
    result.probes = await asyncio.wait_for(probe, timeout=args.max_seconds)
    return {**asdict(result), "summary": result.summary()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._load", description="Simulated phones against a loopback intake.")
    parser.add_argument("--url", required=True, help="the join URL printed by the server (loopback only)")
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--vote-activity", default="spectrum")
    parser.add_argument("--vote-item", default="place")
    parser.add_argument("--vote-values", type=int, default=9)
    parser.add_argument("--comment-activity", action="append", help="activity id comments go to (repeatable)")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one-address", action="store_true", help="every phone from one source address (a room behind NAT)")
    parser.add_argument("--rate", type=float, default=0.0, help="paced: requests per second for the whole room (0: as fast as answered)")
    parser.add_argument(
        "--probe-comments", type=int, default=0, help="also post this many marked comments from one extra phone; the room stops when it is done"
    )
    parser.add_argument("--probe-activity", default="")
    parser.add_argument("--probe-interval", type=float, default=0.2)
    parser.add_argument("--json", type=Path, required=True, help="where to write the full result")
    parser.add_argument("--join-rush", action="store_true", help="only: every phone joins at once, retrying as told, until all are in")
    args = parser.parse_args(argv)
    try:
        loopback_only(args.url)
    except ValueError as error:
        parser.error(str(error))
    if args.join_rush:
        rush = asyncio.run(run_join_rush(args.url, args.phones, one_address=args.one_address, max_seconds=args.max_seconds))
        args.json.write_text(json.dumps(rush))
        print(json.dumps(rush), flush=True)
        return 0
    output = asyncio.run(_main_async(args))
    args.json.write_text(json.dumps(output))
    print(json.dumps(output["summary"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
