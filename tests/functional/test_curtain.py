"""The curtain: `b` blanks the projector to the session title at once, and brings everything back."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_fixtures import fixed_session, make_app, make_config, new_session, open_queue, screen_text
from screens import ActivityScreen, ConfirmScreen, CurtainScreen, LobbyScreen, ModerationScreen
from tui._launch import LaunchRequest, prepare_launch

SIZE = (100, 30)


async def settle(pilot, times: int = 4) -> None:
    for _ in range(times):
        await pilot.pause()


def shown_lines(app) -> list[str]:
    return [line.strip() for line in screen_text(app).splitlines() if line.strip()]


async def open_palette_and_run(pilot, app, name: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*name)
    await settle(pilot, 6)
    await pilot.press("enter")
    await settle(pilot, 6)


@pytest.mark.parametrize("opened_with", ["", "l", "m"])
async def test_b_draws_the_curtain_over_every_projected_screen_and_b_lifts_it(tmp_path: Path, opened_with: str) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum", revealed=("spectrum",))
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if opened_with == "m":
            await open_queue(pilot)
            await settle(pilot)
        elif opened_with:
            await pilot.press(opened_with)
            await settle(pilot)
        underneath = type(app.screen)
        assert underneath is {"": ActivityScreen, "l": LobbyScreen, "m": ModerationScreen}[opened_with]
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, CurtainScreen)
        assert session.curtain is True and app.curtain is True
        assert shown_lines(app) == ["Ward 7 team day"], "the title and nothing else: no keys, no badge, no comments"
        await pilot.press("b")
        await settle(pilot)
        assert type(app.screen) is underneath and session.curtain is False
        text = screen_text(app)
        assert "✉ 3 to review" in text and "b Curtain" in text


async def test_nothing_else_happens_behind_the_curtain(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        for key in ("m", "l", "x", "q", "n", "r", "question_mark"):
            await pilot.press(key)
            await settle(pilot, 2)
        assert isinstance(app.screen, CurtainScreen)
        assert session.current_index == 2 and not session.is_revealed("spectrum")
        assert not list(app.config.export_dir.glob("*")) if app.config.export_dir.exists() else True
        # A phone's comment arrives and the app says something: still only the title.
        person, _ = session.join("", "staff")
        session.add_comment("spectrum", "[b]a comment[/b] nobody has read yet", participant_id=person.id)
        app.notify("Something the facilitator should know.", markup=False)
        await settle(pilot, 6)
        assert app.pending_count == 4
        assert shown_lines(app) == ["Ward 7 team day"]
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert "✉ 4 to review" in screen_text(app)


async def test_curtain_drawn_in_the_session_is_followed_by_the_projector(tmp_path: Path) -> None:
    """The console draws the curtain by changing the session; the app follows, over a modal too."""
    config = make_config(tmp_path)
    session = fixed_session(config, current="grid")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")  # a question is open when something goes wrong
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        session.set_curtain(True)
        await settle(pilot, 6)
        assert isinstance(app.screen, CurtainScreen)
        assert shown_lines(app) == ["Ward 7 team day"]
        session.set_curtain(False)
        await settle(pilot, 6)
        assert isinstance(app.screen, ConfirmScreen), "what was open comes back as it was"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)


async def test_palette_draws_and_lifts_the_curtain_and_offers_nothing_else_behind_it(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="welcome")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_palette_and_run(pilot, app, "Draw the curtain")
        assert isinstance(app.screen, CurtainScreen) and session.curtain
        await pilot.press("ctrl+p")
        await settle(pilot, 6)
        offered = " ".join(screen_text(app).split())
        assert "Lift the curtain" in offered
        for other in ("Export", "Moderation", "Keys", "Screenshot", "Theme"):
            assert other not in offered, other
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CurtainScreen)
        await open_palette_and_run(pilot, app, "Lift the curtain")
        assert isinstance(app.screen, ActivityScreen) and not session.curtain


async def test_the_title_is_shown_as_text_never_as_markup(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="[bold red]Ward 7[/] & $title")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert shown_lines(app) == ["[bold red]Ward 7[/] & $title"]


async def test_a_curtain_drawn_before_a_crash_is_still_drawn_after_resume(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="Ward 7 team day")
    session.set_curtain(True)
    session_id = session.id
    session.close()
    launch = prepare_launch(config, LaunchRequest(mode="resume", session=session_id))
    try:
        app = make_app(config, store=launch.store, session=launch.session, landing=launch.landing)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, 6)
            assert isinstance(app.screen, CurtainScreen)
            assert shown_lines(app) == ["Ward 7 team day"]
            await pilot.press("b")
            await settle(pilot)
            assert isinstance(app.screen, ActivityScreen)
    finally:
        launch.cleanup()
