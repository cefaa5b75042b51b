"""A very big room: 1,000 participants and 10,000 comments, against a small one, in the same run.

Each size is built through `LiveSession` (joins, votes on every votable
activity, comments in every moderation state) in a fresh child process, so
peak memory belongs to that size alone. Then it times: writing every export
format, closing and reopening the session as a restart would, and drawing the
grid and its comment wall on the real screens of the app, run headless.

    python -m bench.scale
    python -m bench.scale --participants 1000 --comments 10000 --json scale.json
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._headless import REPO, peak_rss_mb

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ROLES = ("service_user", "carer", "staff", "staff", "staff", "other", "prefer_not", None)
STATES = ("approved",) * 15 + ("pending", "pending", "hidden")
PINNED_PER_ACTIVITY = 2
"""A facilitator pins a few comments, not hundreds: the wall shows pinned ones first."""
PHRASES = (
    "We are asked for our views but never hear what happened next.",
    "The ward community meeting works because people who use the service chair it.",
    "Carers are told about changes after they have been decided.",
    "Paid peer roles have made a real difference on the admissions ward.",
    "Training for new staff should be written and delivered with service users.",
    "Policy groups meet in working hours, so people who work cannot come.",
    "Care plans are mostly written before the person has been asked.",
    "We need plain language and time to prepare before meetings.",
)


def _peak_rss_mb() -> float:
    """This interpreter's own peak. Not `ru_maxrss`: Linux carries that over from the parent
    through fork and exec, so under `python -m bench` it would report the intake benchmark's peak."""
    return peak_rss_mb(os.getpid())


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def build_session(store, participants: int, comments: int, seed: int = 3):
    """A session of the where-are-we template filled as a very big room would fill it."""
    from sessions import GridActivity, IndicatorsActivity, SpectrumActivity, TemplateLibrary

    template = TemplateLibrary().find("where-are-we")
    assert template.path is not None
    session = store.create(template, template.path.read_text(encoding="utf-8"), title="Scale test", hold_comments=True)
    rng = random.Random(seed)
    people = [session.join(f"Person {n}" if n % 3 == 0 else "", rng.choice(ROLES))[0] for n in range(participants)]
    votable = [a for a in session.template.activities if a.votable]
    for person in people:
        for activity in votable:
            for item in activity.items:
                if isinstance(activity, SpectrumActivity):
                    value: Any = rng.randint(1, activity.positions)
                elif isinstance(activity, GridActivity):
                    value = rng.randint(1, len(activity.levels))
                elif isinstance(activity, IndicatorsActivity):
                    value = rng.choice(("met", "partly", "not_met"))
                else:
                    continue
                session.cast_vote(person.id, activity.id, item, value)
    talk = [a for a in session.template.activities if a.kind != "info"]
    for n in range(comments):
        activity = talk[n % len(talk)]
        person = people[n % len(people)] if people else None
        text = f"{rng.choice(PHRASES)} ({n + 1})"
        comment = session.add_comment(activity.id, text, participant_id=person.id if person else "", author=person.name if person else "")
        state = "pinned" if n < PINNED_PER_ACTIVITY * len(talk) else rng.choice(STATES)
        if state != comment.state.value:
            session.moderate(comment.id, state)
    grid = next(a for a in votable if isinstance(a, GridActivity))
    session.add_target(grid.id, "Service users co-chair the policy group by the spring", owner="Service manager", review_date="2027-03-31")
    session.go_to([a.id for a in session.template.activities].index(grid.id))
    return session


async def _wait_seen(watch, marker: str, timeout: float = 60.0) -> float:
    deadline = time.monotonic() + timeout
    while marker not in watch.seen:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{marker!r} never reached the screen")
        await asyncio.sleep(0.001)
    return watch.seen[marker]


async def render_times(store, session, data_dir: Path) -> dict[str, float]:
    """Seconds to draw the grid activity with its comment wall, and to redraw each after a change.

    The real app runs headless at 100x30; a frame counts once it has been turned
    into terminal output (see `bench.intake.ScreenWatch`).
    """
    from bench.intake import ScreenWatch
    from tui import load_config
    from tui.app import InvolveApp

    config = load_config({"INVOLVE_DATA_DIR": str(data_dir)}, dotenv_path=data_dir / "none.env").with_overrides(
        intake_host="127.0.0.1", intake_port=0
    )
    grid = session.current_activity
    session.set_revealed(grid.id, True)
    newest = session.wall(grid.id)[0].text.rsplit(" ", 1)[-1]
    top_level = grid.levels[-1].name
    figures: dict[str, float] = {}
    app = InvolveApp(config, store=store)
    async with app.run_test(headless=True, size=(100, 30)) as pilot:
        await pilot.pause()
        watch = ScreenWatch(app)
        watch.expect([newest, top_level])
        started = time.monotonic()
        await app.open_session(session, landing="activity")
        wall_seen = await _wait_seen(watch, newest)
        grid_seen = await _wait_seen(watch, top_level)
        figures["render_wall_s"] = wall_seen - started
        figures["render_grid_s"] = grid_seen - started
        await pilot.pause(0.2)

        watch.expect(["zqfreshz"])
        started = time.monotonic()
        session.add_comment(grid.id, "A new comment zqfreshz", from_facilitator=True)
        figures["redraw_wall_s"] = await _wait_seen(watch, "zqfreshz") - started
        await pilot.pause(0.2)

        person, _ = session.join("", "staff")
        frames = watch.frames
        started = time.monotonic()
        session.cast_vote(person.id, grid.id, grid.items[0], 1)
        deadline = started + 30
        while watch.frames == frames and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        figures["redraw_grid_s"] = watch.frame_times[frames] - started
    return figures


def measure(participants: int, comments: int, work: Path) -> dict[str, Any]:
    """Every figure for one size, measured in this process."""
    from exports import FORMATS, export_session
    from sessions import SessionStore

    figures: dict[str, Any] = {"participants": participants, "comments": comments}
    figures["rss_after_imports_mb"] = round(_peak_rss_mb(), 1)
    store = SessionStore(work / "sessions")
    seconds, session = _timed(lambda: build_session(store, participants, comments))
    figures["build_s"] = seconds
    seconds, _ = _timed(session.sync)
    figures["first_sync_s"] = seconds
    figures["votes"] = len(session.votes)

    export_session(session, list(FORMATS), work / "export-warm-up")  # templates compiled once, as in a long-running app
    for fmt in FORMATS:
        out = work / f"export-{fmt}"
        seconds, paths = _timed(functools.partial(export_session, session, [fmt], out))
        figures[f"export_{fmt}_s"] = seconds
        figures[f"export_{fmt}_kb"] = round(sum(p.stat().st_size for p in paths) / 1024, 1)
    seconds, _ = _timed(lambda: export_session(session, list(FORMATS), work / "export-all"))
    figures["export_all_s"] = seconds

    session_id = session.id
    seconds, _ = _timed(session.close)
    figures["close_s"] = seconds
    session = None  # a restart starts from nothing
    gc.collect()
    seconds, reopened = _timed(lambda: store.open(session_id))
    figures["resume_s"] = seconds
    assert len(reopened.comments) == comments and len(reopened.participants) == participants

    # The app takes the resumed session over, and closes it when it exits.
    figures.update(asyncio.run(render_times(store, reopened, work)))
    reopened = None
    gc.collect()

    tracemalloc.start()
    reopened = store.open(session_id, readonly=True)
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures["session_in_memory_mb"] = round(current / 1024 / 1024, 1)
    reopened.close()
    figures["data_on_disk_kb"] = round(sum(p.stat().st_size for p in store.session_dir(session_id).iterdir()) / 1024, 1)
    figures["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    return figures


def _worker(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="involve-scale-"))
    try:
        figures = measure(args.participants, args.comments, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures), flush=True)
    return 0


def run_case(participants: int, comments: int) -> dict[str, Any]:
    """Measure one size in a fresh interpreter, so its peak memory is its own."""
    command = [sys.executable, "-m", "bench.scale", "--worker", "--participants", str(participants), "--comments", str(comments)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"scale worker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


ROWS = (
    ("build through LiveSession", "build_s", "s"),
    ("wait for disk (first sync)", "first_sync_s", "s"),
    ("open screen: comment wall drawn", "render_wall_s", "s"),
    ("open screen: grid drawn", "render_grid_s", "s"),
    ("new comment to screen", "redraw_wall_s", "s"),
    ("new vote to next frame", "redraw_grid_s", "s"),
    ("export md", "export_md_s", "s"),
    ("export html", "export_html_s", "s"),
    ("export csv", "export_csv_s", "s"),
    ("export json", "export_json_s", "s"),
    ("export all four", "export_all_s", "s"),
    ("close (with compaction)", "close_s", "s"),
    ("resume (SessionStore.open)", "resume_s", "s"),
    ("open session in memory", "session_in_memory_mb", "MB"),
    ("data on disk", "data_on_disk_kb", "KB"),
    ("peak RSS of the process", "peak_rss_mb", "MB"),
)


def report(big: dict[str, Any], small: dict[str, Any]) -> list[str]:
    head = f"{'':30} {'big':>12} {'small':>12} {'ratio':>8}"
    lines = [
        f"big:   {big['participants']} participants, {big['votes']} votes, {big['comments']} comments",
        f"small: {small['participants']} participants, {small['votes']} votes, {small['comments']} comments",
        "",
        head,
    ]
    for label, key, unit in ROWS:
        if key not in big or key not in small:
            continue
        b, s = big[key], small[key]
        ratio = f"{b / s:7.1f}x" if s else "       -"
        scale = 1000 if unit == "s" else 1
        shown = "ms" if unit == "s" else unit
        lines.append(f"{label:30} {b * scale:9.1f} {shown:2} {s * scale:9.1f} {shown:2} {ratio}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description="A 1,000-person session against a small one.")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--small-participants", type=int, default=100)
    parser.add_argument("--small-comments", type=int, default=10)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)
    small = run_case(args.small_participants, args.small_comments)
    big = run_case(args.participants, args.comments)
    for line in report(big, small):
        print(line)
    target = 200.0
    verdict = "met" if big["peak_rss_mb"] < target else "MISSED"
    print(f"\npeak memory target < {target:.0f} MB: {verdict} ({big['peak_rss_mb']:.0f} MB)")
    if args.json:
        args.json.write_text(json.dumps({"big": big, "small": small}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
