"""The facilitator's console: moderation and the room's controls on a phone, never on the projector.

Served by the intake server, in its event loop, on the same `LiveSession`.
Pages are plain forms (post, redirect, get) that work without JavaScript;
intake.js reloads a page within about a second of any change in the session.

A console is signed in by a token in its own cookie, which no participant
route reads; a participant's device token opens no console route. Every
console form also carries a token made for that console and that form, so a
page elsewhere cannot post to it even from the same network address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .._catalogue import earlier_targets
from .._consoles import PairingRefused
from .._documents import InvalidInput
from .._live import Change
from .._model import CommentState, RoleGroup
from .._risk import FLAGGED_HINT, FLAGGED_NOT_ON_WALL
from .._storage import StorageError
from .._text import COMMENT_MAX, TEXT_MAX, clean_text
from ._console_views import (
    COMMENT_LISTS,
    COMMENT_PAGE,
    HAND_GROUPS,
    comment_counts,
    comment_list,
    comment_view,
    countable_cells,
    drive_view,
    group_of,
    lobby_view,
    review_view,
)
from ._guard import AttemptLimiter, RateLimiter, Refusal, retry_after, text_field
from ._pages import comment_length_text, comment_too_long, comment_topics

if TYPE_CHECKING:
    from ._server import IntakeServer

__all__ = ["Console", "CONSOLE_COOKIE", "PAIRING_COOKIE", "CONSOLE_ROUTES", "is_console_path"]

CONSOLE_COOKIE = "involve_console"
PAIRING_COOKIE = "involve_console_pairing"
CONSOLE_PATH = "/console"
CONSOLE_COOKIE_AGE = 12 * 3600

CONSOLE_ROUTES: tuple[tuple[str, str], ...] = (
    ("GET", "/console/comments"),
    ("POST", "/console/comments"),
    ("POST", "/console/heard"),
    ("GET", "/console/room"),
    ("POST", "/console/room"),
    ("GET", "/console/hands"),
    ("POST", "/console/hands"),
    ("GET", "/console/lobby"),
    ("POST", "/console/lobby"),
    ("GET", "/console/review"),
    ("POST", "/console/review"),
    ("POST", "/console/sign-out"),
    ("GET", "/console/api/version"),
)
"""Every route that needs a signed-in console (the tests walk this list)."""

NOT_SIGNED_IN = "This console is not signed in. Open the console address to pair it with the app."
FORM_EXPIRED = "This form is out of date. Reload the page and try again."
MOVED_ON = "The room has moved on, so nothing was counted. Here is the activity on screen now."

NOTICES = {
    "approved": "Approved: {n} on the wall.",
    "hidden": "Hidden: {n}. The room does not see it.",
    "pinned": "Pinned to the top of the wall.",
    "unpinned": "Unpinned: still on the wall.",
    "followed": "Marked to follow up: a private mark the room never sees. It goes in the private record, not the public one.",
    "unfollowed": "Follow-up mark removed.",
    "skipped": "{n} had already been dealt with elsewhere and were left as they are.",
    "heard": "Your comment is on the wall as the facilitator's.",
    "heard-flagged": FLAGGED_NOT_ON_WALL,
    "moved": "The room is on this activity now.",
    "first": "This is the first activity.",
    "last": "This is the last activity. Export the record from the app.",
    "revealed": "Results shown to the room.",
    "concealed": "Results hidden from the room.",
    "forced": "Results for this activity always show (set by the template).",
    "closed": "Phone answers are closed. Anything already sent is kept.",
    "opened": "Phone answers are open.",
    "counted": "Counted.",
    "lobby": "Counts saved.",
    "joining-closed": "Joining is closed: new phones cannot join. People already in keep answering.",
    "joining-opened": "Joining is open again.",
    "curtain": "The curtain is drawn: the projector shows only the session title.",
    "lifted": "The curtain is lifted: the room sees the activity again.",
    "split": "Results are split by role on the projector.",
    "together": "Results show everyone together.",
    "single-out": "Not split: showing the groups apart would single people out.",
    "timer-started": "The timer is running.",
    "timer-paused": "The timer is paused.",
    "reviewed": "Saved: how target {n} went.",
}

CHOSEN = {"approve": CommentState.APPROVED, "hide": CommentState.HIDDEN, "pin": CommentState.PINNED, "unpin": CommentState.APPROVED}
DONE = {"approve": "approved", "hide": "hidden", "pin": "pinned", "unpin": "unpinned"}
FOLLOW_UP = {"follow-up": True, "no-follow-up": False}
"""The private follow-up mark, set or cleared on one comment (as `f` does in the app); the room sees no change."""
FOLLOW_UP_DONE = {"follow-up": "followed", "no-follow-up": "unfollowed"}


def is_console_path(path: str) -> bool:
    """Is this address one of the console's (its refusals use the console's own page)?"""
    return path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/")


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _count(value: Any, field: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or len(text) > 5:
        raise Refusal(400, f"'{field}' must be a whole number from 0 to 10000.")
    return min(int(text), 10_000)


class Console:
    """The console's routes, limits and form tokens, for one intake server."""

    def __init__(self, server: IntakeServer) -> None:
        self.server = server
        self.session = server.session
        limits = server.limits
        keep = limits.tracked_keys
        self._by_console = RateLimiter(limits.console_rate, limits.console_burst, keep)
        self._pairing_tries = AttemptLimiter(limits.pairing_tries, limits.pairing_window, keep)
        self._form_key = secrets.token_bytes(32)
        self._changes = 0
        self._poll_ms = max(250, int(limits.console_poll_interval * 1000))

    # -- life cycle ----------------------------------------------------------------

    def attach(self) -> None:
        self.session.add_listener(self._changed)

    def detach(self) -> None:
        self.session.remove_listener(self._changed)

    def _changed(self, change: Change) -> None:
        self._changes += 1

    def add_routes(self, app: web.Application, expect: Any) -> None:
        handlers = {
            ("GET", "/console"): self._pairing_page,
            ("POST", "/console"): self._pairing_continue,
            ("GET", "/console/api/pairing"): self._pairing_state,
            ("GET", "/console/link/{link}"): self._link,
            ("GET", "/console/comments"): self._comments_page,
            ("POST", "/console/comments"): self._moderate,
            ("POST", "/console/heard"): self._heard,
            ("GET", "/console/room"): self._room_page,
            ("POST", "/console/room"): self._drive,
            ("GET", "/console/hands"): self._hands_page,
            ("POST", "/console/hands"): self._count_hands,
            ("GET", "/console/lobby"): self._lobby_page,
            ("POST", "/console/lobby"): self._lobby,
            ("GET", "/console/review"): self._review_page,
            ("POST", "/console/review"): self._review,
            ("POST", "/console/sign-out"): self._sign_out,
            ("GET", "/console/api/version"): self._version,
        }
        for (method, path), handler in handlers.items():
            if method == "GET":
                app.router.add_get(path, handler, expect_handler=expect)
            else:
                app.router.add_route(method, path, handler, expect_handler=expect)

    # -- who is asking -------------------------------------------------------------

    def _token(self, request: web.Request, *, page: bool = False) -> str:
        """The signed-in console's token; a page without one is sent to pairing, anything else refused."""
        token = request.cookies.get(CONSOLE_COOKIE, "")[:200]
        if not self.session.consoles.is_console(token):
            if page:
                raise web.HTTPSeeOther(CONSOLE_PATH)
            raise Refusal(401, NOT_SIGNED_IN, title="Not signed in", link=(CONSOLE_PATH, "Pair this console"))
        wait = self._by_console.take(_hash(token))
        if wait:
            raise Refusal(429, "That is a lot of changes at once. Wait a moment and try again.", headers=retry_after(wait))
        return token

    def form_token(self, token: str, action: str) -> str:
        """The token one form of one console carries: useless to any other console or form."""
        message = f"{action}\x00{_hash(token)}".encode()
        return hmac.new(self._form_key, message, hashlib.sha256).hexdigest()[:32]

    async def _form(self, request: web.Request, action: str) -> tuple[str, dict[str, Any]]:
        token = self._token(request)
        fields, _ = await self.server._fields(request)
        sent = text_field(fields, "csrf", limit=64)
        if not sent or not hmac.compare_digest(sent.encode(), self.form_token(token, action).encode()):
            raise Refusal(403, FORM_EXPIRED, title="Form out of date", link=(CONSOLE_PATH + "/comments", "Back to the console"))
        return token, fields

    async def _saved(self) -> None:
        await self.server._acknowledge()

    # -- refusals ------------------------------------------------------------------

    def refusal_page(self, request: web.Request, refusal: Refusal) -> str:
        """A refusal on a console address, on the console's own page.

        A signed-in console keeps its navigation and the waiting count, so the
        facilitator is one tap from where they were; any other browser is
        offered the way back to pairing. The console's rate limit is not spent.
        """
        token = request.cookies.get(CONSOLE_COOKIE, "")[:200]
        signed_in = self.session.consoles.is_console(token)
        link = refusal.link
        if signed_in:
            if link is None or not link[0].startswith(CONSOLE_PATH + "/"):
                link = (CONSOLE_PATH + "/comments", "Back to the console")
        else:
            link = (CONSOLE_PATH, "Pair this console")
        return self.server.pages.render(
            "console_message.html",
            session_title=self.session.title,
            title=refusal.title or "Sorry",
            message=refusal.message,
            link=link,
            signed_in=signed_in,
            here="",
            waiting=self.session.pending_count if signed_in else 0,
            notice="",
            error="",
            page_url=request.path,
            csrf=lambda action: self.form_token(token, action),
        )

    # -- pairing -------------------------------------------------------------------

    def _signed_in(self, request: web.Request) -> bool:
        return self.session.consoles.is_console(request.cookies.get(CONSOLE_COOKIE, "")[:200])

    def _pairing_blocked(self, address: str) -> None:
        wait = self._pairing_tries.blocked_for(address)
        if wait:
            raise Refusal(
                429,
                "Too many pairing attempts from here. Wait a few minutes and open the console address again.",
                title="Please wait",
                headers=retry_after(wait),
            )

    def _claim(self, request: web.Request) -> web.Response | None:
        """Sign this browser in when the app has taken its code; None while it waits."""
        token = self.session.consoles.claim(request.cookies.get(PAIRING_COOKIE, "")[:200])
        if token is None:
            return None
        return self._signed_in_response(token)

    def _signed_in_response(self, token: str) -> web.Response:
        response = _see_other(CONSOLE_PATH + "/comments")
        response.set_cookie(CONSOLE_COOKIE, token, max_age=CONSOLE_COOKIE_AGE, path=CONSOLE_PATH, httponly=True, samesite="Strict")
        response.del_cookie(PAIRING_COOKIE, path=CONSOLE_PATH)
        return response

    def _pairing_response(self, request: web.Request, *, status: int = 200, note: str = "") -> web.Response:
        """The page with this browser's code; a new code when it has none that still works."""
        consoles = self.session.consoles
        address = request.remote or ""
        pending = consoles.waiting(request.cookies.get(PAIRING_COOKIE, "")[:200])
        fresh = pending is None
        if fresh:
            self._pairing_blocked(address)
            try:
                pending = consoles.start(address)
            except PairingRefused as refused:
                raise Refusal(429, str(refused), title="Please wait", headers={"Retry-After": "60"}) from None
            self._pairing_tries.fail(address)
        assert pending is not None
        minutes = max(1, round(consoles.code_lifetime / 60))
        body = self.server.pages.render(
            "console_pair.html",
            session_title=self.session.title,
            code=pending.code,
            minutes=minutes,
            note=note,
            notice="",
            error="",
            page_url=CONSOLE_PATH,
            poll_ms=self._poll_ms,
        )
        response = self.server._html(body, status)
        if fresh:
            response.set_cookie(
                PAIRING_COOKIE, pending.secret, max_age=int(consoles.code_lifetime * 2), path=CONSOLE_PATH, httponly=True, samesite="Strict"
            )
        return response

    async def _pairing_page(self, request: web.Request) -> web.Response:
        if self._signed_in(request):
            return _see_other(CONSOLE_PATH + "/comments")
        return self._claim(request) or self._pairing_response(request)

    async def _pairing_continue(self, request: web.Request) -> web.Response:
        await self.server._fields(request)  # the body is read and checked like any other
        if self._signed_in(request):
            return _see_other(CONSOLE_PATH + "/comments")
        claimed = self._claim(request)
        if claimed is not None:
            return claimed
        secret = request.cookies.get(PAIRING_COOKIE, "")[:200]
        if self.session.consoles.waiting(secret) is not None:
            note = "The app has not taken this code yet. Type it into the app, then press the button again."
            return self._pairing_response(request, status=409, note=note)
        self._pairing_tries.fail(request.remote or "")
        note = "That code has expired or was not recognised, so here is a new one." if secret else ""
        return self._pairing_response(request, status=410 if secret else 200, note=note)

    async def _pairing_state(self, request: web.Request) -> web.Response:
        """For the pairing page's script: has the app taken the code yet?"""
        consoles = self.session.consoles
        secret = request.cookies.get(PAIRING_COOKIE, "")[:200]
        pending = consoles.waiting(secret)
        if pending is None:
            state = "gone"
        elif consoles.is_ready(secret):
            state = "paired"
        else:
            state = "waiting"
        return self.server._json({"version": state})

    async def _link(self, request: web.Request) -> web.Response:
        address = request.remote or ""
        self._pairing_blocked(address)
        token = self.session.consoles.open_link(request.match_info["link"])
        if token is None:
            self._pairing_tries.fail(address)
            raise Refusal(
                403,
                "This console link has been used already, or is not for this session. Each link signs in one browser, once.",
                title="Link already used",
            )
        return self._signed_in_response(token)

    async def _sign_out(self, request: web.Request) -> web.Response:
        token, _ = await self._form(request, "/console/sign-out")
        self.session.consoles.sign_out(token)
        response = _see_other(CONSOLE_PATH)
        response.del_cookie(CONSOLE_COOKIE, path=CONSOLE_PATH)
        return response

    # -- shared page parts -----------------------------------------------------------

    def _page(self, request: web.Request, name: str, token: str, here: str, status: int = 200, **context: Any) -> web.Response:
        counts = comment_counts(self.session)
        done = request.query.get("done", "")
        try:
            n = int(request.query.get("n", "1"))
        except ValueError:
            n = 1
        notice = NOTICES[done].format(n=max(0, min(n, 100_000))) if done in NOTICES else ""
        page = request.path_qs.split("&done=")[0].split("?done=")[0]
        body = self.server.pages.render(
            name,
            session_title=self.session.title,
            here=here,
            waiting=counts["waiting"],
            counts=counts,
            notice=context.pop("notice", "") or notice,
            error=context.pop("error", ""),
            version=str(self._changes),
            poll_ms=self._poll_ms,
            page_url=page,
            csrf=lambda action: self.form_token(token, action),
            **context,
        )
        return self.server._html(body, status)

    async def _version(self, request: web.Request) -> web.Response:
        self._token(request)
        return self.server._json({"version": str(self._changes), "waiting": self.session.pending_count})

    # -- moderation ------------------------------------------------------------------

    def _comments_response(self, request: web.Request, token: str, *, status: int = 200, **extra: Any) -> web.Response:
        view = request.query.get("view", "waiting")
        if view not in COMMENT_LISTS:
            view = "waiting"
        reminder = self.server.safeguarding_reminder
        comments, total = comment_list(self.session, view)
        activity = self.session.current_activity
        heard_text = extra.pop("heard_text", "")
        return self._page(
            request,
            "console_comments.html",
            token,
            "comments",
            status,
            view=view,
            lists=[(name, label) for name, (label, _) in COMMENT_LISTS.items()],
            comments=[comment_view(self.session, c, reminder) for c in comments],
            total=total,
            shown_max=COMMENT_PAGE,
            activity_id=activity.id,
            activity_title=activity.title,
            topics=comment_topics(activity),
            heard_text=heard_text,
            flagged_hint=FLAGGED_HINT,
            heard_count=comment_length_text(len(heard_text)),
            heard_error=extra.pop("heard_error", ""),
            **extra,
        )

    async def _comments_page(self, request: web.Request) -> web.Response:
        token = self._token(request, page=True)
        return self._comments_response(request, token)

    async def _moderate(self, request: web.Request) -> web.Response:
        _, fields = await self._form(request, "/console/comments")
        view = text_field(fields, "view", limit=20)
        if view not in COMMENT_LISTS:
            view = "waiting"
        do = text_field(fields, "do", required=True, limit=40)
        verb, _, comment_id = do.partition(":")
        if verb not in CHOSEN and verb not in FOLLOW_UP:
            raise Refusal(400, "That is not something the console can do to a comment.")
        session = self.session
        skipped = 0
        if verb in FOLLOW_UP:
            return await self._follow_up(view, verb, comment_id)
        try:
            if comment_id:
                if comment_id not in session.comments:
                    raise Refusal(404, "That comment is not in this session.", link=(f"/console/comments?view={view}", "Back to the comments"))
                session.moderate(comment_id, CHOSEN[verb])
                changed = 1
            else:
                if verb not in ("approve", "hide"):
                    raise Refusal(400, "Only approving and hiding work on several comments at once.")
                picked = [key[5:] for key, value in fields.items() if key.startswith("pick-") and value]
                if not picked:
                    back = (f"/console/comments?view={view}", "Back to the comments")
                    raise Refusal(400, "Tick at least one comment first.", title="Nothing ticked", link=back)
                states = COMMENT_LISTS[view][1]
                changed = 0
                for picked_id in picked:
                    comment = session.comments.get(picked_id)
                    if comment is None or comment.state not in states:
                        skipped += 1  # dealt with on another screen since this page was drawn
                        continue
                    session.moderate(picked_id, CHOSEN[verb])
                    changed += 1
        except StorageError:
            raise Refusal(503, "Could not save just now — please try again.", headers={"Retry-After": "2"}) from None
        await self._saved()
        done = DONE[verb] if changed or not skipped else "skipped"
        n = changed if done != "skipped" else skipped
        return _see_other(f"/console/comments?view={view}&done={done}&n={n}")

    async def _follow_up(self, view: str, verb: str, comment_id: str) -> web.Response:
        """Set or clear one comment's private follow-up mark; its state, and so the wall, stay as they are."""
        session = self.session
        if not comment_id:
            raise Refusal(400, "Mark one comment at a time to follow up.")
        if comment_id not in session.comments:
            raise Refusal(404, "That comment is not in this session.", link=(f"/console/comments?view={view}", "Back to the comments"))
        try:
            session.set_follow_up(comment_id, FOLLOW_UP[verb])
        except StorageError:
            raise Refusal(503, "Could not save just now — please try again.", headers={"Retry-After": "2"}) from None
        await self._saved()
        return _see_other(f"/console/comments?view={view}&done={FOLLOW_UP_DONE[verb]}&n=1#comment-{comment_id}")

    async def _heard(self, request: web.Request) -> web.Response:
        token, fields = await self._form(request, "/console/heard")
        raw = text_field(fields, "text", limit=self.server.limits.body_max)
        text = clean_text(raw, self.server.limits.body_max)
        session = self.session
        activity_id = text_field(fields, "activity_id", required=True, limit=200)
        try:
            activity = session.template.activity(activity_id)
        except KeyError:
            raise Refusal(400, "That activity is not part of this session.") from None
        if not text:
            return self._comments_response(request, token, status=400, heard_error="Write the comment first.")
        if len(text) > COMMENT_MAX:
            return self._comments_response(request, token, status=400, heard_error=comment_too_long(len(text)), heard_text=text)
        item = text_field(fields, "item", limit=200)
        if item and item not in {key for key, _ in comment_topics(activity)}:
            raise Refusal(400, "Choose what the comment is about from the list.")
        try:
            comment = session.add_comment(activity.id, text, item=item, from_facilitator=True)
        except InvalidInput as problem:
            return self._comments_response(request, token, status=400, heard_error=str(problem), heard_text=text)
        except StorageError:
            raise Refusal(503, "Could not save just now — please try again.", headers={"Retry-After": "2"}) from None
        await self._saved()
        if comment.flags:
            return _see_other(f"/console/comments?view=waiting&done=heard-flagged#comment-{comment.id}")
        return _see_other("/console/comments?view=wall&done=heard")

    # -- driving the room ------------------------------------------------------------

    async def _room_page(self, request: web.Request) -> web.Response:
        token = self._token(request, page=True)
        return self._page(request, "console_room.html", token, "room", room=drive_view(self.session))

    async def _drive(self, request: web.Request) -> web.Response:
        _, fields = await self._form(request, "/console/room")
        do = text_field(fields, "do", required=True, limit=40)
        session = self.session
        activity = session.current_activity
        index = session.current_index
        last = len(session.template.activities) - 1
        forced = bool(session.template.show_results or getattr(activity, "show_results", False))
        try:
            if do == "next":
                done = "last" if index >= last else "moved"
                session.go_to(index + 1)
            elif do == "previous":
                done = "first" if index == 0 else "moved"
                session.go_to(index - 1)
            elif do.startswith("go:"):
                target = do[3:]
                if not target.isdigit() or int(target) > last:
                    raise Refusal(400, "That activity is not part of this session.")
                session.go_to(int(target))
                done = "moved"
            elif do in ("reveal", "conceal"):
                if not activity.votable:
                    raise Refusal(400, "This activity has no results to show.")
                if forced:
                    done = "forced"
                else:
                    session.set_revealed(activity.id, do == "reveal")
                    done = "revealed" if do == "reveal" else "concealed"
            elif do in ("close", "open"):
                session.set_intake_open(do == "open")
                done = "opened" if do == "open" else "closed"
            elif do in ("curtain", "lift-curtain"):
                session.set_curtain(do == "curtain")
                done = "curtain" if do == "curtain" else "lifted"
            elif do in ("split", "together"):
                if not activity.votable:
                    raise Refusal(400, "This activity has no results to split.")
                if do == "split" and session.split_refusal(session.results(activity.id)):
                    done = "single-out"  # the projected view would refuse it too
                else:
                    session.set_split(activity.id, do == "split")
                    done = "split" if do == "split" else "together"
            elif do in ("start-timer", "pause-timer"):
                if not activity.minutes:
                    raise Refusal(400, "This activity has no time set in its template.")
                if do == "start-timer":
                    session.start_timer(activity.id)
                else:
                    session.pause_timer(activity.id)
                done = "timer-started" if do == "start-timer" else "timer-paused"
            else:
                raise Refusal(400, "That is not one of the console's controls.")
        except InvalidInput as problem:
            raise Refusal(400, str(problem)) from None
        except StorageError:
            raise Refusal(503, "Could not save just now — please try again.", headers={"Retry-After": "2"}) from None
        await self._saved()
        return _see_other(f"/console/room?done={done}")

    # -- counting hands --------------------------------------------------------------

    async def _hands_page(self, request: web.Request) -> web.Response:
        token = self._token(request, page=True)
        key, role, label = group_of(request.query.get("group", "everyone"))
        activity = self.session.current_activity
        results = self.session.results(activity.id) if activity.votable else None
        return self._page(
            request,
            "console_hands.html",
            token,
            "hands",
            group=key,
            group_label=label,
            groups=[(k, words) for k, _, words in HAND_GROUPS],
            activity_id=activity.id,
            activity_title=activity.title,
            activity_number=self.session.current_index + 1,
            cells=countable_cells(self.session, role),
            respondents=results.respondents if results else 0,
            tallied=results.tallied if results else 0,
            held_note=results.held_note if results else "",
        )

    async def _count_hands(self, request: web.Request) -> web.Response:
        _, fields = await self._form(request, "/console/hands")
        key, role, _ = group_of(text_field(fields, "group", limit=20))
        session = self.session
        activity = session.current_activity
        if text_field(fields, "activity_id", required=True, limit=200) != activity.id:
            raise Refusal(409, MOVED_ON, title="The room has moved on", link=(f"/console/hands?group={key}", "Count for this activity"))
        do = text_field(fields, "do", required=True, limit=40)
        verb, _, anchor = do.partition(":")
        if verb not in ("plus", "minus"):
            raise Refusal(400, "Use + or − beside a count.")
        cells = {cell["anchor"]: cell for group in countable_cells(session, role) for cell in group["cells"]}
        cell = cells.get(anchor)
        if cell is None:
            raise Refusal(400, "That is not something this activity counts.")
        try:
            session.adjust_tally(activity.id, cell["item"], cell["value"], 1 if verb == "plus" else -1, role)
        except InvalidInput as problem:
            raise Refusal(400, str(problem)) from None
        except StorageError:
            raise Refusal(503, "Could not save just now — please try again.", headers={"Retry-After": "2"}) from None
        await self._saved()
        return _see_other(f"/console/hands?group={key}&done=counted#{anchor}")

    # -- the lobby -------------------------------------------------------------------

    async def _lobby_page(self, request: web.Request) -> web.Response:
        token = self._token(request, page=True)
        return self._page(request, "console_lobby.html", token, "lobby", lobby=lobby_view(self.session))

    async def _lobby(self, request: web.Request) -> web.Response:
        _, fields = await self._form(request, "/console/lobby")
        do = text_field(fields, "do", required=True, limit=40)
        session = self.session
        groups = {group.value: group for group in RoleGroup}
        verb, _, name = do.partition(":")
        try:
            if verb in ("plus", "minus") and name in groups:
                group = groups[name]
                current = session.present_without_phones[group]
                session.set_present_without_phones(group, current + (1 if verb == "plus" else -1))
                done, anchor = "lobby", f"#group-{name}"
            elif do == "save":
                counts = {group: _count(fields.get(f"count-{value}"), group.label) for value, group in groups.items()}
                for group, count in counts.items():
                    if count != session.present_without_phones[group]:
                        session.set_present_without_phones(group, count)
                done, anchor = "lobby", ""
            elif do in ("close-joining", "open-joining"):
                session.set_joining_open(do == "open-joining")
                done, anchor = ("joining-opened" if do == "open-joining" else "joining-closed"), ""
            else:
                raise Refusal(400, "That is not one of the lobby's controls.")
        except StorageError:
            raise Refusal(503, "Could not save just now — please try again.", headers={"Retry-After": "2"}) from None
        await self._saved()
        return _see_other(f"/console/lobby?done={done}{anchor}")


    # -- reviewing the earlier session's targets (Getting there, step 4) ------------------

    def _review_response(self, request: web.Request, token: str, *, status: int = 200, problem: tuple[str, str, dict[str, str]] | None = None) -> web.Response:
        targets = earlier_targets(self.session)
        return self._page(
            request,
            "console_review.html",
            token,
            "review",
            status,
            review=review_view(self.session, targets, problem),
            text_max=TEXT_MAX,
        )

    async def _review_page(self, request: web.Request) -> web.Response:
        token = self._token(request, page=True)
        return self._review_response(request, token)

    async def _review(self, request: web.Request) -> web.Response:
        token, fields = await self._form(request, "/console/review")
        target_id = text_field(fields, "target_id", required=True, limit=200)
        target = next((t for t in earlier_targets(self.session) if t.id == target_id), None)
        if target is None:
            raise Refusal(404, "That target is not one of the earlier session's.", link=("/console/review", "Back to the review"))
        number = 1 + [t.id for t in earlier_targets(self.session)].index(target.id)
        limit = self.server.limits.body_max
        typed = {
            "outcome": text_field(fields, "outcome", limit=40),
            "what_happened": text_field(fields, "what_happened", limit=limit),
            "working_together": text_field(fields, "working_together", limit=limit),
        }
        words = {"what_happened": "What happened", "working_together": "How working together went"}
        for key, label in words.items():
            length = len(clean_text(typed[key], limit))
            if length > TEXT_MAX:
                # Refused with its reason, never cut short without a word.
                problem = f"{label} is {length:,} characters; the most is {TEXT_MAX:,}. Shorten it and save again."
                return self._review_response(request, token, status=400, problem=(target.id, problem, typed))
        try:
            self.session.record_outcome(target, typed["outcome"], typed["what_happened"], typed["working_together"])
        except InvalidInput as problem:
            return self._review_response(request, token, status=400, problem=(target.id, str(problem), typed))
        except StorageError:
            raise Refusal(503, "Could not save just now — please try again.", headers={"Retry-After": "2"}) from None
        await self._saved()
        return _see_other(f"/console/review?done=reviewed&n={number}#target-{number}")
