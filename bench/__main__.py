"""`python -m bench`: every benchmark and the kill drill, one after another, with their default sizes."""

from __future__ import annotations

import sys

from . import burst, faults, intake, scale, startup


def main() -> int:
    status = 0
    for title, module, argv in (
        ("Phone intake: python -m bench.intake", intake, []),
        ("A very big session: python -m bench.scale", scale, []),
        ("kill -9 under load: python -m bench.faults --rounds 100 --quiet", faults, ["--rounds", "100", "--quiet"]),
        ("A real room's burst: python -m bench.burst", burst, []),
        ("Start-up: python -m bench.startup", startup, []),
    ):
        print(f"\n== {title}\n", flush=True)
        status |= module.main(argv)
    return status


if __name__ == "__main__":
    sys.exit(main())
