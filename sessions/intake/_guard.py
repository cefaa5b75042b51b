"""What the phone page refuses before any handler sees a request.

The intake listens on a shared network where anyone can send anything, so
every limit here is cheap, held only in memory (no address is ever written
down), and answers with a short 4xx rather than an exception.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from .._json import loads_strict

__all__ = [
    "IntakeLimits",
    "Refusal",
    "RateLimiter",
    "AttemptLimiter",
    "read_fields",
    "check_post_headers",
    "text_field",
    "BODY_TYPES",
    "FORM",
    "JSON",
    "retry_after",
]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
BODY_TYPES = (FORM, JSON)


@dataclass(frozen=True)
class IntakeLimits:
    """Every limit of the phone page in one place, so tests and benchmarks can see them."""

    body_max: int = 8 * 1024
    """Largest request body, in bytes."""
    body_timeout: float = 5.0
    """Seconds allowed for a whole body to arrive."""
    header_count: int = 50
    """More request headers than this is refused with 431."""
    header_line: int = 4096
    """Longest request line or header field, in bytes (enforced by aiohttp's parser)."""
    keepalive: float = 12.0
    """Seconds an idle connection is kept open (also the longest wait for half-sent headers)."""
    linger: float = 2.0
    """Seconds spent reading and dropping the rest of a refused body before closing,
    so the sender sees the refusal instead of a reset connection."""
    token_rate: float = 20.0
    token_burst: float = 40.0
    """Requests per second (and burst) for one device."""
    address_rate: float = 100.0
    address_burst: float = 300.0
    """Requests per second (and burst) from one network address: loose, because a
    venue's wifi may put a whole room behind one address."""
    join_rate: float = 10.0
    join_burst: float = 400.0
    """New participants per second (and burst) from one network address."""
    room_code_tries: int = 5
    room_code_window: float = 60.0
    """Wrong room codes allowed from one address within the window."""
    pairing_tries: int = 10
    pairing_window: float = 600.0
    """New console pairing codes and failed pairings allowed from one address within the
    window; counted apart from wrong room codes, so a room joining never blocks the facilitator."""
    console_rate: float = 10.0
    console_burst: float = 60.0
    """Requests per second (and burst) from one signed-in console."""
    console_poll_interval: float = 1.0
    """Seconds between a console page's checks for changes (with JavaScript on)."""
    room_code_tries_total: int = 60
    """Wrong room codes allowed from everyone together within the same window: many
    addresses guessing at once are held back too (the QR code's link still works)."""
    connections_per_address: int = 256
    """Connections one address may hold open: loose, as a venue's wifi may put a whole
    room behind one address (at the cap its own oldest idle one is closed to make room),
    but a quarter of the total, so a few addresses with busy connections cannot fill it."""
    connections_total: int = 1024
    """Connections held open at once, from everyone; never more than the file
    descriptor limit leaves room for. At the cap the oldest idle connection of the
    address holding the most is closed for a newcomer; only with none idle is it refused."""
    slow_sender: float = 2.0
    """Seconds a request's body may take to arrive before, with the connection cap full,
    it may be closed for a newcomer from a lighter address (a phone sends its whole
    request well inside a second)."""
    poll_interval: float = 3.0
    """Seconds between a phone page's checks for a new activity (with JavaScript on)."""
    save_timeout: float = 10.0
    """Seconds to wait for the disk before telling a phone to try again."""
    tracked_keys: int = 20_000
    """Most addresses or devices remembered by one limiter before idle ones are forgotten."""
    per_turn: int = 32
    """Requests that may start their work in one turn of the event loop; the rest wait
    for the next turn, so a burst from the whole room never freezes the projected screen."""


class Refusal(Exception):
    """A request the intake will not serve; `message` is ours, never the sender's text."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        close: bool = False,
        title: str = "",
        link: tuple[str, str] | None = None,
        on_page: bool = False,
        keep_text: str = "",
        keep_item: str = "",
        about_comment: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.close = close
        self.title = title
        """Heading of the HTML page shown for it."""
        self.link = link
        """Where the HTML page offers to go next: (href, words)."""
        self.on_page = on_page
        """Show it on the activity page (as a message above the forms) rather than alone."""
        self.about_comment = about_comment
        """The problem is with the comment itself: say so beside the comment box."""
        self.keep_text = keep_text
        """A comment to put back in the box so the person does not lose it."""
        self.keep_item = keep_item
        """What the comment was about (a key from the list), chosen again beside it."""


class RateLimiter:
    """Token buckets by key (device token or address), kept in memory only."""

    __slots__ = ("rate", "burst", "max_keys", "_buckets")

    def __init__(self, rate: float, burst: float, max_keys: int = 20_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: dict[str, list[float]] = {}

    def take(self, key: str, now: float | None = None) -> float:
        """Spend one token; 0 when allowed, otherwise seconds until one is free."""
        if now is None:
            now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_idle(now)
            self._buckets[key] = [self.burst - 1.0, now]
            return 0.0
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        # A bucket that has refilled completely carries no information.
        refill = self.burst / self.rate
        idle = [key for key, (_, last) in self._buckets.items() if now - last >= refill]
        for key in idle:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:
            # Still full of active keys: forget the oldest half rather than grow.
            ordered = sorted(self._buckets.items(), key=lambda item: item[1][1])
            for key, _ in ordered[: len(ordered) // 2]:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class AttemptLimiter:
    """Counts failures (wrong room codes) per address in a sliding window."""

    def __init__(self, tries: int, window: float, max_keys: int = 20_000) -> None:
        self.tries = tries
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[str, list[float]] = {}

    def _recent(self, key: str, now: float) -> list[float]:
        times = [t for t in self._failures.get(key, ()) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def blocked_for(self, key: str, now: float | None = None) -> float:
        """Seconds until this address may try again; 0 when it may try now."""
        if now is None:
            now = time.monotonic()
        times = self._recent(key, now)
        if len(times) < self.tries:
            return 0.0
        return max(0.0, self.window - (now - times[-self.tries]))

    def fail(self, key: str, now: float | None = None) -> None:
        if now is None:
            now = time.monotonic()
        if key not in self._failures and len(self._failures) >= self.max_keys:
            for stale in [k for k, v in self._failures.items() if not v or now - v[-1] >= self.window]:
                del self._failures[stale]
            if len(self._failures) >= self.max_keys:
                self._failures.pop(next(iter(self._failures)))
        self._failures.setdefault(key, []).append(now)


def retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, int(seconds + 0.999)))}


def _origin_netloc(value: str) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.netloc.lower()


def check_post_headers(request: web.Request, trusted_netlocs: frozenset[str]) -> str:
    """Refuse cross-site or odd bodies; return the body's media type (form or JSON)."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "").lower()
    if fetch_site == "cross-site":
        raise Refusal(403, "Requests from other websites are not accepted.")
    origin = request.headers.get("Origin")
    # A page cannot forge Sec-Fetch-Site, so "same-origin" vouches for an opaque origin.
    if origin is not None and not (origin == "null" and fetch_site == "same-origin"):
        netloc = _origin_netloc(origin)
        host = request.headers.get("Host", "").lower()
        if netloc is None or (netloc != host and netloc not in trusted_netlocs):
            raise Refusal(403, "Requests from other websites are not accepted.")
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise Refusal(415, "Compressed bodies are not accepted.")
    media = request.content_type
    if media not in BODY_TYPES:
        raise Refusal(415, "Send a form or JSON.")
    charset = request.charset
    if charset is not None and charset.lower() not in ("utf-8", "utf8"):
        raise Refusal(415, "Send text as UTF-8.")
    return media


async def read_body(request: web.Request, limits: IntakeLimits) -> bytes:
    length = request.content_length
    if length is not None and length > limits.body_max:
        raise Refusal(413, "That is too much to send at once.", close=True)
    try:
        if request.content.is_eof():
            return await request.read()  # all of it has arrived: nothing to wait for, no timer to set
        async with asyncio.timeout(limits.body_timeout):
            return await request.read()
    except TimeoutError:
        raise Refusal(408, "The request took too long to arrive.", close=True) from None
    except web.HTTPRequestEntityTooLarge:
        raise Refusal(413, "That is too much to send at once.", close=True) from None


async def read_fields(request: web.Request, media: str, limits: IntakeLimits) -> tuple[dict[str, Any], bool]:
    """The body as a flat mapping of field to value, and whether it came as JSON."""
    body = await read_body(request, limits)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "The request is not valid UTF-8.") from None
    if media == JSON:
        return _json_fields(text), True
    return _form_fields(text), False


def _json_fields(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        data = loads_strict(text)
    except ValueError:  # NaN, Infinity, lone surrogates and deep nesting included
        raise Refusal(400, "The request is not valid JSON.") from None
    if not isinstance(data, dict):
        raise Refusal(400, "Send a JSON object.")
    for value in data.values():
        if value is not None and not isinstance(value, (str, int)) or isinstance(value, bool):
            raise Refusal(400, "Every field must be text or a whole number.")
        if isinstance(value, int) and not -(10**9) <= value <= 10**9:
            raise Refusal(400, "Every field must be text or a whole number.")
    return data


def _form_fields(text: str) -> dict[str, Any]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict", max_num_fields=64)
    except UnicodeDecodeError:
        raise Refusal(400, "The request is not valid UTF-8.") from None
    except ValueError:
        raise Refusal(400, "The form has too many fields.") from None
    fields: dict[str, Any] = {}
    for key, value in pairs:
        if key in fields:
            raise Refusal(400, "Each answer can be sent once.")
        fields[key] = value
    return fields


def text_field(fields: Mapping[str, Any], name: str, *, required: bool = False, limit: int = 4000) -> str:
    """One field as text; numbers are accepted where text is expected."""
    value = fields.get(name)
    if value is None or value == "":
        if required:
            raise Refusal(400, f"The field '{name}' is missing.")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Refusal(400, f"The field '{name}' must be text.")
    value = str(value)
    if len(value) > limit:
        raise Refusal(413, "That is too much to send at once.")
    return value
