"""What-if: the app with its garbage collector tuned, for `python -m bench.intake --gc-tune`.

Not what the app does today. Once the phone page has started (the session is
loaded by then), everything alive is frozen out of the collector's reach and
the youngest generation is allowed to grow before a collection:

    gc.collect(); gc.freeze(); gc.set_threshold(10_000, 20, 20)

    python -m bench._gc_tuned resume ID --headless --host 127.0.0.1 --port 0
"""

from __future__ import annotations

import gc
import sys

GC_THRESHOLD = (10_000, 20, 20)


def tune_gc() -> None:
    """Long-lived objects (Textual, templates, the loaded session) are never garbage: stop scanning them."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def _tune_after_start() -> None:
    from sessions.intake import IntakeServer

    start = IntakeServer.start

    async def start_then_tune(self: IntakeServer) -> str:
        url = await start(self)
        tune_gc()
        return url

    IntakeServer.start = start_then_tune  # type: ignore[method-assign]


def main() -> int:
    _tune_after_start()
    from tui.cli import main as involve

    return involve(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
