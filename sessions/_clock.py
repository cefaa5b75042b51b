"""The session clock: the time to the second, cheap enough for a full room to ask often."""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["utc_now"]

_last_second: tuple[int, str] = (-1, "")


def utc_now() -> str:
    """The time to the second, as ISO 8601; formatted once a second, as a full room asks thousands of times."""
    global _last_second
    second = int(time.time())
    if second != _last_second[0]:
        _last_second = (second, datetime.fromtimestamp(second, UTC).isoformat())
    return _last_second[1]
