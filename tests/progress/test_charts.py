"""The server-rendered charts: the burn-up draws the projection to the target with its day,
the pace needed and the programme's end; no text runs outside the drawing (estimated from
the widest glyphs; the browser test measures the real boxes)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from digicoach.progress import charts

TEXT = re.compile(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)"[^>]*>([^<]*)</text>')
VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')


def _texts_inside(svg: str) -> list[str]:
    """The texts that (estimated) run outside the drawing."""
    width, height = (int(v) for v in VIEWBOX.search(svg).groups())
    outside = []
    for x, y, anchor, text in TEXT.findall(svg):
        extent = len(text) * charts.CHARACTER_WIDTH * charts.FONT
        left = {"start": float(x), "end": float(x) - extent, "middle": float(x) - extent / 2}[
            anchor
        ]
        if left < 0 or left + extent > width or float(y) > height or float(y) < charts.FONT - 4:
            outside.append(text)
    return outside


def _weeks(count: int, per_week: int) -> list[tuple[date, int]]:
    return [(date(2026, 1, 5) + timedelta(weeks=n), per_week * (n + 1)) for n in range(count)]


def test_the_burn_up_projects_to_the_target_with_its_day_the_pace_and_the_end():
    points = _weeks(20, 40)
    svg = str(
        charts.burn_up(
            title="Burgers",
            description="…",
            points=points,
            needed=[(d, 0.0) for d, _v in points],
            target=30000,
            labels={
                "actual": "Bereikt",
                "needed": "Vereist tempo",
                "target": "Doel",
                "projection": "Doel bij dit tempo",
                "end": "Einde van het programma",
            },
            axis_label="Burgers",
            starts_on=date(2026, 1, 1),
            projection=charts.Projection(
                reached_on=date(2040, 3, 1),
                needed_per_week="298 per week",
                ends_on=date(2027, 12, 31),
            ),
            number=lambda v: f"{round(v):,}".replace(",", "."),
            day=lambda d: d.strftime("%-d %b %Y"),
        )
    )
    assert 'class="chart-projection"' in svg and 'class="chart-end"' in svg
    legend = [text for *_xyz, text in TEXT.findall(svg)]
    words = " ".join(legend)
    assert "Doel bij dit tempo: 1 Mar 2040" in words
    assert "Vereist tempo: 298 per week" in words
    # Too long for one row: broken after the colon, the day kept whole.
    assert legend[legend.index("Einde van het programma:") + 1] == "31 Dec 2027"
    assert ">30.000</text>" in svg
    assert _texts_inside(svg) == []


def test_bar_labels_wrap_instead_of_being_cut():
    label = "Online diensten van de overheid en van de gemeente"
    svg = str(charts.bars(title="t", description="d", rows=[(label, 123456), ("E-mail", 5)]))
    words = " ".join(text for *_xy, text in TEXT.findall(svg))
    assert "Online diensten van de overheid en" in words and "van de gemeente" in words
    assert _texts_inside(svg) == []
