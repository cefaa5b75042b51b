"""Closing the door: new phones are refused with a plain message, people already in keep answering."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from app_fixtures import make_app, make_config, new_session, screen_text, store_for
from conftest_intake import SPECTRUM
from sessions import LiveSession
from sessions.intake import DEVICE_HEADER, IntakeServer

SIZE = (100, 30)


async def _join(http: aiohttp.ClientSession, server: IntakeServer, session: LiveSession) -> aiohttp.ClientResponse:
    return await http.post(server.room_url.rstrip("/") + "/api/join", json={"join_token": session.join_token})


async def test_closing_joining_refuses_a_new_phone_and_keeps_an_existing_one_answering(server: IntakeServer, live_session: LiveSession) -> None:
    live_session.go_to(SPECTRUM)
    async with aiohttp.ClientSession() as http:
        joined = await _join(http, server, live_session)
        token = (await joined.json())["token"]
        live_session.set_joining_open(False)
        refused = await _join(http, server, live_session)
        assert refused.status == 403
        assert "closed joining" in (await refused.json())["error"]
        page = await http.get(server.join_url)
        assert page.status == 403 and "closed joining" in await page.text()
        vote = await http.post(
            server.room_url.rstrip("/") + "/api/vote",
            json={"activity_id": "spectrum", "item": "place", "value": 3},
            headers={DEVICE_HEADER: token},
        )
        assert vote.status == 200, await vote.text()
    assert len(live_session.participants) == 1
    assert [v.value for v in live_session.votes_for("spectrum")] == [3]


async def test_the_key_closes_joining_it_persists_and_the_lobby_warns_past_the_head_count(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    for _ in range(4):
        session.join("", "staff")
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.press("3", "enter")
        await pilot.pause()
        assert session.head_count == 3
        assert "4 phones have joined, more than the head count of 3" in " ".join(screen_text(app).split())
        assert "Scan the code to join" in screen_text(app)
        await pilot.press("j")
        await pilot.pause()
        assert session.joining_open is False
        text = " ".join(screen_text(app).split())
        assert "Joining is closed" in text
        # Beside the code too: it no longer invites anyone to join, only takes people already in back.
        assert "Scan the code to join" not in text
        assert "Joining is closed: new phones cannot join." in text and "Already in? Scan the code or open" in text
        await pilot.press("j")
        await pilot.pause()
        assert "Scan the code to join" in screen_text(app)
        await pilot.press("j")
        await pilot.pause()
    session_id = session.id
    session.close()
    again = store_for(config).open(session_id)
    try:
        assert again.joining_open is False and again.head_count == 3, "kept across resume"
    finally:
        again.close()
