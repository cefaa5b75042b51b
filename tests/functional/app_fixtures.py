"""Shared helpers for the app's Pilot, snapshot and hostile-text tests.

Imported explicitly by the tests (not a conftest): a config in a temporary
folder, a phone page that pretends to listen at a fixed address, a clock
that only moves when told, a fully fixed session for snapshots, and ways to
read what is on the screen as plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.widget import Widget

from sessions import LiveSession, SessionStore, TemplateLibrary
from sessions.intake import IntakeError
from tui._config import Config
from tui.app import InvolveApp

ROOT_DIR = Path(__file__).resolve().parents[2]
FIXED_BASE = "http://192.0.2.10:8765"
FIXED_TOKEN = "FIXEDTOKEN"
FIXED_URL = f"{FIXED_BASE}/j/{FIXED_TOKEN}"
FIXED_ROOM_CODE = "K7PQ2M"
REAL_URL = "http://192.168.100.200:8765/j/" + "Ab3dE6gH9jK2mN5pQ8rS1tU4"
"""A LAN address and a real 24-character join token: a 33-module code (FIXED_URL's short token makes 29)."""
FIXED_CREATED = "2026-03-12T10:00:00+00:00"
FIXED_SESSION_ID = "20260312-fixed1"


def make_config(tmp_path: Path, **overrides: Any) -> Config:
    config = Config(
        data_dir=tmp_path / "data",
        export_dir=tmp_path / "exports",
        intake_host="127.0.0.1",
        intake_port=0,
        theme="projector",
        hold_comments=True,
        show_results=False,
        public_url=FIXED_BASE,
    )
    return config.with_overrides(**overrides) if overrides else config


class FakeIntakeServer:
    """Stands in for `sessions.intake.IntakeServer`: same calls, no network."""

    def __init__(self, session: LiveSession, *, host: str, port: int, public_url: str, url: str = FIXED_URL, error: str = "") -> None:
        self.session = session
        self.host, self.port, self.public_url = host, port, public_url
        self.url = url
        self.error = error
        self.started = False
        self.stopped = False

    @property
    def room_url(self) -> str:
        return f"{FIXED_BASE}/" if self.started else ""

    async def start(self) -> str:
        if self.error:
            raise IntakeError(self.error)
        self.started = True
        return self.url

    async def stop(self) -> None:
        self.stopped = True


class FakeServers:
    """A server factory that remembers every server it made."""

    def __init__(self, *, url: str = FIXED_URL, error: str = "") -> None:
        self.url = url
        self.error = error
        self.made: list[FakeIntakeServer] = []

    def __call__(
        self, session: LiveSession, *, host: str, port: int, public_url: str, support_text: str = "", safeguarding_reminder: str = ""
    ) -> FakeIntakeServer:
        server = FakeIntakeServer(session, host=host, port=port, public_url=public_url, url=self.url, error=self.error)
        self.made.append(server)
        return server


class FixedClock:
    """A wall clock for activity timers that moves only when a test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(config: Config, *, servers: FakeServers | None = None, **kwargs: Any) -> InvolveApp:
    """The app with fake servers (and, through tests/conftest.py, a collector that does nothing)."""
    return InvolveApp(config, server_factory=servers or FakeServers(), **kwargs)


def store_for(config: Config, *, fixed: bool = False, timer_clock: Callable[[], float] | None = None) -> SessionStore:
    """The sessions folder; `fixed` dates every record, `timer_clock` drives activity timers (a FixedClock)."""
    clocks: dict[str, Any] = {"timer_clock": timer_clock} if timer_clock is not None else {}
    if fixed:
        return SessionStore(config.sessions_dir, clock=lambda: FIXED_CREATED, **clocks)
    return SessionStore(config.sessions_dir, **clocks)


def new_session(config: Config, template: str = "where-are-we", *, timer_clock: Callable[[], float] | None = None, **kwargs: Any) -> LiveSession:
    found = TemplateLibrary(config.templates_dir).find(template)
    assert found.path is not None
    kwargs.setdefault("hold_comments", config.hold_comments)
    return store_for(config, timer_clock=timer_clock).create(found, found.path.read_text(encoding="utf-8"), **kwargs)


# -- a session whose every detail is fixed, for snapshots -------------------------------

FIXED_PEOPLE = (
    ("p01", "Jo", "service_user"),
    ("p02", "", "service_user"),
    ("p03", "", "service_user"),
    ("p04", "Ken", "carer"),
    ("p05", "", "carer"),
    ("p06", "Dev", "staff"),
    ("p07", "", "staff"),
    ("p08", "Marcia", "staff"),
    ("p09", "", "staff"),
    ("p10", "", None),
    ("p11", "", "other"),
)
FIXED_PEOPLE_BOTH_GROUPS = tuple((pid, name, {"p10": "staff", "p11": "carer"}.get(pid, role)) for pid, name, role in FIXED_PEOPLE)
"""The same people with nobody in "other", so a split shows staff (5) beside service users and carers (6)."""
FIXED_SPECTRUM = {"p01": 2, "p02": 3, "p03": 3, "p04": 2, "p05": 4, "p06": 6, "p07": 5, "p08": 7, "p09": 6, "p10": 4, "p11": 5}
FIXED_GRID_NOW = {"p01": 2, "p02": 2, "p03": 1, "p04": 2, "p05": 3, "p06": 3, "p07": 3, "p08": 4, "p09": 3, "p10": 2, "p11": 3}
FIXED_COMMENTS = (
    ("spectrum", "We are asked for our views, but little changes afterwards.", "approved", "Jo"),
    ("spectrum", "The peer support team is run by people with lived experience.", "pinned", ""),
    ("spectrum", "Papers for the governance meeting arrive the night before.", "approved", "Ken"),
    ("spectrum", "Staff feel we have come a long way in two years.", "pending", "Dev"),
    ("grid", "My care plan was written before I was in the room.", "approved", ""),
    ("grid", "Policy is where we are furthest behind.", "pinned", "Marcia"),
    ("grid", "Can we aim for partnership on the ward?", "pending", ""),
    ("indicators", "Nobody told me about advocacy until my third admission.", "pending", "Jo"),
)
FIXED_INDICATOR_ANSWERS = ("met", "met", "partly", "partly", "not_met")
"""Person i's answer to statement j is FIXED_INDICATOR_ANSWERS[(i + 2j) % 5]: every answer gets some votes."""
FIXED_TARGETS = (
    ("Service users co-chair the governance meeting, and its papers reach everyone a week before it", "Marcia and Jo", "2027-03-31"),
    ("Every care plan is written with the person in the room", "Ward 7 team", "2026-09-30"),
)
FIXED_QUESTION_COMMENTS = (
    ("who-runs", "The staff lead sets the agenda and chairs every meeting.", "approved", "Ken"),
    ("who-runs", "We took turns chairing last year and it worked.", "pinned", ""),
    ("when", "Tuesday mornings clash with the depot clinic.", "approved", "Jo"),
    ("agenda", "Could we send items in by text before the meeting?", "pending", ""),
)


def fixed_session(
    config: Config,
    *,
    current: str = "welcome",
    revealed: tuple[str, ...] = (),
    timer_clock: Callable[[], float] | None = None,
    template_name: str = "where-are-we",
    people: tuple[tuple[str, str, str | None], ...] = FIXED_PEOPLE,
) -> LiveSession:
    """A built-in template with fixed people, votes, comments, targets, tokens and dates.

    where-are-we (the default) has answers to its spectrum, grid and indicators,
    comments and two targets; user-group-health-check has comments on its first
    questions, so every kind of activity has something fixed to show.
    """
    template = TemplateLibrary(config.templates_dir).find(template_name)
    assert template.path is not None
    index = [activity.id for activity in template.activities].index(current)
    meta = {
        "id": FIXED_SESSION_ID,
        "title": "Ward 7 team day",
        "facilitator": "Sam",
        "created_at": FIXED_CREATED,
        "template_name": template.name,
        "template_version": template.version,
        "template_family": template.family_name,
        "template_title": template.title,
        "template_source": template.path.read_text(encoding="utf-8"),
        "baseline_id": "",
        "current": index,
        "revealed": list(revealed),
        "intake_open": True,
        "hold_comments": True,
        "join_token": FIXED_TOKEN,
        "room_code": FIXED_ROOM_CODE,
    }
    participants = [{"id": pid, "name": name, "role": role, "joined_at": FIXED_CREATED} for pid, name, role in people]
    if template_name == "where-are-we":
        votes, tallies, targets = _fixed_answers(template)
        written = [(activity_id, "", text, state, author) for activity_id, text, state, author in FIXED_COMMENTS]
    else:
        votes, tallies, targets = [], [], []
        written = [("running", item, text, state, author) for item, text, state, author in FIXED_QUESTION_COMMENTS]
    comments = [
        {
            "id": str(number),
            "activity_id": activity_id,
            "item": item,
            "text": text,
            "state": state,
            "author": author,
            "participant_id": "",
            "created_at": FIXED_CREATED,
            "from_facilitator": False,
        }
        for number, (activity_id, item, text, state, author) in enumerate(written, start=1)
    ]
    snapshot = {"meta": meta, "participants": participants, "votes": votes, "tallies": tallies, "comments": comments, "targets": targets}
    return store_for(config, fixed=True, timer_clock=timer_clock).restore(snapshot)


def _fixed_answers(template: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """where-are-we's votes, hand counts and targets."""
    votes = [
        {"activity_id": "spectrum", "item": "place", "participant_id": pid, "value": value, "updated_at": FIXED_CREATED}
        for pid, value in FIXED_SPECTRUM.items()
    ]
    for pid, now in FIXED_GRID_NOW.items():
        for area in ("individual", "setting", "policy"):
            shift = {"individual": 0, "setting": 0, "policy": -1}[area]
            level = max(1, now + shift)
            votes.append({"activity_id": "grid", "item": f"{area}:now", "participant_id": pid, "value": level, "updated_at": FIXED_CREATED})
            votes.append({"activity_id": "grid", "item": f"{area}:target", "participant_id": pid, "value": min(5, level + 2), "updated_at": FIXED_CREATED})
    statements = [statement.id for statement in template.activity("indicators").statements]
    for person, (pid, _, _) in enumerate(FIXED_PEOPLE):
        for number, statement in enumerate(statements):
            answer = FIXED_INDICATOR_ANSWERS[(person + 2 * number) % len(FIXED_INDICATOR_ANSWERS)]
            votes.append({"activity_id": "indicators", "item": statement, "participant_id": pid, "value": answer, "updated_at": FIXED_CREATED})
    tallies = [
        {"activity_id": "spectrum", "item": "place", "value": 3, "count": 2, "role": None},
        {"activity_id": "grid", "item": "policy:now", "value": 1, "count": 3, "role": None},
    ]
    targets = [
        {"id": f"target-{number}", "activity_id": "targets", "text": text, "owner": owner, "review_date": review, "created_at": FIXED_CREATED}
        for number, (text, owner, review) in enumerate(FIXED_TARGETS, start=1)
    ]
    return votes, tallies, targets


def review_pair(config: Config) -> tuple[LiveSession, LiveSession]:
    """A progress review with something on every row: the fixed session as the earlier one, a smaller room now.

    Nine people answer now (eleven to fourteen then), so every indicator reads
    as shares, "5 of 11 (45%) → 3 of 9 (33%)", the widest figure the review draws;
    the first target has an outcome whose words wrap.
    """
    baseline = fixed_session(config, people=FIXED_PEOPLE_BOTH_GROUPS)
    session = new_session(config, title="This spring", baseline_id=baseline.id)
    roles = ("service_user", "carer", "staff")
    statements = [statement.id for statement in session.template.activity("indicators").statements]
    for i in range(9):
        pid = session.join("", roles[i % 3])[0].id
        session.cast_vote(pid, "spectrum", "place", 2 + i % 5)
        for area in ("individual", "setting", "policy"):
            session.cast_vote(pid, "grid", f"{area}:now", 1 + (i + len(area)) % 4)
            session.cast_vote(pid, "grid", f"{area}:target", 4 + i % 2)
        for j, statement in enumerate(statements):
            session.cast_vote(pid, "indicators", statement, ("met", "partly", "not_met")[(i + j) % 3])
    first = sorted(baseline.targets.values(), key=lambda target: target.created_at)[0]
    session.record_outcome(first, "partly", "Jo co-chaired two of the four meetings; the papers still come late.", "Carers now help set the agenda.")
    return baseline, session


# -- reading the screen --------------------------------------------------------------


def screen_text(app: App) -> str:
    """Everything the active screen shows, as plain text lines."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def widget_text(widget: Widget) -> str:
    """The lines a widget draws inside its border and padding, as plain text."""
    from textual.geometry import Region

    width, height = widget.outer_size
    left, top = widget.content_offset
    content_width, content_height = widget.content_size
    strips = widget.render_lines(Region(0, 0, width, height))
    return "\n".join(strip.crop(left, left + content_width).text for strip in strips[top : top + content_height])


def squeeze(text: str) -> str:
    """Text with all white space removed, to compare across line wrapping."""
    return "".join(text.split())


async def open_queue(pilot: Any, *, hidden: bool = False) -> None:
    """m, then "Show it here": the moderation queue as a facilitator opens it on the projected app.

    The app always asks first (the room can see that screen); the question shows no comment text.
    With `hidden`, v on to the hidden list too, saying yes to its own question.
    """
    from screens import ConfirmScreen, ModerationScreen

    await pilot.press("m")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmScreen), f"m did not ask first: {type(pilot.app.screen).__name__}"
    await pilot.press("y")
    await pilot.pause()
    if hidden:
        await show_hidden(pilot)
        assert isinstance(pilot.app.screen, ModerationScreen) and pilot.app.screen.view == "hidden"


async def show_hidden(pilot: Any) -> None:
    """From the open queue, v until the hidden list asks its own question, then "Show them here"."""
    from screens import ConfirmScreen

    for _ in range(2):
        if isinstance(pilot.app.screen, ConfirmScreen):
            break
        await pilot.press("v")
        await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmScreen), "the hidden list did not ask first"
    await pilot.press("y")
    await pilot.pause()
