"""Floods over real HTTP on loopback: idle connections by the thousand, foreign Host names,
wrong room codes from many addresses. The phone page refuses them and a real phone keeps voting."""

from __future__ import annotations

import asyncio
import os
import resource
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench._headless import ChildServer, app_command, app_env, prepare_session
from bench._load import source_address
from sessions import LiveSession
from sessions.intake import DEVICE_HEADER, IntakeLimits, IntakeServer

FLOOD = 4000
SERVER_FILES = 1024
"""The child's whole descriptor limit, soft and hard: what the flood used to exhaust."""


def _client(address: str) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=4, local_addr=(address, 0))
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())


# -- Host: DNS rebinding --------------------------------------------------------------


async def test_a_foreign_host_gets_400_and_the_served_ones_are_answered(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, public_url="http://involve.example:8080")
    await intake.start()
    port = intake.bound_port
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            for host in (f"127.0.0.1:{port}", f"localhost:{port}", "involve.example:8080"):
                async with http.get(base + "/", headers={"Host": host}) as response:
                    assert response.status == 200, host
            for host in ("rebound.example", f"rebound.example:{port}", "involve.example:9999", f"127.0.0.2:{port}"):
                async with http.get(base + "/", headers={"Host": host}) as response:
                    assert response.status == 400, host
                    assert "not one this phone page serves" in await response.text()
            # The rebinding attack proper: the page's own origin and Host agree, and neither is ours.
            headers = {"Host": f"rebound.example:{port}", "Origin": f"http://rebound.example:{port}"}
            async with http.post(base + "/api/join", json={"join_token": live_session.join_token}, headers=headers) as response:
                assert response.status == 400
        assert len(live_session.participants) == 0
    finally:
        await intake.stop()


# -- wrong room codes from many addresses ----------------------------------------------------


async def test_wrong_room_codes_are_limited_overall_as_well_as_per_address(live_session: LiveSession) -> None:
    limits = IntakeLimits(room_code_tries=5, room_code_tries_total=12)
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=limits)
    await intake.start()
    base = f"http://127.0.0.1:{intake.bound_port}"
    wrong = "ZZZZZZ" if live_session.room_code != "ZZZZZZ" else "YYYYYY"
    try:
        statuses = []
        for index in range(4):  # four addresses, each under its own limit of 5
            async with _client(source_address(index)) as http:
                for _ in range(4):
                    async with http.post(base + "/api/join", json={"room_code": wrong}) as response:
                        statuses.append(response.status)
        assert statuses[:12] == [400] * 12
        assert statuses[12:] == [429] * 4
        async with _client(source_address(9)) as http:
            # Even the right code waits now; the QR code's link does not.
            async with http.post(base + "/api/join", json={"room_code": live_session.room_code}) as response:
                assert response.status == 429
                assert "scan the QR code" in (await response.json())["error"]
                assert int(response.headers["Retry-After"]) > 0
            async with http.post(base + "/api/join", json={"join_token": live_session.join_token}) as response:
                assert response.status == 200
    finally:
        await intake.stop()


# -- a flood of idle connections -------------------------------------------------------------


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def _idle_connection(port: int, opened: list[Any]) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    opened.append((reader, writer))


async def test_a_connection_flood_is_refused_while_a_phone_keeps_voting(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    flood = FLOOD
    if soft < flood + 500:
        if hard != resource.RLIM_INFINITY and hard < flood + 500:
            flood = hard - 500  # this machine lets one process hold no more
        resource.setrlimit(resource.RLIMIT_NOFILE, (flood + 500, hard))
    session_id = prepare_session(tmp_path, "where-are-we", "spectrum")
    log = tmp_path / "app-stderr.log"
    app_args = app_command("resume", session_id, "--headless", "--host", "127.0.0.1", "--port", "0")
    command = ["sh", "-c", f'ulimit -n {SERVER_FILES} && exec "$@"', "sh", *app_args]
    app = ChildServer(command, env=app_env(tmp_path), cwd=tmp_path, log=log)
    url = await app.start(timeout=60)
    base, _, join_token = url.partition("/j/")
    port = int(base.rsplit(":", 1)[1])
    opened: list[Any] = []
    try:
        # The slowloris: thousands of connections from one address that never send a byte.
        for start in range(0, flood, 250):
            await asyncio.gather(*(_idle_connection(port, opened) for _ in range(min(250, flood - start))))
        assert len(opened) >= flood * 0.9
        assert _open_files(app.pid) < SERVER_FILES - 64

        # A real phone, from its own address, joins and votes and is answered promptly.
        times = []
        async with _client(source_address(1)) as http:
            async with http.post(base + "/api/join", json={"join_token": join_token}) as response:
                assert response.status == 200
                token = (await response.json())["token"]
            for n in range(20):
                started = time.monotonic()
                body = {"activity_id": "spectrum", "item": "place", "value": 1 + n % 7}
                async with http.post(base + "/api/vote", json=body, headers={DEVICE_HEADER: token}) as response:
                    assert response.status == 200
                    await response.read()
                times.append(time.monotonic() - started)
        times.sort()
        assert times[int(len(times) * 0.95) - 1] < 1.0 and times[-1] < 3.0, times

        # Connections over the cap were answered 503 and closed at once; only the cap's worth is held.
        async def answer(reader: asyncio.StreamReader) -> bytes:
            try:
                return await asyncio.wait_for(reader.read(200), 1.0)
            except TimeoutError:
                return b"(still open)"
            except ConnectionError:
                return b""  # closed, with a reset rather than the 503

        answers = await asyncio.gather(*(answer(reader) for reader, _ in opened))
        held = sum(1 for a in answers if a == b"(still open)")
        refused = sum(1 for a in answers if a.startswith(b"HTTP/1.1 503") or a == b"")
        assert held <= IntakeLimits().connections_per_address, held
        assert refused >= len(opened) - IntakeLimits().connections_per_address - 10, (refused, len(opened))
    finally:
        for _, writer in opened:
            writer.close()
        status = await app.stop()
    stderr = log.read_text(errors="replace")
    logged = (tmp_path / "involve.log").read_text(errors="replace") if (tmp_path / "involve.log").exists() else ""
    assert "Too many open files" not in stderr + logged
    assert "Traceback" not in stderr
    assert status == 0, stderr
