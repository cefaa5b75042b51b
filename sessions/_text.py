"""Cleaning of untrusted text at the moment it arrives.

Comments, names, titles and template text all pass through `clean_text`
before they reach the model, so every later layer (screen, export, web page)
sees text that cannot move the cursor, hide itself, or smuggle escape codes.
Rendering still treats it as literal text; cleaning is the first of two walls.
"""

from __future__ import annotations

import unicodedata

ZERO_WIDTH_JOINER = "\u200d"
MAX_COMBINING = 2

# Limits used across the product; one place so the phone page, the model and
# the exports agree.
COMMENT_MAX = 280
NAME_MAX = 40
TITLE_MAX = 120
TEXT_MAX = 2000

_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})
# Letters and symbols that draw nothing, used to post blank-looking text.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def clean_text(value: object, max_length: int = TEXT_MAX, *, multiline: bool = True) -> str:
    """Return `value` as safe plain text.

    NFC-normalises; drops control, format, private-use, unassigned and
    surrogate characters (keeping newline when `multiline`, and the zero-width
    joiner that emoji sequences need); allows at most two combining marks on a
    base character; trims surrounding white space; caps the length.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if text.isascii() and text.replace("\n", "").isprintable():
        # Plain printable ASCII, as most comments are: nothing to drop, combine or join.
        cleaned = text if multiline else text.replace("\n", " ")
    else:
        cleaned = _kept_characters(text, multiline)
    if multiline:
        # Collapse runs of blank lines so a comment cannot push the wall off screen.
        lines = [line.rstrip() for line in cleaned.split("\n")]
        out: list[str] = []
        blank = 0
        for line in lines:
            blank = blank + 1 if not line.strip() else 0
            if blank <= 1:
                out.append(line)
        cleaned = "\n".join(out)
    cleaned = cleaned.strip().strip(ZERO_WIDTH_JOINER).strip()
    if len(cleaned) > max_length:
        cleaned = cleaned[:max_length].rstrip().rstrip(ZERO_WIDTH_JOINER)
    return cleaned


def clean_line(value: object, max_length: int = TITLE_MAX) -> str:
    """Single-line variant for names and titles."""
    return " ".join(clean_text(value, max_length, multiline=False).split())


def _kept_characters(text: str, multiline: bool) -> str:
    """The character-by-character pass, for text that is not plain ASCII."""
    kept: list[str] = []
    combining = 0
    for char in text:
        if char == "\n":
            if multiline:
                kept.append(char)
            else:
                kept.append(" ")
            combining = 0
            continue
        if char == ZERO_WIDTH_JOINER:
            # Only inside a sequence (emoji families, flags): never in runs, never first.
            if kept and kept[-1] not in (ZERO_WIDTH_JOINER, "\n", " "):
                kept.append(char)
            continue
        if char in _INVISIBLE_LETTERS:
            continue
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES:
            continue
        if category in ("Zl", "Zp"):
            kept.append("\n" if multiline else " ")
            combining = 0
            continue
        if unicodedata.combining(char) or category in ("Mn", "Me"):
            if combining >= MAX_COMBINING or not kept or kept[-1] in ("\n", " "):
                continue
            combining += 1
        else:
            combining = 0
        kept.append(char)
    return "".join(kept)


def reflow_paragraphs(text: str) -> str:
    """Read template text as paragraphs, the one reading every surface shares.

    Template files are wrapped by their authors; those line breaks are not the
    room's. Single line breaks join with a space, blank lines separate
    paragraphs (kept as one blank line), and a line starting `- ` stays its own
    list item. The screen, the phone page and the exports then wrap to fit.
    """
    paragraphs: list[str] = []
    lines: list[str] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            if lines:
                paragraphs.append("\n".join(lines))
                lines = []
            continue
        if line.startswith("- ") or not lines:
            lines.append(line)
        else:
            lines[-1] = f"{lines[-1]} {line}"
    if lines:
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)
