"""Text from participants and titles shows literally and can never act on the app.

Every string here arrives the way real input does (cleaned by the model on
arrival), then must appear verbatim in what the screen draws: no markup
applied, no variables expanded, no links or actions created, no escape codes
reaching the terminal.
"""

from __future__ import annotations

from pathlib import Path

from app_fixtures import make_app, make_config, new_session, open_queue, screen_text, squeeze, widget_text
from screens import ActivityScreen, LobbyScreen, ModerationScreen
from sessions import COMMENT_MAX, NAME_MAX, TITLE_MAX, CommentState, clean_line, clean_text

HOSTILE = [
    "[bold]not bold[/bold]",
    "[/]",
    "[  @click=app.quit]x[/]",
    "[@click=app.quit]press me[/]",
    "[@click=screen.dismiss]close[/]",
    "[$accent]accent[/]",
    "$accent and ${accent} and $text",
    "[link=https://example.com/steal]a link[/link]",
    "\x1b[2J\x1b[Hcleared the screen?",
    "\x1b]52;c;SGVsbG8gd29ybGQ=\x07clipboard write",
    "\x1b]8;;https://example.com\x1b\\hyperlink\x1b]8;;\x1b\\",
    "\u202eevil bidi override\u202c and \u2066isolate\u2069",
    "zero\u200bwidth\u200c\u200dand\ufeffBOM",
    "A" * 10_000,
    "😀" * 400,
    "e" + "\u0301" * 300 + " combining flood",
    "\\[escaped] [b]$title[/b]",
    "[red on white]colour[/] [reverse]r[/]",
]
IDS = [f"h{number:02d}" for number in range(len(HOSTILE))]
SIZE = (100, 30)


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


def shown_in(expected: str, widget) -> bool:
    """Whether `expected` appears verbatim in the widget's drawing (ignoring where lines wrap)."""
    return squeeze(expected) in squeeze(widget_text(widget))


async def test_hostile_titles_and_names_show_literally_in_the_lobby_and_header(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, hostile in zip(IDS, HOSTILE):
            session = new_session(config, title=hostile)
            title = clean_line(hostile, TITLE_MAX)
            assert session.title == title and title, key  # the model cleaned it on arrival
            name = clean_line(hostile, NAME_MAX)
            session.join(hostile, "service_user")
            await app.open_session(session, landing="lobby")
            await settle(pilot)
            assert isinstance(app.screen, LobbyScreen), key
            assert shown_in(title, app.screen.query_one("#lobby-title")), key
            assert shown_in(f"Latest to join: {name}", app.screen.query_one("#lobby-names")), key
            assert not shown_in("(service user)", app.screen.query_one("#lobby-names")), key
            bar_title = widget_text(app.screen.query_one("#bar-title")).strip()
            assert bar_title == title or title.startswith(bar_title.rstrip("…")), key
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ActivityScreen) and app.is_running, key
            assert app.return_code is None, key


async def test_hostile_comments_show_literally_in_moderation_and_on_the_wall(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, hostile in zip(IDS, HOSTILE):
            person, _ = session.join(hostile, "carer")
            comment = session.add_comment("welcome", hostile, participant_id=person.id, author=person.name)
            text = clean_text(hostile, COMMENT_MAX)
            author = clean_line(hostile, NAME_MAX)
            assert comment.text == text and comment.author == author, key
            await open_queue(pilot)
            await settle(pilot)
            assert isinstance(app.screen, ModerationScreen), key
            detail = app.screen.query_one("#moderation-detail")
            assert shown_in(text, detail) and shown_in(author, detail), key
            await pilot.press("p")  # pin it: onto the wall, first
            await settle(pilot)
            assert session.comments[comment.id].state is CommentState.PINNED, key
            await pilot.press("escape")
            await settle(pilot)
            wall = app.screen.query_one("#wall-body")
            assert shown_in(f"★ Pinned {author}", wall), (key, widget_text(wall))
            assert shown_in(text, wall), key
            await pilot.click("#wall-body")  # a click on the text must not run anything
            await settle(pilot)
            assert app.is_running and isinstance(app.screen, ActivityScreen), key
            assert app.return_code is None, key
            assert "\x1b" not in screen_text(app), key
            session.moderate(comment.id, CommentState.APPROVED)  # unpin, so the next one leads the wall
