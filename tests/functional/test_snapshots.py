"""Pictures of the projected screens, with every detail fixed (data, join address, clock).

Regenerate after an intended change with `pytest tests/functional/test_snapshots.py
--snapshot-update`, then look at the report before committing the new SVGs.
"""

from __future__ import annotations

from pathlib import Path

from app_fixtures import REAL_URL, FakeServers, fixed_session, make_app, make_config, open_queue

SIZE = (100, 30)


async def settle(pilot) -> None:
    for _ in range(6):
        await pilot.pause()


def test_lobby(snap_compare, tmp_path: Path) -> None:
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby")
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_lobby_at_80x24_with_a_real_length_join_address(snap_compare, tmp_path: Path) -> None:
    """The smallest projector size with a real join token (a 33-module code): the code whole beside who is here, above the key footer."""
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="lobby", servers=FakeServers(url=REAL_URL))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_lobby_joining_closed(snap_compare, tmp_path: Path) -> None:
    """Joining closed: the words beside the code say so instead of inviting anyone to scan it and join."""
    config = make_config(tmp_path)
    session = fixed_session(config)
    session.set_joining_open(False)
    app = make_app(config, session=session, landing="lobby")
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_spectrum_revealed_with_votes(snap_compare, tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum", revealed=("spectrum",))
    app = make_app(config, session=session, landing="activity")
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_grid_revealed(snap_compare, tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="grid", revealed=("grid",))
    app = make_app(config, session=session, landing="activity")
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_moderation_queue(snap_compare, tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")

    async def open_queue_settled(pilot) -> None:
        await settle(pilot)
        await open_queue(pilot)
        await settle(pilot)

    app = make_app(config, session=session, landing="activity")
    assert snap_compare(app, terminal_size=SIZE, run_before=open_queue_settled)


def test_curtain(snap_compare, tmp_path: Path) -> None:
    """Drawn over the spectrum with results and waiting comments: only the title shows."""
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum", revealed=("spectrum",))

    async def draw_curtain(pilot) -> None:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)

    app = make_app(config, session=session, landing="activity")
    assert snap_compare(app, terminal_size=SIZE, run_before=draw_curtain)
