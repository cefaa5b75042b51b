"""The projected app's side of the facilitator's console: pairing with `k`, signing out, and a queue that asks first."""

from __future__ import annotations

from pathlib import Path

from app_fixtures import FIXED_COMMENTS, FixedClock, fixed_session, make_app, make_config, open_queue, screen_text, squeeze
from screens import ActivityScreen, ConfirmScreen, ModerationScreen, PairingForm, code_problem
from tui._launch import LaunchRequest, prepare_launch

SIZE = (100, 30)
WAITING = [text for _, text, state, _ in FIXED_COMMENTS if state == "pending"]
EVERY_COMMENT = [text for _, text, _, _ in FIXED_COMMENTS]


async def settle(pilot, times: int = 4) -> None:
    for _ in range(times):
        await pilot.pause()


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def flat(app) -> str:
    return " ".join(screen_text(app).split())


def no_comment_text(app) -> bool:
    text = flat(app)
    return not any(" ".join(comment.split())[:30] in text for comment in EVERY_COMMENT if comment)


async def type_code(pilot, code: str) -> None:
    field = pilot.app.screen.query_one("#pair-code")
    field.value = ""
    await pilot.press(*code, "enter")
    await settle(pilot)


def test_code_problem_names_the_shape_of_a_code() -> None:
    assert code_problem("") == "Type the code your phone shows, or press Escape to cancel."
    assert "6 characters" in code_problem("ABC")
    assert "never I, L, O, 0 or 1" in code_problem("ABCDE1")
    assert code_problem("abc-de2") == "" and code_problem(" K7P Q2M ") == ""


async def test_k_pairs_the_phone_with_the_code_it_shows(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "k Pair phone" in screen_text(app)
        assert app.console_paired is False
        phone = session.consoles.start("phone")
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, PairingForm)
        assert "http://192.0.2.10:8765/console" in flat(app)
        await type_code(pilot, "AB1")
        assert isinstance(app.screen, PairingForm)
        assert "A pairing code is 6 characters" in flat(app)
        wrong = "ABCDEF" if phone.code != "ABCDEF" else "ABCDEG"
        await type_code(pilot, wrong)
        assert isinstance(app.screen, PairingForm), "a refused code keeps the form open to try again"
        assert any("That code is not waiting to be paired" in note for note in notes(app))
        app.screen.query_one("#pair-code").value = ""
        await pilot.press(*phone.code.lower())
        await settle(pilot)
        assert phone.code not in flat(app).upper().replace(" ", ""), "the code is hidden as it is typed"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert any(note.startswith("Paired.") for note in notes(app))
        assert session.consoles.claim(phone.secret) is not None  # the phone collects its console token
        await settle(pilot, 6)
        assert app.console_paired is True


async def test_an_expired_or_used_code_is_refused_plainly(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config)
    clock = FixedClock()
    session.consoles.clock = clock
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        old = session.consoles.start("phone")
        used = session.consoles.start("phone")
        assert session.consoles.pair(used.code)
        clock.advance(6 * 60)
        fresh = session.consoles.start("phone")
        await pilot.press("k")
        await settle(pilot)
        for code in (old.code, used.code):
            app.clear_notifications()
            await type_code(pilot, code)
            assert isinstance(app.screen, PairingForm)
            assert any("older than five minutes" in note for note in notes(app)), code
        await type_code(pilot, fresh.code)
        assert isinstance(app.screen, ActivityScreen)
        await pilot.press("k")
        await settle(pilot)
        await type_code(pilot, fresh.code)  # the same code twice: refused the second time
        assert isinstance(app.screen, PairingForm)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)


async def test_palette_pairs_and_signs_out_every_console(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config)
    app = make_app(config, session=session, landing="activity")

    async def palette(pilot, name: str) -> None:
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*name)
        await settle(pilot, 6)
        await pilot.press("enter")
        await settle(pilot, 6)

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        phone = session.consoles.start("phone")
        await palette(pilot, "Pair the facilitator's phone")
        assert isinstance(app.screen, PairingForm)
        await type_code(pilot, phone.code)
        token = session.consoles.claim(phone.secret)
        await settle(pilot, 6)
        assert app.console_paired and session.consoles.is_console(token)
        await palette(pilot, "Sign out every console")
        assert not session.consoles.is_console(token)
        assert app.console_paired is False
        assert any("Every console is signed out" in note for note in notes(app))


async def test_console_paired_follows_the_session(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        link = session.consoles.one_time_link()
        assert session.consoles.open_link(link)
        await settle(pilot, 6)
        assert app.console_paired is True
        session.consoles.sign_out_all()
        await settle(pilot, 6)
        assert app.console_paired is False


async def test_with_a_console_paired_the_queue_asks_before_showing_comments(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert session.consoles.open_link(session.consoles.one_time_link())
        await settle(pilot, 6)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        text = flat(app)
        assert "The room can see this screen. Show the queue here?" in text
        assert squeeze("✉ 3 to review. Your console is paired: moderate there instead.") in squeeze(text.replace("█", ""))
        below = app.screen_stack[-2]
        assert isinstance(below, ActivityScreen)
        assert "✉ 3 to review" in " ".join(below._compositor.render_strips()[0].text.split()), "the top line still counts what waits"
        assert no_comment_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen) and no_comment_text(app)
        assert any("stays on your console" in note for note in notes(app))
        app.clear_notifications()  # a toast over the queue would hide what the test reads
        # The badge opens the queue too, and asks the same question.
        await app.run_action("app.moderation")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ModerationScreen)
        assert " ".join(WAITING[0].split()) in flat(app)
        await pilot.press("v")  # once agreed, the other lists follow the facilitator's keys
        await settle(pilot)
        assert "▶ On the wall" in flat(app)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)


async def test_in_room_view_the_moderation_question_names_no_key(tmp_path: Path) -> None:
    """The room view keeps keys off the projector: the question says what to do, and ? keys says with which key."""
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("z")  # room view on
        await settle(pilot)
        assert app.room_view
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        text = squeeze(flat(app).replace("█", ""))
        assert squeeze("✉ 3 to review. To moderate where the room cannot see, pair your phone or a browser on an unprojected screen.") in text
        assert "(k)" not in text
        assert no_comment_text(app)


async def test_without_a_console_the_queue_still_asks_and_offers_pairing(tmp_path: Path) -> None:
    """The room was promised comments are read first: that holds without a phone paired too."""
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        text = squeeze(flat(app).replace("█", ""))
        assert squeeze("The room can see this screen. Show the queue here?") in text
        assert squeeze("✉ 3 to review. To moderate where the room cannot see, pair your phone or a browser on an unprojected screen (k).") in text
        assert no_comment_text(app)
        await pilot.press("enter")  # "Not here" has the focus: Enter is the safe answer
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen) and no_comment_text(app)
        assert any("Pair your phone (k)" in note for note in notes(app))
        app.clear_notifications()
        await open_queue(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ModerationScreen)
        assert " ".join(WAITING[0].split()) in flat(app)


async def test_a_queue_open_when_a_console_pairs_leaves_the_projector(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ModerationScreen)
        assert session.consoles.open_link(session.consoles.one_time_link())
        await settle(pilot, 8)
        assert isinstance(app.screen, ActivityScreen) and no_comment_text(app)
        assert any("the queue left the projector" in note for note in notes(app))


async def test_resume_signs_every_console_out(tmp_path: Path) -> None:
    """Consoles live in memory only: after a restart the queue opens as before, until a phone pairs again."""
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    assert session.consoles.open_link(session.consoles.one_time_link())
    session_id = session.id
    session.close()
    launch = prepare_launch(config, LaunchRequest(mode="resume", session=session_id))
    try:
        app = make_app(config, store=launch.store, session=launch.session, landing=launch.landing)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.console_paired is False
            await pilot.press("m")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            assert "Your console is paired" not in flat(app), "the question no longer claims a console"
            await pilot.press("y")
            await settle(pilot)
            assert isinstance(app.screen, ModerationScreen)
    finally:
        launch.cleanup()
