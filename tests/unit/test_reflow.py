"""Template text is read as paragraphs, not as the author's wrapped lines."""

from sessions import parse_template
from sessions._text import reflow_paragraphs


def test_single_line_breaks_join() -> None:
    assert reflow_paragraphs("how much say\npeople who use\nthis service have") == "how much say people who use this service have"


def test_blank_lines_separate_paragraphs() -> None:
    assert reflow_paragraphs("one\ntwo\n\n\nthree\nfour") == "one two\n\nthree four"


def test_list_items_stay_items() -> None:
    text = "We will:\n- listen\n- act on\n  what we hear\n\nThanks"
    assert reflow_paragraphs(text) == "We will:\n- listen\n- act on what we hear\n\nThanks"


def test_template_bodies_are_reflowed() -> None:
    template = parse_template(
        '[template]\nname = "t"\ntitle = "T"\nversion = "1"\n\n[[activities]]\nkind = "info"\ntitle = "Welcome"\n'
        'body = """\nhow much say\npeople who use\nthis service have\n"""\n'
    )
    assert template.activities[0].body == "how much say people who use this service have"
