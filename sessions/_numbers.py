"""How every figure reads: one vocabulary for the screens and every export.

A median of 3.5 on the spectrum, a gap of +2 levels or a change of "= 0"
must read the same on the projector, in the Markdown minutes, on the web
page, in the spreadsheet and in the JSON record's summary. Every writer
formats numbers through this module and nowhere else.

The words for a change come from the frameworks themselves (Transforming
Services: Changing Lives, Suresearch and the University of Birmingham; the
leadership spectrum, NSUN and Together): a higher level is more involvement,
more "not met" answers is worse, a wider gap between now and the target is
further to go. A change is always spelt out in words beside its arrow, so
neither the arrow's direction nor a colour carries the meaning alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._model import GridActivity, SpectrumActivity

NO_VALUE = "–"
"""Shown where there is no figure at all (nobody answered, not asked then)."""
MINUS = "−"
BETTER_MARK = "↑"
WORSE_MARK = "↓"
SAME_MARK = "="
CHANGE_MARK = "→"
"""A change that is neither better nor worse in the framework's terms (more answers, a wider spread)."""


# -- single figures -------------------------------------------------------------


def median(value: float | int | None) -> str:
    """A median, quartile or spread: whole numbers plainly, halves and quarters with their decimals.

    '3', '3.5', '2.25'; '–' when there is none. Medians of whole-number
    answers only ever land on quarters, so nothing is rounded away.
    """
    if value is None:
        return NO_VALUE
    value = round(float(value), 2)
    if value.is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0")


def signed(value: float | int | None) -> str:
    """A gap or a change with its sign spelt out: '+2', '−1.5', '0'."""
    if value is None:
        return NO_VALUE
    if round(float(value), 2) == 0:
        return "0"
    text = median(abs(value))
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def count(value: int | None) -> str:
    """A number of people or answers."""
    return NO_VALUE if value is None else str(int(value))


def plural(value: float | int, unit: str) -> str:
    """'1 level', '1.5 levels', '0 levels': only exactly one is singular."""
    return unit if abs(value) == 1 else f"{unit}s"


def amount(value: float | int, unit: str, *, sign: bool = False) -> str:
    """A figure with its unit: '1 position', '1.5 positions', '+1 level'."""
    text = signed(value) if sign else median(value)
    return f"{text} {plural(value, unit)}"


def people(value: int) -> str:
    return f"{value} {'person' if value == 1 else 'people'}"


def percent(part: int, whole: int) -> float | None:
    """The share `part` is of `whole`, in per cent, or None when nobody answered."""
    if not whole:
        return None
    return 100 * part / whole


def whole_percent(part: int, whole: int) -> int | None:
    """The share as the words give it, in whole per cent rounded half up (43 for 3 of 7), or None."""
    value = percent(part, whole)
    return None if value is None else _round_half_up(value)


def share(part: int, whole: int) -> str:
    """A share of the room in whole per cent: '43%'; '–' when nobody answered."""
    value = whole_percent(part, whole)
    return NO_VALUE if value is None else f"{value}%"


def count_of(part: int | None, whole: int | None) -> str:
    """A count beside the share it is of the room: '3 of 7 (43%)'."""
    if part is None or whole is None:
        return NO_VALUE
    if not whole:
        return f"{part} of 0"
    return f"{part} of {whole} ({share(part, whole)})"


def count_share(part: int, whole: int) -> str:
    """A count with its share of those answering, for a cell of a chart or table: '3 (43%)'; a plain '0'."""
    if not part or not whole:
        return count(part)
    return f"{part} ({share(part, whole)})"


def counts_then_now(
    then: Sequence[int], then_n: int, now: Sequence[int], now_n: int
) -> tuple[list[str], list[str], list[float], list[float]]:
    """People at each place then and now, as the cells read and as the bars are drawn.

    When the same number answered both times the cells are bare counts and the
    bars are drawn to them; when the room changed size each cell gives the count
    with its share ('7 (100%)' then, '8 (100%)' now) and the bars are drawn to
    the shares, so a room that grew does not look like a room that moved.
    """
    if then_n == now_n:
        return [count(c) for c in then], [count(c) for c in now], [float(c) for c in then], [float(c) for c in now]
    return (
        [count_share(c, then_n) for c in then],
        [count_share(c, now_n) for c in now],
        [percent(c, then_n) or 0.0 for c in then],
        [percent(c, now_n) or 0.0 for c in now],
    )


def by_hand(total: int, hand: int = 0) -> str:
    """A count with the part the facilitator keyed in: '12 (5 by hand)'."""
    return f"{total} ({hand} by hand)" if hand else str(total)


def answers(total: int, hand: int = 0) -> str:
    """'1 answer', '12 answers (5 by hand)'."""
    noun = "answer" if total == 1 else "answers"
    return f"{total} {noun} ({hand} by hand)" if hand else f"{total} {noun}"


def _round_half_up(value: float) -> int:
    """42.5% reads 43%, as a person rounding by hand would, not Python's 42."""
    return int(value + 0.5 + 1e-9) if value >= 0 else -int(-value + 0.5 + 1e-9)


# -- dates --------------------------------------------------------------------------


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
"""The months in the app's own words, never the machine's locale."""


def date_label(value: str | date | None) -> str:
    """'31 January 2027': a date spelt out, so no reader mixes up day and month.

    The one way a session's date or a target's review date reads to a person:
    on the projected screens, on the console and the phone page, and in every
    record. Spreadsheets and JSON keep ISO dates beside it as data. An empty
    value gives ''; text that is not a date comes back as it was.
    """
    if not value:
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# -- places on the spectrum and on the grid ----------------------------------------


def between(here: str, after: str, part: float) -> str:
    """Words for a place part of the way from one named step to the next.

    The spectrum's stages and the grid's levels share them, so a median
    between two steps reads the same way on screen and in every record:
    'Just past Tokenism', 'Halfway between Tokenism and Partnership',
    'Nearly Partnership'.
    """
    if abs(part - 0.5) < 1e-9:
        return f"Halfway between {here} and {after}"
    if part < 0.5:
        return f"Just past {here}"
    return f"Nearly {after}"


def position(activity: SpectrumActivity, value: float | None) -> str:
    """Where a median falls on the spectrum, in the stages' own words.

    'Just past Good involvement' for 3.5 on a five-position line; the same
    words on screen and in the record.
    """
    if value is None:
        return NO_VALUE
    return activity.position_label(value)


def placement(activity: SpectrumActivity, value: float | None) -> str:
    """'position 3.5 (Just past Good involvement)', or 'no answers'."""
    if value is None:
        return "no answers"
    return f"position {median(value)} ({position(activity, value)})"


def level(activity: GridActivity, value: float | None) -> str:
    """Where a median falls on the grid's levels, in the levels' own words.

    'Consultation' for 3; 'Halfway between Consultation and Partnership' for
    3.5; 'Just past Consultation' for 3.25; 'Nearly Partnership' for 3.75.
    """
    if value is None:
        return NO_VALUE
    value = round(float(value), 6)
    low = int(value)
    if value == low:
        return activity.level(low).name
    return between(activity.level(low).name, activity.level(low + 1).name, value - low)


def level_placement(activity: GridActivity, value: float | None) -> str:
    """'level 3.5 (Halfway between Consultation and Partnership)', or 'no answers'."""
    if value is None:
        return "no answers"
    return f"level {median(value)} ({level(activity, value)})"


def stage_positions(activity: SpectrumActivity) -> str:
    """'1 = Beginnings of involvement, 3 = Good involvement, 5 = Service-user led'."""
    return ", ".join(f"{median(place)} = {stage}" for stage, place in activity.stage_places())


# -- changes between two sessions -------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What a rise in one figure means, in the framework's own terms.

    `higher_is_better` is True, False, or None for a figure that is neither
    better nor worse when it moves (how many answered, how far apart views are).
    """

    name: str
    rise: str
    fall: str
    higher_is_better: bool | None


LEVEL = Measure("level now", "more involvement", "less involvement", True)
TARGET = Measure("target level", "aiming higher", "aiming lower", None)
GAP = Measure("gap to target", "further to go", "closer to the target", False)
SPECTRUM = Measure("place on the spectrum", "further along the spectrum", "further back on the spectrum", True)
SPREAD = Measure("spread", "views further apart", "views closer together", None)
ANSWERED = Measure("people answering", "more people answering", "fewer people answering", None)
MET = Measure("met", "more say met", "fewer say met", True)
PARTLY = Measure("partly met", "more say partly met", "fewer say partly met", None)
NOT_MET = Measure("not met", "more say not met", "fewer say not met", False)


@dataclass(frozen=True)
class Verdict:
    """How one figure moved, as a mark, a word and the framework's words."""

    mark: str
    word: str
    """'better', 'worse', 'no change' or 'changed'."""
    meaning: str
    """The framework's words for the move: 'more involvement', 'further to go'."""

    def __str__(self) -> str:
        if self.word == "no change":
            return f"{SAME_MARK} no change"
        if self.word == "changed":
            return f"{CHANGE_MARK} {self.meaning}"
        return f"{self.mark} {self.word}: {self.meaning}"


def verdict(change: float | None, measure: Measure) -> Verdict | None:
    """Better or worse for this measure, or None when one side has no figure."""
    if change is None:
        return None
    if round(change, 6) == 0:
        return Verdict(SAME_MARK, "no change", "")
    rose = change > 0
    meaning = measure.rise if rose else measure.fall
    if measure.higher_is_better is None:
        return Verdict(CHANGE_MARK, "changed", meaning)
    better = rose == measure.higher_is_better
    return Verdict(BETTER_MARK if better else WORSE_MARK, "better" if better else "worse", meaning)


def movement(change: float | None, measure: Measure, *, unit: str = "") -> str:
    """A change and what it means: '+1 ↑ better: more involvement', '= no change', '–'.

    `unit` follows the number ('+20 points'); whole counts and medians use
    the same rules as everywhere else.
    """
    judged = verdict(change, measure)
    if judged is None or change is None:
        return NO_VALUE
    if judged.word == "no change":
        return str(judged)
    figure = signed(change) + (f" {plural(change, unit)}" if unit else "")
    return f"{figure} {judged}"


def share_change(before: tuple[int, int] | None, after: tuple[int, int]) -> float | None:
    """How far one choice moved: in counts when the same number answered, else in percentage points."""
    if before is None:
        return None
    (then, then_n), (now, now_n) = before, after
    if then_n == now_n:
        return float(now - then) if now_n else None
    was, is_ = whole_percent(then, then_n), whole_percent(now, now_n)
    if was is None or is_ is None:
        return None
    return float(is_ - was)


KEY = (
    f"{BETTER_MARK} better and {WORSE_MARK} worse in the framework's terms "
    f"(a higher level is more involvement, a wider gap is further to go, more 'not met' is worse); "
    f"{SAME_MARK} no change; {CHANGE_MARK} changed, neither better nor worse; {NO_VALUE} no figure."
)
"""The legend every comparison carries, so no reader has to guess what an arrow means."""
