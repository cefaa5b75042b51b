"""The phone page and every export show a template's wrapped lines as one paragraph."""

from __future__ import annotations

from pathlib import Path

from exports import FORMATS, export_session
from sessions import SessionStore, TemplateLibrary, parse_template

WRAPPED = "how much say\npeople who use\nthis service have"
JOINED = "how much say people who use this service have"


def session(tmp_path: Path):
    source = TemplateLibrary().find("where-are-we").path.read_text(encoding="utf-8")
    source = source.replace("[template]\n", f'[template]\nsupport = """{WRAPPED}"""\n', 1)
    old = 'prompt = "Place our organisation along the line. Between two stages is fine."'
    source = source.replace(old, f'prompt = """{WRAPPED}"""', 1)
    return SessionStore(tmp_path / "sessions").create(parse_template(source, "t.toml"), source)


def test_every_export_has_the_joined_sentence(tmp_path: Path) -> None:
    live = session(tmp_path)
    try:
        for path in export_session(live, FORMATS, tmp_path / "out"):
            text = path.read_text(encoding="utf-8")
            assert "how much say\npeople" not in text, path.name
            if path.suffix in (".md", ".html"):  # CSV tables carry figures; JSON keeps the template source as written
                assert JOINED in text, path.name
    finally:
        live.close()


def test_the_phone_page_has_the_joined_sentence(tmp_path: Path) -> None:
    from sessions.intake._pages import Pages

    live = session(tmp_path)
    try:
        assert live.template.activities[2].prompt == JOINED
        assert JOINED in Pages(live.template.support).join_page(live)
    finally:
        live.close()
