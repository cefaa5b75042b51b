"""A real room's burst: N phones arrive within a few seconds, join, answer and comment at once.

For each room size (40, 300, 1,000 and 3,000 phones by default) and each of
`--rounds` rounds:

1. The Textual app runs in this process under Textual's headless driver
   (`App.run_test(headless=True)`, 100x30), each frame turned into terminal
   output as a terminal run would, showing a fresh where-are-we session open at
   its spectrum question, with its phone page on 127.0.0.1.
2. One phone joins first and keeps the activity page it was shown; the bare
   aiohttp handler (`bench._baseline`, its own process) serves those same bytes
   for every page, so both servers send as much.
3. The room (`bench._phones`, its own process) arrives against the bare
   handler, then against the app: every phone at a random moment within
   `--arrive` seconds, each from its own loopback address, loading pages,
   style sheet and script as a browser does (see `bench._phones`); 20 % with
   JavaScript off post the forms.
4. During the app's burst a key press probe opens and closes the agenda
   (`o`) on the projected screen, sending the key as the terminal driver does
   and timing until the frame that shows the change; the same probe runs for a
   few presses before the burst, on a quiet room.

Reported per size: time until "Saved" (p50/p95/p99, by flow), time until the
whole burst is answered, key-press response, server CPU per phone and per
request for the app and the bare handler (from the same burst), errors, and
the machine's load average before each round; every figure as the median of
the rounds with its range.

    python -m bench.burst
    python -m bench.burst --sizes 3000 --rounds 3 --json burst.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._headless import REPO, baseline_server, cpu_seconds
from ._load import percentile
from ._phones import Http

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SIZES = (40, 300, 1000, 3000)
AGENDA_MARK = "Enter go there"
"""Words only the agenda shows: their frame is the answer to the key press."""
SAVED_P95_TARGET_MS = 500.0
ANSWERED_TARGET_S = 7.0
KEY_P50_TARGET_MS = 100.0
CPU_RATIO_TARGET = 1.5
QUIET_SECONDS = 1.5
"""How long the app is watched doing nothing before the burst, to time its own idle cost."""
QUIET_PRESSES = 8
KEY_PAUSE = 0.5
"""Seconds between key presses: a facilitator's pace, not a stress test of the screen."""


def _load_average() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class KeyProbe:
    """Presses `o` on the projected screen and times each press to the frame that shows it."""

    def __init__(self, app, watch) -> None:
        from textual import events

        self.app = app
        self._key = events.Key
        self.times: list[float] = []
        self.missed = 0
        self._showing = False
        self._changed = asyncio.Event()
        self._at = 0.0
        watch.listeners.append(self._frame)

    def _frame(self, output: str, now: float) -> None:
        showing = AGENDA_MARK in output
        if showing != self._showing:
            self._showing = showing
            self._at = now
            self._changed.set()

    async def press(self, timeout: float = 10.0) -> None:
        self._changed.clear()
        sent = time.monotonic()
        self.app._driver.send_message(self._key("o", "o"))
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            self.missed += 1
            return
        self.times.append(self._at - sent)

    async def run(self, stop: asyncio.Event, pause: float = KEY_PAUSE) -> None:
        while not stop.is_set():
            await self.press()
            try:
                await asyncio.wait_for(stop.wait(), pause)
            except TimeoutError:
                pass
        if self._showing:  # leave the agenda closed
            await self.press()


async def _first_phone(url: str, folder: Path) -> None:
    """Join, answer and comment by the forms, keeping each page as the app sent it."""
    parts = urlsplit(url)
    phone = Http(parts.hostname or "127.0.0.1", parts.port or 80, "127.255.0.2")
    form = "application/x-www-form-urlencoded"
    folder.mkdir()
    try:
        await phone.request("GET", parts.path)
        for name, path, body in (
            ("page", parts.path, b"name=&role="),
            ("saved", "/s/answer", b"activity_id=spectrum&place=5"),
            ("commented", "/s/comment", b"activity_id=spectrum&item=&text=A+first+word+from+the+room"),
        ):
            status, headers, _ = await phone.request("POST", path, body=body, media=form)
            if status != 303:
                raise RuntimeError(f"the first phone's POST {path} answered {status}")
            status, _, page = await phone.request("GET", headers[b"location"].decode())
            if status != 200:
                raise RuntimeError(f"the first phone could not load its page ({status})")
            (folder / f"{name}.html").write_bytes(page)
    finally:
        await phone.close()


def _quantiles(values: list[float], scale: float = 1000.0) -> dict[str, float]:
    ordered = sorted(values)
    figures = {f"p{q}": percentile(ordered, q) * scale for q in (50, 95, 99)}
    figures["max"] = ordered[-1] * scale if ordered else 0.0
    return figures


async def _phones(url: str, phones: int, arrive: float, no_js: float, seed: int, work: Path, name: str) -> tuple[dict[str, Any], asyncio.subprocess.Process]:
    out = work / f"phones-{name}.json"
    command = [
        sys.executable, "-m", "bench._phones", "--url", url, "--phones", str(phones),
        "--arrive-seconds", str(arrive), "--no-js-share", str(no_js), "--seed", str(seed),
        "--max-seconds", "60", "--json", str(out),
    ]
    child = await asyncio.create_subprocess_exec(*command, cwd=REPO, stdout=asyncio.subprocess.DEVNULL)
    return {"out": out}, child


async def _finish(child: asyncio.subprocess.Process, out: Path) -> dict[str, Any]:
    code = await asyncio.wait_for(child.wait(), 120)
    if code != 0:
        raise RuntimeError(f"the phones failed with status {code}")
    return json.loads(out.read_text())


def _burst_figures(result: dict[str, Any], cpu: float) -> dict[str, Any]:
    saved_all = [x for values in result["saved"].values() for x in values]
    return {
        "saved_ms": _quantiles(saved_all),
        "saved_by_flow_ms": {flow: _quantiles(values) for flow, values in result["saved"].items() if values},
        "comment_ms": _quantiles([x for values in result["commented"].values() for x in values]),
        "all_answered_s": result["all_answered_s"],
        "answered": result["answered"],
        "requests": result["requests"],
        "errors": result["error_count"],
        "error_samples": result["errors"][:5],
        "server_cpu_s": cpu,
        "server_cpu_ms_per_phone": cpu / result["phones"] * 1000,
        "server_cpu_us_per_request": cpu / max(1, result["requests"]) * 1e6,
        "client_cpu_s": result["client_cpu"],
    }


async def one_round(phones: int, seed: int, *, arrive: float, no_js: float) -> dict[str, Any]:
    from .intake import ScreenWatch, projected_app

    work = Path(tempfile.mkdtemp(prefix="involve-bench-burst-"))
    figures: dict[str, Any] = {"phones": phones, "load_average": _load_average()}
    try:
        async with projected_app(work) as (app, pilot):
            url = app.join_url
            watch = ScreenWatch(app)
            probe = KeyProbe(app, watch)

            # The first phone: the pages it is shown are what the bare handler will serve.
            await _first_phone(url, work / "pages")

            # The quiet room: what the app costs drawing an idle screen, then the key presses alone.
            cpu, wall = _own_cpu(), time.monotonic()
            await asyncio.sleep(QUIET_SECONDS)
            idle_rate = (_own_cpu() - cpu) / (time.monotonic() - wall)
            figures["idle_cpu_cores"] = idle_rate
            cpu, wall = _own_cpu(), time.monotonic()
            for _ in range(QUIET_PRESSES):
                await probe.press()
                await asyncio.sleep(KEY_PAUSE)
            press_cpu = max(0.0, (_own_cpu() - cpu - idle_rate * (time.monotonic() - wall)) / QUIET_PRESSES)
            figures["key_press_cpu_ms"] = press_cpu * 1000
            figures["key_quiet_ms"] = _quantiles(probe.times)
            probe.times.clear()

            bare = baseline_server("--pages", str(work / "pages"))
            await bare.start()
            try:
                before = cpu_seconds(bare.pid)
                handle, child = await _phones(bare.url, phones, arrive, no_js, seed, work, "bare")
                result = await _finish(child, handle["out"])
                figures["bare"] = _burst_figures(result, cpu_seconds(bare.pid) - before)
            finally:
                await bare.stop()

            stop = asyncio.Event()
            cpu, wall = _own_cpu(), time.monotonic()
            handle, child = await _phones(url, phones, arrive, no_js, seed, work, "app")
            keys = asyncio.create_task(probe.run(stop))
            try:
                result = await _finish(child, handle["out"])
            finally:
                stop.set()
                await keys
            wall = time.monotonic() - wall
            figures["app"] = _burst_figures(result, _own_cpu() - cpu)
            # What the phones cost: less drawing an idle screen, and less what the key presses cost on a quiet room.
            figures["app_above_idle"] = _burst_figures(result, _own_cpu() - cpu - idle_rate * wall - press_cpu * (len(probe.times) + probe.missed))
            figures["key_burst_ms"] = _quantiles(probe.times)
            figures["key_presses"] = len(probe.times)
            figures["key_missed"] = probe.missed
            await pilot.pause(0.2)
        bare_us = max(1e-9, figures["bare"]["server_cpu_us_per_request"])
        figures["cpu_ratio"] = figures["app"]["server_cpu_us_per_request"] / bare_us
        figures["cpu_ratio_above_idle"] = figures["app_above_idle"]["server_cpu_us_per_request"] / bare_us
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


# -- report ------------------------------------------------------------------------------------


def _spread(values: list[float], fmt: str = "{:.0f}") -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    middle = fmt.format(statistics.median(values))
    if len(values) == 1:
        return middle
    return f"{middle} [{fmt.format(min(values))}–{fmt.format(max(values))}]"


def _get(run: dict[str, Any], path: str) -> Any:
    value: Any = run
    for part in path.split("."):
        if isinstance(value, (list, tuple)) and part.isdigit():
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


ROWS = (
    ("load average (1 min) before the round", "load_average.0", "{:.2f}"),
    ("app: 'Saved' p50 (ms)", "app.saved_ms.p50", "{:.0f}"),
    ("app: 'Saved' p95 (ms)", "app.saved_ms.p95", "{:.0f}"),
    ("app: 'Saved' p99 (ms)", "app.saved_ms.p99", "{:.0f}"),
    ("app: 'Saved' p95, JavaScript (ms)", "app.saved_by_flow_ms.js.p95", "{:.0f}"),
    ("app: 'Saved' p95, forms (ms)", "app.saved_by_flow_ms.form.p95", "{:.0f}"),
    ("app: comment acknowledged p95 (ms)", "app.comment_ms.p95", "{:.0f}"),
    ("app: whole burst answered (s)", "app.all_answered_s", "{:.2f}"),
    ("app: key press during the burst p50 (ms)", "key_burst_ms.p50", "{:.0f}"),
    ("app: key press during the burst p95 (ms)", "key_burst_ms.p95", "{:.0f}"),
    ("app: key press during the burst max (ms)", "key_burst_ms.max", "{:.0f}"),
    ("app: key press, quiet room p50 (ms)", "key_quiet_ms.p50", "{:.0f}"),
    ("app: server CPU per phone (ms)", "app.server_cpu_ms_per_phone", "{:.1f}"),
    ("app: server CPU per request (µs)", "app.server_cpu_us_per_request", "{:.0f}"),
    ("bare: server CPU per request (µs)", "bare.server_cpu_us_per_request", "{:.0f}"),
    ("CPU per request, app / bare", "cpu_ratio", "{:.2f}"),
    ("  the same, less idle drawing and key presses", "cpu_ratio_above_idle", "{:.2f}"),
    ("app: CPU drawing an idle screen (cores)", "idle_cpu_cores", "{:.3f}"),
    ("app: CPU per key press, quiet room (ms)", "key_press_cpu_ms", "{:.0f}"),
    ("bare: 'Saved' p95 (ms)", "bare.saved_ms.p95", "{:.0f}"),
    ("bare: whole burst answered (s)", "bare.all_answered_s", "{:.2f}"),
    ("requests per burst (app)", "app.requests", "{:.0f}"),
    ("errors (app / bare)", "errors", "{}"),
)


def report(runs_by_size: dict[int, list[dict[str, Any]]], arrive: float) -> list[str]:
    lines: list[str] = []
    sizes = sorted(runs_by_size)
    rounds = max(len(r) for r in runs_by_size.values())
    lines.append(f"Burst: phones arrive within {arrive:g} s; median [min–max] of {rounds} round(s)")
    head = f"{'':44}" + "".join(f"{str(size) + ' phones':>24}" for size in sizes)
    lines.append(head)
    for label, path, fmt in ROWS:
        cells = []
        for size in sizes:
            runs = runs_by_size[size]
            if path == "errors":
                cells.append(f"{sum(r['app']['errors'] for r in runs)} / {sum(r['bare']['errors'] for r in runs)}")
            else:
                cells.append(_spread([_get(r, path) for r in runs], fmt))
        lines.append(f"{label:44}" + "".join(f"{c:>24}" for c in cells))
    lines.append("")
    for size in sizes:
        runs = runs_by_size[size]
        if size >= 3000:
            p95 = statistics.median(r["app"]["saved_ms"]["p95"] for r in runs)
            answered = [r["app"]["all_answered_s"] for r in runs]
            whole = statistics.median(a if a is not None else float("inf") for a in answered)
            key = statistics.median(r["key_burst_ms"]["p50"] for r in runs)
            lines.append(
                f"{size} phones: 'Saved' p95 {p95:.0f} ms (target < {SAVED_P95_TARGET_MS:.0f}: {_verdict(p95 < SAVED_P95_TARGET_MS)}),"
                f" answered in {whole:.2f} s (target < {ANSWERED_TARGET_S:.0f}: {_verdict(whole < ANSWERED_TARGET_S)}),"
                f" key press p50 {key:.0f} ms (target < {KEY_P50_TARGET_MS:.0f}: {_verdict(key < KEY_P50_TARGET_MS)})"
            )
        ratio = statistics.median(r["cpu_ratio"] for r in runs)
        verdict = _verdict(ratio <= CPU_RATIO_TARGET)
        lines.append(f"{size} phones: server CPU per request {ratio:.2f}x the bare handler's (target <= {CPU_RATIO_TARGET}: {verdict})")
    for size in sizes:
        for run in runs_by_size[size]:
            for side in ("app", "bare"):
                for sample in run[side]["error_samples"]:
                    lines.append(f"  {size} phones, {side}: {sample}")
    return lines


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 40,300, not {text!r}") from None
    if not sizes or any(size < 1 or size > 5000 for size in sizes):
        raise argparse.ArgumentTypeError("each size must be between 1 and 5000 phones")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=SIZES, help="room sizes, comma-separated (default 40,300,1000,3000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--arrive", type=float, default=5.0, help="seconds within which every phone arrives")
    parser.add_argument("--no-js-share", type=float, default=0.2, help="share of phones with JavaScript off")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    runs: dict[int, list[dict[str, Any]]] = {}
    for size in args.sizes:
        for number in range(args.rounds):
            run = asyncio.run(one_round(size, number + 1, arrive=args.arrive, no_js=args.no_js_share))
            runs.setdefault(size, []).append(run)
            app = run["app"]
            print(
                f"  {size} phones, round {number + 1}: load {run['load_average'][0]:.2f}, 'Saved' p95 {app['saved_ms']['p95']:.0f} ms,"
                f" answered in {app['all_answered_s'] or float('nan'):.2f} s, key p50 {run['key_burst_ms']['p50']:.0f} ms,"
                f" CPU/request {run['cpu_ratio']:.2f}x bare, errors {app['errors']}",
                flush=True,
            )
    for line in report(runs, args.arrive):
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"arrive": args.arrive, "runs": {str(k): v for k, v in runs.items()}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
