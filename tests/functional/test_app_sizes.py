"""Readable at 100x30 and still usable at 80x24: nothing important clipped away."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region

from app_fixtures import FIXED_ROOM_CODE, FIXED_URL, fixed_session, make_app, make_config, open_queue, screen_text
from screens import ActivityScreen, LobbyScreen, ModerationScreen, QRCode

SIZES = [(100, 30), (80, 24)]


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


def fully_visible(app, widget) -> bool:
    """Whether every cell of the widget is on screen."""
    region = widget.region
    return bool(region) and Region(0, 0, *app.size).contains_region(region)


def footer_keys(app) -> str:
    return " ".join(screen_text(app).splitlines()[-4:])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_lobby_shows_the_whole_code_address_and_presence(tmp_path: Path, size: tuple[int, int]) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config)
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        qr = app.screen.query_one(QRCode)
        assert fully_visible(app, qr), (qr.region, app.size)
        text = screen_text(app)
        flat = "".join(text.split())
        assert FIXED_URL in flat
        assert FIXED_ROOM_CODE in text
        assert fully_visible(app, app.screen.query_one("#lobby-presence"))
        assert "Presence:" in text
        assert "Start" in footer_keys(app) and "Quit" in footer_keys(app)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_activity_keeps_room_for_its_view_the_wall_and_every_key(tmp_path: Path, size: tuple[int, int]) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, revealed=("spectrum", "grid", "indicators"))
    total = len(session.template.activities)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for index in range(total):
            screen = app.screen
            assert isinstance(screen, ActivityScreen)
            text = screen_text(app)
            assert f"Activity {index + 1} of {total}" in text
            view = screen.view
            assert view is not None and fully_visible(app, view)
            assert view.region.width >= 50 and view.region.height >= 14, view.region
            wall = screen.query_one("#wall")
            if session.wall_count(session.current_activity.id):
                assert fully_visible(app, wall) and wall.region.width >= 24
            else:  # an empty wall gives its width to the activity
                assert not wall.display and view.region.width >= size[0] - 2, view.region
            keys = footer_keys(app)
            activity = session.current_activity
            applies = {"r Reveal": activity.votable, "s Split": activity.votable, "t Timer": bool(activity.minutes)}
            for key in ("n Next", "p Previous", "o Agenda", "c Comment", "l Lobby", "m Moderate", "x Export", "q Quit"):
                assert key in keys, f"{key!r} missing from the footer at {size}"
            for key, shown in applies.items():
                assert (key in keys) == shown, f"{key!r} {'missing from' if shown else 'offered in'} the footer of {activity.id}"
            await pilot.press("n")
            await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_moderation_keeps_the_queue_and_the_selected_comment_in_view(tmp_path: Path, size: tuple[int, int]) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ModerationScreen)
        table = app.screen.query_one("#moderation-queue")
        assert fully_visible(app, table) and table.region.height >= 6
        assert fully_visible(app, app.screen.query_one("#moderation-detail-box"))
        assert "Staff feel we have come a long way in two years." in screen_text(app)
        keys = footer_keys(app)
        for key in ("a Approve", "h Hide", "p Pin", "u Unpin", "v Switch", "esc Back"):
            assert key in keys
