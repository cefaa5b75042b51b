"""How long `involve --help` takes against `python -c pass`, timed in the same run.

Both commands are run alternately, `--rounds` times each, in fresh
interpreters (the same Python, the same environment); the figures are the
median wall time of each with its range, and the ratio of the medians.

    python -m bench.startup
    python -m bench.startup --rounds 40 --json startup.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ._headless import REPO

TARGET_RATIO = 4.0
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "involve --help": [sys.executable, "-m", "involve", "--help"],
    "involve templates list": [sys.executable, "-m", "involve", "templates", "list"],
}


def _time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60)
    return time.perf_counter() - started


def measure(rounds: int) -> dict[str, list[float]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INVOLVE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env["INVOLVE_DATA_DIR"] = str(Path("/tmp") / f"involve-bench-startup-{os.getpid()}")
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # one untimed run each: the file cache, not the code, is warm after it
        _time(command, env)
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            times[name].append(_time(command, env))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    times = measure(max(1, args.rounds))
    base = statistics.median(times["python -c pass"])
    print(f"{args.rounds} alternating runs each; load average {Path('/proc/loadavg').read_text().split()[0]}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:26} {median * 1000:7.1f} ms  [{min(values) * 1000:.1f}–{max(values) * 1000:.1f}]  {median / base:5.2f}x")
    ratio = statistics.median(times["involve --help"]) / base
    print(f"involve --help: {ratio:.2f}x python -c pass (target <= {TARGET_RATIO:g}x: {'met' if ratio <= TARGET_RATIO else 'MISSED'})")
    if args.json:
        args.json.write_text(json.dumps(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
