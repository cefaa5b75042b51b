"""The phone page's "Need support now?" text: ours by default, the plan's or the organisation's when set."""

from __future__ import annotations

from pathlib import Path

from sessions import SessionStore, TemplateLibrary, parse_template
from sessions.intake._pages import Pages, support_paragraphs


def session_with(tmp_path: Path, support: str = ""):
    source = TemplateLibrary().find("where-are-we").path.read_text(encoding="utf-8")
    if support:
        source = source.replace("[template]\n", f'[template]\nsupport = """{support}"""\n', 1)
    return SessionStore(tmp_path / "sessions").create(parse_template(source, "t.toml"), source)


def test_the_default_names_nhs_111_and_samaritans_in_our_words() -> None:
    text = " ".join(support_paragraphs())
    assert "NHS 111" in text and "mental health option" in text
    assert "Samaritans" in text and "116 123" in text


def test_a_template_sets_the_text_and_the_environment_wins(tmp_path: Path) -> None:
    live = session_with(tmp_path, "Ring the ward's duty nurse on 0161 496 0000.\n\nOr talk to Ade at the break.")
    try:
        assert live.template.support.startswith("Ring the ward's duty nurse")
        page = Pages(live.template.support).join_page(live)
        assert "<p>Or talk to Ade at the break.</p>" in page and "Samaritans" not in page
        from sessions.intake import IntakeServer

        assert "talk to Ade" in IntakeServer(live, port=0).pages.join_page(live)
        page = IntakeServer(live, port=0, support_text="Our crisis line: <b>0800 000 0000</b>").pages.join_page(live)
        assert "talk to Ade" not in page, "INVOLVE_SUPPORT_TEXT replaces the plan's words"
        assert "Our crisis line: &lt;b&gt;0800 000 0000&lt;/b&gt;" in page, "escaped, never markup"
    finally:
        live.close()
