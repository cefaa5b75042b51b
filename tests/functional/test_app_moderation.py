"""Moderation: nothing reaches the wall until the facilitator says so, and the count is always in sight."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from app_fixtures import fixed_session, make_app, make_config, new_session, open_queue, screen_text, show_hidden, squeeze, widget_text
from screens import ActivityScreen, ConfirmScreen, LobbyScreen, ModerationScreen
from screens._comment_wall import WALL_LIMIT
from screens._moderation_screen import HIDDEN_KEPT_OFF, HIDDEN_QUESTION, QUEUE_LIMIT
from sessions import CommentState

SIZE = (100, 30)


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


def wall_text(app) -> str:
    return squeeze(widget_text(app.screen.query_one("#wall-body")))


def queue_ids(app) -> list[str]:
    table = app.screen.query_one("#moderation-queue", DataTable)
    return [str(row.key.value) for row in table.ordered_rows]


async def test_the_wall_takes_room_only_when_it_has_comments(tmp_path: Path) -> None:
    """An empty wall gives its width to the activity, and comes back with its first comment."""
    config = make_config(tmp_path)
    session = fixed_session(config, current="indicators")  # one comment waiting, none approved
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        wall, slot = app.screen.query_one("#wall"), app.screen.query_one("#view-slot")
        assert not wall.display and slot.size.width == SIZE[0]
        assert "Comments" not in screen_text(app) and "moderation" not in screen_text(app).lower()
        waiting = next(comment for comment in session.pending_comments() if comment.activity_id == "indicators")
        session.moderate(waiting.id, CommentState.APPROVED)
        await settle(pilot)
        assert wall.display and slot.size.width < SIZE[0] - 20
        assert squeeze(waiting.text) in wall_text(app)
        await pilot.press("n")  # targets: nothing on its wall
        await settle(pilot)
        assert not wall.display and slot.size.width == SIZE[0]
        await pilot.press("p", "p")  # the grid has two on its wall
        await settle(pilot)
        assert wall.display


async def test_approve_hide_pin_and_unpin_from_the_keys(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    session.go_to(2)
    person, _ = session.join("Jo", "service_user")
    texts = ["First thought from the floor", "Second point about meetings", "Third idea for the ward", "Fourth remark"]
    for text in texts:
        session.add_comment("spectrum", text, participant_id=person.id, author="Jo")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#wall").display  # nothing on the wall: the activity has the width
        assert "moderation" not in screen_text(app).lower()
        assert "✉ 4 to review" in screen_text(app)
        await open_queue(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ModerationScreen)
        assert queue_ids(app) == ["1", "2", "3", "4"]
        assert "First thought from the floor" in screen_text(app)
        await pilot.press("a")  # approve #1
        await settle(pilot)
        assert session.comments["1"].state is CommentState.APPROVED
        assert queue_ids(app) == ["2", "3", "4"]
        await pilot.press("h")  # hide #2
        await pilot.press("p")  # pin #3
        await settle(pilot)
        assert session.comments["2"].state is CommentState.HIDDEN
        assert session.comments["3"].state is CommentState.PINNED
        assert queue_ids(app) == ["4"]
        assert "✉ 1 to review" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert app.screen.query_one("#wall").display  # the first approved comment brings the wall
        wall = wall_text(app)
        assert squeeze("Third idea for the ward") in wall and squeeze("First thought from the floor") in wall
        assert wall.index(squeeze("Third idea")) < wall.index(squeeze("First thought"))  # pinned first
        assert squeeze("★ Pinned") in wall
        assert squeeze("Second point") not in wall and squeeze("Fourth remark") not in wall

        # Later: hide one that is already on the wall, and unpin the pinned one.
        await open_queue(pilot)
        await settle(pilot)
        await pilot.press("v")  # the comments on the wall
        await settle(pilot)
        assert queue_ids(app) == ["3", "1"]  # pinned first, then newest
        await pilot.press("u")  # unpin #3
        await settle(pilot)
        assert session.comments["3"].state is CommentState.APPROVED
        await pilot.press("down", "h")  # hide #1
        await settle(pilot)
        assert session.comments["1"].state is CommentState.HIDDEN
        await show_hidden(pilot)  # hidden ones, to bring one back: asked about on their own
        await settle(pilot)
        assert set(queue_ids(app)) == {"1", "2"}
        await pilot.press("m")
        await settle(pilot)
        wall = wall_text(app)
        assert squeeze("Third idea") in wall and squeeze("★") not in wall
        assert squeeze("First thought") not in wall


async def test_the_hidden_list_asks_again_before_it_shows_on_the_projector(tmp_path: Path) -> None:
    """A "yes" to the queue is not a "yes" to the comments judged unfit for the room."""
    config = make_config(tmp_path)
    session = new_session(config)
    session.go_to(2)
    person = session.join("Jo")[0]
    unfit = session.add_comment("spectrum", "Words kept off the wall on purpose", participant_id=person.id, author="Jo")
    fine = session.add_comment("spectrum", "A fine point for the wall", participant_id=person.id, author="Jo")
    session.add_comment("spectrum", "Still waiting to be read", participant_id=person.id, author="Jo")
    session.moderate(unfit.id, CommentState.HIDDEN)
    session.moderate(fine.id, CommentState.APPROVED)
    app = make_app(config, session=session, landing="activity")

    def hidden_words_shown() -> bool:
        return squeeze("Words kept off the wall") in squeeze(screen_text(app))

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await settle(pilot)
        await pilot.press("v")  # the wall: already the room's
        await settle(pilot)
        assert isinstance(app.screen, ModerationScreen) and app.screen.view == "wall"
        for safe_no in ("enter", "escape", "n"):
            await pilot.press("v")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen), f"the hidden list opened without asking ({safe_no})"
            text = squeeze(screen_text(app).replace("█", ""))
            assert squeeze(HIDDEN_QUESTION) in text and squeeze("1 hidden.") in text
            assert not hidden_words_shown()
            await pilot.press(safe_no)
            await settle(pilot)
            queue = app.screen
            assert isinstance(queue, ModerationScreen) and queue.view == "waiting", safe_no
            assert squeeze(HIDDEN_KEPT_OFF) in squeeze(screen_text(app))
            assert not hidden_words_shown()
            await pilot.press("v")  # back to the wall, to ask again
            await settle(pilot)
        # Yes: the hidden list, this time only.
        await show_hidden(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ModerationScreen) and app.screen.view == "hidden"
        assert queue_ids(app) == [unfit.id] and hidden_words_shown()
        await pilot.press("v", "v")  # round again to the wall; the next v asks once more
        await settle(pilot)
        assert app.screen.view == "wall"
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)


async def test_unpin_on_a_comment_that_is_not_pinned_changes_nothing(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    session.add_comment("welcome", "Just a waiting comment")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert session.comments["1"].state is CommentState.PENDING
        assert "Only a pinned comment can be unpinned" in screen_text(app)


async def test_pending_badge_is_on_every_screen_and_follows_new_comments(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    for number in range(3):
        session.add_comment("welcome", f"Comment number {number}")
    app = make_app(config, session=session, landing="lobby")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        assert "✉ 3 to review" in screen_text(app)
        session.add_comment("welcome", "One more from a phone")
        await settle(pilot)
        assert "✉ 4 to review" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen) and "✉ 4 to review" in screen_text(app)
        await open_queue(pilot)
        await settle(pilot)
        assert "✉ 4 to review" in screen_text(app)
        await pilot.press("a", "a", "a", "a")
        await settle(pilot)
        assert "✉ none to review" in screen_text(app)
        assert "Nothing is waiting" in screen_text(app)


async def test_new_comments_from_phones_join_the_open_queue(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await settle(pilot)
        assert queue_ids(app) == []
        session.add_comment("welcome", "Arrived while the queue was open", author="Ken")
        await settle(pilot)
        assert queue_ids(app) == ["1"]
        assert "Arrived while the queue was open" in screen_text(app)


async def test_ten_thousand_comments_draw_a_bounded_wall_and_queue(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    session.set_hold_comments(False)
    for number in range(2_000):
        session.add_comment("welcome", f"Shown comment {number}")
    session.set_hold_comments(True)
    for number in range(8_000):
        session.add_comment("welcome", f"Waiting comment {number}")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        wall = app.screen.query_one("#wall")
        assert len(wall.shown) == WALL_LIMIT
        assert wall.shown[0].text == "Shown comment 1999"  # newest first
        assert squeeze("Comments (2,000) · newest 50") in squeeze(widget_text(app.screen.query_one("#wall-heading")))
        body = app.screen.query_one("#wall-body")
        assert squeeze("Shown comment 1999") in squeeze(widget_text(body))
        body.scroll_end(animate=False, immediate=True)  # far below what was wrapped at first
        await settle(pilot)
        assert squeeze("Shown comment 1950") in squeeze(widget_text(body))  # the oldest of the fifty, wrapped on the way
        assert all(line is not None for line in body._lines[body.scroll_offset.y :])
        assert "✉ 8,000 to review" in screen_text(app)
        await open_queue(pilot)
        await settle(pilot)
        assert len(queue_ids(app)) == QUEUE_LIMIT
        assert queue_ids(app)[0] == "2001"  # oldest waiting first
        assert f"Showing the first {QUEUE_LIMIT} of 8,000" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert len(queue_ids(app)) == QUEUE_LIMIT and "2001" not in queue_ids(app)
        assert "✉ 7,999 to review" in screen_text(app)


async def test_the_detail_says_what_a_comment_is_about(tmp_path: Path) -> None:
    """The table cuts the activity title short; the detail keeps the topic a phone chose."""
    config = make_config(tmp_path)
    session = new_session(config)
    spectrum = session.template.activity("spectrum")
    stage = spectrum.stages[1]
    session.add_comment("spectrum", "We ask but rarely report back", item=stage.id, author="Sam")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await settle(pilot)
        detail = squeeze(widget_text(app.screen.query_one("#moderation-detail")))
        assert squeeze(f"{spectrum.title} · about {stage.name}") in detail


async def test_flagged_comments_come_first_marked_with_the_safeguarding_reminder(tmp_path: Path) -> None:
    config = make_config(tmp_path).with_overrides(safeguarding_reminder="Tell Priya (safeguarding lead) today.")
    session = new_session(config)
    session.go_to(2)
    session.add_comment("spectrum", "More tea breaks please")
    session.add_comment("spectrum", "Another everyday point")
    flagged = session.add_comment("spectrum", "I have thought about ending it")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await settle(pilot)
        assert queue_ids(app) == [flagged.id, "1", "2"], "the possible disclosure is read first"
        text = screen_text(app)
        assert f"⚑{flagged.id}" in text
        assert squeeze("⚑ Flagged: suicide.") in squeeze(text)
        assert "Tell Priya (safeguarding lead) today." in text
        await pilot.press("f")
        await settle(pilot)
        assert session.comments[flagged.id].follow_up is True
        assert f"⚑↻{flagged.id}" in screen_text(app)
        assert session.comments[flagged.id].state is CommentState.PENDING, "follow up changes nothing the room sees"
        await pilot.press("down")
        await settle(pilot)
        assert "Tell Priya" not in screen_text(app), "the reminder shows only beside a flagged comment"
