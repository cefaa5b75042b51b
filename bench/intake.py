"""How many phones the intake keeps up with, and how soon a comment reaches the projected screen.

Doors open. A fresh headless app; every phone joins at the same moment and
waits out any 429 as it is told, first each from its own address (phones on
the venue's wifi), then all from one address (a room behind NAT, or a proxy
in front of the app), for at most `--rush-seconds`.

Part 1, throughput. The real app runs headless in one child process
(`python -m tui resume ID --headless --host 127.0.0.1 --port 0 --auto-approve`,
on a where-are-we session moved to its spectrum question) and a bare aiohttp
handler in another (`python -m bench._baseline`). The same simulated room
(`bench._load`, in a third process so it does not take the server's core)
sends both the same requests: joins, votes, vote changes and comments. The
app must parse, check, save and fsync each one before it answers; the bare
handler answers at once.

Part 2, screen latency. The Textual app runs in this process
(`App.run_test(headless=True)`) with its phone page on 127.0.0.1:0, showing
the spectrum activity. While a room of phones votes and comments elsewhere,
one probe phone posts marked comments; the time from each acknowledgement to
the first frame that carries its marker is the figure. A ticker task in the
app's event loop measures how late it wakes, i.e. how long the loop stalls.

    python -m bench.intake
    python -m bench.intake --phones 300 --requests 10000 --json intake.json
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from ._headless import REPO, baseline_server, cpu_seconds, headless_app, peak_rss_mb, prepare_session
from ._load import percentile

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

VOTE_ACTIVITY = "spectrum"
COMMENT_ACTIVITIES = ("spectrum", "grid", "indicators")
THROUGHPUT_TARGET = 0.8
ACK_P99_TARGET_MS = 50.0
ROOM_RATE = 300.0
"""A room's pace, generously: 300 phones each answering once a second."""
SCREEN_P95_TARGET_MS = 100.0
STALL_TARGET_MS = 50.0
SCREEN_RATES = (ROOM_RATE, 5 * ROOM_RATE)
"""The probe runs' paces: a room's, then five times it, to show how much headroom the
screen has before the app saturates (the flat-out run that follows)."""


# -- part 1: throughput against the bare handler -------------------------------------------


class DiskProbe:
    """A thread beside the app appending a line and fsyncing it every `interval` seconds.

    The app acknowledges only after fsync, so the disk's own slow moments
    show in its time to acknowledgement; this says how the disk behaved
    during the same run, without asking the app.
    """

    def __init__(self, directory: Path, interval: float = 0.025) -> None:
        self.path = directory / "disk-probe.log"
        self.interval = interval
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="disk-probe", daemon=True)

    def __enter__(self) -> DiskProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            while not self._stop.wait(self.interval):
                os.write(fd, b"probe line of about the size of a vote in the journal, sixty-four bytes or so\n")
                start = time.perf_counter()
                os.fsync(fd)
                self.latencies.append(time.perf_counter() - start)
        finally:
            os.close(fd)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        return {
            "fsyncs": len(ordered),
            "fsync_ms": {f"p{q}": percentile(ordered, q) * 1000 for q in (50, 99)} | {"max": ordered[-1] * 1000 if ordered else 0.0},
            "over_50_ms": sum(1 for latency in ordered if latency > 0.05),
        }


async def _drive(
    url: str,
    server_pid: int,
    phones: int,
    requests: int,
    work: Path,
    name: str,
    *,
    comment_activities: tuple[str, ...] = COMMENT_ACTIVITIES,
    extra: tuple[str, ...] = (),
    started: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """One bounded load run in its own process; returns its result with the server's CPU time.

    `started` is called once the load generator is running: starting a process
    from the app's own loop (the in-process screen benchmark) stalls that loop,
    and the stall is the benchmark's, not the app's.
    """
    out = work / f"load-{name}.json"
    command = [
        sys.executable, "-m", "bench._load",
        "--url", url,
        "--phones", str(phones),
        "--requests", str(requests),
        "--vote-activity", VOTE_ACTIVITY,
        "--max-seconds", "240",
        "--json", str(out),
        *[arg for activity in comment_activities for arg in ("--comment-activity", activity)],
        *extra,
    ]
    cpu = cpu_seconds(server_pid)
    child = await asyncio.create_subprocess_exec(*command, cwd=REPO, stdout=asyncio.subprocess.DEVNULL)
    if started is not None:
        started()
    code = await asyncio.wait_for(child.wait(), 300)
    if code != 0:
        raise RuntimeError(f"the load generator failed with status {code}")
    result = json.loads(out.read_text())
    result["server_cpu"] = cpu_seconds(server_pid) - cpu
    return result


def _side(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Figures for one server over several runs: median throughput, pooled latencies."""
    latencies = sorted(x for r in results for values in r["latencies"].values() for x in values)
    acknowledged = [sum(len(v) for v in r["latencies"].values()) for r in results]
    throughput = [a / r["seconds"] for a, r in zip(acknowledged, results)]
    wall = sum(r["seconds"] for r in results)
    responses: dict[str, int] = {}
    for r in results:
        for key, count in r["counts"].items():
            responses[key] = responses.get(key, 0) + count
    return {
        "throughput_rps": statistics.median(throughput),
        "throughput_runs": [round(t, 1) for t in throughput],
        "latency_ms": {f"p{q}": percentile(latencies, q) * 1000 for q in (50, 95, 99)},
        "latency_ms_max": latencies[-1] * 1000 if latencies else 0.0,
        "server_cpu_us_per_request": sum(r["server_cpu"] for r in results) / max(1, sum(acknowledged)) * 1e6,
        "server_cpu_share": sum(r["server_cpu"] for r in results) / wall,
        "client_cpu_share": sum(r["client_cpu"] for r in results) / wall,
        "responses": responses,
    }


def _check_saved(data_dir: Path, session_id: str, runs: list[dict[str, Any]]) -> dict[str, int]:
    """Everything the app acknowledged in the runs is in its store (read after it stopped)."""
    from sessions import SessionStore

    acknowledged_comments = sum(r["counts"].get("comment 200", 0) for r in runs)
    acknowledged_joins = sum(r["counts"].get("join 200", 0) for r in runs)
    session = SessionStore(data_dir / "sessions").open(session_id, readonly=True)
    try:
        found = {"participants": len(session.participants), "comments": len(session.comments), "votes": len(session.votes)}
    finally:
        session.close()
    if found["comments"] < acknowledged_comments or found["participants"] < acknowledged_joins:
        raise RuntimeError(f"the app acknowledged more than it saved: {found} < {acknowledged_joins} joins, {acknowledged_comments} comments")
    return found


async def throughput(phones: int, requests: int, rounds: int, room_rate: float = ROOM_RATE) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="involve-bench-intake-"))
    try:
        session_id = prepare_session(work, "where-are-we", VOTE_ACTIVITY)
        app = headless_app(work, "resume", session_id, log=work / "app-stderr.log")
        bare = baseline_server()
        await app.start()
        await bare.start()
        runs: dict[str, list[dict[str, Any]]] = {"bare": [], "app": []}
        try:
            for number in range(rounds):
                for name, server in (("bare", bare), ("app", app)):
                    runs[name].append(await _drive(server.url, server.pid, phones, requests, work, f"{name}-{number}"))
            # The same room at a room's pace: the time each phone waits for "saved".
            paced: dict[str, Any] = {}
            for name, server in (("bare", bare), ("app", app)):
                with DiskProbe(work) as disk:
                    run = await _drive(server.url, server.pid, phones, int(room_rate * 10), work, f"{name}-paced", extra=("--rate", str(room_rate)))
                    paced[name] = _side([run])
                paced[f"{name}_disk"] = disk.summary()
            app_peak = peak_rss_mb(app.pid)
        finally:
            app_status = await app.stop()
            bare_status = await bare.stop()
        if app_status != 0 or bare_status != 0:
            raise RuntimeError(f"a server did not stop cleanly (app {app_status}, bare {bare_status}): {(work / 'app-stderr.log').read_text()[-2000:]}")
        saved = _check_saved(work, session_id, runs["app"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = {
        "phones": phones, "requests": requests, "rounds": rounds,
        "bare": _side(runs["bare"]), "app": _side(runs["app"]), "paced": paced, "room_rate": room_rate,
    }
    figures["app"]["peak_rss_mb"] = app_peak
    figures["app"]["saved_after_stop"] = saved
    figures["ratio"] = figures["app"]["throughput_rps"] / figures["bare"]["throughput_rps"]
    figures["cpu_ratio"] = figures["app"]["server_cpu_us_per_request"] / figures["bare"]["server_cpu_us_per_request"]
    return figures


# -- the doors open: everyone joins at once ---------------------------------------------------


async def join_rush(phones: int, *, one_address: bool, max_seconds: float) -> dict[str, Any]:
    """A fresh app; `phones` phones join at the same moment, from their own addresses or from one."""
    work = Path(tempfile.mkdtemp(prefix="involve-bench-join-"))
    try:
        session_id = prepare_session(work, "where-are-we", VOTE_ACTIVITY)
        app = headless_app(work, "resume", session_id, log=work / "app-stderr.log")
        await app.start()
        try:
            out = work / "rush.json"
            command = [
                sys.executable, "-m", "bench._load", "--url", app.url, "--phones", str(phones),
                "--join-rush", "--max-seconds", str(max_seconds), "--json", str(out),
                *(["--one-address"] if one_address else []),
            ]
            child = await asyncio.create_subprocess_exec(*command, cwd=REPO, stdout=asyncio.subprocess.DEVNULL)
            if await asyncio.wait_for(child.wait(), max_seconds + 60) != 0:
                raise RuntimeError("the join rush failed")
            return json.loads(out.read_text())
        finally:
            await app.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- part 2: acknowledgement to screen, and event-loop stalls --------------------------------


class ScreenWatch:
    """Wraps the app's `_display` so every frame is turned into terminal output, as a real
    terminal run would, and notes when each awaited marker first appears in it."""

    def __init__(self, app) -> None:
        self.app = app
        self.waiting: set[str] = set()
        self.seen: dict[str, float] = {}
        self.frame_times: list[float] = []
        self.listeners: list[Callable[[str, float], None]] = []
        """Called with every frame's terminal output and the time it was drawn."""
        self._original = app._display
        app._display = self._display

    @property
    def frames(self) -> int:
        return len(self.frame_times)

    def expect(self, markers: list[str]) -> None:
        self.waiting.update(markers)

    def _display(self, screen, renderable) -> None:
        self._original(screen, renderable)
        if renderable is None or not hasattr(renderable, "render_segments"):
            return
        output = renderable.render_segments(self.app.console)
        now = time.monotonic()
        self.frame_times.append(now)
        for listener in self.listeners:
            listener(output, now)
        if self.waiting:
            for marker in [m for m in self.waiting if m in output]:
                self.seen[marker] = now
                self.waiting.discard(marker)


class StallMeter:
    """A task that asks to wake every `interval` seconds and records how late it wakes."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lateness: list[float] = []
        self.worst: tuple[float, float] = (0.0, 0.0)  # perf_counter window of the longest stall
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        longest = 0.0
        while True:
            planned = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            late = max(0.0, loop.time() - planned)
            self.lateness.append(late)
            if late > longest:
                longest = late
                woke = time.perf_counter()
                self.worst = (woke - late, woke)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass


class CollectorWatch:
    """Times every garbage collection in this process while it is open, in wall and CPU time.

    A stall is the loop waking late; this says how much of the longest one
    the collector accounts for, instead of leaving it to guesswork. A pass's
    wall time above its CPU time is time the thread was not running at all
    (another process or thread had the core or the GIL).
    """

    def __init__(self) -> None:
        self.passes: list[tuple[float, float, float, int]] = []  # (start, wall s, CPU s, generation)
        self._started = (0.0, 0.0)

    def start(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def stop(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if phase == "start":
            self._started = (now, cpu)
        else:
            self.passes.append((self._started[0], now - self._started[0], cpu - self._started[1], info["generation"]))

    def within(self, start: float, end: float) -> float:
        """Seconds of collection between two `time.perf_counter()` readings."""
        return sum(max(0.0, min(end, s + wall) - max(start, s)) for s, wall, _, _ in self.passes)

    def summary(self) -> dict[str, Any]:
        def longest(generation: int) -> tuple[float, float]:
            return max(((wall, cpu) for _, wall, cpu, g in self.passes if g == generation), default=(0.0, 0.0))

        return {
            "longest_ms": {f"gen{g}": longest(g)[0] * 1000 for g in (0, 1, 2)},
            "longest_cpu_ms": {f"gen{g}": longest(g)[1] * 1000 for g in (0, 1, 2)},
            "passes": {f"gen{g}": sum(1 for *_, gen in self.passes if gen == g) for g in (0, 1, 2)},
        }


@asynccontextmanager
async def projected_app(work: Path) -> AsyncIterator[tuple[Any, Any]]:
    """The real app in this process, headless at 100x30, on a fresh where-are-we session at
    its spectrum question, comments shown at once; yields once its phone page listens."""
    from sessions import SessionStore
    from tui import load_config
    from tui.app import InvolveApp

    session_id = prepare_session(work, "where-are-we", VOTE_ACTIVITY)
    config = load_config({"INVOLVE_DATA_DIR": str(work)}, dotenv_path=work / "no.env").with_overrides(
        intake_host="127.0.0.1", intake_port=0, hold_comments=False
    )
    store = SessionStore(config.sessions_dir)
    app = InvolveApp(config, store=store, session=store.open(session_id), landing="activity")
    async with app.run_test(headless=True, size=(100, 30)) as pilot:
        deadline = time.monotonic() + 20
        while not app.join_url:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the phone page did not start: {app.intake_problem}")
            await pilot.pause(0.05)
        yield app, pilot


async def screen_latency(phones: int, probes: int, *, rate: float = 0.0, interval: float = 0.1) -> dict[str, Any]:
    """Probe comments through a live app while `phones` vote and comment (paced at `rate`, or flat out)."""
    work = Path(tempfile.mkdtemp(prefix="involve-bench-screen-"))
    try:
        async with projected_app(work) as (app, pilot):
            watch = ScreenWatch(app)
            watch.expect([f"probe{n:04d}mark" for n in range(probes)])
            meter = StallMeter()
            collector = CollectorWatch()

            def begin() -> None:
                collector.start()
                meter.start()

            try:
                result = await _drive(
                    app.join_url,
                    os.getpid(),
                    phones,
                    1_000_000,
                    work,
                    "screen",
                    comment_activities=("grid", "indicators"),
                    extra=(
                        "--rate", str(rate),
                        "--probe-comments", str(probes),
                        "--probe-activity", VOTE_ACTIVITY,
                        "--probe-interval", str(interval),
                    ),
                    started=begin,
                )
                await pilot.pause(0.5)
            finally:
                await meter.stop()
                collector.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seen = [p for p in result["probes"] if p["marker"] in watch.seen]
    # A comment may be drawn before its fsync finishes and the phone hears back: that counts as 0.
    delays = sorted(max(0.0, watch.seen[p["marker"]] - p["acknowledged"]) for p in seen)
    since_sent = sorted(watch.seen[p["marker"]] - p["sent"] for p in seen)
    lateness = sorted(meter.lateness)
    return {
        "mode": f"paced, aiming at {rate:.0f} req/s" if rate else "flat out",
        "paced": rate > 0,
        "probes": probes,
        "probes_acknowledged": sum(1 for p in result["probes"] if p["status"] == 200),
        "probes_seen": len(seen),
        "background": {"phones": phones, **result["summary"]},
        "frames": watch.frames,
        "ack_to_screen_ms": {f"p{q}": percentile(delays, q) * 1000 for q in (50, 95, 99)} | {"max": delays[-1] * 1000 if delays else 0.0},
        "send_to_screen_ms": {f"p{q}": percentile(since_sent, q) * 1000 for q in (50, 95)},
        "drawn_before_ack": sum(1 for p in seen if watch.seen[p["marker"]] < p["acknowledged"]),
        "loop_lateness_ms": {"p50": percentile(lateness, 50) * 1000, "p99": percentile(lateness, 99) * 1000, "max": lateness[-1] * 1000 if lateness else 0.0},
        "collections": collector.summary() | {"in_longest_stall_ms": collector.within(*meter.worst) * 1000},
    }


# -- report -----------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(part1: dict[str, Any] | None, part2: list[dict[str, Any]] | None, rushes: list[dict[str, Any]] | None = None) -> list[str]:
    lines: list[str] = []
    for rush in rushes or []:
        where = "all from one address (behind NAT or a proxy)" if rush["one_address"] else "each from its own address"
        if rush["all_in_s"] is not None:
            outcome = f"all in after {rush['all_in_s']:.2f} s (p50 {rush['p50_s']:.2f} s, p95 {rush['p95_s']:.2f} s)"
        else:
            outcome = f"only {rush['joined']} in after {rush['max_seconds']:.0f} s"
        lines.append(f"Doors open: {rush['phones']} phones join at once, {where}: {outcome}; {rush['refusals']} refusals (429)")
    if lines:
        lines.append("")
    if part1:
        lines.append(f"Throughput: {part1['phones']} phones, {part1['requests']} requests per run, {part1['rounds']} run(s) each")
        lines.append(f"{'':28}{'bare aiohttp':>14}{'Involve':>14}")
        bare, app = part1["bare"], part1["app"]
        lines.append(f"{'acknowledged req/s':28}{bare['throughput_rps']:14.0f}{app['throughput_rps']:14.0f}")
        for q in ("p50", "p95", "p99"):
            lines.append(f"{'time to ack ' + q + ' (ms)':28}{bare['latency_ms'][q]:14.1f}{app['latency_ms'][q]:14.1f}")
        lines.append(f"{'server CPU per request (µs)':28}{bare['server_cpu_us_per_request']:14.0f}{app['server_cpu_us_per_request']:14.0f}")
        lines.append(f"{'server CPU busy (cores)':28}{bare['server_cpu_share']:14.2f}{app['server_cpu_share']:14.2f}")
        lines.append(f"{'load generator CPU (cores)':28}{bare['client_cpu_share']:14.2f}{app['client_cpu_share']:14.2f}")
        errors = {k: v for k, v in app["responses"].items() if not k.endswith(" 200")}
        lines.append(f"app responses other than 200: {errors or 'none'}; app peak RSS {app['peak_rss_mb']:.0f} MB")
        lines.append(f"ratio app/bare throughput: {part1['ratio']:.2f} (target >= {THROUGHPUT_TARGET}: {_verdict(part1['ratio'] >= THROUGHPUT_TARGET)})")
        lines.append(f"server CPU per request, app/bare: {part1['cpu_ratio']:.1f}x")
        paced = part1["paced"]
        lines.append("")
        lines.append(f"At a room's pace: the same {part1['phones']} phones, aiming at {part1['room_rate']:.0f} req/s together")
        lines.append(f"{'':28}{'bare aiohttp':>14}{'Involve':>14}")
        lines.append(f"{'acknowledged req/s':28}{paced['bare']['throughput_rps']:14.0f}{paced['app']['throughput_rps']:14.0f}")
        for q in ("p50", "p95", "p99"):
            lines.append(f"{'time to ack ' + q + ' (ms)':28}{paced['bare']['latency_ms'][q]:14.1f}{paced['app']['latency_ms'][q]:14.1f}")
        p99 = paced["app"]["latency_ms"]["p99"]
        verdict = _verdict(p99 < ACK_P99_TARGET_MS)
        lines.append(f"app p99 time to acknowledgement: {p99:.1f} ms (target < {ACK_P99_TARGET_MS:.0f} ms at {part1['phones']} phones: {verdict})")
        disk = paced.get("app_disk")
        if disk:
            fsync = disk["fsync_ms"]
            lines.append(
                f"the disk meanwhile (a probe fsyncing beside the app): p50 {fsync['p50']:.1f} ms, p99 {fsync['p99']:.1f} ms,"
                f" max {fsync['max']:.1f} ms; {disk['over_50_ms']} of {disk['fsyncs']} over 50 ms"
            )
    for run in part2 or []:
        if lines:
            lines.append("")
        shown = run["ack_to_screen_ms"]
        background = run["background"]
        lines.append(
            f"Acknowledgement to screen, {run['mode']}: "
            f"{run['probes_seen']}/{run['probes']} probe comments seen while {background['phones']} phones sent "
            f"{background['requests_acknowledged']} requests ({background['throughput_rps']:.0f} req/s)"
        )
        lines.append(
            f"  p50 {shown['p50']:.1f} ms, p95 {shown['p95']:.1f} ms, p99 {shown['p99']:.1f} ms, max {shown['max']:.1f} ms"
            f" (target p95 < {SCREEN_P95_TARGET_MS:.0f} ms: {_verdict(shown['p95'] < SCREEN_P95_TARGET_MS)});"
            f" {run['drawn_before_ack']} drawn before the phone heard back"
        )
        stall = run["loop_lateness_ms"]
        lines.append(
            f"  event-loop stalls: max {stall['max']:.1f} ms, p99 {stall['p99']:.1f} ms, p50 {stall['p50']:.2f} ms"
            f" (target max < {STALL_TARGET_MS:.0f} ms: {_verdict(stall['max'] < STALL_TARGET_MS)})"
        )
        collections = run.get("collections")
        if collections:
            wall, cpu, passes = collections["longest_ms"], collections["longest_cpu_ms"], collections["passes"]
            longest = ", ".join(f"{wall[g]:.1f} ms {name} ({cpu[g]:.1f} ms CPU)" for g, name in (("gen0", "young"), ("gen1", "middle"), ("gen2", "full")))
            lines.append(
                f"  garbage collector: longest pass {longest}; {passes['gen2']} full passes;"
                f" {collections['in_longest_stall_ms']:.1f} ms of the longest stall was collection"
            )
    if part2:
        lines.append("")
        lines.append(_headroom(part2))
    return lines


def _headroom(runs: list[dict[str, Any]]) -> str:
    """One sentence on how busy the room can get before the screen stalls."""

    def steady(run: dict[str, Any]) -> bool:
        return run["loop_lateness_ms"]["max"] < STALL_TARGET_MS and run["ack_to_screen_ms"]["p95"] < SCREEN_P95_TARGET_MS

    paced = [run for run in runs if run.get("paced")]
    calm = [run["background"]["throughput_rps"] for run in paced if steady(run)]
    flat = [run for run in runs if not run.get("paced")]
    sentence = (
        f"Headroom: the screen kept both targets up to {max(calm):.0f} req/s of background load"
        if calm
        else "Headroom: no paced run kept both screen targets"
    )
    if flat:
        verdict = "kept them too" if all(steady(run) for run in flat) else "did not keep them"
        sentence += f"; flat out (saturated, {flat[0]['background']['throughput_rps']:.0f} req/s) it {verdict}"
    return sentence + "."


def _rates(text: str) -> tuple[float, ...]:
    try:
        rates = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected rates like 300,1500, not {text!r}") from None
    if any(rate <= 0 for rate in rates):
        raise argparse.ArgumentTypeError("each rate must be above 0 (the flat-out run is always added)")
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description="Phone intake throughput, latency and time to screen.")
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs against each server (median throughput)")
    parser.add_argument("--probes", type=int, default=100, help="marked comments timed from acknowledgement to screen")
    parser.add_argument(
        "--screen-rates",
        type=_rates,
        default=SCREEN_RATES,
        help="paced rates (req/s, comma-separated) for the probe runs; a flat-out run always follows",
    )
    parser.add_argument("--rush-seconds", type=float, default=30.0, help="how long the join rush may last (0: skip it)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-screen", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rushes = None
    if args.rush_seconds > 0:
        rushes = [asyncio.run(join_rush(args.phones, one_address=one, max_seconds=args.rush_seconds)) for one in (False, True)]
    part1 = None if args.skip_throughput else asyncio.run(throughput(args.phones, args.requests, args.rounds))
    part2 = None
    if not args.skip_screen:
        part2 = [asyncio.run(screen_latency(args.phones, args.probes, rate=rate)) for rate in (*args.screen_rates, 0.0)]
    for line in report(part1, part2, rushes):
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"join_rush": rushes, "throughput": part1, "screen": part2}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
