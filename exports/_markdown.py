"""The record as Markdown, ready to paste into minutes.

Everything a participant or trainer wrote is escaped so it stays text: no
heading, list, link, table cell or HTML tag can be smuggled in through a
comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._compare import (
    LEGEND,
    Comparison,
    ComparisonTable,
    SpectrumComparison,
    comparison_tables,
    review_count,
    shown_once,
)
from ._record import (
    ActivityRecord,
    GridRecord,
    GroupRecord,
    IndicatorsRecord,
    Record,
    SpectrumRecord,
    Summary,
    TargetRecord,
    TargetReview,
    amount,
    number,
    people,
    signed,
    spread_text,
)
from ._summary import SessionSummary

_INLINE = re.compile(r"([\\`*_\[\]|~])")
_LEADING = re.compile(r"^([#+=-]|\d{1,9}(?=[.)](\s|$)))")
_WORD = re.compile(r"[^\s`|]+")
_LINK_LIKE = re.compile(r"://|^//|www\.|mailto:|xmpp:|@[^@]*\.\w|\.[^\W\d_]{2,}", re.IGNORECASE)
"""What a GFM renderer could turn into a link: a scheme, `www.`, or a dotted name (a domain, an e-mail address).

A dot before two letters counts whatever precedes it: linkify links `evil£.com` and `xn--e1afmkfd-.com` too."""


def _inert(piece: str) -> str:
    piece = _INLINE.sub(r"\\\1", piece)
    return piece.replace("<", "&lt;").replace(">", "&gt;")


def _words(line: str) -> str:
    """Escape a line; a word that looks like an address becomes a code span.

    GFM's autolinks (cmark-gfm, marked, markdown-it with linkify) link bare
    `https://…`, `www.…` and e-mail addresses, and markdown-it's linkify also
    links a bare `example.com`. None of them looks inside a code span, while
    a backslash before a dot only cuts the address (markdown-it still links
    `https://evil` in `https://evil\\.com`), so the word is shown as written,
    in code, and never as a link. Such a word holds no backtick or pipe, so the
    span needs no escaping and cannot split a table cell.
    """
    out: list[str] = []
    end = 0
    for word in _WORD.finditer(line):
        if _LINK_LIKE.search(word.group()):
            out.append(_inert(line[end : word.start()]))
            out.append(f"`{word.group()}`")
            end = word.end()
    out.append(_inert(line[end:]))
    return "".join(out)


def md_text(text: str) -> str:
    """User or template text as inert Markdown; line breaks become hard breaks."""
    lines = []
    for line in str(text).split("\n"):
        line = _words(line.strip())
        match = _LEADING.match(line)
        if match:
            lead = match.group(1)
            line = f"\\{line}" if not lead[0].isdigit() else f"{lead}\\{line[len(lead):]}"
        lines.append(line)
    return "  \n".join(line for line in lines)


def md_cell(text: str) -> str:
    """Text for a table cell: escaped, and kept on one row."""
    return "<br>".join(md_text(text).split("  \n"))


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _table(header: list[str], align: str, rows: Sequence[Sequence[object]]) -> list[str]:
    rule = ["---:" if a == "r" else "---" for a in align]
    return [_row(*header), _row(*rule), *(_row(*row) for row in rows), ""]


def render_markdown(record: Record) -> str:
    out: list[str] = [f"# {md_text(record.title)}", ""]
    out.append(f"- **Date:** {record.date_label}")
    if record.facilitator:
        out.append(f"- **Facilitator:** {md_text(record.facilitator)}")
    out.append(
        f"- **Session plan:** {md_text(record.template_title)} "
        f"({md_text(record.template_name)}, version {md_text(record.template_version)})"
    )
    if record.exported_label:
        out.append(f"- **Record written:** {record.exported_label}")
    out.append("")
    if record.private:
        out.append(
            "**Private copy.** It includes comments the facilitator hid and comments "
            "that were still waiting for approval. Do not circulate it."
        )
        out.append("")
    if record.sources:
        out.append("This session draws on:")
        out.append("")
        out.extend(f"- {md_text(source.text)}" for source in record.sources)
        out.append("")

    out.extend(_summary(record.summary))
    out.append("## Who took part")
    out.append("")
    rows: list[list[object]] = [[person.label, person.count] for person in record.people if person.count]
    rows.append(["**Joined on a phone or tablet**", f"**{record.people_total}**"])
    out.extend(_table(["Role", "People"], "lr", rows))
    if record.by_hand:
        out.append(f"Counted by show of hands: up to {people(record.by_hand)} on any one question.")
        out.append("")

    for activity in record.activities:
        out.extend(_activity(activity))

    if record.other_targets:
        out.append("## Other targets")
        out.append("")
        out.extend(_targets(record.other_targets))

    if record.comparison is not None:
        out.extend(_comparison(record.comparison, record.target_reviews))
    elif record.target_reviews:
        out.append("## How the earlier targets went")
        out.append("")
        out.extend(_reviews(record.target_reviews))

    if record.private:
        out.extend(_follow_up(record))

    out.append("---")
    out.append("")
    out.append(
        "Made with Involve. Small groups are not shown separately so nobody can be singled out. "
        "Device and hand counts are added together in every table."
    )
    return "\n".join(out).rstrip("\n") + "\n"


def _summary(summary: SessionSummary) -> list[str]:
    """The summary the record opens with; every figure in it is already written in the app's vocabulary."""
    attendance = summary.attendance
    out = ["## Summary", "", f"**Who was there:** {attendance.text}", ""]
    out.extend(
        _table(
            ["Group", "On a phone", "Without a phone", "Together"],
            "lrrr",
            [[group.label, group.on_phones, group.without_phones, group.total] for group in attendance.groups],
        )
    )
    presence = attendance.presence
    out.append(f"- **Presence check:** {presence.verdict}")
    out.append(f"- **Standard:** {md_text(presence.standard)}")
    out.append("")
    if summary.spectrum:
        out.append("### Place on the spectrum")
        out.append("")
        for placement in summary.spectrum:
            out.append(f"- **{md_text(placement.title)}** — {md_text(placement.text)}, from {placement.answers_text}")
            out.extend(f"  - {group.label}: {md_text(group.text)}" for group in placement.groups)
        out.append("")
    for grid in summary.grid:
        out.append(f"### Now → target: {md_text(grid.title)}")
        out.append("")
        out.extend(
            _table(
                ["Area", "Now (median)", "Target (median)", "Gap"],
                "lllr",
                [[md_cell(area.name), md_cell(area.now_text), md_cell(area.target_text), area.gap_text] for area in grid.areas],
            )
        )
    for glance in summary.indicators:
        out.append(f"### Indicators at a glance: {md_text(glance.title)}")
        out.append("")
        out.extend(
            _table(
                ["Indicator", "Met", "Partly met", "Not met"],
                "lrrr",
                [[md_cell(s.name), s.met_text, s.partly_text, s.not_met_text] for s in glance.statements],
            )
        )
    if summary.held_back:
        out.append("### Phone answers not shown")
        out.append("")
        out.extend(f"- {md_text(line)}" for line in summary.held_back)
        out.append("")
    out.append("### Targets agreed")
    out.append("")
    out.extend(_targets(summary.targets))
    review = summary.review
    if review is not None:
        out.append(f"### Since {review.earlier_date_label}")
        out.append("")
        out.append(f"Compared with *{md_text(review.earlier_title)}*. {review.text}")
        out.append("")
        for moved in review.activities:
            out.append(f"**{md_text(moved.title)}**")
            out.append("")
            out.extend(
                _table(
                    ["Measure", "Then → now, and what it means"],
                    "ll",
                    [[md_cell(c.measure), md_cell(c.text)] for c in moved.changes],
                )
            )
        if review.activities:
            out.append(md_text(review.key))
            out.append("")
        for reason in review.not_compared:
            out.append(f"- Not compared: {md_text(reason)}")
        for line in review.held_back:
            out.append(f"- Phone answers not shown: {md_text(line)}")
        if review.not_compared or review.held_back:
            out.append("")
    earlier = summary.earlier_targets
    if earlier is not None:
        when = f" on {review.earlier_date_label}" if review is not None else " at the earlier session"
        out.append(f"### Targets agreed{when}: how they went")
        out.append("")
        out.append(earlier.text)
        out.append("")
        out.extend(_reviews(earlier.reviews))
    return out


def _activity(activity: ActivityRecord) -> list[str]:
    out = [f"## {activity.number}. {md_text(activity.title)}", ""]
    if activity.prompt:
        out.append(f"*{md_text(activity.prompt)}*")
        out.append("")
    if activity.results is not None:
        out.append(_answered(activity))
        out.append("")
    if activity.held_note:
        out.append(f"**{md_text(activity.held_note)}**")
        out.append("")
    results = activity.results
    if isinstance(results, SpectrumRecord):
        out.extend(_spectrum(results, activity.hand_columns))
    elif isinstance(results, GridRecord):
        out.extend(_grid(results, activity.hand_columns))
    elif isinstance(results, IndicatorsRecord):
        out.extend(_indicators(results, activity.hand_columns))
    if activity.groups:
        out.extend(_groups(activity.groups, activity.results))
    for question in activity.questions:
        line = f"- **{md_text(question.name)}**"
        if question.text:
            line += f": {md_text(question.text)}"
        out.append(line)
    if activity.questions:
        out.append("")
    if activity.kind == "targets" or activity.targets:
        out.extend(_targets(activity.targets))
    if activity.comments:
        out.append("### Comments")
        out.append("")
        for comment in activity.comments:
            parts = []
            if comment.state != "approved":
                parts.append(f"**{comment.state_label}.**")
            if comment.about:
                parts.append(f"*{md_text(comment.about)}:*")
            parts.append(md_text(comment.text).replace("  \n", "  \n  "))
            if comment.signature:
                parts.append(f"— {md_text(comment.signature)}")
            out.append("- " + " ".join(parts))
        out.append("")
    return out


def _answered(activity: ActivityRecord) -> str:
    if activity.answers == 0:
        return "Nobody answered."
    text = f"{people(activity.answers)} answered"
    if activity.by_hand:
        text += f" ({activity.by_hand} of them counted by hand)"
    return text + "."


def _spectrum(record: SpectrumRecord, by_hand: bool) -> list[str]:
    placement = record.placement
    header = ["Position", "Where on the spectrum", "People"] + (["By hand"] if by_hand else [])
    rows: list[list[object]] = [
        [count.value, md_cell(count.label), count.count, *([count.by_hand] if by_hand else [])]
        for count in placement.counts
    ]
    out = _table(header, "rlr" + ("r" if by_hand else ""), rows)
    out.append(_median_line("Median", placement, "position "))
    out.append(_spread_line(placement, "position"))
    stages = ", ".join(f"{number(stage.position)} = {md_text(stage.name)}" for stage in record.stages)
    out.append(f"- **Stages on the line:** {stages}")
    out.append("")
    return out


def _median_line(name: str, summary: Summary, prefix: str) -> str:
    if summary.median is None:
        return f"- **{name}:** no answers"
    return f"- **{name}:** {prefix}{number(summary.median)} — {md_text(summary.median_label)}"


def _spread_line(summary: Summary, unit: str) -> str:
    return f"- **Spread (middle half of the room):** {spread_text(summary, unit)}"


def _grid(record: GridRecord, by_hand: bool) -> list[str]:
    out = _table(
        ["Area", "Median now", "Median target", "Gap", "Spread now", "Spread target", "People"],
        "lrrrrrr",
        [
            [
                md_cell(area.name),
                number(area.now.median),
                number(area.target.median),
                signed(area.gap),
                number(area.now.spread),
                number(area.target.spread),
                area.now.n,
            ]
            for area in record.areas
        ],
    )
    for area in record.areas:
        out.append(f"### {md_text(area.name)}")
        out.append("")
        if area.description:
            out.append(md_text(area.description))
            out.append("")
        header = ["Level", "Now", "Target"] + (["Now by hand", "Target by hand"] if by_hand else [])
        rows = []
        for now, target in zip(area.now.counts, area.target.counts):
            row: list[object] = [f"{now.value} {md_cell(now.label)}", now.count, target.count]
            if by_hand:
                row += [now.by_hand, target.by_hand]
            rows.append(row)
        out.extend(_table(header, "lrr" + ("rr" if by_hand else ""), rows))
        out.append(_median_line("Median now", area.now, "level "))
        out.append(_median_line("Median target", area.target, "level "))
        gap = "–" if area.gap is None else amount(area.gap, "level", sign=True)
        out.append(f"- **Gap between now and target:** {gap}")
        out.append("")
    return out


def _indicators(record: IndicatorsRecord, by_hand: bool) -> list[str]:
    rows = []
    for statement in record.statements:
        label = f"**{md_cell(statement.name)}**"
        if statement.text:
            label += f": {md_cell(statement.text)}"
        row: list[object] = [label, *(count.count for count in statement.counts), statement.n]
        if by_hand:
            row.append(sum(count.by_hand or 0 for count in statement.counts))
        rows.append(row)
    header = ["Indicator", "Met", "Partly met", "Not met", "People"] + (["By hand"] if by_hand else [])
    return _table(header, "lrrrr" + ("r" if by_hand else ""), rows)


def _groups(groups: tuple[GroupRecord, ...], overall) -> list[str]:
    out = ["### By role", ""]
    rows: list[Sequence[object]] = []
    if isinstance(overall, SpectrumRecord):
        header, align = ["Group", "People", "Median position", "Spread"], "lrrr"
    elif isinstance(overall, GridRecord):
        header, align = ["Group", "People", "Area", "Median now", "Median target", "Gap"], "lrlrrr"
    else:
        header, align = ["Group", "People", "Indicator", "Met", "Partly met", "Not met"], "lrlrrr"
    width = len(header)
    for group in groups:
        results = group.results
        if results is None:
            rows.append([group.label, group.note] + ["–"] * (width - 2))
        elif isinstance(results, SpectrumRecord):
            rows.append([group.label, group.size, number(results.placement.median), number(results.placement.spread)])
        elif isinstance(results, GridRecord):
            for index, area in enumerate(results.areas):
                rows.append(
                    [
                        group.label if index == 0 else "",
                        group.size if index == 0 else "",
                        md_cell(area.name),
                        number(area.now.median),
                        number(area.target.median),
                        signed(area.gap),
                    ]
                )
        elif isinstance(results, IndicatorsRecord):
            for index, statement in enumerate(results.statements):
                rows.append(
                    [
                        group.label if index == 0 else "",
                        group.size if index == 0 else "",
                        md_cell(statement.name),
                        *(count.count for count in statement.counts),
                    ]
                )
    out.extend(_table(header, align, rows))
    return out


def _follow_up(record: Record) -> list[str]:
    """The private copy's own section: comments flagged by the risk list or marked to follow up."""
    out = ["## For follow-up (private)", ""]
    if not record.follow_up:
        return out + ["No comment was flagged or marked to follow up.", ""]
    out.append("Follow your organisation's safeguarding procedure. These comments appear nowhere else in the record.")
    out.append("")
    for item in record.follow_up:
        where = item.activity + (f", about {item.about}" if item.about else "")
        # The name is escaped on its own: md_text trims the space a leading " — " needs.
        name = f" — {md_text(item.author)}" if item.author else ""
        out.append(f"- **{md_text(item.why)}.** {md_text(where)} ({item.state_label}){name}: {md_text(item.text)}")
    out.append("")
    return out


def _targets(targets: tuple[TargetRecord, ...]) -> list[str]:
    if not targets:
        return ["No targets were recorded.", ""]
    return _table(
        ["Target", "Who takes it on", "Review date"],
        "lll",
        [[md_cell(t.text), md_cell(t.owner) or "–", t.review_date_label or "–"] for t in targets],
    )


def _comparison(comparison: Comparison, reviews: tuple[TargetReview, ...]) -> list[str]:
    before = comparison.before
    out = [
        f"## Progress since {before.date_label}",
        "",
        f"Compared with *{md_text(before.title)}* on {before.date_label}. {md_text(LEGEND)}",
        "",
    ]
    if not comparison.same_family:
        out.append(
            "The two sessions used different session plans; only the activities that match are compared."
        )
        out.append("")
    for activity in comparison.activities:
        out.append(f"### {md_text(activity.title)}")
        out.append("")
        tables = [_comparison_table(table) for table in comparison_tables(activity)]
        out.extend(tables[0])
        if isinstance(activity, SpectrumComparison):
            if activity.median_label_before or activity.median_label_after:
                out.append(f"- **Median then:** {md_text(activity.median_label_before) or '–'}")
                out.append(f"- **Median now:** {md_text(activity.median_label_after) or '–'}")
                out.append("")
            out.extend(tables[1])
    if comparison.held_back:
        out.append("### Phone answers not shown")
        out.append("")
        out.extend(f"- {md_text(line)}" for line in comparison.held_back)
        out.append("")
    if comparison.not_compared:
        out.append("### Not compared")
        out.append("")
        out.extend(f"- {md_text(reason)}" for reason in comparison.not_compared)
        out.append("")
    if reviews:
        out.append(f"### Targets agreed on {before.date_label}: how they went ({review_count(comparison)})")
        out.append("")
        out.extend(_reviews(reviews))
    else:
        out.append(f"### Targets agreed on {before.date_label}")
        out.append("")
        out.extend(_targets(comparison.targets_before))
    return out


def _reviews(reviews: tuple[TargetReview, ...]) -> list[str]:
    """Each earlier target with its outcome, what happened and how working together went, as a list: the words need room."""
    out = []
    for number_, review in enumerate(reviews, start=1):
        target = review.target
        who = f"who: {md_text(target.owner)}" if target.owner else ""
        when = f"review by {target.review_date_label}" if target.review_date else ""
        details = "; ".join(part for part in (who, when) if part)
        out.append((f"{number_}. **{md_text(target.text)}**" + (f" ({details})" if details else "")).replace("\n", "\n   "))
        out.append(f"   - **Outcome:** {review.outcome_label}")
        # Continuation lines are indented so a line break stays inside its list item.
        if review.what_happened:
            out.append(f"   - **What happened:** {md_text(review.what_happened)}".replace("\n", "\n     "))
        if review.working_together:
            out.append(f"   - **How working together on it went:** {md_text(review.working_together)}".replace("\n", "\n     "))
    out.append("")
    return out


def _comparison_table(table: ComparisonTable) -> list[str]:
    """Row names come from templates, so they are escaped; the figures are the app's own."""
    return _table(table.header, table.align, [[md_cell(row[0]), *row[1:]] for row in shown_once(table)])
