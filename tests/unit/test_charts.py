"""The chart drawing, read back as plain text: numbers, glyphs and where they sit."""

from __future__ import annotations

from rich.cells import cell_len

from screens import _charts as charts
from screens import _layout as layout
from sessions import AreaResult, Distribution, GroupResult, RoleGroup, numbers


def dist(counts: dict[int, int], top: int = 5) -> Distribution:
    return Distribution(counts, tuple(range(1, top + 1)))


# -- numbers and words ----------------------------------------------------------------


def test_numbers_read_as_the_shared_vocabulary_does() -> None:
    """The screen's figures are `sessions.numbers`, so the record and the projector agree."""
    for value in (2, 2.5, 2.25, 3.0, None):
        assert charts.number(value) == numbers.median(value)
    assert charts.number(2) == "2"
    assert charts.number(2.5) == "2.5"
    assert charts.number(2.25) == "2.25"
    assert charts.number(None) == "–"


def test_signed_spells_out_the_sign() -> None:
    assert charts.signed(2) == "+2" == numbers.signed(2)
    assert charts.signed(-1.5) == "−1.5"
    assert charts.signed(0) == "0"


def test_counts_mark_the_part_counted_by_hand() -> None:
    assert charts.count_text(12, 5) == "12 (5 by hand)"
    assert charts.count_text(12) == "12"
    assert charts.answers_text(1) == "1 answer"
    assert charts.answers_text(30, 5) == "30 answers (5 by hand)"


def test_hidden_note_says_how_many_and_leaves_the_key_to_the_footer() -> None:
    assert charts.hidden_note(23).plain == "23 answers so far · results hidden"
    assert charts.hidden_note(1).plain.startswith("1 answer so far")


def test_small_groups_are_described_not_drawn() -> None:
    small = GroupResult(RoleGroup.STAFF, 2, None)
    empty = GroupResult(RoleGroup.LIVED, 0, None)
    shown = GroupResult(RoleGroup.LIVED, 4, object())  # type: ignore[arg-type]
    assert charts.group_heading(small) == "Staff: fewer than 3 — not shown separately"
    assert charts.group_heading(empty) == "Service users and carers: no answers yet"
    assert charts.group_heading(shown) == "Service users and carers (4)"


def test_gap_text_reads_without_colour() -> None:
    area = AreaResult("a", dist({2: 3}), dist({4: 2, 5: 1}))
    assert charts.area_gap_text(area) == "now ● 2 → target ◆ 4, gap +2"
    assert charts.gap_text(None, 3.0, None) == "now ● – → target ◆ 3, gap –"


# -- fitting text ---------------------------------------------------------------------


def test_fit_and_pad_count_cells_not_characters() -> None:
    assert layout.fit("Partnership", 6) == "Partn…"
    assert layout.fit("short", 10) == "short"
    wide = layout.fit("日本語のテキスト", 7)
    assert cell_len(wide) <= 7 and wide.endswith("…")
    assert cell_len(layout.pad("日本", 7, "center")) == 7


def test_wrap_keeps_text_verbatim_and_within_width() -> None:
    hostile = "[  @click=app.quit]x[/]"
    assert layout.wrap(hostile, 40, first="  ") == ["  " + hostile]
    lines = layout.wrap("aaa bbb  ccc " + "d" * 30 + " e", 12, first="- ", indent="  ")
    assert lines[0] == "- aaa bbb"
    assert all(cell_len(line) <= 12 for line in lines)
    assert "".join(line.strip() for line in lines[2:]).startswith("d" * 30)
    assert layout.wrap("one\n\ntwo", 12) == ["one", "", "two"]


def test_markup_in_text_stays_literal() -> None:
    lines = charts.grid_table([(1, "[b]low[/b]")], ["[red]Area[/]"], None, width=60)
    text = "\n".join(line.plain for line in lines)
    assert "[red]Area[/]" in text
    assert "[b]low[/b]" in text


# -- bars -----------------------------------------------------------------------------


def test_bar_length_follows_the_share() -> None:
    assert charts.bar(4, 8, 10) == "█████"
    assert charts.bar(8, 8, 10) == "█" * 10
    assert charts.bar(1, 8, 4) == "▌"
    assert charts.bar(1, 1000, 10) == "▏"  # any answer shows
    assert charts.bar(0, 8, 10) == ""


def test_column_chart_puts_counts_over_bars_and_the_median_under_its_position() -> None:
    rows = charts.column_chart([0, 2, 4, 0, 0, 0], slot=4, height=4, selected=2, median=3.0)
    plain = [row.plain for row in rows]
    assert len(plain) == 4 + 1 + 3  # label row and bars, axis, scale, median
    assert plain[0].strip() == "4"  # the tallest bar's count at the top
    assert plain[4][12:24].split() == ["0", "0", "0"]
    assert plain[0].index("4") == 9  # centred in position 3's slot
    assert plain[2][4:8].strip() == "2"  # the half-height bar's count two rows down
    assert plain[3][4:8] == " ██ " and plain[4][8:12] == " ██ "
    assert plain[4][0:4].strip() == "0"  # no bar, but the zero is written
    assert set(plain[5]) == {"─"}
    assert "[2]" in plain[6]  # the selected position in brackets
    assert plain[7].strip() == "▲ median 3"
    assert plain[7].index("▲") == plain[6].index("3")


def test_median_between_positions_sits_between_them() -> None:
    row = charts.median_row(4.5, 6, 60).plain
    assert row.index("▲") == round(3.5 * 6) + 2
    assert "median 4.5" in row


def test_median_near_the_right_edge_turns_its_label_round() -> None:
    row = charts.median_row(9, 4, 36).plain
    assert row.rstrip().endswith("median 9 ▲")
    assert cell_len(row) <= 36


def test_no_answers_means_no_median_marker() -> None:
    assert "▲" not in charts.median_row(None, 4, 36).plain


def test_row_chart_marks_each_groups_median_and_suppressed_groups() -> None:
    lines = charts.row_chart(
        ["1", "2", "3"],
        [("Staff (4)", [1, 3, 0], ""), ("Service users and carers", None, "fewer than 3 — not shown separately")],
        width=90,
        selected=2,
        medians=[2.0, None],
    )
    plain = [line.plain for line in lines]
    assert "Staff (4)" in plain[0]
    assert "Service users and carers" in plain[0]
    note = " ".join(line.split("│")[1].strip() for line in plain[1:])
    assert "fewer than 3 — not shown separately" in " ".join(note.split())
    assert "◀ median" in plain[2] and "◀ median" not in plain[1]
    assert plain[2].startswith("▸ 2")
    assert " 3 " in plain[2] and "███" in plain[2]


def test_row_chart_headings_wrap_and_long_labels_move_to_a_key() -> None:
    labels = ["1 Beginnings of involvement", "2", "3 Service-user led"]
    lines = charts.row_chart(
        labels,
        [("Staff (5)", [1, 2, 0], ""), ("Service users and carers (6)", [0, 2, 1], "")],
        width=50,
        medians=[2.0, 2.5],
    )
    plain = [line.plain for line in lines]
    text = "\n".join(plain)
    assert "…" not in text
    assert "Service users and" in plain[0] and "carers (6)" in plain[1] and "Staff (5)" in plain[1]
    assert plain[2].lstrip().startswith("1 ") and "Beginnings" not in plain[2]
    key = " ".join(" ".join(plain[5:]).split())
    assert key == "1 Beginnings of involvement · 3 Service-user led"
    assert all(cell_len(line) <= 50 for line in plain)


def test_gap_forms_keep_the_medians_and_gap_however_narrow() -> None:
    forms = charts.gap_forms(2.5, 4.5, 2.0, extra="11 answers")
    for width in (60, 40, 22, 16, 10):
        lines = layout.first_fit(forms, width)
        text = " ".join(lines)
        assert "2.5" in text and "4.5" in text and "+2" in text, width
        assert all(cell_len(line) <= width for line in lines)
    assert layout.first_fit(forms, 80) == ["now ● 2.5 → target ◆ 4.5, gap +2 · 11 answers"]
    assert layout.first_fit(forms, 16) == ["● 2.5 → ◆ 4.5,", "gap +2"]


def test_aligned_rows_keep_a_wrapped_name_beside_its_figures() -> None:
    from textual.content import Content

    rows = [[[Content("Individual"), Content("care")], [Content("● 3 → ◆ 5")]], [[Content("Policy")], [Content("● 1 → ◆ 4")]]]
    plain = [line.plain.rstrip() for line in layout.aligned_rows(rows, [10, 12], gap=" ")]
    assert plain == ["Individual ● 3 → ◆ 5", "care", "Policy     ● 1 → ◆ 4"]


# -- the grid ---------------------------------------------------------------------------


LEVELS = [(1, "No involvement"), (2, "Limited"), (3, "Growing"), (4, "Collaboration"), (5, "Partnership")]


def test_grid_table_shows_counts_medians_and_selection() -> None:
    area = AreaResult("a", dist({2: 3, 3: 1}), dist({4: 3}))
    cells = charts.grid_cells([area])
    assert cells[(0, 2)].median_here and cells[(0, 2)].count == 3
    assert cells[(1, 4)].median_here and not cells[(1, 5)].median_here
    lines = charts.grid_table(LEVELS, ["Individual care"], cells, width=70, selected=(0, 3))
    plain = [line.plain for line in lines]
    assert "Individual care" in plain[0]
    assert "[● now]" in plain[1] and "◆ target" in plain[1]
    assert plain[2].lstrip().startswith("5 Partnership")  # highest level first
    level2 = plain[5]
    assert "●" in level2 and " 3 " in level2
    level4 = plain[3]
    assert "◆" in level4 and " 3 " in level4
    level3 = plain[4]
    assert level3.startswith("▸3 Growing") and "[" in level3 and "1" in level3


def test_revealed_grid_has_a_gap_row_under_each_area() -> None:
    areas = [AreaResult("a", dist({2: 3}), dist({4: 3})), AreaResult("b", dist({1: 3}), dist({4: 3}))]
    lines = charts.grid_table(LEVELS, ["Individual care", "Policy"], charts.grid_cells(areas), width=70, gaps=[2.0, 3.0])
    gap_row = next(line.plain for line in lines if line.plain.startswith("Gap"))
    assert gap_row.split() == ["Gap", "+2", "+3"]
    assert abs(gap_row.index("+2") - lines[0].plain.index("Individual care") - 6) <= 2  # under its own area


def test_hidden_grid_shows_only_the_selected_hand_count() -> None:
    lines = charts.grid_table(LEVELS, ["A", "B"], None, width=70, selected=(3, 4), selected_text="[7]")
    text = "\n".join(line.plain for line in lines)
    assert "[7]" in text
    assert "●" not in text.split("\n", 2)[2] and "◆" not in text.split("\n", 2)[2]
    assert text.count("·") == 5 * 4 - 1


# -- indicators ------------------------------------------------------------------------


def test_answer_row_gives_glyph_word_count_and_hand_part() -> None:
    row = charts.answer_row({"met": 5, "partly": 3, "not_met": 1}, width=96, selected="partly", hand={"met": 2}).plain
    assert "✔ Met 5 (2 by hand)" in row
    assert "[◐ Partly 3" in row
    assert "✘ Not met 1" in row


def test_answer_row_hidden_shows_choices_only() -> None:
    row = charts.answer_row(None, width=60, selected="not_met").plain
    assert "✔ Met" in row and "[✘ Not met]" in row
    assert not any(ch.isdigit() for ch in row)


def test_answer_bars_share_one_scale_across_columns_and_rows() -> None:
    """Equal counts draw equal bars whichever column they are in, and a row's bars follow the chart's largest count."""
    row = charts.answer_row({"met": 4, "partly": 4, "not_met": 4}, width=90, largest=8).plain
    bars = [part.count("█") for part in row.split("  ") if "█" in part]
    assert len(bars) == 3 and len(set(bars)) == 1
    # The bars start at the same offset in each column, so they can be compared by eye.
    segment = (90 - 4) // 3
    starts = [row.index("█", i * (segment + 2)) - i * (segment + 2) for i in range(3)]
    assert len(set(starts)) == 1
    half = charts.answer_row({"met": 4, "partly": 8, "not_met": 0}, width=90, largest=8).plain
    met, partly = (part.count("█") for part in half.split("  ") if "█" in part)
    assert abs(2 * met - partly) <= 1


def test_a_short_answer_row_keeps_every_count() -> None:
    """When a segment is short the words give way to the glyphs the legend explains, never the count."""
    row = charts.answer_row({"met": 12, "partly": 3, "not_met": 10}, width=40, hand={"met": 2}).plain
    assert "✔ 12" in row and "◐ 3" in row and "✘ 10" in row
    assert "…" not in row and cell_len(row) <= 40


def test_answer_summary_is_compact() -> None:
    assert charts.answer_summary({"met": 5, "not_met": 1}) == "✔ 5  ◐ 0  ✘ 1"


def test_table_has_a_rule_and_aligned_columns() -> None:
    lines = layout.table(["Area", "Now"], [["Policy", "2.0 → 3.0 ↑ +1.0"]], width=40, first=10)
    plain = [line.plain for line in lines]
    assert plain[0].startswith("Area") and "Now" in plain[0]
    assert set(plain[1].replace(" ", "")) == {"─"}
    assert plain[2].index("2.0") == plain[0].index("Now")


def test_group_lines_spell_out_why_a_group_is_missing() -> None:
    lines = [line.plain for line in charts.group_lines(GroupResult(RoleGroup.LIVED, 2, None), 20)]
    assert lines[:2] == ["Service users and", "carers"]  # the name wraps, never cut
    assert " ".join(lines[2:]) == "fewer than 3 — not shown separately"
    shown = charts.group_lines(GroupResult(RoleGroup.STAFF, 5, object()), 20)  # type: ignore[arg-type]
    assert [line.plain for line in shown] == ["Staff (5)"]


def test_narrow_grid_numbers_the_levels_and_adds_a_key() -> None:
    areas = ["Individual care", "Care setting", "Policy"]
    levels = LEVELS[:2] + [(3, "Growing involvement")] + LEVELS[3:]
    wide = [line.plain for line in charts.grid_table(levels, areas, None, width=80)]
    assert any(line.lstrip().startswith("3 Growing involvement") for line in wide)
    assert not any(line.startswith("Levels:") for line in wide)
    narrow = [line.plain for line in charts.grid_table(levels, areas, None, width=48, selected=(5, 1))]
    assert all(cell_len(line) <= 48 for line in narrow)
    assert narrow[0].split() == ["Individual"] and narrow[1].split() == ["care", "Care", "setting", "Policy"]
    assert [line[:3].strip() for line in narrow[3:8]] == ["5", "4", "3", "2", "▸1"]
    key = " ".join(" ".join(narrow[8:]).split())
    assert key == "Levels: 5 Partnership · 4 Collaboration · 3 Growing involvement · 2 Limited · 1 No involvement"
    assert "target" in narrow[2]  # the word survives when the glyph does not fit


def test_a_level_name_is_whole_or_in_the_key_at_every_width() -> None:
    """Between 'names fit with bars' and 'numbers and a key' the names once lost their end
    ("3 Growing involveme…", the revealed grid split by role at 100x30); bars give way first."""
    areas = ["Individual care", "Care setting", "Policy"]
    levels = LEVELS[:2] + [(3, "Growing involvement")] + LEVELS[3:]
    cells = {(column, level): charts.GridCell(count=4 + column, median_here=level == 3) for column in range(6) for level in range(1, 6)}
    bare_seen = barred_seen = keyed_seen = False
    for width in range(40, 90):
        lines = [line.plain for line in charts.grid_table(levels, areas, cells, width=width, gaps=[2.0, 1.0, 2.0])]
        text = "\n".join(lines)
        assert "…" not in text, f"width {width}:\n{text}"
        assert all(cell_len(line) <= width for line in lines), width
        rows = [line for line in lines if line[1:2].isdigit() and line[2:3] == " "]
        if any("Growing involvement" in line for line in rows):
            assert [row.split()[1] for row in rows] == ["Partnership", "Collaboration", "Growing", "Limited", "No"], width
            bars = any(glyph in "".join(rows) for glyph in "▏▎▍▌▋▊▉█")
            barred_seen |= bars
            bare_seen |= not bars
        else:
            assert any(line.startswith("Levels:") for line in lines), f"width {width}: names neither whole nor in the key"
            keyed_seen = True
    assert bare_seen and barred_seen and keyed_seen


def test_area_names_wrap_rather_than_lose_their_end() -> None:
    one_line = [line.plain for line in charts.area_headings(["Policy", "Care setting"], 4, 13)]
    assert len(one_line) == 1 and "Care setting" in one_line[0]
    two = [line.plain for line in charts.area_headings(["Individual care", "Policy"], 4, 13)]
    assert [line.split() for line in two] == [["Individual"], ["care", "Policy"]]
    long = [line.plain for line in charts.area_headings(["People who use services and carers"], 0, 13)]
    assert len(long) == 2 and long[1].strip().endswith("…") and all(cell_len(line) <= 13 for line in long)
