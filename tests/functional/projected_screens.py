"""Every kind of activity in every state the room can see, for the snapshot matrix and the cut scan.

Imported explicitly by the tests. Each case is a fixed session (`app_fixtures.fixed_session`,
with staff beside service users and carers so a split draws both groups) opened on one
activity, hidden or revealed, split or not, and is run at the projector sizes. The progress
review (`review_app`) is scanned at the same sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app_fixtures import FIXED_PEOPLE_BOTH_GROUPS, fixed_session, make_app, make_config, review_pair, screen_text
from screens import ReviewScreen
from screens._activity_view import BodyScroll, Canvas
from sessions import LiveSession
from tui.app import InvolveApp

SIZES = ((80, 24), (100, 30), (160, 45))
THEMES = ("projector", "projector-light")
CUT = re.compile(r"\S…")
"""A word or figure cut short: '…' straight after a letter or digit ('gap +…', 'Service users and c…')."""


@dataclass(frozen=True)
class Case:
    kind: str
    template: str
    activity: str
    revealed: bool = False
    split: bool = False
    keys: tuple[str, ...] = ()
    """Pressed once the screen has settled ('d' opens the spectrum's practices)."""
    label: str = ""

    @property
    def name(self) -> str:
        state = "" if self.kind in ("info", "questions", "targets") else ("-revealed" if self.revealed else "-hidden")
        return f"{self.kind}{state}{'-split' if self.split else ''}{f'-{self.label}' if self.label else ''}"


def _votable(kind: str, activity: str) -> list[Case]:
    return [
        Case(kind, "where-are-we", activity, revealed=revealed, split=split)
        for revealed in (False, True)
        for split in (False, True)
    ]


CASES = (
    Case("info", "where-are-we", "welcome"),
    *_votable("spectrum", "spectrum"),
    *_votable("grid", "grid"),
    *_votable("indicators", "indicators"),
    Case("questions", "user-group-health-check", "running"),
    Case("targets", "where-are-we", "targets"),
)
PRACTICES = Case("spectrum", "where-are-we", "spectrum", revealed=True, keys=("d",), label="practices")
"""The spectrum with its practices panel open."""


def case_app(case: Case, tmp_path: Path, theme: str = "projector") -> InvolveApp:
    """The app on the case's activity, with every detail fixed."""
    config = make_config(tmp_path, theme=theme)
    session = fixed_session(
        config,
        current=case.activity,
        revealed=(case.activity,) if case.revealed else (),
        template_name=case.template,
        people=FIXED_PEOPLE_BOTH_GROUPS,
    )
    if case.split:
        session.set_split(case.activity, True)
    return make_app(config, session=session, landing="activity")


def review_app(tmp_path: Path) -> tuple[InvolveApp, LiveSession]:
    """The app on an activity, for `open_review` to put the progress review on (`app_fixtures.review_pair`); close the earlier session after."""
    config = make_config(tmp_path)
    baseline, session = review_pair(config)
    return make_app(config, session=session, landing="activity"), baseline


def open_review(app: InvolveApp, baseline: LiveSession) -> None:
    assert app.session is not None
    app.push_screen(ReviewScreen(baseline, app.session))


def cuts(text: str) -> list[str]:
    """The lines of `text` where something was cut with '…'."""
    return [line.rstrip() for line in text.splitlines() if CUT.search(line)]


PAGES = 20
"""More Page Downs than any projected body needs; a body still scrolling after these is a fault in itself."""


def body_scroll(app: InvolveApp) -> BodyScroll | None:
    return next(iter(app.screen.query(BodyScroll).results(BodyScroll)), None)


async def scrolled_frames(pilot, settle) -> list[str]:
    """The screen's text, then again after each Page Down until the body stops scrolling: all the room can be shown."""
    app = pilot.app
    frames = [screen_text(app)]
    scroll = body_scroll(app)
    for _ in range(PAGES):
        if scroll is None or scroll.scroll_y >= scroll.max_scroll_y:
            break
        before = scroll.scroll_y
        await pilot.press("pagedown")
        await settle(pilot)
        frames.append(screen_text(app))
        if scroll.scroll_y == before:
            break  # the key did not scroll: what is below stays out of reach
    return frames


def unreachable(app: InvolveApp, frames: list[str]) -> list[str]:
    """Lines of the activity's body that no frame showed: out of reach counts as cut, as surely as with '…'."""
    canvas = next(iter(app.screen.query("#body, #review-body").results(Canvas)), None)
    if canvas is None:
        return []
    seen = "\n".join(frames)
    width = canvas.size.width
    drawn = [line.plain.strip() for line in canvas.drawing(width).wrap(width)]  # as the canvas lays it out
    return [line for line in drawn if line and line not in seen]
