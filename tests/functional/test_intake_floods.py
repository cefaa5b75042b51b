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
import pytest

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


async def _idle_from(address: str, port: int, count: int, *, after_a_request: bool = False) -> list[Any]:
    """`count` connections from `address` that sit idle: silent from the start, or kept alive after one answered request."""
    opened: list[Any] = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
        if after_a_request:
            writer.write(f"GET /static/intake.css HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            await writer.drain()
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5.0)
        opened.append((reader, writer))
    return opened


async def _phone_votes(base: str, join_token: str, address: str, votes: int = 5) -> list[int]:
    statuses = []
    async with _client(address) as http:
        async with http.post(base + "/api/join", json={"join_token": join_token}) as response:
            statuses.append(response.status)
            if response.status != 200:
                return statuses
            token = (await response.json())["token"]
        for n in range(votes):
            body = {"activity_id": "spectrum", "item": "place", "value": 1 + n % 5}
            async with http.post(base + "/api/vote", json=body, headers={DEVICE_HEADER: token}) as response:
                statuses.append(response.status)
    return statuses


async def test_two_addresses_filling_the_cap_never_lock_out_a_phone_from_a_third(live_session: LiveSession) -> None:
    limits = IntakeLimits(connections_per_address=20, connections_total=40)
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=limits)
    await intake.start()
    port = intake.bound_port
    live_session.go_to(1)
    opened: list[Any] = []
    try:
        opened += await _idle_from("127.0.0.2", port, 20)
        opened += await _idle_from("127.0.0.3", port, 20, after_a_request=True)
        await asyncio.sleep(0.1)
        assert intake.gate.open == 40  # the cap is full, every connection idle
        statuses = await _phone_votes(f"http://127.0.0.1:{port}", live_session.join_token, "127.0.0.9")
        assert statuses == [200] * 6, statuses
        assert len(live_session.votes_for("spectrum")) == 1
        # Room was made by closing idle connections of the two addresses, never by going over the cap.
        assert intake.gate.evicted >= 1 and intake.gate.open <= 40
        assert intake.gate.held("127.0.0.2") + intake.gate.held("127.0.0.3") < 40
    finally:
        for _, writer in opened:
            writer.close()
        await intake.stop()


async def test_a_connection_with_a_request_in_flight_is_never_closed_to_make_room(live_session: LiveSession) -> None:
    limits = IntakeLimits(connections_per_address=20, connections_total=40, body_timeout=5.0)
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=limits)
    await intake.start()
    port = intake.bound_port
    opened: list[Any] = []
    try:
        for address in ("127.0.0.2", "127.0.0.3"):
            for _ in range(20):  # each sends its headers and the start of a body, then waits
                reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
                writer.write(
                    f"POST /api/join HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: 100\r\n\r\n{{".encode()
                )
                opened.append((reader, writer))
        await asyncio.sleep(0.3)
        assert intake.gate.open == 40
        async with _client("127.0.0.9") as http:
            async with http.get(f"http://127.0.0.1:{port}/static/intake.css") as response:
                assert response.status == 503  # honest: no room, and nobody's request was cut off
        assert intake.gate.evicted == 0 and intake.gate.open == 40
    finally:
        for _, writer in opened:
            writer.close()
        await intake.stop()


async def _trickle_bodies(address: str, port: int, path: str, until: float, writers: list[Any]) -> None:
    """One slow sender: a request whose body arrives a byte every half second; when closed, it connects again."""
    while time.monotonic() < until:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writers.append(writer)
        try:
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: 8000\r\n\r\n{{".encode()
            )
            while time.monotonic() < until and not reader.at_eof():
                await asyncio.sleep(0.5)
                writer.write(b" ")
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


@pytest.mark.parametrize("path", ["/api/join", "/api/vote"])  # a body still being read; one refused first, its rest still drained
async def test_slow_uploads_from_several_addresses_never_lock_out_a_phone_connecting_anew(live_session: LiveSession, path: str) -> None:
    """Four addresses fill the cap with bodies trickling in, twice as many senders as it holds, each connecting again
    as soon as it is closed; a phone opening a new connection per vote still gets every vote in."""
    limits = IntakeLimits(connections_per_address=20, connections_total=40, body_timeout=60.0, slow_sender=1.0)
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=limits)
    await intake.start()
    port = intake.bound_port
    base = f"http://127.0.0.1:{port}"
    live_session.go_to(1)
    writers: list[Any] = []
    until = time.monotonic() + 30
    senders = [asyncio.create_task(_trickle_bodies(f"127.0.0.{2 + n // 20}", port, path, until, writers)) for n in range(80)]
    try:
        await asyncio.sleep(1.5)  # every sender's request is older than the 1 s a phone would take
        assert intake.gate.open == 40
        statuses = []
        connector = aiohttp.TCPConnector(force_close=True, local_addr=("127.0.0.9", 0))  # a new connection per request
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as http:
            async with http.post(base + "/api/join", json={"join_token": live_session.join_token}) as response:
                statuses.append(response.status)
                token = (await response.json())["token"] if response.status == 200 else ""
            for n in range(5):
                body = {"activity_id": "spectrum", "item": "place", "value": 1 + n}
                async with http.post(base + "/api/vote", json=body, headers={DEVICE_HEADER: token}) as response:
                    statuses.append(response.status)
        assert statuses == [200] * 6, statuses
        assert intake.gate.evicted >= 1 and intake.gate.open <= 40
    finally:
        until = 0
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)
        for writer in writers:
            writer.close()
        await intake.stop()


async def test_the_default_caps_leave_room_beside_two_flooding_addresses(tmp_path: Path) -> None:
    """512 idle connections each from two addresses, against the real app with 1,024 descriptors: a phone still joins and votes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1024 + 500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024 + 500, hard) if hard != resource.RLIM_INFINITY else 1524, hard))
    session_id = prepare_session(tmp_path, "where-are-we", "spectrum")
    app_args = app_command("resume", session_id, "--headless", "--host", "127.0.0.1", "--port", "0")
    command = ["sh", "-c", f'ulimit -n {SERVER_FILES} && exec "$@"', "sh", *app_args]
    app = ChildServer(command, env=app_env(tmp_path), cwd=tmp_path, log=tmp_path / "app-stderr.log")
    url = await app.start(timeout=60)
    base, _, join_token = url.partition("/j/")
    port = int(base.rsplit(":", 1)[1])
    opened: list[Any] = []
    try:
        for address in ("127.0.0.2", "127.0.0.3"):
            for _ in range(512):
                try:
                    opened.append(await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0)))
                except OSError:
                    break
        async with _client("127.0.0.9") as http:
            async with http.post(base + "/api/join", json={"join_token": join_token}) as response:
                assert response.status == 200, await response.text()
                token = (await response.json())["token"]
            for n in range(5):
                body = {"activity_id": "spectrum", "item": "place", "value": 1 + n}
                async with http.post(base + "/api/vote", json=body, headers={DEVICE_HEADER: token}) as response:
                    assert response.status == 200, await response.text()
        assert _open_files(app.pid) < SERVER_FILES - 64
    finally:
        for _, writer in opened:
            writer.close()
        assert await app.stop() == 0


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
