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
