"""Pure rules for progress: how citizens are counted, rates, suppression and projections.

Counting distinct citizens (the rule the figures follow everywhere):

* A help log made from an appointment carries the appointment's citizen key (an HMAC of the
  phone number or e-mail, see core.citizens). Every distinct key counts one citizen, however
  many times the citizen came. Erasing the contact data keeps the key, so the count stays.
* A walk-in log has no key. When it is marked "first visit", each citizen it covers counts
  one new citizen (a log for three walk-ins who all came for the first time adds three).
  A walk-in marked "returning" adds a help contact but no citizen: they were counted before.
* Help contacts count every citizen of every log (a log for three walk-ins is three contacts).

A citizen belongs to the period and municipality of their first log in the selection.

No database and no Flask here: the queries feed these functions plain numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")

# Figures below this are shown publicly as "fewer than 5": small numbers can point to people.
SUPPRESS_BELOW = 5
# The projection uses the pace of the last eight weeks.
PACE_WEEKS = 8
# A coach is "active" with a shift or a help log in the last 90 days.
ACTIVE_DAYS = 90
# The dashboard lists this many municipalities and neighbourhoods, those with the most help
# contacts; the figures export has all of them (a Flemish programme has hundreds).
BREAKDOWN_ROWS_SHOWN = 20


def citizens_supported(distinct_keys: int, walk_in_first_visits: int) -> int:
    """Distinct citizens: one per citizen key, plus every walk-in citizen on a first visit."""
    return max(distinct_keys, 0) + max(walk_in_first_visits, 0)


def rate(part: int, whole: int) -> float | None:
    """`part` as a share of `whole` (0..1), or None when there is nothing to measure."""
    if whole <= 0:
        return None
    return part / whole


def suppressed(value: int | None, threshold: int = SUPPRESS_BELOW) -> int | None:
    """The value for public pages, or None when it is under the threshold (shown as
    "fewer than 5"). Zero is suppressed too: "none" and "a few" must look the same."""
    if value is None or value < threshold:
        return None
    return value


# How a hidden count is written where figures leave as data (the API): JSON null, with the
# figure's name in the answer's `suppressed` list (pages write "fewer than 5").
SUPPRESSED_TEXT = "<5"


def public_count(value: int | None) -> int | None:
    """THE rule for every figure that leaves the building (/impact, /api/v1/progress, public
    downloads): a count of people or of their help is shown only from SUPPRESS_BELOW up; 0 to
    4 become None, shown as "fewer than 5" (pages) or null listed in `suppressed` (API)."""
    return suppressed(value)


def public_counts(values: dict[str, int]) -> tuple[dict[str, int | None], list[str]]:
    """`public_count` over named figures: the values to publish and the names hidden."""
    shown = {name: public_count(value) for name, value in values.items()}
    return shown, [name for name, value in shown.items() if value is None]


def public_running_totals(
    points: Sequence[tuple[date, int]], threshold: int = SUPPRESS_BELOW
) -> list[tuple[date, date, int]]:
    """Weekly running totals for the public: (first week, last week, total) rows where weeks
    are grouped until the total grew by at least `threshold` since the row before (the first
    row: since zero), so no difference between two rows, nor between the last row and the
    headline figure, reveals fewer than 5. Weeks after the last such growth join the last row,
    which then ends on the last week with the latest total. Nothing while the total is under
    `threshold`."""
    rows: list[tuple[date, date, int]] = []
    shown = 0
    group_start: date | None = None
    for week, total in points:
        if group_start is None:
            group_start = week
        if total - shown >= threshold:
            rows.append((group_start, week, total))
            shown = total
            group_start = None
    if rows and points and rows[-1][1] != points[-1][0]:
        rows[-1] = (rows[-1][0], points[-1][0], points[-1][1])
    return rows


class Pace(StrEnum):
    REACHED = "reached"  # the target is reached
    ON_TRACK = "on_track"  # at the current pace the target is reached before the end
    BEHIND = "behind"  # at the current pace the target is reached after the end
    STALLED = "stalled"  # no progress in the last weeks (or no history at all)


@dataclass(frozen=True)
class Projection:
    target: int
    reached: int
    remaining: int
    # Average per week over the last PACE_WEEKS weeks (or since the start, if shorter).
    pace_per_week: float
    # Per week needed from today to reach the target on the last day; None when the period
    # is over or the target reached.
    needed_per_week: float | None
    # The day the target is reached at the current pace; None when stalled or reached.
    reached_on: date | None
    status: Pace
    # Weeks left until the end of the period (0 when it is over).
    weeks_left: float


def weekly_pace(*, reached: int, reached_weeks_ago: int, weeks: float) -> float:
    """Growth per week between a count `weeks` weeks ago and now; 0 for no time or no growth."""
    if weeks <= 0:
        return 0.0
    return max(reached - reached_weeks_ago, 0) / weeks


def project(
    *,
    target: int,
    reached: int,
    pace_per_week: float,
    today: date,
    ends_on: date,
) -> Projection:
    """Where the current pace leads.

    * Target reached (or a target of zero): REACHED, nothing more needed.
    * No pace (no history, or nothing in the last weeks): STALLED, no date; the pace needed
      is the remaining count spread over the weeks left.
    * Otherwise the day the target is reached is today + remaining / pace weeks, rounded up
      to whole days; ON_TRACK when that day is not after the end of the period, else BEHIND.
    * After the end of the period there is no "needed per week" (None).
    """
    remaining = max(target - reached, 0)
    days_left = max((ends_on - today).days, 0)
    weeks_left = days_left / 7
    if remaining == 0:
        return Projection(target, reached, 0, pace_per_week, None, None, Pace.REACHED, weeks_left)
    needed = remaining / weeks_left if weeks_left > 0 else None
    if pace_per_week <= 0:
        return Projection(target, reached, remaining, 0.0, needed, None, Pace.STALLED, weeks_left)
    days = math.ceil(remaining / pace_per_week * 7)
    reached_on = today + timedelta(days=days)
    status = Pace.ON_TRACK if reached_on <= ends_on else Pace.BEHIND
    return Projection(
        target, reached, remaining, pace_per_week, needed, reached_on, status, weeks_left
    )


def needed_line(*, target: int, starts_on: date, ends_on: date, on: date) -> float:
    """The straight line from zero on the first day to the target on the last day: where the
    count should be on `on` to keep pace."""
    total = (ends_on - starts_on).days
    if total <= 0:
        return float(target)
    elapsed = min(max((on - starts_on).days, 0), total)
    return target * elapsed / total


def week_start(day: date) -> date:
    """The Monday of the ISO week of `day`."""
    return day - timedelta(days=day.weekday())


def cumulative_by_week(
    increments: dict[date, int], *, starts_on: date, until: date, base: int = 0
) -> list[tuple[date, int]]:
    """Running totals at the end of each week (Mondays as labels) from `starts_on` to `until`.

    Increments before `starts_on` go into the first week's total (plus `base`)."""
    if until < starts_on:
        return []
    weeks: list[tuple[date, int]] = []
    total = base + sum(n for day, n in increments.items() if day < week_start(starts_on))
    by_week: dict[date, int] = {}
    for day, n in increments.items():
        if day >= week_start(starts_on):
            by_week[week_start(day)] = by_week.get(week_start(day), 0) + n
    monday = week_start(starts_on)
    while monday <= until:
        total += by_week.get(monday, 0)
        weeks.append((monday, total))
        monday += timedelta(days=7)
    return weeks


def month_key(day: date) -> str:
    """ "2026-03" for any day of March 2026."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class FirstRows(Generic[T]):
    """The first rows of a longer list, and how many more there are."""

    rows: list[T]
    more: int


def first_rows(rows: Sequence[T], limit: int = BREAKDOWN_ROWS_SHOWN) -> FirstRows[T]:
    """The first `limit` rows (breakdowns come sorted, most help contacts first) and the
    number left out; all rows, and none left out, when there are no more than `limit`."""
    return FirstRows(list(rows[:limit]), max(len(rows) - limit, 0))
