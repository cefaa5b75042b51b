"""Hostile requests to the phone intake: each gets the exact 4xx chosen for it,
nothing unsafe is stored, and the server keeps answering ordinary phones."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import unicodedata
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from conftest_intake import SPECTRUM, Joined, join_json, raw_request, still_serving
from sessions import LiveSession
from sessions.intake import IntakeLimits, IntakeServer

VOTE = {"activity_id": "spectrum", "item": "place", "value": 3}
VOTE_BYTES = json.dumps(VOTE).encode()
FORM_VOTE = b"activity_id=spectrum&place=3"
JSON_TYPE = {"Content-Type": "application/json"}
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


@pytest.fixture
async def me(server: IntakeServer, http: aiohttp.ClientSession, live_session: LiveSession) -> Joined:
    joined = await join_json(http, server, name="Hostile test")
    live_session.go_to(SPECTRUM)
    return joined


@dataclass(frozen=True)
class Case:
    id: str
    status: int
    method: str = "POST"
    path: str = "api/vote"
    body: bytes | None = VOTE_BYTES
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON_TYPE))
    auth: str = "header"  # header | cookie | none | forged-header | forged-cookie | truncated
    chunked: bool = False


def _json(data: object) -> bytes:
    return json.dumps(data).encode()


def _vote(**changes: object) -> bytes:
    return _json({**VOTE, **changes})


def _multipart() -> tuple[bytes, dict[str, str]]:
    boundary = "----involve-test"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"activity_id\"\r\n\r\nspectrum\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"place\"; filename=\"x.sh\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n#!/bin/sh\r\n--{boundary}--\r\n"
    ).encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


MULTIPART, MULTIPART_TYPE = _multipart()

CASES = [
    # -- bodies that are too big
    Case("json-9k", 413, body=_vote(pad="x" * 9000)),
    Case("form-100k", 413, path="s/answer", body=b"a=" + b"x" * 100_000, headers=dict(FORM_TYPE)),
    Case("join-20k", 413, path="api/join", body=_json({"name": "x" * 20_000}), auth="none"),
    Case("comment-chunked-12k", 413, path="api/comment", body=_json({"activity_id": "spectrum", "text": "y" * 12_000}), chunked=True),
    Case("room-code-9k", 413, path="", body=b"code=" + b"A" * 9000, headers=dict(FORM_TYPE), auth="none"),
    # -- bodies of the wrong kind
    Case("multipart-vote", 415, body=MULTIPART, headers=dict(MULTIPART_TYPE)),
    Case("multipart-answer", 415, path="s/answer", body=MULTIPART, headers=dict(MULTIPART_TYPE)),
    Case("multipart-comment", 415, path="s/comment", body=MULTIPART, headers=dict(MULTIPART_TYPE)),
    Case("multipart-join", 415, path="api/join", body=MULTIPART, headers=dict(MULTIPART_TYPE), auth="none"),
    Case("multipart-room-code", 415, path="", body=MULTIPART, headers=dict(MULTIPART_TYPE), auth="none"),
    Case("text-plain", 415, headers={"Content-Type": "text/plain"}),
    Case("xml", 415, headers={"Content-Type": "application/xml"}),
    Case("html", 415, headers={"Content-Type": "text/html"}),
    Case("octet-stream", 415, headers={"Content-Type": "application/octet-stream"}),
    Case("no-content-type", 415, headers={}),
    Case("json-latin1", 415, headers={"Content-Type": "application/json; charset=latin-1"}),
    Case("json-utf16", 415, body=json.dumps(VOTE).encode("utf-16"), headers={"Content-Type": "application/json; charset=utf-16"}),
    Case("gzip-body", 415, body=gzip.compress(VOTE_BYTES), headers={**JSON_TYPE, "Content-Encoding": "gzip"}),
    Case("deflate-body", 415, body=zlib.compress(VOTE_BYTES), headers={**JSON_TYPE, "Content-Encoding": "deflate"}),
    # -- missing or forged device tokens
    Case("vote-no-token", 401, auth="none"),
    Case("vote-forged-header", 401, auth="forged-header"),
    Case("vote-forged-cookie", 401, auth="forged-cookie"),
    Case("vote-truncated-token", 401, auth="truncated"),
    Case("vote-empty-header", 401, headers={**JSON_TYPE, "X-Involve-Device": ""}, auth="none"),
    Case("comment-no-token", 401, path="api/comment", body=_json({"activity_id": "spectrum", "text": "hi"}), auth="none"),
    Case("form-answer-no-cookie", 401, path="s/answer", body=FORM_VOTE, headers=dict(FORM_TYPE), auth="none"),
    Case("form-comment-forged-cookie", 401, path="s/comment", body=b"activity_id=spectrum&text=hi", headers=dict(FORM_TYPE), auth="forged-cookie"),
    Case("state-no-token", 401, method="GET", path="api/state", body=None, auth="none"),
    Case("version-forged", 401, method="GET", path="api/version", body=None, auth="forged-header"),
    # -- cross-site posts
    Case("cross-site-vote", 403, headers={**JSON_TYPE, "Sec-Fetch-Site": "cross-site"}),
    Case("cross-site-comment", 403, path="s/comment", body=b"activity_id=spectrum&text=hi", headers={**FORM_TYPE, "Sec-Fetch-Site": "cross-site"}, auth="cookie"),
    Case("cross-site-join", 403, path="api/join", body=_json({"room_code": "AAAAAA"}), headers={**JSON_TYPE, "Sec-Fetch-Site": "cross-site"}, auth="none"),
    Case("cross-site-room-code", 403, path="", body=b"code=AAAAAA", headers={**FORM_TYPE, "Sec-Fetch-Site": "cross-site"}, auth="none"),
    Case("foreign-origin-vote", 403, headers={**JSON_TYPE, "Origin": "http://evil.example"}),
    Case("foreign-origin-comment", 403, path="s/comment", body=b"activity_id=spectrum&text=hi", headers={**FORM_TYPE, "Origin": "http://evil.example"}, auth="cookie"),
    Case("foreign-origin-join", 403, path="api/join", body=_json({"room_code": "AAAAAA"}), headers={**JSON_TYPE, "Origin": "https://evil.example"}, auth="none"),
    Case("null-origin", 403, headers={**JSON_TYPE, "Origin": "null"}),
    Case("origin-other-port", 403, headers={**JSON_TYPE, "Origin": "http://127.0.0.1:1"}),
    Case("origin-javascript", 403, headers={**JSON_TYPE, "Origin": "javascript:alert(1)"}),
    Case("origin-ftp", 403, headers={**JSON_TYPE, "Origin": "ftp://127.0.0.1"}),
    Case("origin-broken-ipv6", 403, headers={**JSON_TYPE, "Origin": "http://[::1"}),
    # -- wrong methods
    Case("put-root", 405, method="PUT", path="", body=None, headers={}),
    Case("delete-activity", 405, method="DELETE", path="s", body=None, headers={}),
    Case("patch-vote", 405, method="PATCH"),
    Case("options-vote", 405, method="OPTIONS", body=None, headers={}),
    Case("get-vote", 405, method="GET", body=None, headers={}),
    Case("post-state", 405, path="api/state"),
    Case("post-static", 405, path="static/intake.css"),
    Case("put-join", 405, method="PUT", path="j/anything", body=None, headers={}),
    Case("get-comment", 405, method="GET", path="s/comment", body=None, headers={}),
    # -- unknown paths and traversal
    Case("unknown", 404, method="GET", path="nope", body=None, headers={}),
    Case("unknown-static", 404, method="GET", path="static/nope.css", body=None, headers={}),
    Case("static-source", 404, method="GET", path="static/_server.py", body=None, headers={}),
    Case("static-encoded-traversal", 404, method="GET", path="static/..%2F..%2F_server.py", body=None, headers={}),
    Case("static-encoded-dots", 404, method="GET", path="static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", body=None, headers={}),
    Case("dotenv", 404, method="GET", path=".env", body=None, headers={}),
    Case("admin", 404, method="GET", path="admin", body=None, headers={}),
    Case("empty-join-token", 404, method="GET", path="j/", body=None, headers={}),
    Case("wrong-join-token", 404, method="GET", path="j/guess", body=None, headers={}),
    Case("join-token-suffix", 404, method="GET", path="j/guess/extra", body=None, headers={}),
    Case("post-wrong-join-token", 404, path="j/guess", body=b"name=x", headers=dict(FORM_TYPE), auth="none"),
    Case("api-join-wrong-token", 404, path="api/join", body=_json({"join_token": "guess"}), auth="none"),
    Case("head-unknown", 404, method="HEAD", path="nope", body=None, headers={}),
    Case("trailing-slash", 404, method="GET", path="s/", body=None, headers={}),
    # -- text that is not UTF-8
    Case("json-invalid-utf8", 400, body=b'{"activity_id": "\xff\xfe", "item": "place", "value": 1}'),
    Case("form-percent-invalid-utf8", 400, path="s/answer", body=b"activity_id=%ff%fe&place=1", headers=dict(FORM_TYPE)),
    Case("form-raw-invalid-utf8", 400, path="s/answer", body=b"activity_id=\xff&place=1", headers=dict(FORM_TYPE)),
    Case("comment-lone-surrogate", 400, path="api/comment", body=b'{"activity_id": "spectrum", "text": "\\ud800"}'),
    Case("join-invalid-utf8", 400, path="api/join", body=b'{"room_code": "\xc3\x28"}', auth="none"),
    # -- JSON that is broken or the wrong shape
    Case("json-truncated", 400, body=b"{"),
    Case("json-bare-word", 400, body=b"nul"),
    Case("json-empty-list", 400, body=b"[]"),
    Case("json-number", 400, body=b"123"),
    Case("json-string", 400, body=b'"text"'),
    Case("json-null", 400, body=b"null"),
    Case("json-list-of-votes", 400, body=_json([VOTE, VOTE])),
    Case("json-activity-list", 400, body=_vote(activity_id=["spectrum"])),
    Case("json-value-object", 400, body=_vote(value={"$gt": 0})),
    Case("json-value-true", 400, body=_vote(value=True)),
    Case("json-value-float", 400, body=_vote(value=1.5)),
    Case("json-value-huge-float", 400, body=b'{"activity_id": "spectrum", "item": "place", "value": 1e400}'),
    Case("json-value-nan", 400, body=b'{"activity_id": "spectrum", "item": "place", "value": NaN}'),
    Case("json-value-infinity", 400, body=b'{"activity_id": "spectrum", "item": "place", "value": -Infinity}'),
    Case("json-deep-nesting", 400, body=b'{"a":' * 1200 + b"1" + b"}" * 1200),
    Case("json-deep-lists", 400, body=b"[" * 7000),
    Case("json-value-huge-int", 400, body=_vote(value=10**30)),
    Case("json-activity-null", 400, body=_vote(activity_id=None)),
    Case("json-no-item-field", 400, body=_json({"activity_id": "spectrum", "value": 3})),
    Case("json-unknown-item", 400, body=_vote(item="../../etc")),
    Case("json-value-zero", 400, body=_vote(value=0)),
    Case("json-value-negative", 400, body=_vote(value="-1")),
    Case("json-value-word", 400, body=_vote(value="three")),
    Case("json-value-sql", 400, body=_vote(value="1; DROP TABLE votes")),
    Case("json-other-activity", 409, body=_vote(activity_id="grid", item="care:now")),
    Case("json-unknown-activity", 409, body=_vote(activity_id="no-such-activity")),
    Case("comment-text-list", 400, path="api/comment", body=_json({"activity_id": "spectrum", "text": ["a"]})),
    Case("comment-empty", 400, path="api/comment", body=_json({"activity_id": "spectrum", "text": ""})),
    Case("comment-only-controls", 400, path="api/comment", body=_json({"activity_id": "spectrum", "text": "\x1b\x07\x00\u200b\u202e"})),
    Case("comment-unknown-topic", 400, path="api/comment", body=_json({"activity_id": "spectrum", "text": "x", "item": "<script>"})),
    Case("comment-unknown-activity", 400, path="api/comment", body=_json({"activity_id": "nope", "text": "x"})),
    Case("comment-too-long", 400, path="api/comment", body=_json({"activity_id": "spectrum", "text": "x" * 3000})),
    Case("join-unknown-role", 400, path="api/join", body=_json({"join_token": "{join_token}", "role": "admin"}), auth="none"),
    Case("join-name-object", 400, path="api/join", body=_json({"join_token": "{join_token}", "name": {"first": "x"}}), auth="none"),
    Case("join-no-credentials", 400, path="api/join", body=_json({"name": "x"}), auth="none"),
    Case("join-wrong-room-code", 400, path="api/join", body=_json({"room_code": "0OIL1"}), auth="none"),
    # -- forms of the wrong shape
    Case("form-duplicate-field", 400, path="s/answer", body=b"activity_id=spectrum&place=1&place=5", headers=dict(FORM_TYPE)),
    Case("form-too-many-fields", 400, path="s/answer", body=b"&".join(b"f%d=1" % i for i in range(100)), headers=dict(FORM_TYPE)),
    Case("form-no-answer", 400, path="s/answer", body=b"activity_id=spectrum&unrelated=1", headers=dict(FORM_TYPE)),
    Case("form-nul-value", 400, path="s/answer", body=b"activity_id=spectrum&place=%00", headers=dict(FORM_TYPE)),
    Case("form-room-code-wrong", 400, path="", body=b"code=%00%00%00", headers=dict(FORM_TYPE), auth="none"),
]


async def _send(http: aiohttp.ClientSession, server: IntakeServer, me: Joined, case: Case) -> aiohttp.ClientResponse:
    headers = dict(case.headers)
    if case.auth == "header":
        headers["X-Involve-Device"] = me.token
    elif case.auth == "cookie":
        headers["Cookie"] = f"involve_device={me.token}"
    elif case.auth == "forged-header":
        headers["X-Involve-Device"] = "A" * 32
    elif case.auth == "forged-cookie":
        headers["Cookie"] = "involve_device=" + "B" * 32
    elif case.auth == "truncated":
        headers["X-Involve-Device"] = me.token[:-1]
    body = case.body
    if body is not None:
        body = body.replace(b"{join_token}", server.session.join_token.encode())
    skip = () if "Content-Type" in headers else ("Content-Type",)
    data: object = body
    if case.chunked and body is not None:
        async def stream(payload: bytes = body) -> AsyncIterator[bytes]:
            for start in range(0, len(payload), 1024):
                yield payload[start : start + 1024]

        data = stream()
    return await http.request(
        case.method,
        server.room_url + case.path,
        data=data,
        headers=headers,
        skip_auto_headers=skip,
        allow_redirects=False,
    )


def test_there_are_at_least_a_hundred_hostile_requests() -> None:
    assert len(CASES) + len(RAW_CASES) + len(COMMENTS) + len(NAMES) >= 100
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_hostile_request_is_refused(case: Case, server: IntakeServer, http: aiohttp.ClientSession, me: Joined, live_session: LiveSession) -> None:
    participants_before = set(live_session.participants)
    response = await _send(http, server, me, case)
    assert response.status == case.status, await response.text()
    body = await response.read()
    assert len(body) < 2000
    assert b"<script" not in body and b"\x1b" not in body and b"evil.example" not in body
    if case.method != "HEAD":
        assert body, "every refusal says why"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert live_session.votes == {}
    assert live_session.comments == {}
    assert set(live_session.participants) == participants_before
    await still_serving(http, server)


# -- raw bytes the HTTP client library would never send ---------------------------------------


def _headers(n: int) -> bytes:
    return b"".join(b"X-Filler-%d: 1\r\n" % i for i in range(n))


RAW_CASES = {
    # 50 headers is the most allowed: Host plus 50 more is one too many.
    "51-headers": (b"GET / HTTP/1.1\r\nHost: {host}\r\n" + _headers(50) + b"\r\n", 431),
    "200-headers": (b"GET / HTTP/1.1\r\nHost: {host}\r\n" + _headers(200) + b"\r\n", 400),
    "huge-header": (b"GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n", 400),
    "huge-cookie": (b"GET / HTTP/1.1\r\nHost: {host}\r\nCookie: a=" + b"b" * 6000 + b"\r\n\r\n", 400),
    "huge-url": (b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: {host}\r\n\r\n", 400),
    "nul-in-header": (b"GET / HTTP/1.1\r\nHost: {host}\r\nX-A: a\x00b\r\n\r\n", 400),
    "nul-in-path": (b"GET \x00 HTTP/1.1\r\nHost: {host}\r\n\r\n", 400),
    "control-in-path": (b"GET /\x01 HTTP/1.1\r\nHost: {host}\r\n\r\n", 400),
    "invalid-utf8-path": (b"GET /j/\xff\xfe HTTP/1.1\r\nHost: {host}\r\n\r\n", 400),
    "duplicate-content-length": (b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
    "length-and-chunked": (b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    "double-transfer-encoding": (b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n", 400),
    "content-length-word": (b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\n\r\n", 400),
    "bad-chunk-size": (b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nX-Involve-Device: {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", 400),
    "chunked-too-big": (
        b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nX-Involve-Device: {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + (b"1000\r\n" + b"a" * 4096 + b"\r\n") * 3
        + b"0\r\n\r\n",
        413,
    ),
    "length-a-gigabyte": (b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nX-Involve-Device: {token}\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{", 413),
    "expect-continue-too-big": (b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n", 413),
    "expect-unknown": (b"POST /api/vote HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nExpect: <script>\r\nContent-Length: 2\r\n\r\n{}", 417),
    "garbage-request-line": (b"GARBAGE\r\n\r\n", 400),
    "tls-hello": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40, 400),
    "made-up-method": (b"BREW / HTTP/1.1\r\nHost: {host}\r\n\r\n", 400),
    "trace": (b"TRACE / HTTP/1.1\r\nHost: {host}\r\n\r\n", 405),
    "options-star": (b"OPTIONS * HTTP/1.1\r\nHost: {host}\r\n\r\n", 404),
    "dot-dot-traversal": (b"GET /static/../../etc/passwd HTTP/1.1\r\nHost: {host}\r\n\r\n", 404),
    "encoded-dot-traversal": (b"GET /static/%2e%2e/_server.py HTTP/1.1\r\nHost: {host}\r\n\r\n", 404),
    "backslash-traversal": (b"GET /static/..\\..\\_server.py HTTP/1.1\r\nHost: {host}\r\n\r\n", 404),
    "no-host": (b"GET / HTTP/1.1\r\n\r\n", 400),
    "two-hosts": (b"GET / HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\n\r\n", 400),
    "http2-preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
    "http-version-9": (b"GET / HTTP/9.9\r\nHost: {host}\r\n\r\n", 400),
    "obsolete-line-folding": (b"GET / HTTP/1.1\r\nHost: {host}\r\nX-A: a\r\n  folded\r\n\r\n", 400),
    "space-in-header-name": (b"GET / HTTP/1.1\r\nHost: {host}\r\nX A: a\r\n\r\n", 400),
    "header-without-colon": (b"GET / HTTP/1.1\r\nHost: {host}\r\nGarbage\r\n\r\n", 400),
    "bare-line-feeds": (b"GET / HTTP/1.1\nHost: {host}\n\n", 400),
}


@pytest.mark.parametrize("name", list(RAW_CASES))
async def test_malformed_http_is_refused(name: str, server: IntakeServer, http: aiohttp.ClientSession, me: Joined, live_session: LiveSession) -> None:
    template, status = RAW_CASES[name]
    data = template.replace(b"{host}", f"127.0.0.1:{server.bound_port}".encode()).replace(b"{token}", me.token.encode())
    response = await raw_request(server, data)
    assert response is not None, "the server answers before closing"
    assert response.status == status, response.body
    assert len(response.body) < 2000
    assert b"<script" not in response.body
    assert live_session.votes == {} and live_session.comments == {}
    await still_serving(http, server)


async def test_fifty_headers_are_still_fine(server: IntakeServer) -> None:
    data = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % server.bound_port + _headers(49) + b"\r\n"
    response = await raw_request(server, data)
    assert response is not None and response.status == 200


# -- slow clients ---------------------------------------------------------------------------------


async def _stalled_body(server: IntakeServer, token: str, *, trickle: bool) -> tuple[bytes, float, float]:
    """Send headers and a little of a body, then stall (or trickle a byte at a time).

    Returns what came back, when the answer arrived and when the connection closed.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", server.bound_port)
    head = (
        f"POST /api/vote HTTP/1.1\r\nHost: 127.0.0.1:{server.bound_port}\r\nX-Involve-Device: {token}\r\n"
        "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
    ).encode()
    started = time.monotonic()
    writer.write(head + b'{"activity_id"')
    await writer.drain()
    received = b""
    answered = 0.0
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(reader.read(4096), 0.25)
            except TimeoutError:
                if time.monotonic() - started > 8:
                    raise AssertionError("the server held a stalled connection open too long") from None
                if trickle:
                    writer.write(b" ")
                    await writer.drain()
                continue
            if not chunk:
                break
            if not received:
                answered = time.monotonic() - started
            received += chunk
    except ConnectionError:
        pass
    finally:
        writer.close()
    return received, answered, time.monotonic() - started


@pytest.mark.parametrize("trickle", [False, True], ids=["stalled", "trickled"])
async def test_slow_body_times_out_and_the_server_carries_on(
    trickle: bool, server: IntakeServer, http: aiohttp.ClientSession, me: Joined, live_session: LiveSession
) -> None:
    received, answered, closed = await _stalled_body(server, me.token, trickle=trickle)
    assert received.startswith(b"HTTP/1.1 408 "), received[:80]
    assert b"took too long" in received
    # body_timeout is 1 s and linger 0.5 s in these tests
    assert 0.9 <= answered < 3
    assert closed < 5
    assert live_session.votes == {}
    await still_serving(http, server)


async def test_half_sent_headers_are_dropped_after_the_keepalive_time(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=IntakeLimits(keepalive=1.0))
    await intake.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", intake.bound_port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        await writer.drain()
        started = time.monotonic()
        leftover = await asyncio.wait_for(reader.read(), 5)
        assert leftover == b"" and time.monotonic() - started < 5
        writer.close()
        async with aiohttp.ClientSession() as http:
            assert (await http.get(intake.room_url)).status == 200
    finally:
        await intake.stop()


# -- text that is stored: cleaned, never refused for its characters alone ------------------------

COMMENTS = {
    "clear-screen": ("\x1b[2Jclear", 200, "[2Jclear"),
    "osc-clipboard": ("\x1b]52;c;aGk=\x07osc", 200, "]52;c;aGk=osc"),
    "textual-action-markup": ("[  @click=app.quit]x[/]", 200, "[  @click=app.quit]x[/]"),
    "rich-markup": ("[b red]loud[/]", 200, "[b red]loud[/]"),
    "html": ("<script>alert(1)</script>", 200, "<script>alert(1)</script>"),
    "nul-bytes": ("\x00nul\x00", 200, "nul"),
    "bidi-override": ("\u202eevil\u202c", 200, "evil"),
    "zero-width": ("zero\u200bwidth\ufeff", 200, "zerowidth"),
    "private-use": ("\ue000private\U000f0000", 200, "private"),
    "combining-flood": ("a" + "\u0301" * 2000 + "b", 200, None),
    "emoji-family": ("\U0001f469\u200d\U0001f469\u200d\U0001f467" * 10, 200, "\U0001f469\u200d\U0001f469\u200d\U0001f467" * 10),
    "emoji-280": ("\U0001f600" * 280, 200, "\U0001f600" * 280),
    "emoji-run-too-long": ("\U0001f600" * 1000, 400, None),
    "blank-line-flood": ("a" + "\r\n" * 500 + "b", 200, "a\n\nb"),
    "line-separator": ("one\u2028two", 200, "one\ntwo"),
    "c1-controls": ("\x9bcsi\x85next", 200, "csinext"),
    "format-string": ("%s%n{0}{{x}}", 200, "%s%n{0}{{x}}"),
    "arabic": ("مرحبا بكم", 200, "مرحبا بكم"),
    "tag-characters": ("flag\U000e0067\U000e0062", 200, "flag"),
}


def _assert_clean(text: str) -> None:
    combining = 0
    for char in text:
        category = unicodedata.category(char)
        assert category not in ("Cc", "Co", "Cn", "Cs") or char == "\n", repr(char)
        assert category != "Cf" or char == "\u200d", repr(char)
        combining = combining + 1 if category in ("Mn", "Me") else 0
        assert combining <= 2
    assert len(text) <= 280


@pytest.mark.parametrize("name", list(COMMENTS))
async def test_comment_text_is_cleaned_on_arrival(name: str, server: IntakeServer, http: aiohttp.ClientSession, me: Joined, live_session: LiveSession) -> None:
    text, status, stored = COMMENTS[name]
    body = json.dumps({"activity_id": "spectrum", "text": text}, ensure_ascii=False).encode("utf-8", "surrogatepass")
    response = await http.post(server.room_url + "api/comment", data=body, headers={**JSON_TYPE, **me.header})
    assert response.status == status, await response.text()
    if status == 200:
        (comment,) = live_session.comments.values()
        _assert_clean(comment.text)
        if stored is not None:
            assert comment.text == stored
        else:
            assert comment.text.startswith("\u00e1") and comment.text.endswith("b")
    else:
        assert live_session.comments == {}
    await still_serving(http, server)


async def test_escape_sequences_through_the_form_are_cleaned(server: IntakeServer, http: aiohttp.ClientSession, me: Joined, live_session: LiveSession) -> None:
    body = b"activity_id=spectrum&text=%1B%5B31mred%1B%5B0m%00%07"
    response = await http.post(
        server.room_url + "s/comment",
        data=body,
        headers={**FORM_TYPE, "Cookie": f"involve_device={me.token}"},
        allow_redirects=False,
    )
    assert response.status == 303
    (comment,) = live_session.comments.values()
    assert comment.text == "[31mred[0m"


NAMES = {
    "escape-colours": ("\x1b[31mRed\x1b[0m", 200, "[31mRed[0m"),
    "action-markup": ("[@click=app.quit]", 200, "[@click=app.quit]"),
    "newlines": ("Ann\nBob\r\nCy", 200, "Ann Bob Cy"),
    "long": ("n" * 300, 200, "n" * 40),
    "absurdly-long": ("n" * 1000, 413, None),
    "html": ("<b>Bo</b>", 200, "<b>Bo</b>"),
}


@pytest.mark.parametrize("name", list(NAMES))
async def test_names_are_cleaned_on_arrival(name: str, server: IntakeServer, http: aiohttp.ClientSession, live_session: LiveSession) -> None:
    given, status, stored = NAMES[name]
    response = await http.post(server.room_url + "api/join", json={"join_token": live_session.join_token, "name": given})
    assert response.status == status, await response.text()
    if stored is None:
        assert live_session.participants == {}
    else:
        (participant,) = live_session.participants.values()
        assert participant.name == stored
        _assert_clean(participant.name)
    await still_serving(http, server)


# -- floods -----------------------------------------------------------------------------------------


async def test_one_device_is_rate_limited(server: IntakeServer, http: aiohttp.ClientSession, me: Joined) -> None:
    url = server.room_url + "api/version"
    statuses = [(await http.get(url, headers=me.header)).status for _ in range(60)]
    assert statuses[:40] == [200] * 40  # the burst
    assert 429 in statuses[40:]
    limited = await http.get(url, headers=me.header)
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    other = await join_json(http, server)  # another phone is not held back
    assert (await http.get(url, headers=other.header)).status == 200


async def test_one_address_is_rate_limited(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=IntakeLimits(address_rate=1, address_burst=10))
    await intake.start()
    try:
        async with aiohttp.ClientSession() as http:
            statuses = [(await http.get(intake.room_url + "static/intake.css")).status for _ in range(15)]
        assert statuses[:10] == [200] * 10
        assert statuses[10:] == [429] * 5
    finally:
        await intake.stop()


async def test_joins_from_one_address_are_limited(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=IntakeLimits(join_rate=0.01, join_burst=5))
    await intake.start()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            statuses = [
                (await http.post(intake.room_url + "api/join", json={"join_token": live_session.join_token})).status
                for _ in range(8)
            ]
        assert statuses == [200] * 5 + [429] * 3
        assert len(live_session.participants) == 5
    finally:
        await intake.stop()


async def test_many_connections_at_once_are_all_answered(server: IntakeServer, me: Joined) -> None:
    async def one(i: int) -> int:
        async with aiohttp.ClientSession() as http:
            body = {"activity_id": "spectrum", "text": f"comment {i}"}
            return (await http.post(server.room_url + "api/comment", json=body, headers=me.header)).status

    statuses = await asyncio.gather(*(one(i) for i in range(30)))
    assert statuses == [200] * 30
    assert len(server.session.comments) == 30
