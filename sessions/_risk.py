"""Risk flags: comments that may be a disclosure reach the facilitator marked ⚑, never hidden.

A flag is not a filter. It puts the comment first in the facilitator's
queue, stops it being approved without a person reading it, and keeps it
out of the circulated record. The list is short and English on purpose:
each phrase is one a moderator would want to read before anyone else, and
everyday workshop words ("end the session", "staff hit their targets") do
not match. A template (`risk_phrases = [...]`) or a `risk-phrases.txt` file in
the data folder (one phrase a line, `#` starts a comment) adds more.

Phrases match whole words, ignoring case, with any run of spaces or hyphens
standing for a space or hyphen in the phrase ("self harm" matches
"self-harm"). Two patterns need more than words: a named person with a role
("Dr Patel", "nurse Kemi", "the nurse, Kemi") and contact details (an email
address or a phone number).

"I was hit" and "slapped me" are first-person: "the service was hit by cuts"
does not match. "About ending things" and "want to end things" stand for
"ending things"; bare "end things" is everyday ("let's end things there").
"Take my life" comes with what goes before it ("tried to take my life"),
since "it would take my life savings" is not a disclosure.

Bare "end it" is left out: a workshop says "let's end it there" and "end it
on the targets". The list has the first-person forms instead ("want to end
it", "going to end it", "end it all", "ending it"), and a role followed by a
comma names someone only when a capitalised name comes next ("the manager,
Sam"), so "managers, staff and carers" does not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ._storage import StorageError

SAFEGUARDING_REMINDER = "⚑ Follow your organisation's safeguarding procedure for this comment."
"""The facilitator's one-line reminder beside a flagged comment (INVOLVE_SAFEGUARDING_REMINDER replaces it)."""

FLAGGED_NOT_ON_WALL = (
    "Not on the wall yet: it may be a disclosure, so it waits in the queue, flagged ⚑, like any other comment. "
    "Approve it there only if you mean the room and the public record to see it."
)
"""What the facilitator is told when a comment they typed is flagged (the app and the console say the same)."""

FLAGGED_HINT = "If it may be a disclosure (self-harm, abuse, a named person…), it waits in the queue, flagged, instead."
"""Beside the facilitator's comment forms: their own comments are checked too."""

RISK_FILE = "risk-phrases.txt"
"""In the data folder: more phrases, one a line."""

SELF_HARM = "self-harm"
SUICIDE = "suicide"
ABUSE = "abuse"
VIOLENCE = "violence"
NAMED_PERSON = "a named person"
CONTACT = "contact details"
OTHER = "a phrase this session watches for"

DEFAULT_PHRASES: Mapping[str, tuple[str, ...]] = {
    SELF_HARM: (
        "self harm", "self harming", "self harmed", "harm myself", "harming myself", "hurt myself",
        "hurting myself", "cut myself", "cutting myself", "burn myself", "overdose", "overdosed",
        "took an overdose",
    ),
    SUICIDE: (
        "suicide", "suicidal", "kill myself", "killing myself", "end my life", "ending my life",
        "take my own life", "ending it", "end it all", "want to end it", "wanted to end it",
        "going to end it", "just end it", "end it now", "hang myself", "hanging myself", "hanged myself",
        "want to die", "better off dead",
        "no reason to live", "not want to be here", "don't want to be here", "dont want to be here",
        "tried to take my life", "try to take my life", "want to take my life", "going to take my life",
        "about taking my life", "don't want to live", "dont want to live",
        "not want to live", "about ending things", "want to end things",
        "kill herself", "kill himself", "kill themselves", "killed herself", "killed himself", "killed themselves",
    ),
    ABUSE: (
        "abuse", "abused", "abusing", "abusive", "abuser", "raped", "rape", "sexually assaulted",
        "groped", "touched me", "neglected me", "grooming", "groomed",
    ),
    VIOLENCE: (
        "assaulted", "assault", "hit me", "hits me", "hitting me", "punched", "kicked me", "beat me",
        "beaten", "attacked me", "threatened me", "threatening me", "violence", "violent",
        "restrained me", "held me down", "slapped me", "i was slapped", "i was hit", "i got hit",
        "been hit",
    ),
}

_ROLES = (
    r"dr|doctor|nurse|sister|matron|consultant|psychiatrist|psychologist|therapist|"
    r"cpn|hca|gp|ot|healthcare\s+assistant|occupational\s+therapist|"
    r"social\s+worker|care\s+co-?ordinator|key\s*worker|support\s+worker|ward\s+manager|manager|"
    r"mr|mrs|ms|miss|prof|professor"
)
NAMED_PERSON_PATTERN = re.compile(rf"(?i:\b(?:{_ROLES}))[.,]?\s+(?:called\s+|named\s+)?[A-Z][a-z'’-]+")
"""A role or title followed by a capitalised name: 'Dr Patel', 'nurse Kemi', 'my key worker Sam', 'the nurse, Kemi'.

UK mental-health roles are named the way people say them: 'my CPN Dave', 'the HCA Sarah', 'my GP Dr…', 'the OT Jo'.
"""

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_PATTERN = re.compile(r"(?<![\w+])(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\d)")
"""A UK-style number: 07700 900123, 020 7946 0958, +44 7700 900123 (short numbers like 111 do not match)."""


def _phrase_pattern(phrase: str) -> str:
    words = [re.escape(word) for word in re.split(r"[\s\-]+", phrase.strip().lower()) if word]
    return r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)"


def _normalise(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def read_phrase_lines(lines: Iterable[str]) -> tuple[str, ...]:
    """Phrases from a file's lines: blank lines and `#` comments skipped."""
    found = []
    for line in lines:
        phrase = line.split("#", 1)[0].strip()
        if phrase:
            found.append(phrase)
    return tuple(found)


def read_phrase_file(path: Path) -> tuple[str, ...]:
    """The phrases in a data folder's `risk-phrases.txt`, or none when there is no such file."""
    try:
        return read_phrase_lines(Path(path).read_text(encoding="utf-8").splitlines())
    except (FileNotFoundError, NotADirectoryError):
        return ()
    except (OSError, UnicodeDecodeError) as error:
        # A list the facilitator wrote must not be skipped without a word.
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise StorageError(f"{path}: cannot read the risk phrases ({reason}).") from None


@dataclass(frozen=True)
class RiskPhrases:
    """The shipped list plus a session's own phrases, compiled once."""

    extra: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        groups = {reason: list(phrases) for reason, phrases in DEFAULT_PHRASES.items()}
        groups.setdefault(OTHER, []).extend(phrase for phrase in self.extra if phrase.strip())
        compiled = {
            reason: re.compile("|".join(_phrase_pattern(p) for p in phrases))
            for reason, phrases in groups.items()
            if phrases
        }
        object.__setattr__(self, "_compiled", compiled)

    def with_extra(self, phrases: Iterable[str]) -> RiskPhrases:
        more = tuple(p for p in phrases if p.strip() and p not in self.extra)
        return RiskPhrases(self.extra + more) if more else self

    def reasons(self, text: str) -> tuple[str, ...]:
        """Why a comment is flagged, in words ("suicide", "a named person"); () when it is not."""
        plain = _normalise(text)
        found = [reason for reason, pattern in self._compiled.items() if pattern.search(plain)]  # type: ignore[attr-defined]
        if NAMED_PERSON_PATTERN.search(text):
            found.append(NAMED_PERSON)
        if EMAIL_PATTERN.search(text) or PHONE_PATTERN.search(text):
            found.append(CONTACT)
        return tuple(found)


DEFAULT_RISK_PHRASES = RiskPhrases()
RISK_REASONS = frozenset({*DEFAULT_PHRASES, OTHER, NAMED_PERSON, CONTACT})
"""Every reason `RiskPhrases.reasons` can give: an imported record may carry these and no others."""
