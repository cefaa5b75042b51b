"""Shared set-up for the intake tests: a session with one activity of every kind,
a running IntakeServer on loopback, and helpers to join and to send raw bytes.

Its fixtures reach every test through `pytest_plugins` in tests/conftest.py; test
modules import the helpers and constants by name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sessions import LiveSession, SessionStore, parse_template
from sessions.intake import DEVICE_COOKIE, DEVICE_HEADER, IntakeLimits, IntakeServer

TEMPLATE = '''
[template]
name = "intake-test"
title = "Intake test <b>session</b>"
version = "1"

[[sources]]
title = "Transforming Services: Changing Lives. A Guide for Action"
publisher = "Suresearch and the University of Birmingham"
year = "2008"

[[activities]]
kind = "info"
id = "welcome"
title = "Welcome"
body = """
First line.
Second line & <em>not markup</em>."""

[[activities]]
kind = "spectrum"
id = "spectrum"
title = "Where do we sit?"
prompt = "Place us on the line."
positions = 5

[[activities.stages]]
id = "beginnings"
name = "Beginnings"
practices = ["Surveys only"]

[[activities.stages]]
id = "good"
name = "Good"
practices = ["Voices at every level"]

[[activities.stages]]
id = "led"
name = "User led"
practices = ["Service users lead"]

[[activities]]
kind = "grid"
id = "grid"
title = "Now and next"

[[activities.areas]]
id = "care"
name = "Individual care"

[[activities.areas]]
id = "policy"
name = "Policy"

[[activities]]
kind = "indicators"
id = "indicators"
title = "Indicators"

[[activities.statements]]
id = "valuing"
name = "Valuing"
text = "People are treated as experts on their lives."

[[activities.statements]]
id = "listening"
name = "Listening"

[[activities]]
kind = "questions"
id = "questions"
title = "Health check"

[[activities.questions]]
id = "who-runs"
name = "Who runs the group?"

[[activities.questions]]
id = "agenda"
name = "Can service users add to the agenda?"

[[activities]]
kind = "targets"
id = "targets"
title = "Targets for change"
'''

INFO, SPECTRUM, GRID, INDICATORS, QUESTIONS, TARGETS = range(6)


def make_session(root: Path, *, hold_comments: bool = True) -> LiveSession:
    store = SessionStore(root)
    return store.create(parse_template(TEMPLATE, "<intake test>"), TEMPLATE, hold_comments=hold_comments)


@pytest.fixture
def session_root(tmp_path: Path) -> Path:
    return tmp_path / "sessions"


@pytest.fixture
def live_session(session_root: Path) -> Iterator[LiveSession]:
    session = make_session(session_root)
    yield session
    session.close()


@pytest.fixture
def limits() -> IntakeLimits:
    """Default limits, with short body and linger times so slow-body tests stay quick."""
    return IntakeLimits(body_timeout=1.0, linger=0.5)


@asynccontextmanager
async def serving(session: LiveSession, **options: Any) -> AsyncIterator[IntakeServer]:
    """An IntakeServer for `session` on a free loopback port, stopped however the block ends."""
    intake = IntakeServer(session, host="127.0.0.1", port=0, **options)
    await intake.start()
    try:
        yield intake
    finally:
        await intake.stop()


@asynccontextmanager
async def launched_chromium(chromium_path: str, **options: Any) -> AsyncIterator[Any]:
    """Debian's Chromium through Playwright, headless, closed however the block ends."""
    from playwright.async_api import async_playwright

    from conftest import CHROMIUM_ARGS

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True, **options)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def server(live_session: LiveSession, limits: IntakeLimits) -> AsyncIterator[IntakeServer]:
    async with serving(live_session, limits=limits) as intake:
        yield intake


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    # unsafe=True: the jar must keep cookies for a bare IP address like 127.0.0.1.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield http


@dataclass
class Joined:
    participant_id: str
    token: str

    @property
    def header(self) -> dict[str, str]:
        return {DEVICE_HEADER: self.token}


async def join_json(http: aiohttp.ClientSession, server: IntakeServer, name: str = "", role: str = "") -> Joined:
    """Join through the JSON API, as a script or benchmark would."""
    response = await http.post(
        server.room_url + "api/join",
        json={"join_token": server.session.join_token, "name": name, "role": role},
    )
    assert response.status == 200, await response.text()
    data = await response.json()
    return Joined(data["participant"]["id"], data["token"])


async def join_form(http: aiohttp.ClientSession, server: IntakeServer, name: str = "", role: str = "") -> str:
    """Join through the plain HTML form; returns the device cookie the server set."""
    response = await http.post(server.join_url, data={"name": name, "role": role}, allow_redirects=False)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/s"
    return response.cookies[DEVICE_COOKIE].value


@dataclass
class RawResponse:
    status: int
    head: str
    body: bytes


async def raw_request(server: IntakeServer, data: bytes, *, read_timeout: float = 5.0) -> RawResponse | None:
    """Send bytes exactly as given; None when the server closed without answering."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.bound_port)
    try:
        writer.write(data)
        await writer.drain()
        try:
            raw = await asyncio.wait_for(_read_response(reader), read_timeout)
        except (ConnectionError, asyncio.IncompleteReadError):
            return None
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass
    return raw


async def _read_response(reader: asyncio.StreamReader) -> RawResponse | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise
    text = head.decode("latin-1")
    status = int(text.split(" ", 2)[1])
    length = 0
    for line in text.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return RawResponse(status, text, body)


async def still_serving(http: aiohttp.ClientSession, server: IntakeServer) -> None:
    """After anything hostile, an ordinary phone must still be answered."""
    response = await http.get(server.room_url + "static/intake.css")
    assert response.status == 200
    probe = await join_json(http, server, name="probe")
    response = await http.get(server.room_url + "api/version", headers=probe.header)
    assert response.status == 200
    assert (await response.json())["activity_id"] == server.session.current_activity.id


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Any]:
    """Debian's Chromium through Playwright, headless, closed after the test."""
    async with launched_chromium(chromium_path) as chromium:
        yield chromium


@pytest.fixture
async def console_server(live_session: LiveSession) -> AsyncIterator[IntakeServer]:
    """The intake server for `live_session`, its console polling four times a second (for browser tests)."""
    async with serving(live_session, limits=IntakeLimits(console_poll_interval=0.25)) as intake:
        yield intake


@pytest.fixture
def review_session(session_root: Path) -> Iterator[LiveSession]:
    """A review session, started with an earlier one that agreed two targets (the second with markup in it)."""
    store = SessionStore(session_root)
    template = parse_template(TEMPLATE, "<intake test>")
    earlier = store.create(template, TEMPLATE, title="Last spring", session_id="earlier")
    earlier.add_target("targets", "Service users co-chair the team meeting.", owner="Ward manager", review_date="2026-09-01")
    earlier.add_target("targets", "Carers see the care plan <b>before</b> it is signed.")
    earlier.close()
    session = store.create(template, TEMPLATE, title="This spring", baseline_id="earlier", session_id="review")
    yield session
    session.close()
