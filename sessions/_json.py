"""JSON for the journal and the phone page: orjson, with the standard library behind it.

Every acknowledged vote goes through JSON three times on the event loop (the
request body, the journal line and its read-back, the answer to the phone),
and the standard library spends about five times as long on each as orjson.
orjson is stricter, though: it refuses a lone surrogate and integers beyond
64 bits. Where it refuses, the standard library takes over with ASCII-only
output, as the journal always wrote before, so nothing that could be saved
then becomes unsavable now, and every line ever written still reads back.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["dumps", "loads", "loads_strict"]

# Values the standard library would refuse (dataclasses, datetimes) go to the
# fallback and are refused there too, as before; str subclasses and int keys
# come out exactly as the standard library writes them.
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON; ASCII with escapes where orjson cannot represent a value."""
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except TypeError:
        return _ASCII.encode(value).encode("ascii")


def loads(data: bytes | str) -> Any:
    """Read what `dumps` wrote, including its fallback's escaped lone surrogates."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def loads_strict(data: bytes | str) -> Any:
    """For input from outside: no NaN or Infinity, no lone surrogates, nesting capped.

    Raises ValueError for anything that is not plain JSON."""
    return orjson.loads(data)
