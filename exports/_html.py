"""The record as one self-contained web page: no scripts, no fonts, no requests.

The spectrum and the grid are drawn as inline SVG with their numbers written
on the bars, and the same numbers sit in tables below for screen readers and
for anyone who prints in black and white. Text reaches the page only through
Jinja2 with autoescaping on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ._compare import LEGEND, comparison_tables, review_count
from ._record import GridRecord, Record, SpectrumRecord, amount, number, people, signed, spread_text

TEMPLATES = Path(__file__).parent / "templates"

WIDTH = 720
LEFT = 48
RIGHT = 48
PLOT = WIDTH - LEFT - RIGHT


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    style: str
    label_x: str
    label_y: str
    label: str


@dataclass(frozen=True)
class Label:
    x: str
    y: str
    lines: tuple[str, ...]
    anchor: str = "middle"
    style: str = ""


@dataclass(frozen=True)
class Rule:
    x1: str
    y1: str
    x2: str
    y2: str
    style: str


@dataclass(frozen=True)
class Chart:
    """Everything the template needs to draw one SVG, already placed."""

    id: str
    width: int
    height: int
    title: str
    desc: str
    bars: tuple[Bar, ...] = ()
    labels: tuple[Label, ...] = ()
    rules: tuple[Rule, ...] = ()
    legend: tuple[tuple[str, str, str, str], ...] = field(default=())


def _f(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def wrap(text: str, width: int, lines: int = 3) -> tuple[str, ...]:
    """Break a label into short lines for SVG, which does not wrap by itself."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[: lines - 1] + [" ".join(out[lines - 1 :])]
    return tuple(out) or ("",)


def _anchor(index: int, total: int) -> str:
    if total > 1 and index == 0:
        return "start"
    if total > 1 and index == total - 1:
        return "end"
    return "middle"


def _spectrum_chart(chart_id: str, title: str, record: SpectrumRecord) -> Chart:
    placement = record.placement
    positions = record.positions
    column = PLOT / positions
    baseline = 204.0
    tallest = 140.0
    peak = max((count.count for count in placement.counts), default=0) or 1
    bar_width = min(column * 0.62, 48.0)

    def centre(position: float) -> float:
        return LEFT + column * (position - 0.5)

    bars = []
    labels = []
    for count in placement.counts:
        height = tallest * count.count / peak
        x = centre(float(count.value))
        bars.append(
            Bar(
                x=_f(x - bar_width / 2),
                y=_f(baseline - height),
                width=_f(bar_width),
                height=_f(height),
                style="bar",
                label_x=_f(x),
                label_y=_f(baseline - height - 6),
                label=str(count.count),
            )
        )
        labels.append(Label(_f(x), _f(baseline + 18), (str(count.value),), style="axis"))
    rules = [Rule(_f(LEFT - 8), _f(baseline), _f(WIDTH - RIGHT + 8), _f(baseline), "axis-line")]
    stages = record.stages
    wrap_at = max(12, int(PLOT / max(len(stages), 1) / 7.5))
    lines = 1
    for index, stage in enumerate(stages):
        x = centre(stage.position)
        rules.append(Rule(_f(x), _f(baseline + 26), _f(x), _f(baseline + 34), "tick"))
        anchor = _anchor(index, len(stages))
        text_x = x - bar_width / 2 if anchor == "start" else x + bar_width / 2 if anchor == "end" else x
        name = wrap(stage.name, wrap_at)
        lines = max(lines, len(name))
        labels.append(Label(_f(text_x), _f(baseline + 50), name, anchor, "stage"))
    if placement.median is not None:
        x = centre(placement.median)
        rules.append(Rule(_f(x), "40", _f(x), _f(baseline), "median"))
        anchor = "start" if x < LEFT + 60 else "end" if x > WIDTH - RIGHT - 60 else "middle"
        labels.append(Label(_f(x), "30", (f"Median {number(placement.median)}",), anchor, "median-label"))
    counts = "; ".join(f"position {c.value}: {c.count}" for c in placement.counts)
    median = f" Median position {number(placement.median)}." if placement.median is not None else ""
    return Chart(
        id=chart_id,
        width=WIDTH,
        height=int(baseline + 50 + 16 * (lines - 1) + 12),
        title=f"{title}: answers per position",
        desc=f"Bar chart of {amount(placement.n, 'answer')}. {counts}.{median}",
        bars=tuple(bars),
        labels=tuple(labels),
        rules=tuple(rules),
    )


def _grid_chart(chart_id: str, title: str, record: GridRecord) -> Chart:
    levels = record.levels
    column = PLOT / max(len(levels), 1)
    bar_width = min(column * 0.3, 40.0)
    panel = 214.0
    top = 34.0
    tallest = 84.0
    peak = max((c.count for area in record.areas for c in (*area.now.counts, *area.target.counts)), default=0) or 1
    bars: list[Bar] = []
    labels: list[Label] = []
    rules: list[Rule] = []
    wrap_at = max(10, int(column / 7))
    descriptions = []
    for index, area in enumerate(record.areas):
        y0 = top + index * panel
        baseline = y0 + 148
        labels.append(Label(str(LEFT - 8), _f(y0 + 18), (area.name,), "start", "area"))
        summary = (
            f"Median now {number(area.now.median)} · median target {number(area.target.median)}"
            f" · gap {signed(area.gap)}"
        )
        labels.append(Label(str(LEFT - 8), _f(y0 + 38), (summary,), "start", "summary"))
        rules.append(Rule(_f(LEFT - 8), _f(baseline), _f(WIDTH - RIGHT + 8), _f(baseline), "axis-line"))
        for level, now, target in zip(levels, area.now.counts, area.target.counts):
            centre = LEFT + column * (level.number - 0.5)
            for count, x, style, letter in (
                (now, centre - bar_width - 2, "bar", "now"),
                (target, centre + 2, "bar-target", "target"),
            ):
                height = tallest * count.count / peak
                bars.append(
                    Bar(
                        x=_f(x),
                        y=_f(baseline - height),
                        width=_f(bar_width),
                        height=_f(height),
                        style=style,
                        label_x=_f(x + bar_width / 2),
                        label_y=_f(baseline - height - 5),
                        label=str(count.count),
                    )
                )
                labels.append(Label(_f(x + bar_width / 2), _f(baseline + 14), (letter,), style="key"))
            labels.append(
                Label(_f(centre), _f(baseline + 32), wrap(f"{level.number} {level.name}", wrap_at, 2), style="axis")
            )
        now_counts = ", ".join(f"level {c.value}: {c.count}" for c in area.now.counts)
        target_counts = ", ".join(f"level {c.value}: {c.count}" for c in area.target.counts)
        descriptions.append(f"{area.name}: now {now_counts}; target {target_counts}; {summary}.")
    legend = (
        ("bar", str(LEFT - 8), "10", "Now: where we are"),
        ("bar-target", str(LEFT + 200), "10", "Target: where we want to be"),
    )
    return Chart(
        id=chart_id,
        width=WIDTH,
        height=int(top + panel * len(record.areas)),
        title=f"{title}: answers per level, now and target",
        desc="Paired bar charts, one per area. " + " ".join(descriptions),
        bars=tuple(bars),
        labels=tuple(labels),
        rules=tuple(rules),
        legend=legend,
    )


def charts_for(record: Record) -> dict[str, Chart]:
    charts: dict[str, Chart] = {}
    for activity in record.activities:
        chart_id = f"chart-{activity.number}"
        if isinstance(activity.results, SpectrumRecord):
            charts[activity.id] = _spectrum_chart(chart_id, activity.title, activity.results)
        elif isinstance(activity.results, GridRecord):
            charts[activity.id] = _grid_chart(chart_id, activity.title, activity.results)
    return charts


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        number=number,
        signed=signed,
        amount=amount,
        people=people,
        spread_text=spread_text,
        comparison_tables=comparison_tables,
        comparison_legend=LEGEND,
        review_count=review_count,
    )
    return environment


def render_html(record: Record) -> str:
    template = _environment().get_template("record.html.j2")
    return template.render(record=record, charts=charts_for(record))
