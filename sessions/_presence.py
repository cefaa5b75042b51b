"""The presence check: are enough people who use services, or carers, in the room?

It follows the 4PI National Involvement Standards (NSUN, National
Involvement Partnership): a meeting should have at least two, and ideally
three, people who use services or carers. People without a phone, counted
in from the keyboard, count too. The lobby shows the verdict and every
record's summary writes it down, in the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._model import Participant, RoleGroup
from ._results import room_counts

PRESENCE_MINIMUM = 2
PRESENCE_IDEAL = 3

STANDARD = "4PI National Involvement Standards (NSUN, National Involvement Partnership)"
"""Where the check comes from, named wherever its verdict is shown."""
STANDARD_RULE = "at least two service users or carers at a meeting, ideally three"
CREDIT = f"Presence check: {STANDARD}."


def presence(participants: Iterable[Participant], extra_lived: int = 0) -> tuple[int, str]:
    """How many service users or carers are present, and whether that meets the 4PI presence standard."""
    lived = room_counts(participants)[RoleGroup.LIVED] + extra_lived
    if lived >= PRESENCE_IDEAL:
        return lived, "ideal"
    if lived >= PRESENCE_MINIMUM:
        return lived, "minimum"
    return lived, "below"


@dataclass(frozen=True)
class PresenceWords:
    """The verdict as a glyph, a headline and a hint, so it reads without colour."""

    mark: str
    headline: str
    hint: str


PRESENCE_WORDS = {
    "ideal": PresenceWords("✔✔", "Presence: ideal.", "Three or more is the ideal."),
    "minimum": PresenceWords("✔", "Presence: minimum met.", "A third would make it ideal."),
    "below": PresenceWords("⚠", "Presence: below the minimum.", "At least two are needed, ideally three."),
}


def presence_words(level: str) -> PresenceWords:
    return PRESENCE_WORDS[level]
