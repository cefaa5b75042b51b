import unicodedata

from sessions import clean_line, clean_text
from sessions._text import COMMENT_MAX


def test_nfc_normalises():
    assert clean_text("Cafe\u0301") == "Caf\u00e9"


def test_drops_control_and_escape_sequences():
    assert clean_text("a\x1b[2Jb\x07c\x00d") == "a[2Jbcd"
    assert "\x1b" not in clean_text("\x1b]52;c;aGk=\x07x")


def test_keeps_newlines_but_not_carriage_returns():
    assert clean_text("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_collapses_blank_line_runs():
    assert clean_text("a\n\n\n\n\nb") == "a\n\nb"


def test_drops_format_characters_but_keeps_zero_width_joiner():
    family = "\U0001f469\u200d\U0001f467"
    assert clean_text(family) == family
    assert clean_text("a\u202eb\u200bc\ufeffd") == "abcd"


def test_drops_private_use_unassigned_and_surrogates():
    assert clean_text("a\ue000b\U0010fffdc") == "abc"
    assert clean_text("a\ud800b") == "ab"
    assert clean_text("a\U000e0041b") == "ab"  # tag characters are format characters


def test_limits_combining_marks():
    zalgo = "x" + "\u0301\u0302\u0303\u0304\u0305" * 20 + "y"
    cleaned = clean_text(zalgo)
    assert cleaned == "x\u0301\u0302y"
    assert sum(unicodedata.combining(char) > 0 for char in clean_text("\u0301" * 50 + "z")) == 0


def test_caps_length():
    assert len(clean_text("x" * 10_000, COMMENT_MAX)) == COMMENT_MAX


def test_markup_is_kept_literally():
    hostile = "[  @click=app.quit]x[/]"
    assert clean_text(hostile) == hostile


def test_clean_line_is_single_line():
    assert clean_line("  Team\n away \t day  ") == "Team away day"


def test_none_and_non_text():
    assert clean_text(None) == ""
    assert clean_text(42) == "42"


def test_invisible_text_cannot_pass_as_a_comment():
    assert clean_text("\u200d\u200d\u200d") == ""
    assert clean_text("\u3164\u2800 \u115f") == ""
    assert clean_text("a\n\u0301\u0301b") == "a\nb"
