"""Recurring moments in local time: weekly (or every N weeks) series that keep their wall clock.

A series "every Tuesday at 14:00" must stay at 14:00 in Brussels after the clocks change on the
last Sunday of March and of October. So each occurrence is built from the LOCAL date and time
and only then converted to UTC, never by adding 168 hours to the previous UTC moment.

Shared by training sessions and help sessions. Pure: no database, no Flask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from digicoach.core.clock import LOCAL_ZONE

# A guard against a typo turning into thousands of rows ("until 2062").
MAX_OCCURRENCES = 200


@dataclass(frozen=True)
class Occurrence:
    """One moment of a series, as aware UTC datetimes."""

    start: datetime
    end: datetime


def local_moment(day: date, at: time, zone: ZoneInfo = LOCAL_ZONE) -> datetime:
    """The aware UTC moment of wall-clock time `at` on `day` in `zone`.

    A local time that does not exist (02:30 on the night the clocks go forward) is read with
    the offset before the change (PEP 495, fold=0), so it lands one hour later on the clock
    (03:30). A local time that exists twice (02:30 when the clocks go back) is the first one.
    """
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)
    return local.astimezone(UTC)


def weekly_dates(
    *,
    first_day: date,
    weekdays: Iterable[int],
    every_weeks: int = 1,
    until: date | None = None,
    count: int | None = None,
) -> list[date]:
    """The dates of a weekly series, in order.

    `weekdays` are ISO weekdays (1 is Monday, 7 is Sunday, as in core.vocabulary.WEEKDAYS).
    Weeks run Monday to Sunday and are counted from the week of `first_day`: with
    `every_weeks=2` the series uses that week, the week two later, and so on. Dates before
    `first_day` are skipped. The series stops after `until` (inclusive) or after `count`
    dates, whichever comes first; one of them is required. At most MAX_OCCURRENCES dates.

    Raises ValueError for an empty or invalid weekday, `every_weeks` below 1, a negative
    count, or neither `until` nor `count`.
    """
    days = sorted(set(weekdays))
    if not days or any(not 1 <= day <= 7 for day in days):
        raise ValueError("weekdays must be ISO weekdays 1..7")
    if every_weeks < 1:
        raise ValueError("every_weeks must be at least 1")
    if until is None and count is None:
        raise ValueError("give until or count")
    if count is not None and count < 0:
        raise ValueError("count must not be negative")
    limit = MAX_OCCURRENCES if count is None else min(count, MAX_OCCURRENCES)
    week_start = first_day - timedelta(days=first_day.isoweekday() - 1)
    found: list[date] = []
    while len(found) < limit:
        for weekday in days:
            candidate = week_start + timedelta(days=weekday - 1)
            if candidate < first_day:
                continue
            if until is not None and candidate > until:
                return found
            found.append(candidate)
            if len(found) >= limit:
                return found
        week_start += timedelta(weeks=every_weeks)
    return found


def weekly_series(
    *,
    first_day: date,
    weekdays: Iterable[int],
    start_time: time,
    duration: timedelta,
    every_weeks: int = 1,
    until: date | None = None,
    count: int | None = None,
    zone: ZoneInfo = LOCAL_ZONE,
) -> list[Occurrence]:
    """Occurrences of a weekly series starting at local `start_time`, lasting `duration`.

    Each start keeps its wall-clock time in `zone` across daylight-saving changes; the end is
    the local start plus `duration` on the wall clock too (a 14:00-16:00 lesson ends at 16:00).
    See `weekly_dates` for the calendar rules and what raises ValueError; a duration that is
    not positive raises ValueError as well.
    """
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    occurrences = []
    for day in weekly_dates(
        first_day=first_day, weekdays=weekdays, every_weeks=every_weeks, until=until, count=count
    ):
        local_start = datetime.combine(day, start_time.replace(tzinfo=None))
        local_end = local_start + duration
        occurrences.append(
            Occurrence(
                start=local_start.replace(tzinfo=zone).astimezone(UTC),
                end=local_end.replace(tzinfo=zone).astimezone(UTC),
            )
        )
    return occurrences


def weekly_starts(
    *,
    first_day: date,
    weekdays: Iterable[int],
    start_time: time,
    every_weeks: int = 1,
    until: date | None = None,
    count: int | None = None,
    zone: ZoneInfo = LOCAL_ZONE,
) -> list[datetime]:
    """Only the start moments (aware UTC) of a weekly series; see `weekly_series`."""
    return [
        local_moment(day, start_time, zone)
        for day in weekly_dates(
            first_day=first_day,
            weekdays=weekdays,
            every_weeks=every_weeks,
            until=until,
            count=count,
        )
    ]
