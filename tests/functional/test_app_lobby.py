"""The lobby: join address and QR code, who is here, and the 4PI presence check."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_fixtures import (
    FIXED_URL,
    REAL_URL,
    FakeServers,
    fixed_session,
    make_app,
    make_config,
    new_session,
    open_queue,
    screen_text,
    squeeze,
    store_for,
    widget_text,
)
from exports import build_record
from screens import ActivityScreen, LobbyScreen, QRCode, qr_matrix
from sessions import RoleGroup

SIZE = (100, 30)


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


def presence_text(app) -> str:
    return " ".join(widget_text(app.screen.query_one("#lobby-presence")).split())


async def test_lobby_shows_the_join_address_code_and_room_code(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="Community team, spring")
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        text = screen_text(app)
        assert "Community team, spring" in text
        assert FIXED_URL in text
        assert session.room_code in text and "http://192.0.2.10:8765/" in text
        qr = app.screen.query_one(QRCode)
        assert qr.data == FIXED_URL and qr.display
        assert qr.matrix == qr_matrix(FIXED_URL)
        assert (qr.size.width, qr.size.height) == (37, 19)
        credit = " ".join(widget_text(app.screen.query_one("#lobby-credit")).split())
        assert credit == "Presence check: 4PI National Involvement Standards (NSUN, National Involvement Partnership)."
        await pilot.press("f")  # full cells would not fit whole at 100x30: not offered, nothing changes
        await settle(pilot)
        assert not qr.full_cells and (qr.size.width, qr.size.height) == (37, 19)


async def test_people_joining_update_counts_names_and_presence(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "⚠ Presence: below the minimum. Service users or carers here: 0." in presence_text(app)
        assert "Nobody has joined on a phone yet" in screen_text(app)
        session.join("Priya", "staff")
        session.join("", "service_user")
        session.join("Ken", "carer")
        session.join("", None)
        session.join("", "service_user")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "On phones: 5 people (2 service users, 1 carer, 1 staff, 1 not said)." in text
        assert "Latest to join: Anonymous, Anonymous, Ken, Anonymous, Priya" in text
        assert "(staff)" not in text and "(carer)" not in text and "(service user)" not in text
        assert "✔✔ Presence: ideal. Service users or carers here: 3." in presence_text(app)
        assert app.screen.query_one("#lobby-presence").has_class("-ideal")
        [table] = app.screen.query("#lobby-people")
        assert [str(cell) for cell in table.get_row("lived")][1:] == ["3", "0"]
        assert [str(cell) for cell in table.get_row("staff")][1:] == ["1", "0"]


async def test_people_without_phones_are_counted_in_from_the_keyboard_and_kept(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    session.join("", "service_user")
    session_id = session.id
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "below the minimum. Service users or carers here: 1." in presence_text(app)
        await pilot.press("plus")  # first row: service users and carers
        await settle(pilot)
        assert "✔ Presence: minimum met. Service users or carers here: 2." in presence_text(app)
        await pilot.press("plus")
        await settle(pilot)
        assert "✔✔ Presence: ideal. Service users or carers here: 3." in presence_text(app)
        await pilot.press("down", "plus", "plus", "plus")  # three staff without phones
        await settle(pilot)
        assert "On phones: 1 person (1 service user) and 5 without a phone." in " ".join(screen_text(app).split())
        assert session.present_without_phones[RoleGroup.LIVED] == 2
        assert session.present_without_phones[RoleGroup.STAFF] == 3
        assert len(session.participants) == 1  # never stored as participants
        await pilot.press("up", "minus")
        await settle(pilot)
        assert "✔ Presence: minimum met. Service users or carers here: 2." in presence_text(app)
        await pilot.press("minus", "minus", "minus")  # cannot go below zero
        await settle(pilot)
        assert session.present_without_phones[RoleGroup.LIVED] == 0
    reopened = store_for(config).open(session_id)
    try:
        assert reopened.present_without_phones[RoleGroup.STAFF] == 3
    finally:
        reopened.close()


async def test_the_record_writes_down_the_presence_check_the_lobby_showed(tmp_path: Path) -> None:
    """People counted in from the keyboard reach the record's summary, with the lobby's verdict in its words."""
    config = make_config(tmp_path)
    session = new_session(config)
    session.join("", "service_user")
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("plus")  # one service user or carer without a phone
        await settle(pilot)
        shown = presence_text(app)
        assert shown == "✔ Presence: minimum met. Service users or carers here: 2. A third would make it ideal."
        presence = build_record(session).summary.attendance.presence
        assert presence.verdict == shown.replace(" here: ", " there: ")
        assert presence.standard.startswith("4PI National Involvement Standards (NSUN, National Involvement Partnership)")
        lived = build_record(session).summary.attendance.groups[0]
        assert (lived.group, lived.on_phones, lived.without_phones) == ("lived", 1, 1)


async def test_phone_page_failure_is_explained_on_the_lobby_and_the_app_keeps_running(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    problem = "Port 8765 is already in use on this computer. Choose another port: set INVOLVE_PORT or --port."
    app = make_app(config, session=session, landing="lobby", servers=FakeServers(error=problem))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, LobbyScreen)
        assert app.intake_problem == problem
        status = squeeze(widget_text(app.screen.query_one("#lobby-qr-status")))
        assert squeeze("⚠ The phone page is not running.") in status
        assert squeeze(problem) in status
        assert not app.screen.query_one(QRCode).display
        assert session.room_code in screen_text(app)
        # Voting by hand still works.
        await pilot.press("escape", "n", "n")
        await settle(pilot)
        assert session.current_index == 2


async def test_escape_and_l_move_between_lobby_and_activity(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ActivityScreen"
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        await pilot.press("l")
        await settle(pilot)
        assert type(app.screen).__name__ == "ActivityScreen"
        await open_queue(pilot)
        await pilot.press("l")  # from moderation straight to the lobby
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ActivityScreen"


def footer_text(app) -> str:
    footer = app.screen.query_one("KeyFooter")
    lines = screen_text(app).splitlines()[footer.region.y : footer.region.bottom]
    return " ".join(" ".join(lines).split())


@pytest.mark.parametrize("key", ["n", "enter", "right", "space"])
async def test_each_start_key_leaves_the_lobby_for_the_first_activity(tmp_path: Path, key: str) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        assert "n Start" in footer_text(app)
        assert "Back" not in footer_text(app)  # one way in, said once; Esc still works (below)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert session.current_index == 0  # started on the first activity, not moved past it
        assert "Activity 1 of" in screen_text(app)


@pytest.mark.parametrize("key", ["n", "enter", "right", "space", "escape"])
async def test_start_keys_return_to_the_activity_the_room_was_on(tmp_path: Path, key: str) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", "n", "l")
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert session.current_index == 2
        assert "Activity 3 of" in screen_text(app)


async def test_start_keys_type_into_the_head_count_while_it_has_the_cursor(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c", "1", "2", "right", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen), "Enter in the head-count field submits it, and stays"
        assert session.head_count == 12
        await pilot.press("enter")  # the people table has the cursor again: Enter starts
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)


async def test_page_down_brings_the_lines_under_the_table_into_view_at_80x24(tmp_path: Path) -> None:
    """At 80x24 the code, the address and the table leave a line or two below: PgDn pages them, PgUp comes back."""
    config = make_config(tmp_path)
    session = fixed_session(config)
    app = make_app(config, session=session, landing="lobby", servers=FakeServers(url=REAL_URL))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        more = app.screen.query_one("#lobby-more")
        assert more.max_scroll_y > 0, "the lines under the table fit at 80x24: this test no longer tests anything"
        assert "Latest to join" not in screen_text(app)
        table = app.screen.query_one("#lobby-people")
        row = table.cursor_row
        seen = ""
        for _ in range(more.max_scroll_y + 1):
            await pilot.press("pagedown")
            await settle(pilot)
            seen += screen_text(app)
        assert "Latest to join" in seen and more.scroll_y == more.max_scroll_y
        assert table.cursor_row == row, "PgDn scrolls the lines below; it does not move the table's row"
        for _ in range(more.max_scroll_y + 1):
            await pilot.press("pageup")
        await settle(pilot)
        assert more.scroll_y == 0
