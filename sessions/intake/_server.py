"""The small web server phones use to join a live session, vote and comment.

It runs inside the app's own event loop (the same loop that owns the
`LiveSession`), so handlers call the session directly and no lock is needed.
It never writes to the terminal: the terminal is the projected screen.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from .._codes import normalise_code
from .._documents import InvalidInput
from .._json import dumps
from .._live import LiveSession
from .._model import CommentState, Participant, Role
from .._storage import StorageError
from .._text import COMMENT_MAX, clean_text
from ._connections import ConnectionGate, GatedSite, raise_file_limit
from ._console import Console, is_console_path
from ._guard import (
    JSON,
    AttemptLimiter,
    IntakeLimits,
    RateLimiter,
    Refusal,
    check_post_headers,
    read_fields,
    retry_after,
    text_field,
)
from ._network import ANY_ADDRESS, bind_error_message, find_lan_address, url_host
from ._pages import (
    ASSET_CACHE,
    Pages,
    activity_summary,
    comment_too_long,
    comment_topics,
    page_version,
    participant_json,
    saved_summary,
)
from ._turns import TurnBudget

__all__ = ["IntakeServer", "IntakeError", "DEVICE_COOKIE", "DEVICE_HEADER"]

log = logging.getLogger("sessions.intake")

DEVICE_COOKIE = "involve_device"
SAVED_COOKIE = "involve_saved"
DEVICE_HEADER = "X-Involve-Device"
COOKIE_MAX_AGE = 12 * 3600

CLOSED_MESSAGE = "The facilitator has closed answers for now."
JOINING_CLOSED = (
    "The facilitator has closed joining: new phones cannot join this session now. "
    "If you are in the room and need to take part, tell the facilitator, who can count your answers by hand."
)
CHANGED_MESSAGE = "That question has closed. Here is the one the room is on now."
SAVE_FAILED = "Could not save just now — please try again."
COMMENT_HELD = "Thanks — your comment is with the facilitator."
COMMENT_SHOWN = "Thanks — your comment has been added."

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": under it browsers send `Origin: null` on our own form posts,
    # and on a plain-http LAN address (no Sec-Fetch-Site) that hides cross-site posts.
    # "same-origin" still sends nothing to any other site.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

_QUIET_LOGGERS = ("aiohttp.access", "aiohttp.server", "aiohttp.web", "aiohttp.internal", "sessions.intake")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

try:  # typed request keys arrived in aiohttp 3.13; plain strings work before that
    from aiohttp.web import RequestKey

    PARTICIPANT: Any = RequestKey("participant", object)
    DEVICE_TOKEN: Any = RequestKey("device_token", str)
    MEDIA: Any = RequestKey("media", str)
except ImportError:  # pragma: no cover
    PARTICIPANT, DEVICE_TOKEN, MEDIA = "involve.participant", "involve.device_token", "involve.media"


class IntakeError(RuntimeError):
    """The phone page could not start; the message says what to do about it."""


def _silence_loggers() -> None:
    """Keep aiohttp's and our own log records off the projected terminal."""
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.propagate = False
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _served_hosts(trusted: set[str], bound: tuple[str, int], public_url: str) -> set[str]:
    """Every `Host` a phone or this machine may rightly send: the join address, the public URL's, loopback."""
    port = bound[1]
    hosts = set(trusted)
    for name in ("localhost", "127.0.0.1", "[::1]", url_host(bound[0])):
        hosts.add(f"{name}:{port}".lower())
    if public_url:
        parts = urlsplit(public_url)
        default = {"http": 80, "https": 443}.get(parts.scheme)
        if parts.hostname and (parts.port is None or parts.port == default):
            hosts.add(url_host(parts.hostname).lower())
            hosts.add(f"{url_host(parts.hostname)}:{default}".lower())
    if port == 80:
        hosts |= {host.rsplit(":", 1)[0] for host in list(hosts) if host.endswith(":80")}
    return hosts


def _wants_json(request: web.Request) -> bool:
    return (
        request.path.startswith("/api/")
        or JSON in request.headers.get("Accept", "")
        or request.content_type == JSON
    )


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _evicting_older_pages(response: web.Response) -> web.Response:
    """A fresh cookie with each answer or comment on record, so Back never brings an older page out of memory.

    Chromium keeps even `no-store` pages in its back/forward cache, restoring the
    choices as they were left, until a cookie changes; without JavaScript nothing
    else can make it fetch the page again and show what is on record.
    """
    response.set_cookie(SAVED_COOKIE, secrets.token_hex(8), path="/", httponly=True, samesite="Strict")
    return response


class IntakeServer:
    """Serves the join page and the activity page for one `LiveSession`."""

    def __init__(
        self,
        session: LiveSession,
        *,
        host: str = "",
        port: int = 8765,
        public_url: str = "",
        limits: IntakeLimits | None = None,
        support_text: str = "",
        safeguarding_reminder: str = "",
    ) -> None:
        self.session = session
        self.host = host.strip()
        self.port = port
        self.public_url = public_url.strip().rstrip("/")
        self.limits = limits or IntakeLimits()
        # "Need support now?": the organisation's words (.env) first, then the plan's, then ours.
        self.pages = Pages(support_text or session.template.support)
        self.safeguarding_reminder = safeguarding_reminder
        """The organisation's words beside a flagged comment on the console (.env), else ours."""
        self._poll_ms = max(250, int(self.limits.poll_interval * 1000))
        self._runner: web.AppRunner | None = None
        self._url_base = ""
        self._bound: tuple[str, int] = ("", 0)
        self._trusted: frozenset[str] = frozenset()
        keep = self.limits.tracked_keys
        self._by_address = RateLimiter(self.limits.address_rate, self.limits.address_burst, keep)
        self._by_device = RateLimiter(self.limits.token_rate, self.limits.token_burst, keep)
        self._joins = RateLimiter(self.limits.join_rate, self.limits.join_burst, keep)
        self._room_code_failures = AttemptLimiter(self.limits.room_code_tries, self.limits.room_code_window, keep)
        self._room_code_failures_overall = AttemptLimiter(self.limits.room_code_tries_total, self.limits.room_code_window, 1)
        self._hosts: frozenset[str] = frozenset()
        self.gate = ConnectionGate(self.limits.connections_per_address, self.limits.connections_total, self.limits.slow_sender)
        self._turns = TurnBudget(self.limits.per_turn)
        self.console = Console(self)

    # -- life cycle -------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def bound_port(self) -> int:
        return self._bound[1] if self._runner else 0

    @property
    def join_url(self) -> str:
        """The address in the QR code: it carries the session's join token."""
        return f"{self._url_base}/j/{self.session.join_token}" if self._url_base else ""

    @property
    def room_url(self) -> str:
        """The address to type by hand, where the short room code is asked for."""
        return f"{self._url_base}/" if self._url_base else ""

    @property
    def console_url(self) -> str:
        """The short address the facilitator types on their own phone to pair it."""
        return f"{self._url_base}/console" if self._url_base else ""

    def console_link_url(self) -> str:
        """A new one-time link that signs in the first browser to open it (headless mode's `console:` line)."""
        if not self._url_base:
            return ""
        return f"{self._url_base}/console/link/{self.session.consoles.one_time_link()}"

    async def start(self) -> str:
        """Listen, and return the join URL; raises IntakeError with advice when it cannot."""
        if self._runner is not None:
            return self.join_url
        _silence_loggers()
        limits = self.limits
        host = self.host or find_lan_address()
        app = web.Application(client_max_size=limits.body_max, middlewares=[self._guard])
        app.on_response_prepare.append(self._finish_headers)
        self._add_routes(app)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            keepalive_timeout=limits.keepalive,
            lingering_time=limits.linger,
            shutdown_timeout=1.0,
            max_line_size=limits.header_line,
            max_field_size=limits.header_line,
            max_headers=limits.header_count * 2,
        )
        await runner.setup()
        files = raise_file_limit()
        self.gate.total = max(1, min(limits.connections_total, files - 128))
        self.gate.per_address = max(1, min(limits.connections_per_address, self.gate.total))
        site = GatedSite(runner, host, self.port, backlog=256, gate=self.gate)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise IntakeError(bind_error_message(error, host, self.port)) from error
        self._runner = runner
        self.console.attach()
        address = runner.addresses[0]
        self._bound = (address[0], int(address[1]))
        shown = find_lan_address() if host in ANY_ADDRESS else host
        local = f"{url_host(shown)}:{self._bound[1]}".lower()
        trusted = {local}
        if self.public_url:
            self._url_base = self.public_url
            trusted.add(urlsplit(self.public_url).netloc.lower())
        else:
            self._url_base = f"http://{local}"
        self._trusted = frozenset(trusted)
        self._hosts = frozenset(_served_hosts(trusted, self._bound, self.public_url))
        return self.join_url

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        self._url_base = ""
        self.console.detach()
        if runner is not None:
            await runner.cleanup()

    def _add_routes(self, app: web.Application) -> None:
        routes = (
            ("GET", "/", self._room_page),
            ("POST", "/", self._room_code),
            ("GET", "/j/{token}", self._join_page),
            ("POST", "/j/{token}", self._join),
            ("GET", "/s", self._activity_page),
            ("POST", "/s/answer", self._answer),
            ("POST", "/s/comment", self._comment),
            ("POST", "/api/join", self._api_join),
            ("POST", "/api/vote", self._answer),
            ("POST", "/api/comment", self._comment),
            ("GET", "/api/state", self._api_state),
            ("GET", "/api/version", self._api_version),
            ("GET", "/static/{name}", self._static),
        )
        for method, path, handler in routes:
            if method == "GET":
                app.router.add_get(path, handler, expect_handler=self._expect)
            else:
                app.router.add_route(method, path, handler, expect_handler=self._expect)
        self.console.add_routes(app, self._expect)

    # -- the guard every request passes ---------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        await self._turns.enter()
        try:
            response = await self._screen(request, handler)
        except Refusal as refusal:
            response = self._refusal_response(request, refusal)
        except web.HTTPException as error:
            response = self._http_error_response(request, error)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a phone must never bring the intake down
            log.exception("intake handler failed")
            response = web.Response(status=500, text="Something went wrong on our side.", content_type="text/plain")
            response.force_close()
        return response

    async def _finish_headers(self, request: web.BaseRequest, response: web.StreamResponse) -> None:
        """Every response the app sends, whichever path made it, carries these."""
        headers = response.headers
        headers.update(SECURITY_HEADERS)
        headers.setdefault("Cache-Control", "no-store")
        headers["Server"] = "Involve"

    async def _expect(self, request: web.Request) -> web.StreamResponse | None:
        """Answer `Expect: 100-continue` only for a body we would accept; never echo the header."""
        if request.headers.get("Expect", "").lower() != "100-continue" or request.version != (1, 1):
            return self._refusal_response(request, Refusal(417, "Expectation not supported.", close=True))
        length = request.content_length
        if length is not None and length > self.limits.body_max:
            return self._refusal_response(request, Refusal(413, "That is too much to send at once.", close=True))
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0
        return None

    async def _screen(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        limits = self.limits
        if len(request.raw_headers) > limits.header_count:
            raise Refusal(431, "Too many request headers.", close=True)
        host = request.headers.get("Host")
        if host is not None and host.lower() not in self._hosts:
            # A page from another site whose name was pointed at us (DNS rebinding) sends its own name.
            raise Refusal(400, "This address is not one this phone page serves.", close=True)
        wait = self._by_address.take(request.remote or "")
        if wait:
            raise Refusal(429, "Too many requests. Please wait a moment.", headers=retry_after(wait))
        length = request.content_length
        if length is not None and length > limits.body_max:
            raise Refusal(413, "That is too much to send at once.", close=True)
        token = request.headers.get(DEVICE_HEADER) or request.cookies.get(DEVICE_COOKIE)
        participant = self.session.participant_for_token(token[:200]) if token else None
        if participant is not None:
            wait = self._by_device.take(participant.id)
            if wait:
                raise Refusal(429, "Too many requests. Please wait a moment.", headers=retry_after(wait))
            request[DEVICE_TOKEN] = token
        request[PARTICIPANT] = participant
        if request.method == "POST":
            request[MEDIA] = check_post_headers(request, self._trusted)
        return await handler(request)

    def _refusal_response(self, request: web.Request, refusal: Refusal) -> web.StreamResponse:
        status, message = refusal.status, refusal.message
        if _wants_json(request):
            response: web.StreamResponse = self._json({"error": message}, status)
        elif "text/html" in request.headers.get("Accept", ""):
            participant = request.get(PARTICIPANT)
            if is_console_path(request.path):
                body = self.console.refusal_page(request, refusal)
            elif refusal.on_page and participant is not None:
                body = self.pages.activity_page(
                    self.session,
                    participant,
                    error="" if refusal.about_comment else message,
                    comment_error=message if refusal.about_comment else "",
                    comment_text=refusal.keep_text,
                    comment_item=refusal.keep_item,
                    poll_ms=self._poll_ms,
                )
            else:
                body = self.pages.message(refusal.title or "Sorry", message, link=refusal.link, session_title=self.session.title)
            response = web.Response(status=status, text=body, content_type="text/html")
        else:
            response = web.Response(status=status, text=message, content_type="text/plain")
        response.headers.update(refusal.headers)
        if refusal.close:
            response.force_close()
        return response

    def _http_error_response(self, request: web.Request, error: web.HTTPException) -> web.StreamResponse:
        status = error.status
        if isinstance(error, web.HTTPSeeOther):  # a console page sending an unpaired browser to pairing
            return _see_other(str(error.location or "/"))
        if status == 404:
            refusal = Refusal(404, "There is nothing at this address.", link=("/", "Go to the start"))
        elif status == 405:
            allow = error.headers.get("Allow", "")
            refusal = Refusal(405, "That method is not used here.", headers={"Allow": allow} if allow else None)
        elif status == 413:
            refusal = Refusal(413, "That is too much to send at once.", close=True)
        elif 400 <= status < 500:
            refusal = Refusal(status, "That request could not be understood.", close=True)
        else:
            refusal = Refusal(500, "Something went wrong on our side.", close=True)
        return self._refusal_response(request, refusal)

    # -- helpers ----------------------------------------------------------------------

    def _participant(self, request: web.Request) -> Participant:
        participant = request.get(PARTICIPANT)
        if participant is None:
            raise Refusal(401, "Join the session first.", title="Please join first", link=("/", "Join the session"))
        return participant

    def _require_open(self) -> None:
        if not self.session.intake_open:
            raise Refusal(403, CLOSED_MESSAGE, title="Answers are closed")

    def _require_joining(self) -> None:
        """New phones only: anyone already in keeps answering when joining is closed."""
        self._require_open()
        if not self.session.joining_open:
            raise Refusal(403, JOINING_CLOSED, title="Joining is closed")

    async def _fields(self, request: web.Request) -> tuple[dict[str, Any], bool]:
        return await read_fields(request, request[MEDIA], self.limits)

    async def _acknowledge(self) -> None:
        """Wait for the disk; a phone is told "saved" only after this returns."""
        try:
            await self.session.saved(self.limits.save_timeout)
        except (StorageError, OSError, TimeoutError):
            log.warning("intake could not confirm a save")
            raise Refusal(503, SAVE_FAILED, on_page=True, headers={"Retry-After": "2"}) from None

    def _json(self, data: Any, status: int = 200) -> web.Response:
        return web.Response(status=status, body=dumps(data), content_type=JSON, charset="utf-8")

    def _html(self, body: str, status: int = 200) -> web.Response:
        return web.Response(status=status, text=body, content_type="text/html")

    def _room_code_matches(self, request: web.Request, code: str) -> bool:
        address = request.remote or ""
        wait = self._room_code_failures.blocked_for(address)
        if wait:
            raise Refusal(429, "Too many wrong codes. Wait a minute and try again.", headers=retry_after(wait))
        wait = self._room_code_failures_overall.blocked_for("")
        if wait:
            raise Refusal(
                429, "Too many wrong codes have been tried. Wait a minute, or scan the QR code on the screen.", headers=retry_after(wait)
            )
        typed = normalise_code(code)
        if hmac.compare_digest(typed.encode(), self.session.room_code.upper().encode()):
            return True
        self._room_code_failures.fail(address)
        self._room_code_failures_overall.fail("")
        return False

    def _join_token_matches(self, token: str) -> bool:
        return hmac.compare_digest(token.encode("utf-8", "replace")[:256], self.session.join_token.encode())

    async def _join_participant(self, request: web.Request, fields: dict[str, Any]) -> tuple[Participant, str]:
        existing = request.get(PARTICIPANT)
        if existing is not None:
            return existing, request[DEVICE_TOKEN]
        self._require_joining()
        wait = self._joins.take(request.remote or "")
        if wait:
            raise Refusal(429, "Many people are joining from here. Please wait a moment.", headers=retry_after(wait))
        name = text_field(fields, "name", limit=400)
        role_text = text_field(fields, "role", limit=40)
        role = Role.parse(role_text)
        if role_text and role is None:
            raise Refusal(400, "Choose one of the roles offered, or leave it blank.")
        try:
            participant, token = self.session.join(name, role)
        except StorageError:
            raise Refusal(503, SAVE_FAILED) from None
        await self._acknowledge()
        return participant, token

    def _joined_response(self, as_json: bool, participant: Participant, token: str) -> web.Response:
        if as_json:
            response = self._json({"participant": participant_json(participant), "token": token})
        else:
            response = _see_other("/s")
        response.set_cookie(DEVICE_COOKIE, token, max_age=COOKIE_MAX_AGE, path="/", httponly=True, samesite="Strict")
        return response

    # -- pages ------------------------------------------------------------------------

    async def _room_page(self, request: web.Request) -> web.Response:
        if request.get(PARTICIPANT) is not None:
            return _see_other("/s")
        self._require_joining()
        return self._html(self.pages.render("room.html", session_title=self.session.title, error="", code=""))

    async def _room_code(self, request: web.Request) -> web.Response:
        fields, as_json = await self._fields(request)
        self._require_joining()
        code = text_field(fields, "code", limit=64)
        if self._room_code_matches(request, code):
            path = f"/j/{self.session.join_token}"
            return self._json({"join_url": path}) if as_json else _see_other(path)
        message = "That code does not match. Check the code on the screen and try again."
        if as_json:
            return self._json({"error": message}, 400)
        body = self.pages.render("room.html", session_title=self.session.title, error=message, code="")
        return self._html(body, 400)

    async def _join_page(self, request: web.Request) -> web.Response:
        if not self._join_token_matches(request.match_info["token"]):
            raise Refusal(404, "This join link is not for the session running now. Type the room code instead.",
                          title="Link not recognised", link=("/", "Type the room code"))
        if request.get(PARTICIPANT) is not None:
            return _see_other("/s")
        self._require_joining()
        return self._html(self.pages.join_page(self.session))

    async def _join(self, request: web.Request) -> web.Response:
        if not self._join_token_matches(request.match_info["token"]):
            raise Refusal(404, "This join link is not for the session running now.", link=("/", "Type the room code"))
        fields, as_json = await self._fields(request)
        participant, token = await self._join_participant(request, fields)
        return self._joined_response(as_json or _wants_json(request), participant, token)

    async def _api_join(self, request: web.Request) -> web.Response:
        fields, _ = await self._fields(request)
        join_token = text_field(fields, "join_token", limit=256)
        room_code = text_field(fields, "room_code", limit=64)
        if join_token:
            if not self._join_token_matches(join_token):
                raise Refusal(404, "That join token is not for the session running now.")
        elif room_code:
            self._require_open()
            if not self._room_code_matches(request, room_code):
                raise Refusal(400, "That room code does not match.")
        else:
            raise Refusal(400, "Give the join_token from the link, or the room_code.")
        participant, token = await self._join_participant(request, fields)
        return self._joined_response(True, participant, token)

    async def _activity_page(self, request: web.Request) -> web.Response:
        participant = request.get(PARTICIPANT)
        if participant is None:
            return _see_other("/")
        notice = ""
        if "saved" in request.query:
            summary = saved_summary(self.session, participant.id)
            notice = f"Saved: {summary}" if summary else ""
        elif "commented" in request.query:
            # The comment's own state when it was sent: a flagged one is held even with holding off.
            notice = COMMENT_SHOWN if request.query["commented"] == "added" else COMMENT_HELD
        commented = "commented" in request.query
        return self._html(self.pages.activity_page(self.session, participant, notice=notice, poll_ms=self._poll_ms, commented=commented))

    # -- answers and comments ---------------------------------------------------------

    async def _answer(self, request: web.Request) -> web.Response:
        participant = self._participant(request)
        fields, as_json = await self._fields(request)
        self._require_open()
        session = self.session
        activity = session.current_activity
        activity_id = text_field(fields, "activity_id", required=True, limit=200)
        if activity_id != activity.id:
            raise Refusal(409, CHANGED_MESSAGE, title="That question has closed", on_page=True)
        if "item" in fields:
            wanted = [(text_field(fields, "item", required=True, limit=200), fields.get("value"))]
        else:
            wanted = [(item, fields[item]) for item in activity.items if fields.get(item) not in (None, "")]
        if not wanted:
            raise Refusal(400, "Choose an answer first.", on_page=True)
        try:
            checked = [(item, session.check_answer(activity.id, item, value)) for item, value in wanted]
            votes = [session.cast_vote(participant.id, activity.id, item, value) for item, value in checked]
        except InvalidInput as problem:
            raise Refusal(400, str(problem), on_page=True) from None
        except StorageError:
            raise Refusal(503, SAVE_FAILED, on_page=True) from None
        await self._acknowledge()
        if as_json or _wants_json(request):
            return _evicting_older_pages(
                self._json(
                    {
                        "saved": [{"item": v.item, "value": v.value} for v in votes],
                        "summary": saved_summary(session, participant.id),
                    }
                )
            )
        return _evicting_older_pages(_see_other("/s?saved=1"))

    async def _comment(self, request: web.Request) -> web.Response:
        participant = self._participant(request)
        fields, as_json = await self._fields(request)
        raw_text = text_field(fields, "text", limit=self.limits.body_max)
        keep = clean_text(raw_text, self.limits.body_max)
        self._require_open()
        session = self.session
        activity_id = text_field(fields, "activity_id", required=True, limit=200)
        try:
            activity = session.template.activity(activity_id)
        except KeyError:
            raise Refusal(400, "That activity is not part of this session.", on_page=True, keep_text=keep) from None
        item = text_field(fields, "item", limit=200)
        if item and item not in {key for key, _ in comment_topics(activity)}:
            raise Refusal(400, "Choose what the comment is about from the list.", on_page=True, keep_text=keep)
        # Whatever is refused from here on, the words and what they were about go back on the page.
        try:
            if not keep:
                raise Refusal(400, "Write something first.", on_page=True, about_comment=True)
            if len(keep) > COMMENT_MAX:
                raise Refusal(400, comment_too_long(len(keep)), on_page=True, about_comment=True)
            try:
                comment = session.add_comment(activity.id, keep, item=item, participant_id=participant.id, author=participant.name)
            except InvalidInput as problem:
                raise Refusal(400, str(problem), on_page=True) from None
            except StorageError:
                raise Refusal(503, SAVE_FAILED, on_page=True) from None
            await self._acknowledge()
        except Refusal as refusal:
            refusal.keep_text, refusal.keep_item = keep, item
            raise
        held = comment.state is CommentState.PENDING
        if as_json or _wants_json(request):
            message = COMMENT_HELD if held else COMMENT_SHOWN
            return _evicting_older_pages(self._json({"comment": {"id": comment.id, "state": comment.state.value}, "message": message}))
        return _evicting_older_pages(_see_other("/s?commented=held" if held else "/s?commented=added"))

    # -- JSON reads and static files ------------------------------------------------

    async def _api_state(self, request: web.Request) -> web.Response:
        participant = self._participant(request)
        return self._json(activity_summary(self.session, participant))

    async def _api_version(self, request: web.Request) -> web.Response:
        self._participant(request)
        session = self.session
        return self._json({"version": page_version(session), "activity_id": session.current_activity.id, "open": session.intake_open})

    async def _static(self, request: web.Request) -> web.Response:
        asset = self.pages.assets.get(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound()
        # Its current version may be kept for a year; any other URL for it is checked each time.
        current = request.query.get("v") == asset.version
        return web.Response(
            body=asset.body,
            content_type=asset.content_type,
            charset="utf-8",
            headers={"Cache-Control": ASSET_CACHE if current else "no-cache"},
        )
