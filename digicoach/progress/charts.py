"""Charts rendered on the server as inline SVG: no JavaScript, readable in print.

Accessible by construction: `role="img"` with a `<title>` and `<desc>` (aria-labelledby), and
no meaning in colour alone: the actual count is a solid line with dots, the pace needed a
dashed line, the target a dotted line, each labelled in words at its end. Every chart is also
shown as a table by the templates.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 300
LEFT = 56
RIGHT = 150
TOP = 20
BOTTOM = 40

_ids = itertools.count(1)


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def burn_up(
    *,
    title: str,
    description: str,
    points: Sequence[tuple[date, int]],
    needed: Sequence[tuple[date, float]],
    target: int,
    labels: dict[str, str],
    axis_label: str,
) -> Markup:
    """A burn-up: the running total per week, the line needed to reach the target on time and
    the target. `labels` names the three lines ("actual", "needed", "target")."""
    chart_id = f"chart-{next(_ids)}"
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    top_value = max([target, *(v for _d, v in points), *(v for _d, v in needed), 1])
    count = max(len(points), 2)

    def x(index: int) -> float:
        return LEFT + plot_w * index / (count - 1)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart-svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
    ]
    # Axes and a few value gridlines.
    for step in range(5):
        value = top_value * step / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{_fmt(y(value))}" y2="{_fmt(y(value))}" '
            'stroke="#d0d4d8" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{_fmt(y(value) + 4)}" text-anchor="end" font-size="12" '
            f'fill="#1f2328">{round(value)}</text>'
        )
    parts.append(
        f'<text x="{LEFT}" y="{TOP - 6}" font-size="12" fill="#1f2328">{escape(axis_label)}</text>'
    )
    if points:
        parts.append(
            f'<text x="{LEFT}" y="{HEIGHT - 12}" font-size="12" fill="#1f2328">'
            f"{escape(points[0][0].isoformat())}</text>"
        )
        parts.append(
            f'<text x="{LEFT + plot_w}" y="{HEIGHT - 12}" font-size="12" text-anchor="end" '
            f'fill="#1f2328">{escape(points[-1][0].isoformat())}</text>'
        )
    # Target: dotted.
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{_fmt(y(target))}" y2="{_fmt(y(target))}" '
        'stroke="#1f2328" stroke-width="1.5" stroke-dasharray="2 4"/>'
    )
    parts.append(_end_label(LEFT + plot_w, y(target), labels["target"]))
    # Needed: dashed.
    if needed:
        path = " ".join(f"{_fmt(x(i))},{_fmt(y(v))}" for i, (_d, v) in enumerate(needed))
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="#8a5a00" stroke-width="2" '
            'stroke-dasharray="8 5"/>'
        )
        parts.append(_end_label(x(len(needed) - 1), y(needed[-1][1]), labels["needed"], dy=14))
    # Actual: solid with dots.
    if points:
        path = " ".join(f"{_fmt(x(i))},{_fmt(y(v))}" for i, (_d, v) in enumerate(points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0b4f8a" stroke-width="3"/>')
        for i, (_d, v) in enumerate(points):
            parts.append(f'<circle cx="{_fmt(x(i))}" cy="{_fmt(y(v))}" r="2.5" fill="#0b4f8a"/>')
        parts.append(_end_label(x(len(points) - 1), y(points[-1][1]), labels["actual"], dy=-8))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts is escaped above


def _end_label(at_x: float, at_y: float, text: str, dy: float = 4) -> str:
    return (
        f'<text x="{_fmt(at_x + 6)}" y="{_fmt(at_y + dy)}" font-size="12" fill="#1f2328">'
        f"{escape(text)}</text>"
    )


def bars(*, title: str, description: str, rows: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars, each labelled with its name and its number (no legend needed)."""
    chart_id = f"chart-{next(_ids)}"
    row_h = 26
    label_w = 190
    height = TOP + row_h * max(len(rows), 1) + 10
    top_value = max([v for _l, v in rows] + [1])
    plot_w = WIDTH - label_w - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart-svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#fff"/>',
    ]
    for index, (label, value) in enumerate(rows):
        top = TOP + index * row_h
        width = plot_w * value / top_value
        parts.append(
            f'<text x="{label_w - 8}" y="{top + 15}" text-anchor="end" font-size="12" '
            f'fill="#1f2328">{escape(label[:30])}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{top + 3}" width="{_fmt(width)}" height="{row_h - 8}" '
            'fill="#0b4f8a"/>'
        )
        parts.append(
            f'<text x="{_fmt(label_w + width + 6)}" y="{top + 15}" font-size="12" '
            f'fill="#1f2328">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts is escaped above
