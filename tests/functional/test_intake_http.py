"""The phone intake over real HTTP on loopback: joining, voting, commenting, closing."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from conftest_intake import GRID, INDICATORS, QUESTIONS, SPECTRUM, TARGETS, join_form, join_json, still_serving
from sessions import CommentState, LiveSession, Role, SessionStore, StorageError
from sessions.intake import DEVICE_COOKIE, SAVED_COOKIE, IntakeError, IntakeServer, find_lan_address, port_available

JSON_ACCEPT = {"Accept": "application/json"}
HTML_ACCEPT = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture
async def api() -> AsyncIterator[aiohttp.ClientSession]:
    """A script-like client: no cookies, the device token goes in a header."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        yield http


# -- starting and stopping ---------------------------------------------------------------


async def test_start_reports_the_real_port_and_both_addresses(server: IntakeServer, live_session: LiveSession) -> None:
    port = server.bound_port
    assert port > 0
    assert server.join_url == f"http://127.0.0.1:{port}/j/{live_session.join_token}"
    assert server.room_url == f"http://127.0.0.1:{port}/"
    assert len(live_session.join_token) >= 22  # ≥ 128 bits of token_urlsafe


async def test_port_in_use_raises_a_clear_intake_error(live_session: LiveSession) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert not port_available("127.0.0.1", port)
        intake = IntakeServer(live_session, host="127.0.0.1", port=port)
        with pytest.raises(IntakeError) as raised:
            await intake.start()
    message = str(raised.value)
    assert f"Port {port} is already in use" in message
    assert "INVOLVE_PORT" in message and "--port" in message
    assert not intake.running and intake.join_url == ""


async def test_address_not_on_this_machine_is_explained(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="192.0.2.77", port=0)  # TEST-NET: never local
    with pytest.raises(IntakeError, match="not one of this computer's addresses"):
        await intake.start()


async def test_stop_frees_the_port(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0)
    await intake.start()
    port = intake.bound_port
    await intake.stop()
    assert port_available("127.0.0.1", port)
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_public_url_replaces_the_address_in_the_qr(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, public_url="https://room.example.org/involve/")
    await intake.start()
    try:
        assert intake.join_url == f"https://room.example.org/involve/j/{live_session.join_token}"
        assert intake.room_url == "https://room.example.org/involve/"
    finally:
        await intake.stop()


def test_find_lan_address_is_an_ipv4_address() -> None:
    address = find_lan_address()
    assert re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", address)
    socket.inet_aton(address)


# -- joining -----------------------------------------------------------------------------


async def test_join_by_qr_link_with_the_plain_form(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    page = await client.get(server.join_url)
    assert page.status == 200
    html = await page.text()
    assert '<html lang="en-GB">' in html
    assert f'action="/j/{live_session.join_token}"' in html
    assert "Prefer not to say" in html and "Service user" in html
    assert "facilitator reads every comment" in html

    response = await client.post(server.join_url, data={"name": "  Ana\x1b[31m ", "role": "carer"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/s"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{DEVICE_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    token = response.cookies[DEVICE_COOKIE].value

    (participant,) = live_session.participants.values()
    assert participant.name == "Ana[31m"
    assert participant.role is Role.CARER
    assert live_session.participant_for_token(token) == participant

    activity = await client.get(server.room_url + "s")
    assert activity.status == 200
    text = await activity.text()
    assert "Taking part as <strong>Ana[31m</strong> (Carer)" in text
    assert "<h1>Welcome</h1>" in text


async def test_a_device_that_has_joined_goes_straight_to_the_activity(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await join_form(client, server)
    for url in (server.join_url, server.room_url):
        response = await client.get(url, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/s"
    again = await client.post(server.join_url, data={"name": "twice"}, allow_redirects=False)
    assert again.status == 303
    assert len(live_session.participants) == 1


async def test_join_with_the_typed_room_code(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    page = await client.get(server.room_url)
    assert page.status == 200 and 'name="code"' in await page.text()
    typed = " ".join(live_session.room_code.lower())  # spaces and small letters are forgiven
    response = await client.post(server.room_url, data={"code": typed}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/j/{live_session.join_token}"
    await join_form(client, server, name="", role="")
    (participant,) = live_session.participants.values()
    assert participant.name == "" and participant.role is None


async def test_wrong_room_codes_are_limited_per_address(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    wrong = "ZZZZZZ" if live_session.room_code != "ZZZZZZ" else "YYYYYY"
    for _ in range(5):
        response = await client.post(server.room_url, data={"code": wrong}, headers=HTML_ACCEPT)
        assert response.status == 400
        assert "does not match" in await response.text()
    blocked = await client.post(server.room_url, data={"code": live_session.room_code}, allow_redirects=False)
    assert blocked.status == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    api_blocked = await client.post(server.room_url + "api/join", json={"room_code": live_session.room_code})
    assert api_blocked.status == 429
    assert live_session.participants == {}


async def test_unknown_join_token_is_not_found(server: IntakeServer, client: aiohttp.ClientSession) -> None:
    response = await client.get(server.room_url + "j/not-the-token", headers=HTML_ACCEPT)
    assert response.status == 404
    assert "room code" in await response.text()
    posted = await client.post(server.room_url + "j/not-the-token", data={"name": "x"})
    assert posted.status == 404


async def test_json_join_returns_the_device_token(server: IntakeServer, api: aiohttp.ClientSession, live_session: LiveSession) -> None:
    response = await api.post(server.room_url + "api/join", json={"join_token": live_session.join_token, "name": "Bo", "role": "staff"})
    assert response.status == 200
    data = await response.json()
    assert data["participant"]["name"] == "Bo" and data["participant"]["role"] == "staff"
    assert live_session.participant_for_token(data["token"]).id == data["participant"]["id"]
    by_code = await api.post(server.room_url + "api/join", json={"room_code": live_session.room_code})
    assert by_code.status == 200
    assert len(live_session.participants) == 2
    bad_role = await api.post(server.room_url + "api/join", json={"join_token": live_session.join_token, "role": "admin"})
    assert bad_role.status == 400 and "role" in (await bad_role.json())["error"]


# -- voting --------------------------------------------------------------------------------


async def test_json_vote_and_change_of_mind_keep_one_vote(server: IntakeServer, api: aiohttp.ClientSession, live_session: LiveSession) -> None:
    me = await join_json(api, server, name="Cy", role="service_user")
    live_session.go_to(SPECTRUM)
    url = server.room_url + "api/vote"
    first = await api.post(url, json={"activity_id": "spectrum", "item": "place", "value": 2}, headers=me.header)
    assert first.status == 200, await first.text()
    assert (await first.json())["saved"] == [{"item": "place", "value": 2}]
    second = await api.post(url, json={"activity_id": "spectrum", "item": "place", "value": "4"}, headers=me.header)
    assert second.status == 200
    assert "4 – Halfway between Good and User led" in (await second.json())["summary"]
    votes = live_session.votes_for("spectrum")
    assert len(votes) == 1
    assert votes[0].value == 4 and votes[0].participant_id == me.participant_id

    state = await api.get(server.room_url + "api/state", headers=me.header)
    data = await state.json()
    assert data["activity"]["id"] == "spectrum" and data["answers"] == {"place": 4}
    assert [p["value"] for p in data["activity"]["positions"]] == [1, 2, 3, 4, 5]
    assert data["participant"] == {"id": me.participant_id, "name": "Cy", "role": "service_user"}


async def test_invalid_vote_is_a_400_with_a_safe_message(server: IntakeServer, api: aiohttp.ClientSession, live_session: LiveSession) -> None:
    me = await join_json(api, server)
    live_session.go_to(SPECTRUM)
    response = await api.post(server.room_url + "api/vote", json={"activity_id": "spectrum", "item": "place", "value": 9}, headers=me.header)
    assert response.status == 400
    assert await response.json() == {"error": "Choose a number from 1 to 5."}
    assert live_session.votes_for("spectrum") == []


async def test_a_vote_for_an_activity_the_room_has_left_is_refused(server: IntakeServer, api: aiohttp.ClientSession, live_session: LiveSession) -> None:
    me = await join_json(api, server)
    live_session.go_to(GRID)
    response = await api.post(server.room_url + "api/vote", json={"activity_id": "spectrum", "item": "place", "value": 3}, headers=me.header)
    assert response.status == 409
    assert "closed" in (await response.json())["error"]
    assert live_session.votes_for("spectrum") == []


async def test_grid_answers_through_the_plain_form(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    token = await join_form(client, server, name="Di", role="staff")
    live_session.go_to(GRID)
    page = await (await client.get(server.room_url + "s")).text()
    assert 'name="care:now"' in page and 'name="policy:target"' in page
    answers = {"activity_id": "grid", "care:now": "2", "care:target": "4", "policy:now": "1"}
    response = await client.post(server.room_url + "s/answer", data=answers, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/s?saved=1"
    after = await client.get(server.room_url + "s?saved=1")
    html = await after.text()
    assert "Saved: Individual care, now: 2 Limited involvement" in html
    assert 'name="care:target" value="4" checked' in html
    participant = live_session.participant_for_token(token)
    assert {v.item: v.value for v in live_session.votes_for("grid")} == {"care:now": 2, "care:target": 4, "policy:now": 1}
    assert all(v.participant_id == participant.id for v in live_session.votes_for("grid"))

    changed = await client.post(server.room_url + "s/answer", data={"activity_id": "grid", "care:now": "3"}, allow_redirects=False)
    assert changed.status == 303
    assert len(live_session.votes_for("grid")) == 3
    assert live_session.vote_of(participant.id, "grid", "care:now").value == 3


async def test_form_errors_come_back_on_the_page(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await join_form(client, server)
    live_session.go_to(INDICATORS)
    empty = await client.post(server.room_url + "s/answer", data={"activity_id": "indicators"}, headers=HTML_ACCEPT)
    assert empty.status == 400
    html = await empty.text()
    assert "Choose an answer first." in html and "<h1>Indicators</h1>" in html
    wrong = await client.post(server.room_url + "s/answer", data={"activity_id": "indicators", "valuing": "maybe"}, headers=HTML_ACCEPT)
    assert wrong.status == 400 and "Choose met, partly met or not met." in await wrong.text()
    moved = await client.post(server.room_url + "s/answer", data={"activity_id": "spectrum", "place": "1"}, headers=HTML_ACCEPT)
    assert moved.status == 409 and "That question has closed" in await moved.text()
    ok = await client.post(server.room_url + "s/answer", data={"activity_id": "indicators", "valuing": "partly"}, allow_redirects=False)
    assert ok.status == 303
    assert [v.value for v in live_session.votes_for("indicators")] == ["partly"]


async def test_votes_need_a_device_token(server: IntakeServer, api: aiohttp.ClientSession, live_session: LiveSession) -> None:
    live_session.go_to(SPECTRUM)
    body = {"activity_id": "spectrum", "item": "place", "value": 1}
    anonymous = await api.post(server.room_url + "api/vote", json=body)
    assert anonymous.status == 401
    forged = await api.post(server.room_url + "api/vote", json=body, headers={"X-Involve-Device": "forged"})
    assert forged.status == 401
    page = await api.get(server.room_url + "s", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "/"
    assert live_session.votes == {}


# -- comments ------------------------------------------------------------------------------


async def test_comments_wait_for_the_facilitator(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await join_form(client, server, name="Em")
    page = await (await client.get(server.room_url + "s")).text()
    # The cap is stated and counted, never enforced by a silent browser cut.
    assert "maxlength" not in page and 'data-max="280"' in page and '<label for="comment-text">' in page
    # Without JavaScript the counter cannot count, so it says the cap (intake.js counts from there).
    assert '<p id="comment-count" class="counter" aria-live="polite">Up to 280 characters.</p>' in page
    assert 'autocomplete="off"' in page
    assert "facilitator reads comments before the room sees them" in page
    response = await client.post(server.room_url + "s/comment", data={"activity_id": "welcome", "text": "Good start\r\nthanks"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/s?commented=held"
    thanks = await (await client.get(server.room_url + "s?commented=held")).text()
    assert "Thanks — your comment is with the facilitator." in thanks
    (comment,) = live_session.comments.values()
    assert comment.text == "Good start\nthanks"
    assert response.headers["Cache-Control"] == "no-store"
    assert comment.state is CommentState.PENDING
    assert comment.author == "Em" and comment.activity_id == "welcome"
    assert comment.participant_id == next(iter(live_session.participants))
    assert live_session.wall("welcome") == []


async def test_comments_go_straight_up_when_holding_is_off(
    server: IntakeServer, api: aiohttp.ClientSession, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    live_session.set_hold_comments(False)
    me = await join_json(api, server)
    response = await api.post(server.room_url + "api/comment", json={"activity_id": "welcome", "text": "Visible"}, headers=me.header)
    assert response.status == 200
    data = await response.json()
    assert data["comment"]["state"] == "approved"
    assert [c.text for c in live_session.wall("welcome")] == ["Visible"]
    await join_form(client, server)
    page = await (await client.get(server.room_url + "s")).text()
    assert "facilitator reads comments" not in page


async def test_without_javascript_the_thanks_follow_the_comments_own_state(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    """Holding off: an ordinary comment is added, a flagged one is held, and the plain form's thanks say which."""
    live_session.set_hold_comments(False)
    await join_form(client, server)
    for text, state, thanks in [
        ("More tea breaks please", CommentState.APPROVED, "Thanks — your comment has been added."),
        ("I have thought about ending it", CommentState.PENDING, "Thanks — your comment is with the facilitator."),
    ]:
        sent = await client.post(server.room_url + "s/comment", data={"activity_id": "welcome", "text": text}, allow_redirects=True)
        page = await sent.text()
        comment = list(live_session.comments.values())[-1]
        assert comment.text == text and comment.state is state
        assert thanks in page, text
        other = {"Thanks — your comment has been added.", "Thanks — your comment is with the facilitator."} - {thanks}
        assert other.pop() not in page, text


async def test_question_comments_name_the_question(server: IntakeServer, api: aiohttp.ClientSession, live_session: LiveSession) -> None:
    me = await join_json(api, server)
    live_session.go_to(QUESTIONS)
    url = server.room_url + "api/comment"
    ok = await api.post(url, json={"activity_id": "questions", "text": "The chair does", "item": "who-runs"}, headers=me.header)
    assert ok.status == 200
    (comment,) = live_session.comments.values()
    assert comment.item == "who-runs"
    unknown = await api.post(url, json={"activity_id": "questions", "text": "x", "item": "nope"}, headers=me.header)
    assert unknown.status == 400
    too_long = await api.post(url, json={"activity_id": "questions", "text": "x" * 281}, headers=me.header)
    assert too_long.status == 400 and "280" in (await too_long.json())["error"]
    assert len(live_session.comments) == 1


async def test_a_rejected_comment_is_given_back(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await join_form(client, server)
    live_session.go_to(QUESTIONS)
    response = await client.post(
        server.room_url + "s/comment",
        data={"activity_id": "questions", "text": "<keep> me", "item": "not-a-question"},
        headers=HTML_ACCEPT,
    )
    assert response.status == 400
    html = await response.text()
    assert "&lt;keep&gt; me</textarea>" in html
    assert live_session.comments == {}


# -- closing and saving --------------------------------------------------------------------


async def test_closing_intake_refuses_joins_and_answers_until_reopened(
    server: IntakeServer, client: aiohttp.ClientSession, api: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    me = await join_json(api, server)
    await join_form(client, server)
    live_session.go_to(SPECTRUM)
    live_session.set_intake_open(False)

    for url in (server.join_url, server.room_url):
        refused = await api.get(url, headers=HTML_ACCEPT)
        assert refused.status == 403
        assert "The facilitator has closed answers for now" in await refused.text()
    join = await api.post(server.room_url + "api/join", json={"join_token": live_session.join_token})
    assert join.status == 403
    vote = await api.post(server.room_url + "api/vote", json={"activity_id": "spectrum", "item": "place", "value": 1}, headers=me.header)
    assert vote.status == 403 and "closed answers" in (await vote.json())["error"]
    comment = await client.post(server.room_url + "s/comment", data={"activity_id": "spectrum", "text": "hi"}, headers=HTML_ACCEPT)
    assert comment.status == 403 and "closed answers for now" in await comment.text()
    page = await (await client.get(server.room_url + "s")).text()
    assert "closed answers for now" in page and "<form" not in page
    assert len(live_session.participants) == 2 and live_session.votes == {} and live_session.comments == {}

    live_session.set_intake_open(True)
    again = await api.post(server.room_url + "api/vote", json={"activity_id": "spectrum", "item": "place", "value": 1}, headers=me.header)
    assert again.status == 200
    assert len(live_session.votes_for("spectrum")) == 1


async def test_nothing_is_claimed_saved_when_the_disk_fails(
    server: IntakeServer, api: aiohttp.ClientSession, client: aiohttp.ClientSession, live_session: LiveSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = await join_json(api, server)
    await join_form(client, server)
    live_session.go_to(SPECTRUM)

    async def disk_full(timeout: float | None = None) -> None:
        raise StorageError("disk full")

    monkeypatch.setattr(live_session, "saved", disk_full)
    vote = await api.post(server.room_url + "api/vote", json={"activity_id": "spectrum", "item": "place", "value": 1}, headers=me.header)
    assert vote.status == 503
    assert (await vote.json())["error"] == "Could not save just now — please try again."
    assert "Retry-After" in vote.headers
    form = await client.post(server.room_url + "s/comment", data={"activity_id": "spectrum", "text": "keep this"}, headers=HTML_ACCEPT, allow_redirects=False)
    assert form.status == 503
    html = await form.text()
    assert "Could not save just now" in html and "keep this</textarea>" in html and "Thanks" not in html
    join = await api.post(server.room_url + "api/join", json={"join_token": live_session.join_token})
    assert join.status == 503 and "token" not in await join.json()


async def test_what_phones_sent_is_on_disk(server: IntakeServer, api: aiohttp.ClientSession, live_session: LiveSession, session_root: Path) -> None:
    me = await join_json(api, server, name="Fi", role="carer")
    live_session.go_to(GRID)
    for item, value in (("care:now", 1), ("care:now", 2), ("policy:target", 5)):
        response = await api.post(server.room_url + "api/vote", json={"activity_id": "grid", "item": item, "value": value}, headers=me.header)
        assert response.status == 200
    response = await api.post(server.room_url + "api/comment", json={"activity_id": "grid", "text": "On disk", "item": "care"}, headers=me.header)
    assert response.status == 200

    reopened = SessionStore(session_root).open(live_session.id, readonly=True)
    try:
        assert reopened.participants[me.participant_id].name == "Fi"
        assert reopened.participants[me.participant_id].role is Role.CARER
        assert {(v.item, v.value) for v in reopened.votes_for("grid")} == {("care:now", 2), ("policy:target", 5)}
        (comment,) = reopened.comments.values()
        assert (comment.text, comment.item, comment.state) == ("On disk", "care", CommentState.PENDING)
        assert reopened.participant_for_token(me.token).id == me.participant_id
    finally:
        reopened.close()


# -- pages and polling -----------------------------------------------------------------------


async def test_version_changes_when_the_room_moves_on(server: IntakeServer, api: aiohttp.ClientSession, live_session: LiveSession) -> None:
    me = await join_json(api, server)
    url = server.room_url + "api/version"
    first = await (await api.get(url, headers=me.header)).json()
    assert first["activity_id"] == "welcome" and first["open"] is True
    live_session.go_to(TARGETS)
    second = await (await api.get(url, headers=me.header)).json()
    assert second["activity_id"] == "targets" and second["version"] != first["version"]
    live_session.add_target("targets", "Co-chair the group", owner="Sam")
    third = await (await api.get(url, headers=me.header)).json()
    assert third["version"] != second["version"]
    assert (await api.get(url)).status == 401


async def test_every_activity_page_renders_and_escapes(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await join_form(client, server, name="<script>alert(1)</script>")
    live_session.add_target("targets", "<img src=x onerror=alert(1)>\nsecond line", owner="Sam & Jo", review_date="2027-03-31")
    expectations = {
        0: ["First line. Second line &amp; &lt;em&gt;not markup&lt;/em&gt;.", 'class="body"'],
        SPECTRUM: ["<b>3</b> Good", "Halfway between Beginnings and Good", "Surveys only", "<legend>Your place on the spectrum</legend>"],
        GRID: ["<legend>Individual care</legend>", "<legend>Where we want to be</legend>", "<b>5</b> Partnership"],
        INDICATORS: ["<legend>Valuing</legend>", "Partly met", "experts on their lives"],
        QUESTIONS: ["Who runs the group?", '<option value="agenda">'],
        TARGETS: ["&lt;img src=x onerror=alert(1)&gt;", "Sam &amp; Jo", "31 March 2027"],
    }
    for index, snippets in expectations.items():
        live_session.go_to(index)
        response = await client.get(server.room_url + "s")
        assert response.status == 200
        html = await response.text()
        for snippet in snippets:
            assert snippet in html, (index, snippet)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Intake test &lt;b&gt;session&lt;/b&gt;" in html
        assert "<img" not in html
        assert "Transforming Services: Changing Lives" in html  # the framework is credited
        assert response.headers["Cache-Control"] == "no-store"


async def test_security_headers_everywhere(server: IntakeServer, api: aiohttp.ClientSession) -> None:
    for path, status in (("", 200), ("static/intake.js", 200), ("nope", 404), ("api/state", 401)):
        response = await api.get(server.room_url + path)
        assert response.status == status
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    static = await api.get(server.room_url + "static/intake.css")
    assert static.headers["Content-Type"].startswith("text/css")
    assert static.headers["Cache-Control"] == "no-cache"  # not the URL the pages link to


async def test_static_files_carry_their_version_and_keep_for_a_year(server: IntakeServer, api: aiohttp.ClientSession) -> None:
    page = await (await api.get(server.room_url)).text()
    (css,) = re.findall(r'href="(/static/intake\.css\?v=[0-9a-f]{10})"', page)
    linked = await api.get(server.room_url + css.lstrip("/"))
    assert linked.status == 200
    assert linked.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert await linked.read() == server.pages.assets["intake.css"].body
    stale = await api.get(server.room_url + "static/intake.css?v=0000000000")
    assert stale.status == 200 and stale.headers["Cache-Control"] == "no-cache"


async def test_a_failing_handler_gives_500_and_prints_nothing(
    server: IntakeServer, client: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    await join_form(client, server)

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("secret <internals>")

    with monkeypatch.context() as patch:
        patch.setattr(server.pages, "activity_page", broken)
        response = await client.get(server.room_url + "s")
        assert response.status == 500
        body = await response.text()
    assert "secret" not in body and "internals" not in body
    await still_serving(client, server)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


async def test_an_over_long_comment_is_refused_with_its_reason_and_kept_whole(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    await join_form(client, server, name="Em")
    words = "We were asked once and never heard back. " * 8  # 328 characters, 327 once the last space is trimmed
    response = await client.post(
        server.room_url + "s/comment", data={"activity_id": "welcome", "text": words}, headers={"Accept": "text/html"}
    )
    assert response.status == 400
    page = await response.text()
    assert "Your comment is 327 characters long; comments can be up to 280. Nothing was sent" in page
    assert '<p id="comment-error" class="error" role="alert">' in page
    assert 'aria-invalid="true"' in page
    assert "47 characters too many: comments can be up to 280." in page
    # Every word is put back for the person to shorten, none cut at 280.
    assert words.strip() in page
    assert "Thanks" not in page
    assert live_session.comments == {}


async def test_pages_are_never_stored_and_each_save_changes_a_cookie(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    """no-store keeps pages out of every HTTP cache; the changed cookie keeps them out of a phone's back/forward
    cache, which holds even no-store pages until a cookie changes (the browser side: test_phone_large_text_browser)."""
    await join_form(client, server)
    live_session.go_to(SPECTRUM)
    for path in ("", "s", "s?saved=1"):
        assert (await client.get(server.room_url + path)).headers["Cache-Control"] == "no-store"
    seen = set()
    for value in ("3", "5"):
        saved = await client.post(server.room_url + "s/answer", data={"activity_id": "spectrum", "place": value}, allow_redirects=False)
        assert saved.status == 303 and saved.headers["Cache-Control"] == "no-store"
        cookie = saved.cookies[SAVED_COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
        seen.add(cookie.value)
    commented = await client.post(server.room_url + "s/comment", data={"activity_id": "spectrum", "text": "We set the agenda now."}, allow_redirects=False)
    assert commented.status == 303
    seen.add(commented.cookies[SAVED_COOKIE].value)
    in_place = await client.post(server.room_url + "api/vote", json={"activity_id": "spectrum", "item": "place", "value": 4}, headers=JSON_ACCEPT)
    assert in_place.status == 200
    seen.add(in_place.cookies[SAVED_COOKIE].value)
    assert len(seen) == 4, "each save sets a new value"
    refused = await client.post(server.room_url + "s/answer", data={"activity_id": "spectrum"}, headers=HTML_ACCEPT)
    assert refused.status == 400 and SAVED_COOKIE not in refused.cookies, "nothing saved: nothing to evict"


async def test_a_refused_comment_comes_back_with_what_it_was_about(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    """Without JavaScript the page is the server's answer: the question chosen is chosen again beside the words."""
    await join_form(client, server, name="Em")
    live_session.go_to(QUESTIONS)
    fresh = await (await client.get(server.room_url + "s")).text()
    assert "selected" not in fresh
    words = "The agenda is set before we arrive, every single month. " * 6
    response = await client.post(
        server.room_url + "s/comment", data={"activity_id": "questions", "item": "agenda", "text": words}, headers=HTML_ACCEPT
    )
    assert response.status == 400
    page = await response.text()
    assert words.strip() in page and "comments can be up to 280" in page
    assert re.findall(r"<option value=\"([^\"]*)\"( selected)?>", page) == [("", ""), ("who-runs", ""), ("agenda", " selected")]
    assert live_session.comments == {}
    # Nothing chosen, nothing selected: the first option, "in general", shows as before.
    general = await (await client.post(server.room_url + "s/comment", data={"activity_id": "questions", "text": words}, headers=HTML_ACCEPT)).text()
    assert " selected" not in general
    # A fresh page knows nothing of it.
    assert "selected" not in await (await client.get(server.room_url + "s")).text()
