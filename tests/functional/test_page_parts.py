"""The activity page is rendered once per version and filled in per person: the cached
parts must change whenever the activity, the room's state or the person's answers do,
and never show one person anything of another's."""

from __future__ import annotations

import re

import pytest

from conftest_intake import GRID, INDICATORS, SPECTRUM, TARGETS
from sessions import LiveSession, Role
from sessions.intake._page_parts import PageParts, SlotMarkers
from sessions.intake._pages import Pages


@pytest.fixture
def pages(monkeypatch: pytest.MonkeyPatch) -> Pages:
    """Pages that count how often the activity template is really rendered."""
    pages = Pages()
    pages.renders = 0  # type: ignore[attr-defined]
    original = pages._render_activity

    def counted(*args, **kwargs):
        pages.renders += 1  # type: ignore[attr-defined]
        return original(*args, **kwargs)

    monkeypatch.setattr(pages, "_render_activity", counted)
    return pages


def _checked(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="radio" name="([^"]+)" value="([^"]+)" checked>', html)


def test_each_person_sees_only_their_own_answers_from_one_render(pages: Pages, live_session: LiveSession) -> None:
    live_session.go_to(SPECTRUM)
    gwen, _ = live_session.join("Gwen", Role.SERVICE_USER)
    sam, _ = live_session.join("", None)
    live_session.cast_vote(gwen.id, "spectrum", "place", 4)

    gwen_page = pages.activity_page(live_session, gwen, notice="Saved: 4")
    sam_page = pages.activity_page(live_session, sam)
    assert pages.renders == 1  # type: ignore[attr-defined]
    assert _checked(gwen_page) == [("place", "4")]
    assert _checked(sam_page) == []
    assert "Taking part as <strong>Gwen</strong> (Service user)" in gwen_page
    assert "Gwen" not in sam_page and "Saved: 4" not in sam_page
    assert '<p id="status" class="saved" role="status">Saved: 4</p>' in gwen_page
    assert '<p id="status" class="saved" role="status"></p>' in sam_page

    # A changed answer shows at once, still without rendering the template again.
    live_session.cast_vote(gwen.id, "spectrum", "place", 2)
    assert _checked(pages.activity_page(live_session, gwen)) == [("place", "2")]
    assert pages.renders == 1  # type: ignore[attr-defined]


def test_the_parts_change_with_the_activity_and_the_room(pages: Pages, live_session: LiveSession) -> None:
    person, _ = live_session.join("", None)
    live_session.go_to(SPECTRUM)
    spectrum = pages.activity_page(live_session, person)
    live_session.go_to(GRID)
    grid = pages.activity_page(live_session, person)
    assert pages.renders == 2  # type: ignore[attr-defined]
    assert "Save my answer</button>" in spectrum and 'name="care:now"' in grid and 'name="place"' not in grid

    live_session.cast_vote(person.id, "grid", "care:now", 2)
    live_session.cast_vote(person.id, "grid", "policy:target", 5)
    assert sorted(_checked(pages.activity_page(live_session, person))) == [("care:now", "2"), ("policy:target", "5")]

    live_session.set_intake_open(False)
    closed = pages.activity_page(live_session, person)
    assert "The facilitator has closed answers for now." in closed and "<form" not in closed
    live_session.set_intake_open(True)
    assert "<form" in pages.activity_page(live_session, person)

    held = pages.activity_page(live_session, person)
    assert "The facilitator reads comments before the room sees them." in held
    live_session.set_hold_comments(False)
    assert "The facilitator reads comments before the room sees them." not in pages.activity_page(live_session, person)

    live_session.go_to(INDICATORS)
    statement = live_session.current_activity.statements[0].id
    live_session.cast_vote(person.id, "indicators", statement, "partly")
    assert _checked(pages.activity_page(live_session, person)) == [(statement, "partly")]

    live_session.go_to(TARGETS)
    before = pages.activity_page(live_session, person)
    live_session.add_target("targets", "Service users co-chair the policy group", owner="Manager", review_date="2027-01-31")
    after = pages.activity_page(live_session, person)
    assert "None yet." in before and "Service users co-chair the policy group" in after and "31 January 2027" in after


def test_per_person_text_is_escaped_and_cannot_forge_a_slot(pages: Pages, live_session: LiveSession) -> None:
    live_session.go_to(SPECTRUM)
    person, _ = live_session.join('<b>Ann</b> " checked', None)
    html = pages.activity_page(live_session, person, error="<script>x</script>", comment_text="</textarea><b>")
    assert "<b>Ann" not in html and "&lt;b&gt;Ann&lt;/b&gt; &#34; checked" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;/textarea&gt;&lt;b&gt;</textarea>" in html
    assert _checked(html) == []
    assert "\x00" not in html


def test_page_parts_fill_slots_and_checks() -> None:
    markers = SlotMarkers()
    template = f"<p>{markers.slot('name')}</p><input value=\"1\"{markers.checked('place', 1)}><input value=\"2\"{markers.checked('place', 2)}>"
    parts = PageParts(template, markers)
    assert parts.slot_names == {"name"}
    assert parts.fill({"name": "A & B"}, {"place": 2}) == '<p>A &amp; B</p><input value="1"><input value="2" checked>'
    assert parts.fill({"name": ""}, {}) == '<p></p><input value="1"><input value="2">'
    with pytest.raises(ValueError):
        PageParts(template.split(markers.marker, 1)[0] + markers.marker, markers)


def test_page_parts_select_the_option_given_back() -> None:
    markers = SlotMarkers()
    template = f"<option value=\"\"{markers.selected('topic', '')}></option><option value=\"agenda\"{markers.selected('topic', 'agenda')}></option>"
    parts = PageParts(template, markers)
    assert parts.slot_names == set(), "a selection is not text to escape and fill"
    assert parts.fill({"topic": "agenda"}, {}) == '<option value=""></option><option value="agenda" selected></option>'
    # Chosen from what was given back, never from the person's answers; nothing given back is "".
    assert parts.fill({}, {"topic": "agenda"}) == '<option value="" selected></option><option value="agenda"></option>'
