"""The room view (issue 16): the projector without the facilitator's keys, one quiet `? keys` left.

Off until a facilitator's console is paired (the keys move to the phone), then
on; `z` or the palette turns it either way; INVOLVE_ROOM_VIEW=on/off overrides
the default.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from app_fixtures import fixed_session, make_app, make_config, open_queue, review_pair, screen_text
from screens import ActivityScreen, HomeScreen, KeyFooter, LobbyScreen, ModerationScreen, ReviewScreen
from screens._activity_view import Canvas

SIZE = (100, 30)
FACILITATOR_KEYS = ("n Next", "r Reveal", "m Moderate", "x Export", "q Quit", "z Room view")


async def settle(pilot, times: int = 4) -> None:
    for _ in range(times):
        await pilot.pause()


def last_line(app) -> str:
    return screen_text(app).splitlines()[-1].strip()


def shown_keys(app) -> list[str]:
    """The footer keys the screen draws, as 'key description'."""
    footer = app.screen.query_one(KeyFooter)
    return [f"{key.key_display} {key.description}".strip() for key in footer.query(FooterKey) if key.display and key.region.area]


def assert_room_view(app) -> None:
    text = screen_text(app)
    for key in FACILITATOR_KEYS:
        assert key not in text, f"{key!r} is still on the room's screen"
    assert last_line(app) == "? keys"
    assert shown_keys(app) == ["? keys"]


def assert_facilitator_view(app) -> None:
    text = screen_text(app)
    for key in FACILITATOR_KEYS:
        assert key in text, f"{key!r} missing from the footer"
    assert "? keys" not in shown_keys(app)


async def palette(pilot, name: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*name)
    await settle(pilot, 6)
    await pilot.press("enter")
    await settle(pilot, 6)


async def test_off_by_default_without_a_console_and_z_turns_it_either_way(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.room_view is False and not app.has_class("-room-view")
        assert_facilitator_view(app)
        await pilot.press("z")
        await settle(pilot)
        assert app.room_view is True
        assert_room_view(app)
        text = screen_text(app)
        assert "Ward 7 team day" in text and "Activity 3 of 6" in text, "the room still sees where it is"
        await pilot.press("z")
        await settle(pilot)
        assert app.room_view is False
        assert_facilitator_view(app)


async def test_question_mark_shows_every_key_in_the_room_view(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.query("HelpPanel")
        assert "Reveal" in screen_text(app), "the keys panel lists the keys the footer hid"
        listed = {key: binding.description for key, (_, binding, enabled, _) in app.screen.active_bindings.items() if enabled}
        assert listed.get("z") == "Room view", "and z, to bring the footer back"
        await pilot.press("question_mark")
        await settle(pilot)
        assert not app.screen.query("HelpPanel")
        assert_room_view(app)


async def test_the_palette_turns_it_on_and_off(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="grid")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "Room view: hide the keys")
        assert app.room_view is True and isinstance(app.screen, ActivityScreen)
        assert_room_view(app)
        await palette(pilot, "Show the keys on the projector")
        assert app.room_view is False
        assert_facilitator_view(app)


async def test_it_turns_on_when_a_console_pairs_and_off_when_it_signs_out(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        phone = session.consoles.start("phone")
        await pilot.press("k")
        await settle(pilot)
        await pilot.press(*phone.code, "enter")
        await settle(pilot)
        assert any("room's view" in str(note.message) for note in app._notifications), "pairing says the keys will hide"
        assert app.room_view is False, "not before the phone has its console"
        assert session.consoles.claim(phone.secret) is not None
        await settle(pilot, 6)
        assert app.console_paired and app.room_view is True
        app.clear_notifications()
        await settle(pilot)
        assert_room_view(app)
        # The facilitator may still want the keys: z brings them back while the console stays paired.
        await pilot.press("z")
        await settle(pilot)
        assert app.room_view is False and app.console_paired
        await pilot.press("z")
        await settle(pilot)
        session.consoles.sign_out_all()
        await settle(pilot, 6)
        assert app.console_paired is False and app.room_view is False
        app.clear_notifications()
        await settle(pilot)
        assert_facilitator_view(app)


@pytest.mark.parametrize("overlay", ["l", "m"])
async def test_the_lobby_and_the_queue_follow_the_room_view(tmp_path: Path, overlay: str) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        if overlay == "m":
            await open_queue(pilot)  # asked first, then shown
        else:
            await pilot.press(overlay)
        await settle(pilot)
        assert isinstance(app.screen, {"l": LobbyScreen, "m": ModerationScreen}[overlay])
        assert shown_keys(app) == ["? keys"]
        assert last_line(app) == "? keys"


async def test_setting_off_keeps_the_keys_when_a_console_pairs(tmp_path: Path) -> None:
    config = make_config(tmp_path, room_view="off")
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert session.consoles.open_link(session.consoles.one_time_link())
        await settle(pilot, 6)
        assert app.console_paired and app.room_view is False
        assert_facilitator_view(app)
        await pilot.press("z")  # asked for, it still comes
        await settle(pilot)
        assert_room_view(app)


async def test_setting_on_starts_in_the_room_view_and_the_start_screen_keeps_its_keys(tmp_path: Path) -> None:
    config = make_config(tmp_path, room_view="on")
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.room_view is True and not app.console_paired
        assert_room_view(app)
        await app.run_action("app.request_close")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot, 6)
        assert isinstance(app.screen, HomeScreen)
        assert app.room_view is False and not app.has_class("-room-view")
        assert "? keys" not in shown_keys(app)
        await pilot.press("z")  # no session, no room view
        await settle(pilot)
        assert app.room_view is False


@pytest.mark.parametrize("size, room_view_key", [((80, 24), False), ((100, 30), True)], ids=["80x24", "100x30"])
async def test_a_full_footer_gives_up_the_room_view_key_first_never_another(tmp_path: Path, size: tuple[int, int], room_view_key: bool) -> None:
    """The spectrum with a timer has the most keys; at 80 columns four rows hold all but z, which `?` and the palette still offer."""
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    assert session.current_activity.minutes
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        keys = shown_keys(app)
        footer = app.screen.query_one(KeyFooter)
        assert footer.region.height <= 4 and footer.region.bottom == size[1]
        for key in ("0-9 Count", "g Hands group", "d Practices", "n Next", "t Timer", "k Pair phone", "q Quit", "? All keys", "^p palette"):
            assert key in keys and key in screen_text(app), f"{key!r} cut from the footer at {size}"
        assert ("z Room view" in keys) is room_view_key
        await pilot.press("3")  # typing a count adds Enter and Esc: the pairing key gives way too, no other
        await settle(pilot)
        keys = shown_keys(app)
        for key in ("⏎ Set count", "esc Cancel", "0-9 Count", "b Curtain", "q Quit", "? All keys", "^p palette"):
            assert key in keys, f"{key!r} cut from the footer at {size} while a count is typed"
        assert ("k Pair phone" in keys) is room_view_key
        assert footer.region.height <= 4 and footer.region.bottom == size[1]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert_room_view(app)


async def test_the_footer_counts_only_the_keys_it_draws(tmp_path: Path) -> None:
    """The lobby sizes its code by the footer's rows: the hidden `? keys`, and in the room view every hidden key, take none."""
    config = make_config(tmp_path)
    session = fixed_session(config)
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        footer = app.screen.query_one(KeyFooter)
        assert footer.rows_with(0) == footer.outer_size.height
        await pilot.press("z")
        await settle(pilot)
        assert footer.outer_size.height == 1 and footer.rows_with(0) == 1


async def test_the_footer_is_rebuilt_only_when_its_keys_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual's Footer rebuilds every key whenever a binding might have changed; ours only when what it draws did."""
    rebuilt: list[KeyFooter] = []
    real = KeyFooter.recompose

    async def counted(self: KeyFooter) -> None:
        rebuilt.append(self)
        await real(self)

    monkeypatch.setattr(KeyFooter, "recompose", counted)
    config = make_config(tmp_path)
    app = make_app(config, session=fixed_session(config), landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, 8)
        rebuilt.clear()
        for _ in range(3):  # a hand count moves, bindings are refreshed, the keys stay the same
            await pilot.press("down")
            await settle(pilot)
            app.refresh_bindings()
            await settle(pilot)
        assert rebuilt == [], f"rebuilt {len(rebuilt)} times with nothing new to draw"
        assert "Hide notice" not in " ".join(shown_keys(app))
        app.damage_notice = "One damaged line was left out."  # a key that was not there appears
        await settle(pilot, 6)
        assert len(rebuilt) == 1
        assert "w Hide notice" in shown_keys(app)
        app.damage_notice = ""
        await settle(pilot, 6)
        assert "w Hide notice" not in shown_keys(app)


async def test_pairing_on_the_lobby_hides_the_keys_on_the_activity_beneath_too(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        phone = session.consoles.start("phone")
        await pilot.press("k")
        await settle(pilot)
        await pilot.press(*phone.code, "enter")
        await settle(pilot)
        assert session.consoles.claim(phone.secret) is not None
        await settle(pilot, 10)
        app.clear_notifications()
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen) and app.room_view is True
        assert last_line(app) == "? keys"
        await pilot.press("n")
        await settle(pilot, 8)
        assert isinstance(app.screen, ActivityScreen)
        assert_room_view(app)


@pytest.mark.parametrize("start_on", ["off", "on"])
async def test_z_on_the_lobby_reaches_the_activity_beneath_either_way(tmp_path: Path, start_on: str) -> None:
    config = make_config(tmp_path, room_view=start_on)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        await pilot.press("z")
        await settle(pilot)
        app.clear_notifications()
        assert app.room_view is (start_on == "off")
        await pilot.press("escape")
        await settle(pilot, 8)
        assert isinstance(app.screen, ActivityScreen)
        if app.room_view:
            assert_room_view(app)
        else:
            assert_facilitator_view(app)


HANDS_HINT = "No phone? Choose the row; + counts a person in, - takes one out."
HEAD_COUNT_HINT = "Head count: people in the room (c, then Enter)"


def squeezed(app) -> str:
    return " ".join(screen_text(app).split())


async def test_the_lobby_keeps_its_counting_hints_off_the_room_view(tmp_path: Path) -> None:
    """How to count people in is the facilitator's: shown with the keys, hidden in the room view until c asks for the field."""
    config = make_config(tmp_path)
    session = fixed_session(config)
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        lobby = app.screen
        assert isinstance(lobby, LobbyScreen)
        hint, field = lobby.query_one("#lobby-hands-hint"), lobby.query_one("#lobby-head-count")
        assert hint.display and field.display and HANDS_HINT in squeezed(app) and HEAD_COUNT_HINT in squeezed(app)
        await pilot.press("z")
        await settle(pilot)
        assert not hint.display and not field.display
        assert HANDS_HINT not in squeezed(app) and HEAD_COUNT_HINT not in squeezed(app)
        await pilot.press("c")  # the facilitator asks for the field: it shows while it is typed in
        await settle(pilot)
        assert field.display and app.focused is field
        await pilot.press("1", "2", "enter")
        await settle(pilot)
        assert session.head_count == 12
        assert not field.display and HEAD_COUNT_HINT not in squeezed(app)
        assert "Head count: 12." in squeezed(app)
        await pilot.press("z")  # the keys back: the hints come back with them
        await settle(pilot)
        assert hint.display and field.display and HANDS_HINT in squeezed(app)


OUTCOME_HINT = "Press 1 to 9 to record how a target went, or o for the next one not reviewed yet."


async def test_the_progress_review_follows_the_room_view(tmp_path: Path) -> None:
    """The review is projected too: its keys go to `? keys` and its line on recording outcomes leaves with them."""
    config = make_config(tmp_path)
    baseline, session = review_pair(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(baseline, session))
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)

        def body() -> str:
            canvas = review.query_one("#review-body", Canvas)
            return " ".join(canvas.drawing(canvas.size.width).plain.split())

        assert "esc Back" in shown_keys(app) and "? keys" not in shown_keys(app)
        assert OUTCOME_HINT in body()
        await pilot.press("z")
        await settle(pilot)
        assert app.room_view is True
        assert shown_keys(app) == ["? keys"] and last_line(app) == "? keys"
        assert "esc Back" not in screen_text(app) and "o Outcome" not in screen_text(app)
        assert OUTCOME_HINT not in body() and "Press 1 to 9" not in body()
        assert "Targets agreed on 12 March 2026: how did they go? (1 of 2 reviewed)" in body(), "the room still sees the targets"
        await pilot.press("2")  # the keys still work, unnamed
        await settle(pilot)
        assert type(app.screen).__name__ == "OutcomeForm"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert "esc Back" in shown_keys(app) and OUTCOME_HINT in body()
    baseline.close()
