"""Charts rendered on the server as inline SVG: no JavaScript, readable in print.

Accessible by construction: `role="img"` with a `<title>` and `<desc>` (aria-labelledby), and
no meaning in colour alone: the count reached is a solid line with dots, the pace needed a
dashed line, the projection a dash-dot line, the target a dotted line, the programme's end a
vertical line; a legend under the plot names each with its pattern and its value. Every chart
is also shown as a table by the templates.

Legible on a phone: the drawing is narrow (WIDTH user units) with text of FONT units, so at
a 320 px screen (about 288 px for the chart) the text is still 12 px, and no label is ever
cut: labels sit on their own rows (bar labels above their bar, wrapped; the burn-up's names
in the legend), never beside a line end near the edge.

Numbers and days come in already written in the reader's language: the caller passes
`number(value)`, `day(date)` (Babel, see core.i18n) and `pair(name, value)` ("name: value",
"nom : valeur" in French); the defaults are for tests only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH = 360
FONT = 16
LINE = 20  # one row of text
LEFT = 40  # at least; widened for the longest value label
# A digit or letter is at most about this share of the font size wide (DejaVu Sans: ~0.64).
CHARACTER_WIDTH = 0.66
RIGHT = 12
TOP = 24
PLOT_HEIGHT = 170
# A bar label wraps after about this many characters (at FONT units in WIDTH).
LABEL_CHARACTERS = int((WIDTH - 8) / (CHARACTER_WIDTH * FONT))
# A legend row (after its 42-unit line sample) wraps after this many characters.
LEGEND_CHARACTERS = int((WIDTH - 46) / (CHARACTER_WIDTH * FONT))
INK = "#1f2328"

_ids = itertools.count(1)


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _plain_number(value: float) -> str:
    return str(round(value))


def _pair(name: str, value: str) -> str:
    return f"{name}: {value}"


@dataclass(frozen=True)
class Projection:
    """Where the current pace leads: the target reached on `reached_on` (None when stalled or
    reached), the pace needed per week (already in words), the programme's last day."""

    reached_on: date | None
    needed_per_week: str | None
    ends_on: date


def _open(chart_id: str, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart-svg" '
        f'font-size="{FONT}" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#fff"/>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "") -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def burn_up(
    *,
    title: str,
    description: str,
    points: Sequence[tuple[date, int]],
    needed: Sequence[tuple[date, float]],
    target: int,
    labels: dict[str, str],
    axis_label: str,
    starts_on: date | None = None,
    projection: Projection | None = None,
    number: Callable[[float], str] = _plain_number,
    day: Callable[[date], str] = date.isoformat,
    pair: Callable[[str, str], str] = _pair,
) -> Markup:
    """A burn-up over the programme's period (`starts_on` to `projection.ends_on`): the
    running total per week, the line needed to reach the target on the last day, the target,
    the programme's end and, from the last point, the projection at the current pace up to
    the target (or to the end of the period when the target lies beyond it). `labels` names
    "actual", "needed", "target", "projection" and "end"."""
    chart_id = f"chart-{next(_ids)}"
    first = starts_on or (points[0][0] if points else (needed[0][0] if needed else None))
    last_day = projection.ends_on if projection else None
    if points and (last_day is None or points[-1][0] > last_day):
        last_day = points[-1][0]
    span = 1 if first is None or last_day is None or last_day <= first else (last_day - first).days
    top_value = max([target, *(v for _d, v in points), *(v for _d, v in needed), 1])
    values = [number(top_value * step / 4) for step in range(5)]
    left = max(LEFT, 10 + CHARACTER_WIDTH * FONT * max(len(v) for v in values))
    plot_w = WIDTH - left - RIGHT

    def x(on: date) -> float:
        if first is None:
            return left
        return left + plot_w * min(max((on - first).days, 0), span) / span

    def y(value: float) -> float:
        return TOP + PLOT_HEIGHT - PLOT_HEIGHT * min(value, top_value) / top_value

    legend: list[tuple[str, str, str | None]] = []  # (stroke attributes, name, value)
    parts: list[str] = []
    for step, label in enumerate(values):
        value = top_value * step / 4
        parts.append(
            f'<line x1="{_fmt(left)}" x2="{_fmt(left + plot_w)}" y1="{_fmt(y(value))}" '
            f'y2="{_fmt(y(value))}" stroke="#d0d4d8" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y(value) + 5, label, "end"))
    parts.append(_text(4, TOP - 8, axis_label))
    axis_y = TOP + PLOT_HEIGHT + LINE
    if first is not None:
        parts.append(_text(4, axis_y, day(first)))
    if last_day is not None:
        parts.append(_text(WIDTH - 4, axis_y, day(last_day), "end"))
    # Target: dotted, across the period.
    target_style = 'stroke="#1f2328" stroke-width="2" stroke-dasharray="2 4"'
    parts.append(
        f'<line class="chart-target" x1="{_fmt(left)}" x2="{_fmt(left + plot_w)}" '
        f'y1="{_fmt(y(target))}" '
        f'y2="{_fmt(y(target))}" {target_style}/>'
    )
    legend.append((target_style, labels["target"], number(target)))
    # The programme's end: a vertical line at the right edge of the period.
    if projection is not None:
        end_style = 'stroke="#5b6570" stroke-width="1.5"'
        end_x = x(projection.ends_on)
        parts.append(
            f'<line class="chart-end" x1="{_fmt(end_x)}" x2="{_fmt(end_x)}" y1="{TOP}" '
            f'y2="{TOP + PLOT_HEIGHT}" {end_style}/>'
        )
        legend.append((end_style, labels["end"], day(projection.ends_on)))
    # Needed: dashed, from zero on the first day to the target on the last.
    if needed:
        needed_style = 'stroke="#8a5a00" stroke-width="2" stroke-dasharray="8 5"'
        if projection is not None and first is not None:
            line = [(first, 0.0), (projection.ends_on, float(target))]
        else:
            line = list(needed)
        path = " ".join(f"{_fmt(x(d))},{_fmt(y(v))}" for d, v in line)
        parts.append(f'<polyline class="chart-needed" points="{path}" fill="none" {needed_style}/>')
        per_week = projection.needed_per_week if projection is not None else None
        legend.append((needed_style, labels["needed"], per_week))
    # Actual: solid with dots.
    if points:
        actual_style = 'stroke="#0b4f8a" stroke-width="3"'
        path = " ".join(f"{_fmt(x(d))},{_fmt(y(v))}" for d, v in points)
        parts.append(f'<polyline class="chart-actual" points="{path}" fill="none" {actual_style}/>')
        for d, v in points:
            parts.append(f'<circle cx="{_fmt(x(d))}" cy="{_fmt(y(v))}" r="2.5" fill="#0b4f8a"/>')
        legend.append((actual_style, labels["actual"], number(points[-1][1])))
        # Projection: dash-dot from the last point to the target on the day it is reached
        # (stopped at the period's end, at the value then reached, when that is later).
        if projection is not None and projection.reached_on is not None:
            today, reached = points[-1]
            until = projection.reached_on
            value = float(target)
            if until > projection.ends_on and until > today:
                share = (projection.ends_on - today).days / (until - today).days
                value = reached + (target - reached) * max(share, 0)
                until = projection.ends_on
            projection_style = 'stroke="#6b2c91" stroke-width="2.5" stroke-dasharray="10 4 2 4"'
            parts.append(
                f'<line class="chart-projection" x1="{_fmt(x(today))}" y1="{_fmt(y(reached))}" '
                f'x2="{_fmt(x(until))}" y2="{_fmt(y(value))}" {projection_style}/>'
            )
            legend.append((projection_style, labels["projection"], day(projection.reached_on)))
    # The legend: a sample of each line, then its name and value, wrapped to fit.
    row_y = axis_y
    for style, name, value in legend:
        row_y += LINE
        parts.append(f'<line x1="4" x2="34" y1="{row_y - 5}" y2="{row_y - 5}" {style}/>')
        for index, line in enumerate(_legend_lines(name, value, pair)):
            if index:
                row_y += LINE
            parts.append(_text(42, row_y, line, cls="chart-legend"))
    height = row_y + LINE // 2
    return Markup(  # noqa: S704 - every text in parts is escaped by _text
        "".join(_open(chart_id, height, title, description) + parts + ["</svg>"])
    )


def _legend_lines(name: str, value: str | None, pair: Callable[[str, str], str]) -> list[str]:
    """A legend entry (`pair(name, value)`, "name: value") on one row, or broken after the
    colon (the value, a day or a number, kept whole on its own row), each part wrapped if
    still too long."""
    if value is None:
        return _wrap(name, LEGEND_CHARACTERS)
    text = pair(name, value)
    if len(text) <= LEGEND_CHARACTERS:
        return [text]
    head = pair(name, "").rstrip()
    return _wrap(head, LEGEND_CHARACTERS) + _wrap(value, LEGEND_CHARACTERS)


def _wrap(label: str, width: int = LABEL_CHARACTERS) -> list[str]:
    """A label on one or more rows of at most `width` characters, broken between words."""
    rows: list[str] = []
    current = ""
    for word in label.split():
        if current and len(current) + 1 + len(word) > width:
            rows.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        rows.append(current)
    return rows or [""]


def bars(
    *,
    title: str,
    description: str,
    rows: Sequence[tuple[str, int]],
    number: Callable[[float], str] = _plain_number,
) -> Markup:
    """Horizontal bars, each with its name above it (wrapped, never cut) and its number at
    its end (no legend needed)."""
    chart_id = f"chart-{next(_ids)}"
    top_value = max([v for _l, v in rows] + [1])
    numbers = [number(v) for _l, v in rows]
    number_room = 12 + CHARACTER_WIDTH * FONT * max([len(n) for n in numbers] + [1])
    plot_w = WIDTH - 8 - RIGHT - number_room
    parts: list[str] = []
    top = 8
    for (label, value), written in zip(rows, numbers, strict=True):
        for line in _wrap(label):
            top += LINE
            parts.append(_text(4, top - 5, line))
        width = plot_w * value / top_value
        parts.append(
            f'<rect x="4" y="{top + 2}" width="{_fmt(width)}" height="{LINE - 6}" fill="#0b4f8a"/>'
        )
        parts.append(_text(4 + width + 6, top + LINE - 6, written))
        top += LINE + 6
    height = top + 8
    return Markup(  # noqa: S704 - every text in parts is escaped by _text
        "".join(_open(chart_id, height, title, description) + parts + ["</svg>"])
    )
