"""The number vocabulary: one set of rules for every figure the app shows or writes."""

from __future__ import annotations

import pytest

from sessions import Area, GridActivity, Level, SpectrumActivity, Stage, numbers


def spectrum(positions: int = 5) -> SpectrumActivity:
    stages = tuple(Stage(name.lower(), name) for name in ("Beginnings of involvement", "Good involvement", "Service-user led"))
    return SpectrumActivity(id="spectrum", title="Spectrum", positions=positions, stages=stages)


@pytest.mark.parametrize(
    ("value", "text"),
    [(2, "2"), (2.0, "2"), (3.5, "3.5"), (2.25, "2.25"), (2.75, "2.75"), (0, "0"), (None, "–")],
)
def test_medians_read_whole_numbers_plainly_and_keep_halves_and_quarters(value, text) -> None:
    assert numbers.median(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(2, "+2"), (-1.5, "−1.5"), (0, "0"), (0.0, "0"), (0.25, "+0.25"), (None, "–")],
)
def test_gaps_spell_out_their_sign_and_zero_has_none(value, text) -> None:
    assert numbers.signed(value) == text


def test_amounts_are_singular_only_for_exactly_one() -> None:
    assert numbers.amount(1, "level") == "1 level"
    assert numbers.amount(1.5, "level") == "1.5 levels"
    assert numbers.amount(0, "level") == "0 levels"
    assert numbers.amount(-1, "level", sign=True) == "−1 level"
    assert numbers.people(1) == "1 person"
    assert numbers.people(0) == "0 people"


def test_shares_round_half_up_and_say_when_nobody_answered() -> None:
    assert numbers.share(3, 7) == "43%"
    assert numbers.share(1, 8) == "13%"  # 12.5 reads 13, as by hand
    assert numbers.share(0, 0) == "–"
    assert numbers.count_of(3, 7) == "3 of 7 (43%)"
    assert numbers.count_of(0, 0) == "0 of 0"
    # The number a JSON summary gives beside '43%' is the one the words show.
    assert (numbers.whole_percent(3, 7), numbers.whole_percent(1, 8), numbers.whole_percent(0, 0)) == (43, 13, None)


def test_counts_with_hands_and_answers() -> None:
    assert numbers.by_hand(12, 5) == "12 (5 by hand)"
    assert numbers.by_hand(12) == "12"
    assert numbers.answers(1) == "1 answer"
    assert numbers.answers(4, 2) == "4 answers (2 by hand)"


def test_a_median_between_positions_reads_in_the_stages_words() -> None:
    activity = spectrum(5)
    assert numbers.position(activity, 3) == "Good involvement"
    assert numbers.position(activity, 3.5) == "Just past Good involvement"
    assert numbers.position(activity, 4) == "Halfway between Good involvement and Service-user led"
    assert numbers.placement(activity, 3.5) == "position 3.5 (Just past Good involvement)"
    assert numbers.placement(activity, None) == "no answers"
    assert numbers.stage_positions(activity) == "1 = Beginnings of involvement, 3 = Good involvement, 5 = Service-user led"
    assert numbers.stage_positions(spectrum(4)).startswith("1 = Beginnings of involvement, 2.5 = Good")


def test_a_higher_level_is_better_and_says_so_in_words() -> None:
    assert numbers.movement(1, numbers.LEVEL) == "+1 ↑ better: more involvement"
    assert numbers.movement(-0.5, numbers.LEVEL) == "−0.5 ↓ worse: less involvement"
    assert numbers.movement(0, numbers.LEVEL) == "= no change"
    assert numbers.movement(None, numbers.LEVEL) == "–"


def test_a_wider_gap_is_worse_though_the_number_goes_up() -> None:
    assert numbers.movement(1, numbers.GAP) == "+1 ↓ worse: further to go"
    assert numbers.movement(-2, numbers.GAP) == "−2 ↑ better: closer to the target"


def test_more_not_met_is_worse_and_more_met_is_better() -> None:
    assert numbers.movement(2, numbers.NOT_MET) == "+2 ↓ worse: more say not met"
    assert numbers.movement(2, numbers.MET) == "+2 ↑ better: more say met"


def test_neutral_measures_say_what_changed_without_judging() -> None:
    assert numbers.movement(3, numbers.ANSWERED) == "+3 → more people answering"
    assert numbers.movement(-1, numbers.SPREAD) == "−1 → views closer together"


def test_shares_are_compared_when_the_room_changed_size() -> None:
    assert numbers.share_change((3, 7), (3, 8)) == -5  # 43% then 38%: points, not counts
    assert numbers.share_change((3, 7), (5, 7)) == 2  # the same room: counts
    assert numbers.share_change((0, 0), (0, 0)) is None
    assert numbers.share_change(None, (2, 8)) is None
    assert numbers.movement(-5, numbers.MET, unit="point") == "−5 points ↓ worse: fewer say met"


def grid() -> GridActivity:
    levels = tuple(Level(number, name, "") for number, name in enumerate(("None", "Tokenism", "Consultation", "Partnership"), start=1))
    return GridActivity(id="grid", title="Grid", levels=levels, areas=(Area("care", "Care", ""),))


def test_counts_then_and_now_carry_their_shares_and_bar_sizes_when_the_room_changed_size() -> None:
    """The record, `involve compare` and the projected review's bars all take their cells from here."""
    cells = numbers.counts_then_now((0, 7, 0), 7, (0, 8, 0), 8)
    assert cells == (["0", "7 (100%)", "0"], ["0", "8 (100%)", "0"], [0.0, 100.0, 0.0], [0.0, 100.0, 0.0])
    then, now, then_sizes, now_sizes = numbers.counts_then_now((4, 3), 7, (1, 7), 8)
    assert (then, now) == (["4 (57%)", "3 (43%)"], ["1 (13%)", "7 (88%)"])
    assert then_sizes[0] == pytest.approx(57.14, abs=0.01) and now_sizes[1] == pytest.approx(87.5)
    # The same number answering: bare counts, drawn to the counts.
    assert numbers.counts_then_now((4, 3), 7, (2, 5), 7) == (["4", "3"], ["2", "5"], [4.0, 3.0], [2.0, 5.0])
    # Nobody answered then: nothing to take a share of.
    assert numbers.counts_then_now((0, 0), 0, (1, 2), 3)[:2] == (["0", "0"], ["1 (33%)", "2 (67%)"])


def test_a_median_between_grid_levels_reads_in_the_levels_words_as_the_spectrum_does() -> None:
    activity = grid()
    assert numbers.level(activity, 2) == "Tokenism"
    assert numbers.level(activity, 2.5) == "Halfway between Tokenism and Consultation"
    assert numbers.level(activity, 2.25) == "Just past Tokenism"
    assert numbers.level(activity, 2.75) == "Nearly Consultation"
    assert numbers.level(activity, None) == "–"
    assert numbers.level_placement(activity, 3.5) == "level 3.5 (Halfway between Consultation and Partnership)"
    assert numbers.level_placement(activity, None) == "no answers"
    # One set of words for a place between two steps, on the spectrum and on the grid.
    assert numbers.between("A", "B", 0.5) == "Halfway between A and B" == spectrum(3).position_label(1.5).replace(
        "Beginnings of involvement", "A"
    ).replace("Good involvement", "B")


def test_a_review_date_is_spelt_out_the_same_way_everywhere() -> None:
    """One formatter for the projected screens, the console, the phone page and every record."""
    from datetime import date

    assert numbers.date_label(date(2027, 1, 31)) == "31 January 2027"
    assert numbers.date_label("2027-01-31") == "31 January 2027"
    assert numbers.date_label("2026-03-02T10:00:00+00:00") == "2 March 2026", "a session's created time reads as its day"
    assert numbers.date_label(date(2026, 12, 1)) == "1 December 2026", "no leading zero, no locale"
    assert numbers.date_label(None) == numbers.date_label("") == ""
    assert numbers.date_label("not a date") == "not a date"
