"""The facilitator's console over real HTTP on loopback: pairing, every action, every refusal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from conftest_intake import GRID, INDICATORS, SPECTRUM, join_form, serving
from sessions import FLAGGED_HINT, FLAGGED_NOT_ON_WALL, Change, CommentState, LiveSession, Role, RoleGroup
from sessions.intake import CONSOLE_COOKIE, CONSOLE_ROUTES, DEVICE_COOKIE, IntakeLimits, IntakeServer
from sessions.intake._console import PAIRING_COOKIE

HTML_ACCEPT = {"Accept": "text/html,application/xhtml+xml"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(live_session: LiveSession) -> Clock:
    clock = Clock()
    live_session.consoles.clock = clock
    return clock


@pytest.fixture
async def other() -> AsyncIterator[aiohttp.ClientSession]:
    """A second browser, with its own cookies."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield http


def code_on(page: str) -> str:
    match = re.search(r'<p class="pair-code"[^>]*>([A-Z0-9]+)</p>', page)
    assert match, page
    return match.group(1)


def csrf_for(page: str, action: str) -> str:
    match = re.search(rf'action="{re.escape(action)}"[^>]*>\s*(?:<[^>]*>\s*)*?<input type="hidden" name="csrf" value="([0-9a-f]+)"', page)
    assert match, f"no form for {action}"
    return match.group(1)


async def pair(http: aiohttp.ClientSession, server: IntakeServer) -> str:
    """Pair a browser the way a facilitator does: open /console, type the code into the app, continue."""
    page = await http.get(server.room_url + "console")
    assert page.status == 200
    code = code_on(await page.text())
    assert server.session.consoles.pair(code)
    done = await http.post(server.room_url + "console", data={}, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == "/console/comments"
    cookie = done.headers.getall("Set-Cookie")
    console = next(c for c in cookie if c.startswith(f"{CONSOLE_COOKIE}="))
    assert "HttpOnly" in console and "SameSite=Strict" in console and "Path=/console" in console
    return done.cookies[CONSOLE_COOKIE].value


async def page_of(http: aiohttp.ClientSession, server: IntakeServer, path: str) -> str:
    response = await http.get(server.room_url + path.lstrip("/"))
    assert response.status == 200, await response.text()
    return await response.text()


async def post(http: aiohttp.ClientSession, server: IntakeServer, action: str, fields: dict[str, str], *, from_page: str = "") -> aiohttp.ClientResponse:
    page = await page_of(http, server, from_page or action)
    data = {"csrf": csrf_for(page, action), **fields}
    return await http.post(server.room_url + action.lstrip("/"), data=data, allow_redirects=False)


def comment_ids(page: str) -> list[str]:
    return re.findall(r'id="comment-(\d+)"', page)


# -- pairing -------------------------------------------------------------------------------


async def test_the_right_code_pairs_and_the_console_opens_on_waiting_comments(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    person = live_session.join("Ana", Role.CARER)[0]
    live_session.add_comment("welcome", "Line one\nline two <b>not bold</b>", participant_id=person.id, author="Ana")
    heard: list[Change] = []
    live_session.add_listener(heard.append)
    token = await pair(client, server)
    assert live_session.consoles.is_console(token) and live_session.consoles.paired
    assert Change("console") in heard
    page = await page_of(client, server, "/console/comments")
    assert "Line one\nline two &lt;b&gt;not bold&lt;/b&gt;" in page
    assert "from Ana" in page and "1. Welcome" in page and "✉ 1 comment waiting" in page
    # A paired browser going back to /console goes straight in.
    again = await client.get(server.room_url + "console", allow_redirects=False)
    assert again.status == 303 and again.headers["Location"] == "/console/comments"


async def test_continue_before_the_code_is_typed_says_so_and_keeps_the_code(server: IntakeServer, client: aiohttp.ClientSession) -> None:
    first = code_on(await page_of(client, server, "/console"))
    early = await client.post(server.room_url + "console", data={}, headers=HTML_ACCEPT)
    assert early.status == 409
    text = await early.text()
    assert "has not taken this code yet" in text and code_on(text) == first
    assert code_on(await page_of(client, server, "/console")) == first  # a refresh shows the same code
    state = await client.get(server.room_url + "console/api/pairing")
    assert (await state.json()) == {"version": "waiting"}
    assert server.session.consoles.pair(first)
    state = await client.get(server.room_url + "console/api/pairing")
    assert (await state.json()) == {"version": "paired"}
    # The page's script then reloads /console, which signs the browser in.
    opened = await client.get(server.room_url + "console", allow_redirects=False)
    assert opened.status == 303 and opened.headers["Location"] == "/console/comments"
    assert CONSOLE_COOKIE in opened.cookies


async def test_a_wrong_code_pairs_nothing(server: IntakeServer, client: aiohttp.ClientSession) -> None:
    code = code_on(await page_of(client, server, "/console"))
    wrong = "".join("A" if ch != "A" else "B" for ch in code)
    assert not server.session.consoles.pair(wrong)
    refused = await client.post(server.room_url + "console", data={}, allow_redirects=False)
    assert refused.status == 409 and CONSOLE_COOKIE not in refused.cookies
    assert not server.session.consoles.paired


async def test_an_expired_code_is_refused_plainly_and_a_new_one_offered(server: IntakeServer, client: aiohttp.ClientSession, clock: Clock) -> None:
    old = code_on(await page_of(client, server, "/console"))
    clock.now += server.session.consoles.code_lifetime + 1
    assert not server.session.consoles.pair(old)
    late = await client.post(server.room_url + "console", data={}, headers=HTML_ACCEPT)
    assert late.status == 410
    text = await late.text()
    assert "expired" in text and "Traceback" not in text
    fresh = code_on(text)
    assert fresh != old
    assert server.session.consoles.pair(fresh)
    assert (await client.post(server.room_url + "console", data={}, allow_redirects=False)).status == 303


async def test_a_reused_code_pairs_once_and_a_stolen_secret_claims_once(
    server: IntakeServer, client: aiohttp.ClientSession, other: aiohttp.ClientSession
) -> None:
    page = await client.get(server.room_url + "console")
    code = code_on(await page.text())
    secret = page.cookies[PAIRING_COOKIE].value
    assert server.session.consoles.pair(code)
    assert not server.session.consoles.pair(code)  # typed again: refused
    assert (await client.post(server.room_url + "console", data={}, allow_redirects=False)).status == 303
    # The same pending secret, replayed by another browser, is worth nothing now.
    other.cookie_jar.update_cookies({PAIRING_COOKIE: secret}, response_url=aiohttp.client.URL(server.room_url + "console"))
    replay = await other.post(server.room_url + "console", data={}, allow_redirects=False)
    assert replay.status == 410 and CONSOLE_COOKIE not in replay.cookies
    assert server.session.consoles.count == 1


async def test_pending_codes_are_limited_per_address_apart_from_room_codes(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=IntakeLimits(pairing_tries=3, pairing_window=60))
    await intake.start()
    try:
        for _ in range(3):
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as fresh:
                assert (await fresh.get(intake.room_url + "console")).status == 200
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as fresh:
            blocked = await fresh.get(intake.room_url + "console", headers=HTML_ACCEPT)
            assert blocked.status == 429 and int(blocked.headers["Retry-After"]) >= 1
            assert "Too many pairing attempts" in await blocked.text()
            # Participants from the same address are not held back by it.
            room = await fresh.post(intake.room_url, data={"code": live_session.room_code}, allow_redirects=False)
            assert room.status == 303
    finally:
        await intake.stop()


async def test_the_headless_one_time_link_signs_in_the_first_browser_only(
    server: IntakeServer, client: aiohttp.ClientSession, other: aiohttp.ClientSession
) -> None:
    url = server.console_link_url()
    assert url.startswith(server.room_url + "console/link/")
    first = await client.get(url, allow_redirects=False)
    assert first.status == 303 and first.headers["Location"] == "/console/comments"
    assert server.session.consoles.is_console(first.cookies[CONSOLE_COOKIE].value)
    assert (await client.get(server.room_url + "console/comments")).status == 200
    second = await other.get(url, headers=HTML_ACCEPT, allow_redirects=False)
    assert second.status == 403
    assert "used already" in await second.text()
    assert CONSOLE_COOKIE not in second.cookies
    assert server.session.consoles.count == 1


# -- moderation ----------------------------------------------------------------------------


async def test_waiting_comments_oldest_first_flags_first_with_everything_the_facilitator_needs(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    person = live_session.join("Bo")[0]
    first = live_session.add_comment("spectrum", "First and fine", item="beginnings", participant_id=person.id, author="Bo")
    second = live_session.add_comment("grid", "Second and fine", item="care:now", participant_id=person.id)
    flagged = live_session.add_comment("welcome", "I want to end my life", participant_id=person.id)
    assert flagged.flags
    await pair(client, server)
    page = await page_of(client, server, "/console/comments")
    assert comment_ids(page) == [flagged.id, first.id, second.id]
    assert "⚑ Flagged: " in page and "never approved automatically" in page
    assert "2. Where do we sit? · about Beginnings" in page
    assert "3. Now and next · about Individual care (now)" in page
    assert "from Anonymous" in page and "from Bo" in page
    assert "Waiting (3)" in page and "On the wall (0)" in page and "✉ 3 comments waiting" in page


async def test_approve_hide_pin_unpin_one_at_a_time(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    a, b, c = (live_session.add_comment("welcome", text) for text in ("one", "two", "three"))
    await pair(client, server)
    response = await post(client, server, "/console/comments", {"view": "waiting", "do": f"approve:{a.id}"})
    assert response.status == 303 and response.headers["Location"] == "/console/comments?view=waiting&done=approved&n=1"
    assert live_session.comments[a.id].state is CommentState.APPROVED
    notice = await page_of(client, server, response.headers["Location"])
    assert "Approved: 1 on the wall." in notice
    await post(client, server, "/console/comments", {"view": "waiting", "do": f"hide:{b.id}"})
    assert live_session.comments[b.id].state is CommentState.HIDDEN
    await post(client, server, "/console/comments", {"view": "waiting", "do": f"pin:{c.id}"})
    assert live_session.comments[c.id].state is CommentState.PINNED
    wall = await page_of(client, server, "/console/comments?view=wall")
    assert comment_ids(wall) == [c.id, a.id] and "Unpin" in wall
    await post(client, server, "/console/comments", {"view": "wall", "do": f"unpin:{c.id}"}, from_page="/console/comments?view=wall")
    assert live_session.comments[c.id].state is CommentState.APPROVED
    hidden = await page_of(client, server, "/console/comments?view=hidden")
    assert comment_ids(hidden) == [b.id] and "Put on the wall" in hidden
    await post(client, server, "/console/comments", {"view": "hidden", "do": f"approve:{b.id}"}, from_page="/console/comments?view=hidden")
    assert live_session.comments[b.id].state is CommentState.APPROVED
    missing = await post(client, server, "/console/comments", {"view": "wall", "do": "hide:9999"}, from_page="/console/comments?view=wall")
    assert missing.status == 404


async def test_mark_a_comment_to_follow_up_privately_and_clear_the_mark(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession, tmp_path
) -> None:
    """The app's `f`, from the console: the mark changes nothing the room sees and reaches only the private record."""
    from exports import FORMATS, export_session

    waiting = live_session.add_comment("welcome", "Ask me about the advocacy leaflet")
    shown = live_session.add_comment("welcome", "The ward round felt rushed")
    live_session.moderate(shown.id, CommentState.APPROVED)
    await pair(client, server)
    page = await page_of(client, server, "/console/comments")
    assert f'value="follow-up:{waiting.id}"' in page and "Follow up</button>" in page
    response = await post(client, server, "/console/comments", {"view": "waiting", "do": f"follow-up:{waiting.id}"})
    assert response.status == 303
    assert response.headers["Location"] == f"/console/comments?view=waiting&done=followed&n=1#comment-{waiting.id}"
    marked = live_session.comments[waiting.id]
    assert marked.follow_up is True and marked.state is CommentState.PENDING, "still waiting: the mark approves nothing"
    page = await page_of(client, server, response.headers["Location"])
    assert "Marked to follow up: a private mark the room never sees." in page
    assert "↻ Marked to follow up" in page and f'value="no-follow-up:{waiting.id}"' in page
    wall = "/console/comments?view=wall"
    await post(client, server, "/console/comments", {"view": "wall", "do": f"follow-up:{shown.id}"}, from_page=wall)
    assert live_session.comments[shown.id].follow_up is True and live_session.comments[shown.id].state is CommentState.APPROVED

    public = {p.name: p.read_text(encoding="utf-8-sig") for p in export_session(live_session, FORMATS, tmp_path / "public")}
    for name, text in public.items():
        assert "advocacy leaflet" not in text and "ward round felt rushed" not in text, name
        assert "follow-up" not in text.lower() and "follow up" not in text.lower(), name
    private = export_session(live_session, FORMATS, tmp_path / "private", include_hidden=True)
    markdown = next(p.read_text(encoding="utf-8-sig") for p in private if p.suffix == ".md")
    section = markdown.split("## For follow-up (private)", 1)[1]
    assert "advocacy leaflet" in section and "ward round felt rushed" in section

    cleared = await post(client, server, "/console/comments", {"view": "waiting", "do": f"no-follow-up:{waiting.id}"})
    assert cleared.headers["Location"].startswith("/console/comments?view=waiting&done=unfollowed")
    assert live_session.comments[waiting.id].follow_up is False
    assert "Follow-up mark removed." in await page_of(client, server, cleared.headers["Location"])
    assert (await post(client, server, "/console/comments", {"view": "waiting", "do": "follow-up:9999"})).status == 404
    assert (await post(client, server, "/console/comments", {"view": "waiting", "do": "follow-up"})).status == 400


async def test_approve_or_hide_several_at_once(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    comments = [live_session.add_comment("welcome", f"comment {n}") for n in range(5)]
    await pair(client, server)
    early = csrf_for(await page_of(client, server, "/console/comments"), "/console/comments")
    picks = {f"pick-{c.id}": "1" for c in comments[:3]}
    response = await post(client, server, "/console/comments", {"view": "waiting", "do": "approve", **picks})
    assert response.headers["Location"].endswith("done=approved&n=3")
    assert [live_session.comments[c.id].state for c in comments] == [CommentState.APPROVED] * 3 + [CommentState.PENDING] * 2
    response = await post(client, server, "/console/comments", {"view": "waiting", "do": "hide", **{f"pick-{c.id}": "1" for c in comments[3:]}})
    assert response.headers["Location"].endswith("done=hidden&n=2")
    assert live_session.pending_count == 0
    # Ticked on a stale page, dealt with elsewhere since: left alone, and said so.
    url = server.room_url + "console/comments"
    stale = await client.post(url, data={"csrf": early, "view": "waiting", "do": "approve", f"pick-{comments[4].id}": "1"}, allow_redirects=False)
    assert stale.headers["Location"].endswith("done=skipped&n=1")
    assert "had already been dealt with elsewhere" in await page_of(client, server, stale.headers["Location"])
    assert live_session.comments[comments[4].id].state is CommentState.HIDDEN
    nothing = await client.post(url, data={"csrf": early, "view": "waiting", "do": "approve"}, headers=HTML_ACCEPT)
    assert nothing.status == 400 and "Tick at least one comment first" in await nothing.text()


async def test_a_comment_heard_aloud_goes_on_the_wall_as_the_facilitators(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    live_session.go_to(SPECTRUM)
    await pair(client, server)
    heard = {"activity_id": "spectrum", "item": "good", "text": "  Said in the room <i>x</i> "}
    response = await post(client, server, "/console/heard", heard, from_page="/console/comments")
    assert response.status == 303 and response.headers["Location"] == "/console/comments?view=wall&done=heard"
    (comment,) = live_session.comments.values()
    assert comment.from_facilitator and comment.state is CommentState.APPROVED
    assert comment.text == "Said in the room <i>x</i>" and comment.item == "good" and comment.activity_id == "spectrum"
    wall = await page_of(client, server, response.headers["Location"])
    assert "from Facilitator" in wall and "&lt;i&gt;x&lt;/i&gt;" in wall
    empty = await post(client, server, "/console/heard", {"activity_id": "spectrum", "text": "  "}, from_page="/console/comments")
    assert empty.status == 400 and "Write the comment first" in await empty.text()
    too_long = await post(client, server, "/console/heard", {"activity_id": "spectrum", "text": "x" * 1200}, from_page="/console/comments")
    assert too_long.status == 400
    kept = await too_long.text()
    assert "Nothing was sent" in kept and "x" * 1200 in kept
    wrong_topic = await post(client, server, "/console/heard", {"activity_id": "spectrum", "item": "nope", "text": "hi"}, from_page="/console/comments")
    assert wrong_topic.status == 400
    assert len(live_session.comments) == 1


async def test_a_heard_comment_that_may_be_a_disclosure_waits_flagged_not_on_the_wall(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    live_session.go_to(SPECTRUM)
    live_session.set_hold_comments(False)
    await pair(client, server)
    page = await page_of(client, server, "/console/comments")
    assert FLAGGED_HINT in page
    heard = {"activity_id": "spectrum", "text": "Robin told me: I want to end my life"}
    response = await post(client, server, "/console/heard", heard, from_page="/console/comments")
    assert response.status == 303
    (comment,) = live_session.comments.values()
    assert response.headers["Location"] == f"/console/comments?view=waiting&done=heard-flagged#comment-{comment.id}"
    assert comment.from_facilitator and comment.flags and comment.state is CommentState.PENDING
    assert live_session.wall("spectrum") == []
    waiting = await page_of(client, server, response.headers["Location"])
    assert FLAGGED_NOT_ON_WALL.replace("'", "&#39;") in waiting and "end my life" in waiting
    # Approved by hand, it goes on the wall like any other.
    live_session.moderate(comment.id, CommentState.APPROVED)
    assert [c.id for c in live_session.wall("spectrum")] == [comment.id]


# -- driving the room ------------------------------------------------------------------------


async def test_next_previous_jump_reveal_and_close_answers(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await pair(client, server)
    room = await page_of(client, server, "/console/room")
    assert "On screen now: 1 of 6" in room and "Welcome" in room
    response = await post(client, server, "/console/room", {"do": "next"})
    assert response.status == 303 and response.headers["Location"] == "/console/room?done=moved"
    assert live_session.current_index == SPECTRUM
    await post(client, server, "/console/room", {"do": "reveal"})
    assert live_session.is_revealed("spectrum")
    assert "Results: <strong>shown to the room</strong>" in await page_of(client, server, "/console/room")
    await post(client, server, "/console/room", {"do": "conceal"})
    assert not live_session.is_revealed("spectrum")
    await post(client, server, "/console/room", {"do": "close"})
    assert not live_session.intake_open
    await post(client, server, "/console/room", {"do": "open"})
    assert live_session.intake_open
    await post(client, server, "/console/room", {"do": f"go:{INDICATORS}"})
    assert live_session.current_index == INDICATORS
    await post(client, server, "/console/room", {"do": "previous"})
    assert live_session.current_index == GRID
    await post(client, server, "/console/room", {"do": "go:0"})
    first = await post(client, server, "/console/room", {"do": "previous"})
    assert first.headers["Location"] == "/console/room?done=first" and live_session.current_index == 0
    info_reveal = await post(client, server, "/console/room", {"do": "reveal"})
    assert info_reveal.status == 400
    for bad in ("go:99", "go:-1", "go:x", "dance"):
        assert (await post(client, server, "/console/room", {"do": bad})).status == 400
    live_session.go_to(5)
    last = await post(client, server, "/console/room", {"do": "next"})
    assert last.headers["Location"] == "/console/room?done=last" and live_session.current_index == 5


# -- counting hands --------------------------------------------------------------------------


async def test_count_hands_for_every_group_with_the_keyboards_tallies(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    live_session.go_to(SPECTRUM)
    await pair(client, server)
    page = await page_of(client, server, "/console/hands")
    assert "2. Where do we sit?" in page
    for words in ("Everyone", "Service users", "Carers", "Staff", "Other"):
        assert f">{words}</a>" in page
    assert page.count('value="plus:cell-') == 5
    response = await post(client, server, "/console/hands", {"activity_id": "spectrum", "group": "everyone", "do": "plus:cell-3"})
    assert response.status == 303 and response.headers["Location"] == "/console/hands?group=everyone&done=counted#cell-3"
    await post(client, server, "/console/hands", {"activity_id": "spectrum", "group": "everyone", "do": "plus:cell-3"})
    assert live_session.tally_count("spectrum", "place", 3) == 2
    await post(client, server, "/console/hands", {"activity_id": "spectrum", "group": "everyone", "do": "minus:cell-3"})
    assert live_session.tally_count("spectrum", "place", 3) == 1
    for key, role in (("service_user", Role.SERVICE_USER), ("carer", Role.CARER), ("staff", Role.STAFF), ("other", Role.OTHER)):
        await post(client, server, "/console/hands", {"activity_id": "spectrum", "group": key, "do": "plus:cell-1"}, from_page=f"/console/hands?group={key}")
        assert live_session.tally_count("spectrum", "place", 1, role) == 1
    assert live_session.tally_count("spectrum", "place", 1) == 0
    staff = await page_of(client, server, "/console/hands?group=staff")
    assert "Counts below are for: <strong>Staff</strong>" in staff
    # Never below zero.
    for _ in range(2):
        await post(client, server, "/console/hands", {"activity_id": "spectrum", "group": "everyone", "do": "minus:cell-5"})
    assert live_session.tally_count("spectrum", "place", 5) == 0


async def test_hands_on_a_grid_and_on_indicators(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    live_session.go_to(GRID)
    await pair(client, server)
    page = await page_of(client, server, "/console/hands")
    levels = len(live_session.current_activity.levels)
    assert page.count('value="plus:cell-') == 2 * 2 * levels
    assert "Policy: where we want to be" in page
    await post(client, server, "/console/hands", {"activity_id": "grid", "group": "everyone", "do": f"plus:cell-{levels + 2}"})
    assert live_session.tally_count("grid", "care:target", 2) == 1
    live_session.go_to(INDICATORS)
    page = await page_of(client, server, "/console/hands")
    assert page.count('value="plus:cell-') == 2 * 3 and "Partly met" in page
    await post(client, server, "/console/hands", {"activity_id": "indicators", "group": "carer", "do": "plus:cell-5"}, from_page="/console/hands?group=carer")
    assert live_session.tally_count("indicators", "listening", "partly", Role.CARER) == 1


async def test_the_console_says_when_a_phone_answer_is_held_back_beside_hands(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    live_session.go_to(SPECTRUM)
    participant, _ = live_session.join("", Role.SERVICE_USER)
    live_session.cast_vote(participant.id, "spectrum", "place", 4)
    await pair(client, server)
    note = "1 answer from a phone is not shown: with fewer than 3 on phones, it could be told apart from the hands counted."
    assert note not in await page_of(client, server, "/console/room"), "no hands yet: nothing to subtract"
    live_session.set_tally("spectrum", "place", 2, 3)
    for path in ("/console/room", "/console/hands"):
        assert f'<p class="notice">{note}</p>' in await page_of(client, server, path), path


async def test_hands_refused_once_the_room_has_moved_on_and_for_nothing_countable(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    live_session.go_to(SPECTRUM)
    await pair(client, server)
    page = await page_of(client, server, "/console/hands")
    live_session.go_to(GRID)
    stale = await client.post(
        server.room_url + "console/hands",
        data={"csrf": csrf_for(page, "/console/hands"), "activity_id": "spectrum", "group": "everyone", "do": "plus:cell-1"},
        headers=HTML_ACCEPT,
    )
    assert stale.status == 409 and "moved on" in await stale.text()
    assert not live_session.tallies
    for bad in ("plus:cell-999", "times:cell-1", "plus:"):
        assert (await post(client, server, "/console/hands", {"activity_id": "grid", "group": "everyone", "do": bad})).status == 400
    live_session.go_to(0)
    assert "nothing to count by hand" in await page_of(client, server, "/console/hands")


# -- the lobby ---------------------------------------------------------------------------------


async def test_lobby_counts_of_people_without_phones(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    live_session.join("Cy", Role.STAFF)
    await pair(client, server)
    page = await page_of(client, server, "/console/lobby")
    assert "On phones: <strong>1</strong> joined" in page
    for group in RoleGroup:
        assert group.label in page
    await post(client, server, "/console/lobby", {"do": "plus:lived"})
    await post(client, server, "/console/lobby", {"do": "plus:lived"})
    await post(client, server, "/console/lobby", {"do": "minus:lived"})
    assert live_session.present_without_phones[RoleGroup.LIVED] == 1
    saved = await post(client, server, "/console/lobby", {"do": "save", "count-lived": "4", "count-staff": "2", "count-other": "0"})
    assert saved.headers["Location"] == "/console/lobby?done=lobby"
    assert live_session.present_without_phones == {RoleGroup.LIVED: 4, RoleGroup.STAFF: 2, RoleGroup.OTHER: 0}
    bad = await post(client, server, "/console/lobby", {"do": "save", "count-lived": "-3", "count-staff": "2", "count-other": "0"})
    assert bad.status == 400 and live_session.present_without_phones[RoleGroup.LIVED] == 4
    await post(client, server, "/console/lobby", {"do": "close-joining"})
    assert not live_session.joining_open
    await post(client, server, "/console/lobby", {"do": "open-joining"})
    assert live_session.joining_open


# -- live updates ------------------------------------------------------------------------------


async def test_the_version_changes_when_the_session_does(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await pair(client, server)
    first = await (await client.get(server.room_url + "console/api/version")).json()
    same = await (await client.get(server.room_url + "console/api/version")).json()
    assert first == same
    live_session.add_comment("welcome", "from a phone")
    changed = await (await client.get(server.room_url + "console/api/version")).json()
    assert changed["version"] != first["version"] and changed["waiting"] == 1
    page = await page_of(client, server, "/console/comments")
    assert f'data-version="{changed["version"]}"' in page and 'data-poll="/console/api/version"' in page


async def test_one_console_signs_itself_out(server: IntakeServer, client: aiohttp.ClientSession, other: aiohttp.ClientSession) -> None:
    token = await pair(client, server)
    other_token = await pair(other, server)
    response = await post(client, server, "/console/sign-out", {}, from_page="/console/comments")
    assert response.status == 303 and response.headers["Location"] == "/console"
    assert not server.session.consoles.is_console(token) and server.session.consoles.is_console(other_token)
    after = await client.get(server.room_url + "console/comments", allow_redirects=False)
    assert after.status == 303 and after.headers["Location"] == "/console"


# -- refusals ------------------------------------------------------------------------------------


async def _every_route_refuses(http: aiohttp.ClientSession, server: IntakeServer, cookies: dict[str, str]) -> None:
    for method, path in CONSOLE_ROUTES:
        url = server.room_url + path.lstrip("/")
        if method == "GET":
            response = await http.get(url, cookies=cookies, allow_redirects=False)
            if path.startswith("/console/api/"):
                assert response.status == 401, (path, response.status)
            else:
                assert response.status == 303 and response.headers["Location"] == "/console", (path, response.status)
        else:
            response = await http.post(url, data={"csrf": "0" * 32, "do": "next", "view": "waiting"}, cookies=cookies, allow_redirects=False)
            assert response.status == 401, (path, response.status)


async def test_every_console_route_refuses_without_a_console_cookie(server: IntakeServer, live_session: LiveSession) -> None:
    start = (live_session.current_index, dict(live_session.meta))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as bare:
        await _every_route_refuses(bare, server, {})
        await _every_route_refuses(bare, server, {CONSOLE_COOKIE: "forged-token-" + "x" * 30})
        # A pending pairing secret is not a console token either.
        page = await bare.get(server.room_url + "console")
        await _every_route_refuses(bare, server, {CONSOLE_COOKIE: page.cookies[PAIRING_COOKIE].value})
    assert (live_session.current_index, live_session.meta) == start


async def test_a_participants_device_token_opens_no_console_route(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    device = await join_form(client, server, name="Dee")
    await _every_route_refuses(client, server, {CONSOLE_COOKIE: device})
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as bare:
        await _every_route_refuses(bare, server, {DEVICE_COOKIE: device})


async def test_a_console_token_never_votes_or_comments(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    token = await pair(client, server)
    live_session.go_to(SPECTRUM)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as bare:
        for cookies, headers in (({DEVICE_COOKIE: token}, {}), ({}, {"X-Involve-Device": token})):
            answer = {"activity_id": "spectrum", "item": "place", "value": 2}
            vote = await bare.post(server.room_url + "api/vote", json=answer, cookies=cookies, headers=headers)
            assert vote.status == 401
            comment = await bare.post(server.room_url + "api/comment", json={"activity_id": "spectrum", "text": "hi"}, cookies=cookies, headers=headers)
            assert comment.status == 401
            page = await bare.get(server.room_url + "s", cookies=cookies, headers=headers, allow_redirects=False)
            assert page.status == 303 and page.headers["Location"] == "/"
    assert not live_session.votes and not live_session.comments and not live_session.participants


async def test_an_expired_or_signed_out_console_token_is_refused(
    server: IntakeServer, client: aiohttp.ClientSession, other: aiohttp.ClientSession, clock: Clock
) -> None:
    await pair(client, server)
    clock.now += server.session.consoles.token_lifetime + 1
    await _every_route_refuses(client, server, {})
    token = await pair(other, server)
    server.session.consoles.sign_out_all()
    await _every_route_refuses(other, server, {CONSOLE_COOKIE: token})


def _every_post_with_fields(session: LiveSession) -> dict[str, dict[str, str]]:
    """For each console POST route, fields it would act on if the post came from the console itself."""
    from test_console_review_http import _targets

    comment = session.add_comment("spectrum", "Waiting to be read")
    target = _targets(session)[0]
    return {
        "/console/comments": {"view": "waiting", "do": f"approve:{comment.id}"},
        "/console/heard": {"activity_id": "spectrum", "text": "Said aloud"},
        "/console/room": {"do": "reveal"},
        "/console/hands": {"activity_id": "spectrum", "group": "everyone", "do": "plus:cell-1"},
        "/console/lobby": {"do": "plus:lived"},
        "/console/review": {"target_id": target.id, "outcome": "done", "what_happened": "It happened", "working_together": "Well"},
        "/console/sign-out": {},
    }


def _state_of(session: LiveSession) -> str:
    """All the session holds, running state included, and the consoles signed in."""
    import json

    return json.dumps([session.snapshot(), dict(session.meta), session.consoles.count], sort_keys=True, default=str)


async def test_cross_site_posts_are_refused_even_with_the_right_form_token(review_session: LiveSession, client: aiohttp.ClientSession) -> None:
    session = review_session
    session.go_to(SPECTRUM)
    async with serving(session) as server:
        token = await pair(client, server)
        fields = _every_post_with_fields(session)
        posts = [path for method, path in CONSOLE_ROUTES if method == "POST"]
        assert sorted(posts) == sorted(fields), "every console POST route is walked"
        before = _state_of(session)
        for path in posts:
            data = {"csrf": server.console.form_token(token, path), **fields[path]}
            for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"}, {"Origin": "null"}):
                response = await client.post(server.room_url + path.lstrip("/"), data=data, headers=headers, allow_redirects=False)
                assert response.status == 403, (path, headers, response.status)
                assert "Requests from other websites are not accepted." in await response.text()
        assert _state_of(session) == before, "a refused cross-site post changed the session"
        assert session.consoles.is_console(token)
        # The same posts from the console's own page do what they say: the fields above were not the reason.
        same_site = {"Sec-Fetch-Site": "same-origin", "Origin": server.room_url.rstrip("/")}
        for path in posts:
            data = {"csrf": server.console.form_token(token, path), **fields[path]}
            response = await client.post(server.room_url + path.lstrip("/"), data=data, headers=same_site, allow_redirects=False)
            assert response.status == 303, (path, response.status, await response.text())
        assert session.is_revealed("spectrum") and session.tally_count("spectrum", "place", 1) == 1
        assert session.pending_count == 0 and session.present_without_phones[RoleGroup.LIVED] == 1
        assert len(session.outcomes) == 1 and not session.consoles.is_console(token)


async def test_missing_or_wrong_form_tokens_are_refused(
    server: IntakeServer, client: aiohttp.ClientSession, other: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    await pair(client, server)
    await pair(other, server)
    mine = await page_of(client, server, "/console/room")
    theirs = await page_of(other, server, "/console/room")
    lobby = await page_of(client, server, "/console/lobby")
    for csrf in (None, "", "0" * 32, csrf_for(theirs, "/console/room"), csrf_for(lobby, "/console/lobby")):
        data = {"do": "next"} if csrf is None else {"csrf": csrf, "do": "next"}
        response = await client.post(server.room_url + "console/room", data=data, headers=HTML_ACCEPT, allow_redirects=False)
        assert response.status == 403, csrf
        assert "out of date" in await response.text()
    assert live_session.current_index == 0
    assert csrf_for(mine, "/console/room") != csrf_for(theirs, "/console/room")


def console_refusal(page: str) -> str:
    """The heading and words of a refusal page, after checking it is the console's own."""
    assert '<body class="console">' in page, page
    assert "Need support now?" not in page  # the participants' page, with its small link, is not used
    assert "data-poll" not in page  # a refusal is never reloaded over by the live updates
    match = re.search(r'<h1>(.*?)</h1>\s*<p class="message">(.*?)</p>\s*<p><a class="button" href="([^"]+)">(.*?)</a></p>', page, re.S)
    assert match, page
    return " | ".join(match.groups())


def signed_in_parts(page: str) -> bool:
    nav = '<nav class="console-nav" aria-label="Console">' in page
    assert nav == ('class="waiting-count"' in page) == ('action="/console/sign-out"' in page), page
    return nav


async def test_refusals_on_console_addresses_use_the_consoles_own_page(
    server: IntakeServer, client: aiohttp.ClientSession, other: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    # Not signed in: a used or unknown one-time link. No navigation; the way back is pairing.
    bogus = await other.get(server.room_url + "console/link/bogus", headers=HTML_ACCEPT)
    assert bogus.status == 403
    page = await bogus.text()
    assert console_refusal(page) == (
        "Link already used | This console link has been used already, or is not for this session. "
        "Each link signs in one browser, once. | /console | Pair this console"
    )
    assert not signed_in_parts(page)
    # Signed in: nothing ticked. The console's navigation and waiting count stay, with a way back.
    live_session.add_comment("welcome", "waiting <b>here</b>")
    await pair(client, server)
    csrf = csrf_for(await page_of(client, server, "/console/comments"), "/console/comments")
    nothing = await client.post(server.room_url + "console/comments", data={"csrf": csrf, "view": "waiting", "do": "approve"}, headers=HTML_ACCEPT)
    assert nothing.status == 400
    page = await nothing.text()
    assert console_refusal(page) == "Nothing ticked | Tick at least one comment first. | /console/comments?view=waiting | Back to the comments"
    assert signed_in_parts(page) and "✉ 1 comment waiting" in page and "waiting <b>here</b>" not in page
    assert 'aria-current="page"' not in page
    # A refusal whose link leaves the console (an unknown console address) points back into it instead.
    missing = await client.get(server.room_url + "console/nowhere", headers=HTML_ACCEPT)
    assert missing.status == 404
    page = await missing.text()
    assert console_refusal(page).endswith("| /console/comments | Back to the console") and signed_in_parts(page)
    # The participants' refusals are as they were.
    participant = await other.get(server.room_url + "j/bogus", headers=HTML_ACCEPT)
    assert participant.status == 404
    page = await participant.text()
    assert "Need support now?" in page and 'class="console"' not in page and "Type the room code" in page


async def test_too_many_pairing_codes_are_refused_on_the_consoles_own_page(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=IntakeLimits(pairing_tries=1, pairing_window=60))
    await intake.start()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as fresh:
            assert (await fresh.get(intake.room_url + "console")).status == 200
            blocked = await fresh.get(intake.room_url + "console", headers=HTML_ACCEPT)
            assert blocked.status == 429
            page = await blocked.text()
            assert console_refusal(page).startswith("Please wait | Too many pairing attempts from here.")
            assert console_refusal(page).endswith("| /console | Pair this console")
            assert not signed_in_parts(page)
    finally:
        await intake.stop()


async def test_console_actions_are_rate_limited(live_session: LiveSession) -> None:
    intake = IntakeServer(live_session, host="127.0.0.1", port=0, limits=IntakeLimits(console_rate=0.5, console_burst=6))
    await intake.start()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            await pair(http, intake)
            statuses = [(await http.get(intake.room_url + "console/api/version")).status for _ in range(8)]
            assert statuses.count(200) == 6 and statuses[-1] == 429
    finally:
        await intake.stop()


async def test_nothing_about_consoles_reaches_the_record(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    import json

    token = await pair(client, server)
    link = server.console_link_url()
    record = json.dumps(live_session.snapshot())
    assert token not in record and link.rsplit("/", 1)[1] not in record and "console" not in record.lower()


# -- curtain, split and timer: the projected app's running state ------------------------------


@pytest.fixture
async def plan_server(session_root) -> AsyncIterator[IntakeServer]:
    """A built-in plan, whose activities have times set."""
    from sessions import SessionStore, TemplateLibrary

    template = TemplateLibrary().find("where-are-we")
    session = SessionStore(session_root).create(template, template.path.read_text(encoding="utf-8"))
    intake = IntakeServer(session, host="127.0.0.1", port=0)
    await intake.start()
    try:
        yield intake
    finally:
        await intake.stop()
        session.close()


async def test_the_console_draws_and_lifts_the_curtain(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await pair(client, server)
    response = await post(client, server, "/console/room", {"do": "curtain"})
    assert response.headers["Location"] == "/console/room?done=curtain"
    assert live_session.curtain
    page = await page_of(client, server, response.headers["Location"])
    assert "The curtain is drawn" in page and "Lift the curtain" in page
    await post(client, server, "/console/room", {"do": "lift-curtain"})
    assert not live_session.curtain


async def test_split_by_role_unless_it_would_single_someone_out(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    live_session.go_to(SPECTRUM)
    await pair(client, server)
    await post(client, server, "/console/room", {"do": "split"})
    assert live_session.is_split("spectrum")
    assert "Split by role: <strong>on</strong>" in await page_of(client, server, "/console/room")
    await post(client, server, "/console/room", {"do": "together"})
    assert not live_session.is_split("spectrum")
    person = live_session.join("Ana", Role.SERVICE_USER)[0]
    live_session.cast_vote(person.id, "spectrum", "place", 2)
    refused = await post(client, server, "/console/room", {"do": "split"})
    assert refused.headers["Location"] == "/console/room?done=single-out"
    assert not live_session.is_split("spectrum")
    page = await page_of(client, server, refused.headers["Location"])
    assert "would single people out" in page and "Splitting by role would single out 1 service user or carer." in page
    live_session.go_to(0)
    assert (await post(client, server, "/console/room", {"do": "split"})).status == 400


async def test_the_console_refuses_the_split_the_projector_refuses(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    """1 service user, 3 staff, 5 of another or unstated role: only the "other" group could be shown, and the
    projector sets staff beside service users and carers, so both refuse; the console once said "on"."""
    live_session.go_to(SPECTRUM)
    for role, position in [(Role.SERVICE_USER, 5), *[(Role.STAFF, p) for p in (1, 2, 3)], *[(None, p) for p in (1, 2, 3, 4, 5)]]:
        person = live_session.join("", role)[0]
        live_session.cast_vote(person.id, "spectrum", "place", position)
    assert {g.group for g in live_session.results("spectrum").groups if g.result is not None} == {RoleGroup.OTHER}
    await pair(client, server)
    refused = await post(client, server, "/console/room", {"do": "split"})
    assert refused.headers["Location"] == "/console/room?done=single-out"
    assert not live_session.is_split("spectrum")
    page = await page_of(client, server, refused.headers["Location"])
    assert "Split by role: <strong>off</strong>. Splitting by role would single out 1 service user or carer." in page


async def test_start_and_pause_the_timer(plan_server: IntakeServer, client: aiohttp.ClientSession) -> None:
    session = plan_server.session
    timed = next(i for i, a in enumerate(session.template.activities) if a.minutes)
    session.go_to(timed)
    activity = session.current_activity
    await pair(client, plan_server)
    page = await page_of(client, plan_server, "/console/room")
    assert f"Timer: <strong>paused</strong>, 0:00 of {activity.minutes} minutes" in page
    started = await post(client, plan_server, "/console/room", {"do": "start-timer"})
    assert started.headers["Location"] == "/console/room?done=timer-started"
    assert session.timer_running(activity.id)
    assert "Pause the timer" in await page_of(client, plan_server, "/console/room")
    await post(client, plan_server, "/console/room", {"do": "pause-timer"})
    assert not session.timer_running(activity.id)


async def test_no_timer_where_the_plan_sets_no_time(server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession) -> None:
    await pair(client, server)
    assert "timer" not in (await page_of(client, server, "/console/room")).lower()
    assert (await post(client, server, "/console/room", {"do": "start-timer"})).status == 400


async def test_a_flagged_comment_carries_the_organisations_own_safeguarding_words(live_session: LiveSession) -> None:
    from sessions import SAFEGUARDING_REMINDER

    live_session.add_comment("welcome", "I want to end my life")
    words = "Call the duty safeguarding lead on extension 4321 <now>."
    from markupsafe import escape

    for reminder, expected in (("", str(escape(SAFEGUARDING_REMINDER))), (words, "Call the duty safeguarding lead on extension 4321 &lt;now&gt;.")):
        intake = IntakeServer(live_session, host="127.0.0.1", port=0, safeguarding_reminder=reminder)
        await intake.start()
        try:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                await pair(http, intake)
                page = await page_of(http, intake, "/console/comments")
                assert f'<p class="flag-reminder">{expected}</p>' in page
        finally:
            await intake.stop()


async def test_the_console_refuses_a_split_the_room_could_subtract_from_an_earlier_look(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    """Five staff and one service user revealed, then three service users and carers: the room saw "8: 1" of
    the whole room earlier, so staff beside it now would give the lone answer away; the console refuses as the
    projector does."""
    live_session.go_to(SPECTRUM)
    positions = [(Role.SERVICE_USER, 5), *[(Role.STAFF, p) for p in (1, 2, 1, 2, 1)]]
    for role, position in positions:
        live_session.cast_vote(live_session.join("", role)[0].id, "spectrum", "place", position)
    await pair(client, server)
    await post(client, server, "/console/room", {"do": "reveal"})
    for position in (3, 4):
        live_session.cast_vote(live_session.join("", Role.CARER)[0].id, "spectrum", "place", position)
    refused = await post(client, server, "/console/room", {"do": "split"})
    assert refused.headers["Location"] == "/console/room?done=single-out"
    assert not live_session.is_split("spectrum")
    page = await page_of(client, server, refused.headers["Location"])
    assert "Splitting by role would give away answers held back when the room saw these results earlier." in page


async def test_the_console_refuses_the_split_while_more_phones_joined_than_the_head_count(
    server: IntakeServer, client: aiohttp.ClientSession, live_session: LiveSession
) -> None:
    """Three staff and three 'service users' who may be one browser: with 4 counted in the room, no split."""
    live_session.go_to(SPECTRUM)
    for role, position in [*[(Role.STAFF, p) for p in (1, 2, 3)], *[(Role.SERVICE_USER, p) for p in (4, 5, 4)]]:
        live_session.cast_vote(live_session.join("", role)[0].id, "spectrum", "place", position)
    assert live_session.results("spectrum").split_shown
    live_session.set_head_count(4)
    await pair(client, server)
    refused = await post(client, server, "/console/room", {"do": "split"})
    assert refused.headers["Location"] == "/console/room?done=single-out"
    assert not live_session.is_split("spectrum")
    page = await page_of(client, server, refused.headers["Location"])
    assert "6 phones have joined, more than the head count of 4" in page
    live_session.set_head_count(6)
    allowed = await post(client, server, "/console/room", {"do": "split"})
    assert allowed.headers["Location"] == "/console/room?done=split" and live_session.is_split("spectrum")
