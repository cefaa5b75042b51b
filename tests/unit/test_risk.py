"""Risk flags: possible disclosures reach the facilitator first, marked ⚑; everyday comments do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exports import FORMATS, export_session
from sessions import RISK_FILE, CommentState, RiskPhrases, SessionStore, TemplateLibrary, parse_template

FLAGGED = {
    "I have thought about ending it": "suicide",
    "Some nights I want to die": "suicide",
    "I used to self harm and nobody asked": "self-harm",
    "I cut myself after the ward round": "self-harm",
    "He abused me for years": "abuse",
    "A nurse hit me during restraint": "violence",
    "Dr Patel never listens to anything I say": "a named person",
    "my key worker Sam shouted at me": "a named person",
    "The night nurse, Kemi, would not let me call home": "a named person",
    "Some days I just want to end it": "suicide",
    "I was going to end it that week": "suicide",
    "I thought about how to hang myself": "suicide",
    "Ring me on 07700 900123 if you want to know more": "contact details",
    "email me: jo.bloggs@example.org": "contact details",
    "I tried to take my life last year": "suicide",
    "I don't want to live any more": "suicide",
    "I don’t want to live any more": "suicide",
    "I've thought about ending things": "suicide",
    "Sam told us she wants to kill herself": "suicide",
    "He said he would kill himself": "suicide",
    "They talked about wanting to kill themselves": "suicide",
    "he slapped me": "violence",
    "I was hit by a member of staff": "violence",
    "my CPN Dave never listens": "a named person",
    "the HCA Sarah shouted": "a named person",
    "my GP Dr Okafor stopped my meds": "a named person",
    "the OT Jo took my things": "a named person",
    "my care coordinator Priya ignores me": "a named person",
    "the psychiatrist Ahmed would not listen": "a named person",
}
NOT_FLAGGED = (
    "More tea breaks please",
    "Can we end the session with the targets?",
    "Staff hit their targets but nobody asks us",
    "Care plans are written for people, not with them.",
    "The ward manager should come to these meetings",
    "Call 111 if you need help out of hours",
    "Review on 2026-09-01 with the steering group",
    "Let us aim for partnership on the ward.",
    "The ending of the project was handled well",
    "Peer support made a real difference to me",
    "Let's end it there and pick up the targets next time",
    "We could end it on the targets",
    "Managers, staff and carers all came",
    "The ward manager, as usual, was late",
    "Ask the nurse, I think she knows",
    "Hang the posters in the day room",
    "The service was hit by the cuts",
    "Let's end things there for today",
    "We need more GP appointments",
    "The OT team runs good groups",
    "Our CPN visits every week",
    "Ask the social worker about housing",
    "It took my life in a new direction",
    "I want to live nearer my family",
    "Moving would take my life savings",
)


@pytest.mark.parametrize("text, reason", FLAGGED.items())
def test_risk_phrases_flag(text: str, reason: str) -> None:
    assert reason in RiskPhrases().reasons(text)


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_everyday_comments_are_not_flagged(text: str) -> None:
    assert RiskPhrases().reasons(text) == ()


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "data" / "sessions", clock=lambda: "2026-03-02T10:00:00+00:00")


def start(store: SessionStore, source: str | None = None, **kwargs):
    template = TemplateLibrary().find("where-are-we")
    source = source or template.path.read_text(encoding="utf-8")
    return store.create(parse_template(source, "t.toml"), source, **kwargs)


def test_a_flagged_comment_waits_even_when_comments_are_not_held(store: SessionStore) -> None:
    live = start(store, hold_comments=False)
    try:
        flagged = live.add_comment("spectrum", "I have thought about ending it")
        plain = live.add_comment("spectrum", "More tea breaks please")
        assert flagged.state is CommentState.PENDING and flagged.flags == ("suicide",)
        assert plain.state is CommentState.APPROVED and not plain.flags
        # The marks are stored, not recomputed: they survive reopening.
        live.set_follow_up(plain.id, True)
        session_id = live.id
    finally:
        live.close()
    again = store.open(session_id)
    try:
        assert again.comments[flagged.id].flags == ("suicide",)
        assert again.comments[plain.id].follow_up is True
    finally:
        again.close()


def test_a_template_adds_its_own_phrases(store: SessionStore) -> None:
    source = TemplateLibrary().find("where-are-we").path.read_text(encoding="utf-8")
    source = source.replace("[template]\n", '[template]\nrisk_phrases = ["night staff"]\n', 1)
    live = start(store, source)
    try:
        assert live.template.risk_phrases == ("night staff",)
        assert live.add_comment("spectrum", "The night staff lock the lounge").flags == ("a phrase this session watches for",)
        assert live.add_comment("spectrum", "Staff are kind at night").flags == ()
    finally:
        live.close()


def test_the_data_folder_adds_phrases(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / RISK_FILE).write_text("# our own\nseclusion room\n\n", encoding="utf-8")
    store = SessionStore(tmp_path / "data" / "sessions")
    live = start(store)
    try:
        assert live.add_comment("spectrum", "They put me in the seclusion room").flags
    finally:
        live.close()


def test_flagged_and_follow_up_comments_reach_only_the_private_record(store: SessionStore, tmp_path: Path) -> None:
    live = start(store, hold_comments=False, title="Flags")
    try:
        flagged = live.add_comment("spectrum", "Dr Patel ignored me when I was suicidal", author="Robin")
        live.moderate(flagged.id, CommentState.APPROVED)  # even once shown on the wall
        marked = live.add_comment("spectrum", "Ask me about the advocacy leaflet")
        live.set_follow_up(marked.id, True)
        live.add_comment("spectrum", "More tea breaks please")
        public = {p.name: p.read_text(encoding="utf-8-sig") for p in export_session(live, FORMATS, tmp_path / "public")}
        private = {p.name: p.read_text(encoding="utf-8-sig") for p in export_session(live, FORMATS, tmp_path / "private", include_hidden=True)}
    finally:
        live.close()
    for name, text in public.items():
        assert "Dr Patel" not in text and "advocacy leaflet" not in text, name
        assert "follow-up" not in text.lower(), name
    assert any("More tea breaks please" in text for text in public.values())
    markdown = next(text for name, text in private.items() if name.endswith(".md"))
    section = markdown.split("## For follow-up (private)", 1)[1]
    assert "**Flagged: suicide, a named person.**" in section and "(Shown) — Robin: " in section
    assert "**Marked to follow up.**" in section and "advocacy leaflet" in section
    assert markdown.count("Dr Patel") == 1, "only in the private section, not among the activity's comments"
    html = next(text for name, text in private.items() if name.endswith(".html"))
    assert "For follow-up (private)" in html and "Dr Patel" in html
    data = json.loads(next(text for name, text in private.items() if name.endswith(".json")))
    assert [item["reasons"] for item in data["follow_up"]] == [["suicide", "a named person"], []]
    assert set(data["follow_up"][0]) == {"activity", "about", "text", "author", "state_label", "reasons", "marked"}
