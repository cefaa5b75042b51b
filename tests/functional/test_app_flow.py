"""A facilitator's run through a session, driven from the keyboard with Pilot."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.widgets import OptionList

from app_fixtures import FakeServers, FixedClock, fixed_session, make_app, make_config, new_session, screen_text, squeeze, store_for, widget_text
from screens import ActivityScreen, ActivityView, AgendaScreen, CommentForm, ConfirmScreen, HomeScreen, LobbyScreen
from sessions import FLAGGED_HINT, FLAGGED_NOT_ON_WALL, SPECTRUM_ITEM, CommentState
from tui._launch import LaunchRequest, prepare_launch
from tui._messages import SessionOpened
from tui._reporter import Reporter

SIZE = (100, 30)


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


def activity_screen(app) -> ActivityScreen:
    screen = app.screen
    assert isinstance(screen, ActivityScreen), f"expected the activity screen, got {type(screen).__name__}"
    return screen


async def test_starting_a_session_from_home_opens_the_lobby_with_the_phone_page_running(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    servers = FakeServers()
    app = make_app(config, servers=servers)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "No sessions yet" in screen_text(app)
        listing = app.screen.query_one("#home-templates", OptionList)
        names = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        for _ in range(names.index("where-are-we")):
            await pilot.press("down")
        await pilot.press("enter")  # choose it; focus moves to the title
        await pilot.press(*"Ward 7 review", "enter")
        await pilot.press(*"Sam", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        text = screen_text(app)
        assert "Ward 7 review" in text
        assert "http://192.0.2.10:8765/j/FIXEDTOKEN" in text
        assert app.session is not None and app.session.meta["facilitator"] == "Sam"
        assert app.session.template.name == "where-are-we"
        assert len(servers.made) == 1 and servers.made[0].started
        assert servers.made[0].host == "127.0.0.1" and servers.made[0].port == 0
        opened = {id(m): m for m in seen if isinstance(m, SessionOpened)}.values()
        assert [m.session_id for m in opened] == [app.session.id]
    assert servers.made[0].stopped
    assert [info.title for info in store_for(config).list()] == ["Ward 7 review"]


async def test_start_without_a_template_says_what_to_do(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    app = make_app(config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.screen.query_one("#home-templates", OptionList).highlighted = None
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Choose a template first" in screen_text(app)
    assert store_for(config).list() == []


async def test_n_and_p_move_through_every_activity_and_the_phones_follow(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="Moving along")
    activities = session.template.activities
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for index, activity in enumerate(activities):
            screen = activity_screen(app)
            assert session.current_index == index
            assert f"Activity {index + 1} of {len(activities)}: {activity.title}" in screen_text(app)
            view = screen.view
            assert isinstance(view, ActivityView) and view.activity.id == activity.id
            await pilot.press("n")
            await settle(pilot)
        assert session.current_index == len(activities) - 1  # "n" on the last one stays put
        await pilot.press("p", "p")
        await settle(pilot)
        assert session.current_index == len(activities) - 3
        assert activity_screen(app).view.activity.id == activities[-3].id


async def test_keyboard_tallies_are_recorded_through_the_view(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    session.go_to(2)  # the spectrum
    app = make_app(config, session=session, landing="activity")
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        view = activity_screen(app).view
        assert view.activity.kind == "spectrum"
        choice = view.choice()
        assert choice is not None
        await pilot.press("plus", "plus")
        await pilot.press("1", "2", "enter")
        await settle(pilot)
        assert session.tally_count("spectrum", SPECTRUM_ITEM, choice.value) == 12
        # A message is seen once per widget it bubbles through; count each one once.
        recorded = list({id(m): m for m in seen if isinstance(m, ActivityView.TallyRecorded)}.values())
        assert [m.count for m in recorded] == [1, 2, 12]
        # Move to the grid and count hands there too.
        await pilot.press("n")
        await settle(pilot)
        grid_view = activity_screen(app).view
        assert grid_view.activity.kind == "grid"
        grid_choice = grid_view.choice()
        await pilot.press("plus")
        await settle(pilot)
        assert session.tally_count("grid", grid_choice.item, grid_choice.value) == 1


async def test_results_stay_hidden_until_r_and_the_choice_is_kept_in_the_session(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = activity_screen(app).view
        assert view.revealed is False
        text = screen_text(app)
        assert "◌ results hidden" in text
        assert "median" not in text
        await pilot.press("r")
        await settle(pilot)
        assert session.is_revealed("spectrum")
        assert activity_screen(app).view.revealed is True
        text = screen_text(app)
        assert "◉ results shown" in text and "median" in text
        await pilot.press("n")
        await settle(pilot)
        assert activity_screen(app).view.revealed is False  # the grid is not revealed yet
        await pilot.press("p")
        await settle(pilot)
        assert activity_screen(app).view.revealed is True  # the spectrum remembers
        await pilot.press("r")
        await settle(pilot)
        assert not session.is_revealed("spectrum") and activity_screen(app).view.revealed is False


async def test_show_results_setting_reveals_without_a_key(tmp_path: Path) -> None:
    config = make_config(tmp_path, show_results=True)
    session = fixed_session(config, current="grid")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert activity_screen(app).view.revealed is True
        await pilot.press("r")
        await settle(pilot)
        assert activity_screen(app).view.revealed is True
        assert not session.is_revealed("grid")


async def test_split_key_splits_this_activity_only_and_the_session_keeps_the_choice(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="spectrum", revealed=("spectrum", "grid"))
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert activity_screen(app).view.split is False
        await pilot.press("s")
        await settle(pilot)
        assert activity_screen(app).view.split is True and activity_screen(app).view.showing_split
        assert session.is_split("spectrum") and not session.is_split("grid")
        assert "· split by role" in screen_text(app)
        await pilot.press("n")  # the split does not leak onto the next activity
        await settle(pilot)
        assert activity_screen(app).view.activity.id == "grid"
        assert activity_screen(app).view.split is False
        assert "split by role" not in screen_text(app)
        await pilot.press("p")  # and is still there on coming back
        await settle(pilot)
        assert activity_screen(app).view.split is True
        await pilot.press("s")
        await settle(pilot)
        assert activity_screen(app).view.split is False and not session.is_split("spectrum")


async def test_agenda_jumps_to_any_activity(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, AgendaScreen)
        text = screen_text(app)
        for number, activity in enumerate(session.template.activities, start=1):
            assert f"{number}. {activity.title}" in text
        await pilot.press("down", "down", "down", "down", "enter")
        await settle(pilot)
        assert session.current_index == 4
        assert activity_screen(app).view.activity.id == session.template.activities[4].id
        await pilot.press("o", "escape")
        await settle(pilot)
        assert session.current_index == 4


async def test_facilitator_comment_goes_straight_to_the_wall(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    session.go_to(3)  # grid, so the comment can be about one area
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CommentForm)
        await pilot.press("enter")  # empty: refused with a message
        await settle(pilot)
        assert isinstance(app.screen, CommentForm) and "Type the comment first" in screen_text(app)
        await pilot.press(*"Someone said the ward meeting is run by staff")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        [comment] = session.comments.values()
        assert comment.from_facilitator and comment.state is CommentState.APPROVED
        assert comment.activity_id == "grid"
        wall = squeeze(widget_text(app.screen.query_one("#wall-body")))
        assert squeeze("Facilitator Someone said the ward meeting is run by staff") in wall


async def test_a_facilitator_comment_that_may_be_a_disclosure_waits_in_the_queue_flagged(tmp_path: Path) -> None:
    """The facilitator types what someone told them: it is flagged like anyone's, kept off the wall, and they are told."""
    config = make_config(tmp_path)
    session = new_session(config)
    session.set_hold_comments(False)  # even with comments not held
    session.go_to(3)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert squeeze(FLAGGED_HINT) in squeeze(widget_text(app.screen.query_one("#form-hint")))
        await pilot.press(*"Robin told me: I want to end my life")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        [comment] = session.comments.values()
        assert comment.from_facilitator and comment.flags and comment.state is CommentState.PENDING
        assert "end my life" not in widget_text(app.screen.query_one("#wall-body"))
        notes = [str(n.message) for n in app._notifications]
        assert FLAGGED_NOT_ON_WALL in notes and "Comment added to the wall." not in notes


async def test_timer_counts_down_pauses_and_shows_overtime_in_words(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    clock = FixedClock()
    session = new_session(config, timer_clock=clock)  # welcome: 10 minutes
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "10:00 left · paused" in screen_text(app)
        await pilot.press("t")
        assert session.timer_running("welcome")
        clock.advance(65)
        activity_screen(app)._show_timer()
        await settle(pilot)
        assert "◷ 08:55 left" in screen_text(app)
        await pilot.press("t")
        assert not session.timer_running("welcome") and session.timer_elapsed("welcome") == 65
        clock.advance(500)  # paused: time does not count
        await settle(pilot)
        assert "◷ 08:55 left · paused" in screen_text(app)
        await pilot.press("t")
        clock.advance(600)
        activity_screen(app)._show_timer()
        await settle(pilot)
        assert "01:05 over time" in screen_text(app)
        assert activity_screen(app).query_one("#activity-timer").has_class("-over")
        await pilot.press("n")  # each activity keeps its own clock
        await settle(pilot)
        assert "05:00 left · paused" in screen_text(app)
        assert session.timer_running("welcome"), "moving on does not stop the last activity's clock"


async def test_split_and_timer_changed_on_the_session_show_on_the_projector(tmp_path: Path) -> None:
    """The console changes the session, not the screen: the screen follows."""
    config = make_config(tmp_path)
    clock = FixedClock()
    session = fixed_session(config, current="spectrum", revealed=("spectrum",), timer_clock=clock)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        minutes = session.current_activity.minutes
        assert minutes and f"{minutes:02d}:00 left · paused" in screen_text(app)
        assert "split by role" not in screen_text(app)
        session.set_split("spectrum", True)
        session.start_timer("spectrum")
        clock.advance(30)
        await settle(pilot, 5)
        screen = activity_screen(app)
        assert screen.split is True and screen.view.showing_split
        text = screen_text(app)
        assert "· split by role" in text
        assert f"{minutes - 1:02d}:30 left" in text and "paused" not in text
        assert screen.query_one("#activity-timer").has_class("-running")
        session.set_split("spectrum", False)
        session.pause_timer("spectrum")
        await settle(pilot, 5)
        assert screen.view.split is False
        assert f"{minutes - 1:02d}:30 left · paused" in screen_text(app)


async def test_export_key_writes_the_record_in_every_format(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = fixed_session(config, current="grid")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        written = {path.suffix for path in config.export_dir.iterdir()}
        assert written == {".csv", ".html", ".json", ".md"}
        assert "Record written to" in screen_text(app)
    markdown = next(config.export_dir.glob("*.md")).read_text(encoding="utf-8")
    assert "Ward 7 team day" in markdown


async def test_quitting_exits_with_the_status_the_reporter_asks_for(tmp_path: Path) -> None:
    """A headless run's reporter may have met a problem the screen never showed: the exit status says so."""

    class ProblemReported(Reporter):
        status = 2

    config = make_config(tmp_path)
    app = make_app(config, session=new_session(config), landing="activity", reporter=ProblemReported())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q", "y")
        await settle(pilot)
    assert Reporter.status == 0
    assert app.return_code == 1


async def test_quit_asks_first_then_closes_the_session_and_the_phone_page(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    servers = FakeServers()
    app = make_app(config, session=session, landing="activity", servers=servers)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen) and app.is_running
        await pilot.press("q", "y")
        await settle(pilot)
    assert app.return_code == 0
    assert servers.made[0].stopped
    assert app.session is None
    # Closed for real: the session can be opened again (its lock is free).
    store_for(config).open(session.id).close()


async def test_a_closed_session_resumes_where_it_was(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="Before the break")
    session_id = session.id
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", "n", "n")  # to the grid
        await settle(pilot)
        await pilot.press("plus", "plus", "plus")
        await pilot.press("r")
        await settle(pilot)
        choice = activity_screen(app).view.choice()
        await pilot.press("q", "y")
        await settle(pilot)

    launch = prepare_launch(config, LaunchRequest(mode="resume"))
    assert launch.landing == "activity" and launch.session is not None and launch.session.id == session_id
    app = make_app(config, store=launch.store, session=launch.session, landing=launch.landing)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = activity_screen(app)
        assert "Activity 4 of 6" in screen_text(app)
        assert screen.view.activity.id == "grid" and screen.view.revealed is True
        assert app.session.tally_count("grid", choice.item, choice.value) == 3


async def test_resume_from_the_home_screen_list(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="Last month")
    session.go_to(2)
    session.close()
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Last month" in screen_text(app)
        app.screen.query_one("#home-sessions").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert "Activity 3 of 6" in screen_text(app)


async def test_closing_a_session_from_the_palette_returns_home(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config, title="Short one")
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"close this session")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is None
        assert "Short one" in screen_text(app)



async def test_starting_with_an_earlier_session_records_it_as_the_baseline(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    earlier = new_session(config, title="Last year")
    earlier_id = earlier.id
    earlier.close()
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listing = app.screen.query_one("#home-templates", OptionList)
        listing.highlighted = [listing.get_option_at_index(i).id for i in range(listing.option_count)].index("where-are-we")
        app.screen.query_one("#home-baseline").value = earlier_id
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        assert app.session.meta["baseline_id"] == earlier_id
        assert app.session.title == "Where are we now, and where do we want to be?"  # the template's title by default


def test_run_request_starts_a_session_with_title_facilitator_and_baseline(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    earlier = new_session(config, title="Autumn review")
    earlier_id = earlier.id
    earlier.close()
    request = LaunchRequest(mode="run", template="where-are-we", title="Spring review", facilitator="Ola", baseline=earlier_id[:10])
    launch = prepare_launch(config, request)
    try:
        assert launch.landing == "lobby" and not launch.demo
        assert launch.session.title == "Spring review"
        assert launch.session.meta["facilitator"] == "Ola"
        assert launch.session.meta["baseline_id"] == earlier_id
        assert launch.session.hold_comments is True
    finally:
        launch.cleanup()


async def test_question_mark_shows_and_hides_every_key(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        await settle(pilot)
        assert not app.screen.query("HelpPanel")


async def test_split_key_refuses_a_split_that_would_single_someone_out(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    session = new_session(config)
    lone, _ = session.join("", "service_user")
    staff = [session.join("", "staff")[0] for _ in range(5)]
    session.go_to(next(i for i, a in enumerate(session.template.activities) if a.kind == "spectrum"))
    session.set_revealed("spectrum", True)
    for person, position in zip(staff, (3, 4, 3, 4, 3)):
        session.cast_vote(person.id, "spectrum", "place", position)
    app = make_app(config, session=session, landing="activity")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Split on while the room is safe, then a lone service user answers: the view says so in place.
        await pilot.press("s")
        await settle(pilot)
        view = activity_screen(app).view
        assert view.split is True and view.showing_split
        session.cast_vote(lone.id, "spectrum", "place", 8)
        await settle(pilot)
        text = screen_text(app)
        assert "Splitting by role would single out 1 service user or carer." in text
        assert "Presence: below the minimum" in text, "the lobby's presence warning is repeated"
        assert not view.showing_split
        # Together again, then `s`: refused, not drawn.
        await pilot.press("s")
        await settle(pilot)
        assert view.split is False
        await pilot.press("s")
        await settle(pilot)
        assert view.split is False, "the split is refused, not drawn"
        notes = [str(n.message) for n in app._notifications]
        assert (
            "Splitting by role would single out 1 service user or carer. ⚠ Presence: below the minimum. "
            "Service users or carers here: 1. At least two are needed, ideally three."
        ) in notes, "the refusal names who, and repeats the lobby's presence warning"
