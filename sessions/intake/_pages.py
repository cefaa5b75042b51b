"""The phone pages: one Jinja2 environment (autoescaping on) and the facts each page shows.

Templates receive plain values built here, never the live session, so what a
page can show is decided in one place and tested in one place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .. import _numbers as numbers
from .._live import LiveSession
from .._model import (
    SPECTRUM_ITEM,
    Answer,
    GridActivity,
    IndicatorsActivity,
    InfoActivity,
    Participant,
    QuestionsActivity,
    Role,
    SpectrumActivity,
    TargetsActivity,
    grid_item,
)
from .._text import COMMENT_MAX, NAME_MAX
from ._page_parts import PageParts, SlotMarkers

__all__ = [
    "Pages",
    "Asset",
    "ASSET_CACHE",
    "page_version",
    "activity_summary",
    "saved_summary",
    "comment_too_long",
    "comment_topics",
    "ROLE_CHOICES",
]

HERE = Path(__file__).resolve().parent

ROLE_CHOICES: tuple[tuple[str, str], ...] = tuple((role.value, role.label) for role in Role)

WHEN_LABELS = {"now": "Now", "target": "Where we want to be"}

ASSET_CACHE = "public, max-age=31536000, immutable"
"""For a static file asked for by its current version: its URL changes whenever its bytes do."""


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    version: str


def _load_assets() -> dict[str, Asset]:
    types = {".css": "text/css", ".js": "text/javascript"}
    assets: dict[str, Asset] = {}
    for path in sorted((HERE / "static").iterdir()):
        if path.suffix in types:
            body = path.read_bytes()
            assets[path.name] = Asset(body, types[path.suffix], hashlib.sha256(body).hexdigest()[:10])
    return assets


class Pages:
    """Renders the phone pages; templates are compiled once and reused.

    The activity page and the join page are the same for everyone in the room
    at one version of the activity, apart from a few words and which answers
    are checked: each is rendered once per version (`PageParts`) and filled in
    per request.
    """

    def __init__(self, support_text: str = "") -> None:
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.assets = _load_assets()
        self.env.globals.update(
            css_url=f"/static/intake.css?v={self.assets['intake.css'].version}",
            js_url=f"/static/intake.js?v={self.assets['intake.js'].version}",
            console_css_url=f"/static/console.css?v={self.assets['console.css'].version}",
            comment_max=COMMENT_MAX,
            count_words=COUNT_WORDS,
            over_words=OVER_WORDS,
            name_max=NAME_MAX,
            role_choices=ROLE_CHOICES,
            when_labels=WHEN_LABELS,
            support=support_paragraphs(support_text),
        )
        self._markers = SlotMarkers()
        self.env.globals.update(self._markers.globals())
        self._parts: dict[str, tuple[tuple[Any, ...], PageParts]] = {}

    def _cached(self, name: str, key: tuple[Any, ...], render: Callable[[], str]) -> PageParts:
        """The parts of page `name` for `key`, rendered only when the key has changed."""
        held = self._parts.get(name)
        if held is not None and held[0] == key:
            return held[1]
        parts = PageParts(render(), self._markers)
        self._parts[name] = (key, parts)
        return parts

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def message(self, title: str, message: str, *, link: tuple[str, str] | None = None, session_title: str = "") -> str:
        return self.render("message.html", title=title, message=message, link=link, session_title=session_title)

    def join_page(self, session: LiveSession) -> str:
        key = (session.title, session.join_token, session.hold_comments)
        parts = self._cached(
            "join",
            key,
            lambda: self.render(
                "join.html",
                session_title=session.title,
                action=f"/j/{session.join_token}",
                hold_comments=session.hold_comments,
                error="",
            ),
        )
        return parts.fill({}, {})

    def activity_page(
        self,
        session: LiveSession,
        participant: Participant,
        *,
        notice: str = "",
        error: str = "",
        comment_text: str = "",
        comment_item: str = "",
        comment_error: str = "",
        poll_ms: int = 3000,
        commented: bool = False,
    ) -> str:
        """The activity page; `commented` shows the support line again beside the thanks for a comment."""
        version = page_version(session)
        name = "activity-commented" if commented else "activity"
        parts = self._cached(name, (version, session.title, poll_ms), lambda: self._render_activity(session, version, poll_ms, commented))
        activity = session.current_activity
        role = participant.role.label if participant.role else ""
        text = {
            "name": participant.display_name,
            "role": f" ({role})" if role else "",
            "notice": notice,
            "error": error,
            "comment_text": comment_text,
            "comment_item": comment_item,
            "comment_error": comment_error,
            "comment_invalid": "true" if comment_error or len(comment_text) > COMMENT_MAX else "false",
            "comment_count": comment_length_text(len(comment_text)),
        }
        return parts.fill(text, _answers(session, participant.id, activity))

    def _render_activity(self, session: LiveSession, version: str, poll_ms: int, commented: bool = False) -> str:
        activity = session.current_activity
        return self.render(
            "activity.html",
            session_title=session.title,
            sources=[source.credit for source in session.template.sources],
            activity=activity_view(session),
            version=version,
            poll_ms=poll_ms,
            open=session.intake_open,
            hold_comments=session.hold_comments,
            topics=comment_topics(activity),
            commented=commented,
        )


DEFAULT_SUPPORT = (
    "If today brings up something hard, you do not have to wait for a break or carry it alone.\n"
    "In England you can call NHS 111 and choose the mental health option, any time of day or night.\n"
    "Samaritans answer on 116 123, free, day and night, if you want to talk to someone who will listen.\n"
    "If anyone is in danger right now, call 999.\n"
    "You can also speak to the facilitator at any point."
)
"""Our own words; a template's `support` or INVOLVE_SUPPORT_TEXT replaces them."""


def support_paragraphs(text: str = "") -> tuple[str, ...]:
    """The "Need support now?" text as paragraphs, one a line."""
    lines = [line.strip() for line in (text.strip() or DEFAULT_SUPPORT).splitlines()]
    return tuple(line for line in lines if line)


COUNT_WORDS = "{count} of {max} characters"
OVER_WORDS = "{over} characters too many: comments can be up to {max}. Shorten it before sending."


CAP_WORDS = "Up to {max} characters."


def comment_length_text(length: int) -> str:
    """The counter under the comment box; intake.js fills in the same words as the person types.

    An empty box says only the cap: without JavaScript nothing counts as the person
    types, and "0 of 280" would be wrong from the first letter.
    """
    if length > COMMENT_MAX:
        return OVER_WORDS.format(over=length - COMMENT_MAX, max=COMMENT_MAX)
    if length == 0:
        return CAP_WORDS.format(max=COMMENT_MAX)
    return COUNT_WORDS.format(count=length, max=COMMENT_MAX)


def comment_too_long(length: int) -> str:
    """Why a comment was refused: said in full, and nothing is cut or sent."""
    return (
        f"Your comment is {length} characters long; comments can be up to {COMMENT_MAX}. "
        "Nothing was sent: shorten it and send it again."
    )


def page_version(session: LiveSession) -> str:
    """Changes whenever the phone page should redraw; polled every few seconds."""
    activity = session.current_activity
    version = f"{session.current_index}.{activity.id}.{int(session.intake_open)}{int(session.hold_comments)}"
    if isinstance(activity, TargetsActivity):
        targets = session.targets_for(activity.id)
        digest = hashlib.sha256(repr([(t.id, t.text, t.owner, t.review_date) for t in targets]).encode()).hexdigest()[:8]
        version = f"{version}.{digest}"
    return version


def comment_topics(activity: Any) -> list[tuple[str, str]]:
    """What a comment can be about, besides the activity as a whole."""
    if isinstance(activity, QuestionsActivity):
        return [(q.id, q.name) for q in activity.questions]
    if isinstance(activity, GridActivity):
        return [(area.id, area.name) for area in activity.areas]
    if isinstance(activity, IndicatorsActivity):
        return [(s.id, s.name) for s in activity.statements]
    if isinstance(activity, SpectrumActivity):
        return [(stage.id, stage.name) for stage in activity.stages]
    return []


def _answers(session: LiveSession, participant_id: str, activity: Any) -> dict[str, Any]:
    answers = {}
    for item in activity.items:
        vote = session.vote_of(participant_id, activity.id, item)
        if vote is not None:
            answers[item] = vote.value
    return answers


def activity_view(session: LiveSession) -> dict[str, Any]:
    """The current activity as plain values for the template, the same for everyone:
    each person's own answers are filled in afterwards (`PageParts`)."""
    activity = session.current_activity
    view: dict[str, Any] = {
        "id": activity.id,
        "kind": activity.kind,
        "title": activity.title,
        "prompt": activity.prompt,
        "votable": activity.votable,
    }
    if isinstance(activity, InfoActivity):
        view["body"] = activity.body
    elif isinstance(activity, SpectrumActivity):
        view["stages"] = [{"name": s.name, "practices": list(s.practices)} for s in activity.stages]
        view["item"] = SPECTRUM_ITEM
        view["choices"] = [(n, activity.position_label(n)) for n in range(1, activity.positions + 1)]
    elif isinstance(activity, GridActivity):
        view["levels"] = [(level.number, level.name) for level in activity.levels]
        view["areas"] = [
            {
                "name": area.name,
                "description": area.description,
                "questions": [{"when": when, "item": grid_item(area.id, when)} for when in ("now", "target")],
            }
            for area in activity.areas
        ]
    elif isinstance(activity, IndicatorsActivity):
        view["answers"] = [(answer.value, answer.label) for answer in Answer]
        view["statements"] = [
            {"item": s.id, "name": s.name, "text": s.text} for s in activity.statements
        ]
    elif isinstance(activity, QuestionsActivity):
        view["questions"] = [{"name": q.name, "text": q.text} for q in activity.questions]
    elif isinstance(activity, TargetsActivity):
        view["targets"] = [
            {
                "text": t.text,
                "owner": t.owner,
                "review_date": numbers.date_label(t.review_date),
                "review_date_iso": t.review_date.isoformat() if t.review_date else "",
            }
            for t in session.targets_for(activity.id)
        ]
    return view


def _answer_label(activity: Any, item: str, value: Any) -> str:
    if isinstance(activity, SpectrumActivity):
        return f"{value} – {activity.position_label(int(value))}"
    if isinstance(activity, GridActivity):
        area_id, _, when = item.rpartition(":")
        area = next(a.name for a in activity.areas if a.id == area_id)
        return f"{area}, {WHEN_LABELS[when].lower()}: {value} {activity.level(int(value)).name}"
    if isinstance(activity, IndicatorsActivity):
        name = next(s.name for s in activity.statements if s.id == item)
        return f"{name}: {Answer(value).label.lower()}"
    return str(value)


def saved_summary(session: LiveSession, participant_id: str) -> str:
    """What this person has answered for the current activity, in words."""
    activity = session.current_activity
    answers = _answers(session, participant_id, activity)
    return "; ".join(_answer_label(activity, item, value) for item, value in answers.items())


def activity_summary(session: LiveSession, participant: Participant | None) -> dict[str, Any]:
    """The current activity for the JSON API: what to show and what can be answered."""
    activity = session.current_activity
    data: dict[str, Any] = {
        "version": page_version(session),
        "open": session.intake_open,
        "hold_comments": session.hold_comments,
        "session": {"title": session.title, "sources": [s.credit for s in session.template.sources]},
        "activity": {
            "id": activity.id,
            "kind": activity.kind,
            "title": activity.title,
            "prompt": activity.prompt,
            "items": list(activity.items),
            "topics": [{"id": key, "name": name} for key, name in comment_topics(activity)],
        },
    }
    detail = data["activity"]
    if isinstance(activity, InfoActivity):
        detail["body"] = activity.body
    elif isinstance(activity, SpectrumActivity):
        detail["stages"] = [{"id": s.id, "name": s.name, "practices": list(s.practices)} for s in activity.stages]
        detail["positions"] = [{"value": n, "label": activity.position_label(n)} for n in range(1, activity.positions + 1)]
    elif isinstance(activity, GridActivity):
        detail["areas"] = [{"id": a.id, "name": a.name, "description": a.description} for a in activity.areas]
        detail["levels"] = [{"value": level.number, "label": level.name} for level in activity.levels]
    elif isinstance(activity, IndicatorsActivity):
        detail["statements"] = [{"id": s.id, "name": s.name, "text": s.text} for s in activity.statements]
        detail["answers"] = [{"value": a.value, "label": a.label} for a in Answer]
    elif isinstance(activity, QuestionsActivity):
        detail["questions"] = [{"id": q.id, "name": q.name, "text": q.text} for q in activity.questions]
    elif isinstance(activity, TargetsActivity):
        detail["targets"] = [
            {"text": t.text, "owner": t.owner, "review_date": t.review_date.isoformat() if t.review_date else None}
            for t in session.targets_for(activity.id)
        ]
    if participant is not None:
        data["participant"] = participant_json(participant)
        data["answers"] = _answers(session, participant.id, activity)
    return data


def participant_json(participant: Participant) -> dict[str, Any]:
    return {"id": participant.id, "name": participant.name, "role": participant.role.value if participant.role else None}
