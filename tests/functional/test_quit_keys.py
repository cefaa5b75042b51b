"""Every way out asks the same question: `q`, `ctrl+q` and the palette's Quit (issue 16).

Textual's own ctrl+q and palette Quit leave at once; in a workshop that would
close the session without saying whether it was saved, so they go through `q`'s question.
"""

from __future__ import annotations

import asyncio
import errno
import os
import time
from pathlib import Path

import pytest

from app_fixtures import FakeServers, make_app, make_config, new_session, screen_text
from screens import ActivityScreen, ConfirmScreen, CurtainScreen, HomeScreen
from sessions import SPECTRUM_ITEM
from sessions import _disk as disk

SIZE = (100, 30)


async def settle(pilot, times: int = 4) -> None:
    for _ in range(times):
        await pilot.pause()


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def ask_to_quit(pilot, how: str) -> None:
    """Quit the way a facilitator would: a key, or the palette's Quit."""
    if how == "palette":
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Quit")
        await settle(pilot, 8)
        await pilot.press("enter")
    else:
        await pilot.press(how)
    await until(lambda: isinstance(pilot.app.screen, ConfirmScreen))
    await settle(pilot)


def question(app) -> str:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen), f"expected the question, got {type(screen).__name__}"
    return f"{screen.question} {screen.detail}"


@pytest.mark.parametrize("how", ["q", "ctrl+q", "palette"])
async def test_every_way_out_asks_first_no_stays_and_yes_quits(tmp_path: Path, how: str) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    servers = FakeServers()
    app = make_app(config, session=session, landing="activity", servers=servers)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask_to_quit(pilot, how)
        assert question(app) == "Quit Involve? Everything is saved. Reopen it later with: involve resume"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert app.is_running and app.session is session and not servers.made[0].stopped
        await ask_to_quit(pilot, how)
        await pilot.press("y")
        await until(lambda: not app.is_running)
    assert app.return_code == 0
    assert servers.made[0].stopped and app.session is None


@pytest.mark.parametrize("how", ["ctrl+q", "palette"])
async def test_while_saves_fail_ctrl_q_and_the_palette_offer_to_keep_trying_as_q_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    spectrum = next(a.id for a in session.template.activities if a.kind == "spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def no_space(*_args: object) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(disk, "_write", no_space)
        session.set_tally(spectrum, SPECTRUM_ITEM, 2, 9)
        await until(lambda: session.storage_failure is not None)
        await ask_to_quit(pilot, how)
        text = question(app)
        assert "Everything is saved" not in text
        assert text.startswith("Some changes are not saved yet") and "quitting now loses them" in text
        await pilot.press("n")  # keep trying
        await settle(pilot)
        assert app.is_running and app.session is session
        monkeypatch.setattr(disk, "_write", os.write)
        await until(lambda: session.storage_failure is None and session.unsaved == 0)
        await ask_to_quit(pilot, how)
        assert "Everything is saved" in question(app)
        await pilot.press("y")
        await until(lambda: not app.is_running)
    assert app.return_code == 0 and app.unsaved_at_exit == ""


async def test_a_second_quit_key_does_not_stack_a_second_question(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    app = make_app(config, session=new_session(config), landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask_to_quit(pilot, "ctrl+q")
        depth = len(app.screen_stack)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert len(app.screen_stack) == depth and isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen) and app.is_running


async def test_ctrl_q_behind_the_curtain_asks_and_no_keeps_the_curtain(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, CurtainScreen)
        await ask_to_quit(pilot, "ctrl+q")
        assert question(app).startswith("Quit Involve?")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CurtainScreen) and session.curtain and app.is_running


async def test_ctrl_q_on_the_start_screen_asks_too(tmp_path: Path) -> None:
    app = make_app(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await ask_to_quit(pilot, "ctrl+q")
        assert question(app) == "Quit Involve? "
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.is_running
        await ask_to_quit(pilot, "ctrl+q")
        await pilot.press("y")
        await until(lambda: not app.is_running)
    assert app.return_code == 0


async def test_a_rehearsal_says_nothing_is_kept_instead_of_offering_to_resume(tmp_path: Path) -> None:
    """`involve demo` throws its scratch folder away, so its question must not promise `involve resume`."""
    config = make_config(tmp_path)
    app = make_app(config, session=new_session(config), landing="activity", demo_speed=1000.0, demo_seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await ask_to_quit(pilot, "q")
        assert question(app) == "Quit Involve? This was a rehearsal: nothing in it is kept."
        await pilot.press("y")
        await until(lambda: not app.is_running)


async def test_the_palettes_quit_says_that_it_asks_first(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        helps = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert helps["Quit"] == "Leave Involve: it asks first, and says whether everything is saved (q)"
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Quit")
        await settle(pilot, 8)
        text = screen_text(app)
        assert "it asks first" in text and "as soon as possible" not in text, text
