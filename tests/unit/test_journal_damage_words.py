"""The damage notice in short: plain words for the projected screen, no line numbers or byte offsets."""

from __future__ import annotations

from pathlib import Path

from sessions import DamagedLines, JournalDamage

JOURNAL = Path("/data/sessions/20261203-abc123/journal.log")


def test_one_line_says_what_it_held_and_where_the_copy_is() -> None:
    damage = JournalDamage(JOURNAL, (DamagedLines(13, 13, 2237, 211, 1, "votes record 45"),), kept="journal.log.damaged")
    assert damage.in_short() == (
        "Some saved changes could not be read back: 1 damaged line was skipped (votes record 45). Everything else is here. "
        "A copy of the damaged file is kept at /data/sessions/20261203-abc123/journal.log.damaged."
    )


def test_several_stretches_count_every_line_and_name_at_most_three_things() -> None:
    regions = (
        DamagedLines(3, 4, 100, 80, 2, "votes records 1, 2"),
        DamagedLines(9, 9, 400, 40, 1, "comments record 7"),
        DamagedLines(12, 12, 600, 40, None, ""),
        DamagedLines(15, 15, 700, 40, 1, "tallies record 3"),
        DamagedLines(20, 20, 900, 40, 1, "participants record 4"),
    )
    text = JournalDamage(JOURNAL, regions).in_short()
    assert text.startswith("Some saved changes could not be read back: 6 damaged lines were skipped ")
    assert "(votes records 1, 2; comments record 7; tallies record 3; and 1 more)" in text
    assert "copy" not in text  # a read-only open kept no copy, so none is promised
    assert "line 3" not in text and "bytes" not in text


def test_changes_missing_with_no_damaged_line_are_said_as_missing() -> None:
    text = JournalDamage(JOURNAL, (DamagedLines(2, 1, 0, 0, 3),)).in_short()  # a gap: no line in its place
    assert text == "Some saved changes could not be read back: 3 saved changes are missing. Everything else is here."
    both = JournalDamage(JOURNAL, (DamagedLines(2, 1, 0, 0, 1), DamagedLines(5, 5, 300, 40, 1, ""))).in_short()
    assert "1 damaged line was skipped and 1 saved change is missing." in both


def test_lines_the_last_save_already_holds_are_said_to_cost_nothing() -> None:
    damage = JournalDamage(JOURNAL, (DamagedLines(2, 2, 40, 45, 0, "votes record 2", covered=True),), kept="journal.log.damaged")
    assert damage.in_short() == (
        "1 damaged line left over from before the last save; nothing was lost. "
        "A copy of the damaged file is kept at /data/sessions/20261203-abc123/journal.log.damaged."
    )
    text = damage.describe()
    assert "nothing was lost" in text and "left over from before the last save" in text
    assert "0 changes" not in text and "could not be read back" not in text


def test_a_leftover_line_beside_a_real_loss_is_not_counted_as_lost() -> None:
    regions = (DamagedLines(2, 2, 40, 45, 0, "votes record 2", covered=True), DamagedLines(7, 7, 300, 40, 1, "votes record 9"))
    damage = JournalDamage(JOURNAL, regions)
    assert damage.in_short() == "Some saved changes could not be read back: 1 damaged line was skipped (votes record 9). Everything else is here."
    assert "could not be read back" in damage.describe() and "nothing was lost" not in damage.describe()
