"""kill -9 the running app under load, again and again, and count what was lost.

Each round resumes the same session headless, lets the simulated room vote,
change votes and comment, then kills the app with SIGKILL at a random moment.
The room writes down every answer the app acknowledged (a 2xx response); after
each kill the session store is opened read-only and every acknowledged join,
vote and comment must be there. A vote changed after its last
acknowledgement may hold either value: the phone was never told which.

    python -m bench.faults --rounds 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ._headless import headless_app, prepare_session
from ._load import Ledger, LoadPlan, Phone, run_load

VOTE_ACTIVITY = "spectrum"
VOTE_ITEM = "place"
COMMENT_ACTIVITIES = ("spectrum", "grid", "indicators")


@dataclass
class Check:
    """What one look at the store after a kill found."""

    opened: bool
    listed: bool
    joins: int = 0
    votes: int = 0
    comments: int = 0
    lost: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class DrillReport:
    session_id: str = ""
    rounds: int = 0
    acknowledged: int = 0
    """Every 2xx answer the room received (joins, votes, vote changes, comments)."""
    records_checked: int = 0
    """Distinct records in the ledger after the last round (the latest value of each vote)."""
    lost: list[str] = field(default_factory=list)
    open_failures: list[str] = field(default_factory=list)
    restart_failures: list[str] = field(default_factory=list)
    in_flight_at_kill: int = 0
    """Requests that were on their way when the app died (never acknowledged, so never counted)."""
    seconds: float = 0.0
    ledger: Ledger = field(default_factory=Ledger, repr=False)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.open_failures or self.restart_failures)

    def summary(self) -> dict[str, object]:
        return {
            "rounds": self.rounds,
            "acknowledged": self.acknowledged,
            "records_checked": self.records_checked,
            "lost": len(self.lost),
            "store_open_failures": len(self.open_failures),
            "restart_failures": len(self.restart_failures),
            "in_flight_at_kill": self.in_flight_at_kill,
            "seconds": round(self.seconds, 1),
        }


def check_store(data_dir: Path, session_id: str, ledger: Ledger) -> Check:
    """Open the store as `involve resume` would, read-only, and look for every acknowledged record."""
    from sessions import SessionStore

    store = SessionStore(data_dir / "sessions")
    try:
        listed = any(info.id == session_id for info in store.list())
        session = store.open(session_id, readonly=True)
    except Exception as error:  # noqa: BLE001 - any failure to open is the finding
        return Check(opened=False, listed=False, error=f"{type(error).__name__}: {error}")
    check = Check(opened=True, listed=listed)
    try:
        for participant_id, token in ledger.joins.items():
            found = session.participant_for_token(token)
            if found is None or found.id != participant_id:
                check.lost.append(f"join {participant_id}")
        check.joins = len(ledger.joins)
        for key, value in ledger.votes.items():
            participant_id, activity_id, item = key.split("|")
            stored = session.vote_of(participant_id, activity_id, item)
            allowed = [value, *ledger.unconfirmed_votes.get(key, [])]
            if stored is None or stored.value not in allowed:
                check.lost.append(f"vote {key}: acknowledged {value}, stored {stored.value if stored else None}")
        check.votes = len(ledger.votes)
        for comment_id, text in ledger.comments.items():
            stored_comment = session.comments.get(comment_id)
            if stored_comment is None or stored_comment.text != text:
                check.lost.append(f"comment {comment_id}: {text[:40]!r}")
        check.comments = len(ledger.comments)
    finally:
        session.close()
    return check


async def kill_drill(
    data_dir: Path,
    rounds: int,
    *,
    phones: int = 40,
    newcomers: int = 2,
    seed: int = 7,
    window: tuple[float, float] = (0.05, 0.6),
    progress: bool = False,
) -> DrillReport:
    """Run `rounds` kill -9 rounds against one session in `data_dir`.

    The room starts with `phones` phones and `newcomers` more join each round, so
    joins are in flight at the kills too, not only votes and comments.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    session_id = prepare_session(data_dir, "where-are-we", VOTE_ACTIVITY)
    rng = random.Random(seed)
    room = [Phone(i) for i in range(phones)]
    report = DrillReport(session_id=session_id)
    ledger = report.ledger
    started = time.monotonic()
    log = data_dir / "app-stderr.log"
    for number in range(1, rounds + 1):
        app = headless_app(data_dir, "resume", session_id, log=log)
        try:
            url = await app.start(timeout=30.0)
        except Exception as error:  # noqa: BLE001 - a failed restart is the finding
            report.restart_failures.append(f"round {number}: {error}")
            break
        if number > 1:
            room.extend(Phone(len(room)) for _ in range(newcomers))
        plan = LoadPlan(
            url=url,
            phones=len(room),
            requests=len(room) * 1000,
            vote_activity=VOTE_ACTIVITY,
            vote_item=VOTE_ITEM,
            comment_activities=COMMENT_ACTIVITIES,
            max_seconds=20.0,
            seed=seed * 1000 + number,
        )
        stop = asyncio.Event()
        load = asyncio.create_task(run_load(plan, phones=room, ledger=ledger, stop=stop))
        await asyncio.sleep(rng.uniform(*window))
        await app.kill()
        stop.set()
        result = await load
        report.acknowledged += result.acknowledged
        report.in_flight_at_kill += result.counts.get("error", 0)
        report.rounds = number
        check = check_store(data_dir, session_id, ledger)
        if not check.opened:
            report.open_failures.append(f"round {number}: {check.error}")
        elif not check.listed:
            report.open_failures.append(f"round {number}: the session is missing from `store.list()`")
        report.lost.extend(f"round {number}: {item}" for item in check.lost)
        if progress:
            print(
                f"round {number:3d}: {result.acknowledged:4d} acknowledged, "
                f"{check.joins} joins / {check.votes} votes / {check.comments} comments checked, lost {len(check.lost)}",
                flush=True,
            )
        if not check.opened:
            break
    report.records_checked = ledger.acknowledged
    report.seconds = time.monotonic() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description="kill -9 the headless app under load and count losses.")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--phones", type=int, default=40, help="phones in the room at the first round")
    parser.add_argument("--newcomers", type=int, default=2, help="phones that join the room each later round")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the summary here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the data folder for inspection")
    parser.add_argument("--quiet", action="store_true", help="no line per round")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="involve-faults-"))
    try:
        report = asyncio.run(kill_drill(data_dir, args.rounds, phones=args.phones, newcomers=args.newcomers, seed=args.seed, progress=not args.quiet))
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    summary = report.summary()
    print()
    print(f"kill -9 rounds:         {summary['rounds']}")
    print(f"acknowledged requests:  {summary['acknowledged']}")
    print(f"records checked:        {summary['records_checked']} (every join, the last value of every vote, every comment)")
    print(f"in flight at the kill:  {summary['in_flight_at_kill']} (never acknowledged)")
    print(f"lost:                   {summary['lost']}")
    print(f"store failed to open:   {summary['store_open_failures']}")
    print(f"app failed to restart:  {summary['restart_failures']}")
    print(f"time:                   {summary['seconds']} s")
    for line in (report.lost + report.open_failures + report.restart_failures)[:20]:
        print(f"  {line}")
    if args.keep:
        print(f"data kept in {data_dir}")
    if args.json:
        details = {k: v for k, v in asdict(report).items() if k != "ledger"}
        args.json.write_text(json.dumps({**summary, "details": details}, indent=2))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
