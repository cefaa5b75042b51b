"""Keys at machine speed never close the app: a redraw scheduled for a view that has gone is dropped."""

from __future__ import annotations

from pathlib import Path

from textual import events

from app_fixtures import make_app, make_config, new_session
from screens import ActivityScreen

SIZE = (100, 30)

# d, arrows and hand counts each schedule a redraw; n and p straight after remove the view it was for.
BURSTS = (
    ("d", "n"),
    ("d", "p"),
    ("down", "n"),
    ("right", "p"),
    ("up", "n"),
    ("left", "p"),
    ("1", "enter", "n"),
    ("2", "enter", "p"),
    ("d", "down", "3", "enter", "n"),
)


def key_event(key: str) -> events.Key:
    return events.Key(key, key if len(key) == 1 else None)


async def test_activity_changes_straight_after_reveal_arrows_and_counts_keep_the_app_running(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="Key storm")
    count = len(session.template.activities)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for step in ("n", "p"):  # every activity kind, forwards then back
            for _ in range(count):
                for burst in BURSTS:
                    for key in burst:
                        app.post_message(key_event(key))  # no wait between keys: machine speed
                    await pilot.pause()
                app.post_message(key_event(step))
                await pilot.pause()
            if step == "n":  # each round moves on by two, so the keys have reached the last activity
                assert app.session is not None and app.session.current_index == count - 1
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, ActivityScreen)
    assert app.return_code in (None, 0), f"app closed with {app.return_code}"


async def test_pressing_next_again_and_again_on_the_last_activity_shows_one_toast(tmp_path: Path) -> None:
    """Eight quick toasts overflow Textual's toast rack, and expired ones then stay drawn (seen in tmux)."""
    from textual.widgets._toast import Toast

    config = make_config(tmp_path)
    session = new_session(config, title="Key storm")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert app.session is not None
        app.session.go_to(len(app.session.template.activities) - 1)
        await pilot.pause()
        for _ in range(8):
            await pilot.press("n")
        await pilot.pause(0.3)
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 1, [str(toast.render()) for toast in toasts]
        for key in ("r", "s", "t", "o"):  # other messages still show, never more than three at once
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause(0.3)
        assert 1 <= len(app.screen.query(Toast)) <= 3
