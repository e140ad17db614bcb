"""Pure decisions about offers: opening hours (open now, next opening, this week), their
OpenStreetMap `opening_hours` form, and the checks on a week of hours.

No database and no Flask. Hours are wall-clock times in Brussels (`core.clock.LOCAL_ZONE`):
"Tuesday 9:00-12:00" stays 9:00-12:00 local across the daylight-saving changes, so every
comparison turns the local opening into an aware moment of that day and compares moments, never
clock faces. A time that does not exist (02:30 on the last Sunday of March) is read with the
offset before the change (fold 0), so 02:30 there is 03:30 summer time; a time that occurs twice
(02:30 on the last Sunday of October) is its first occurrence.

A dated exception replaces the week's hours for that day: a closed exception (no times) closes
the day; exceptions with times are that day's only openings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from digicoach.core.clock import LOCAL_ZONE

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
OSM_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# How far ahead "next opening" looks: a year covers any weekly rhythm and its holidays.
HORIZON_DAYS = 366
MAX_HOURS_PER_WEEK = 28


@dataclass(frozen=True)
class WeeklyHours:
    weekday: int  # ISO: 1 is Monday, 7 is Sunday
    opens: time
    closes: time


@dataclass(frozen=True)
class DateException:
    day: date
    opens: time | None = None
    closes: time | None = None
    label: str = ""

    @property
    def closed(self) -> bool:
        return self.opens is None


@dataclass(frozen=True)
class Opening:
    """One opening as aware UTC moments."""

    starts_at: datetime
    ends_at: datetime


def moment(day: date, clock_time: time) -> datetime:
    """The UTC moment of a Brussels wall-clock time on a day (see the module docstring)."""
    return datetime.combine(day, clock_time, tzinfo=LOCAL_ZONE).astimezone(UTC)


def hours_on(
    day: date, weekly: Iterable[WeeklyHours], exceptions: Iterable[DateException]
) -> list[tuple[time, time]]:
    """The (opens, closes) pairs of one local day, in order: the exceptions of that day when
    there are any (none when closed), the week's hours otherwise."""
    of_day = [e for e in exceptions if e.day == day]
    if of_day:
        return sorted((e.opens, e.closes) for e in of_day if e.opens and e.closes)
    return sorted((w.opens, w.closes) for w in weekly if w.weekday == day.isoweekday())


def openings_between(
    first_day: date,
    last_day: date,
    weekly: Sequence[WeeklyHours],
    exceptions: Sequence[DateException],
) -> list[Opening]:
    """Every opening on the local days from `first_day` to `last_day` included."""
    found = []
    day = first_day
    while day <= last_day:
        for opens, closes in hours_on(day, weekly, exceptions):
            found.append(Opening(moment(day, opens), moment(day, closes)))
        day += timedelta(days=1)
    return found


def is_open(
    now: datetime, weekly: Sequence[WeeklyHours], exceptions: Sequence[DateException]
) -> bool:
    """Open at the moment `now` (aware): an opening holds its start, not its end."""
    today = now.astimezone(LOCAL_ZONE).date()
    return any(
        o.starts_at <= now < o.ends_at for o in openings_between(today, today, weekly, exceptions)
    )


def next_opening(
    now: datetime,
    weekly: Sequence[WeeklyHours],
    exceptions: Sequence[DateException],
    *,
    horizon_days: int = HORIZON_DAYS,
) -> Opening | None:
    """The first opening that starts at or after `now` within the horizon, or None (an offer
    without hours, or closed for the whole horizon). Open right now? Then it is the next one,
    later, not the current one: `is_open` says that."""
    today = now.astimezone(LOCAL_ZONE).date()
    day = today
    last = today + timedelta(days=horizon_days)
    while day <= last:
        for opens, closes in hours_on(day, weekly, exceptions):
            start = moment(day, opens)
            if start >= now:
                return Opening(start, moment(day, closes))
        day += timedelta(days=1)
    return None


def open_this_week(
    now: datetime, weekly: Sequence[WeeklyHours], exceptions: Sequence[DateException]
) -> bool:
    """Open now or at some moment in the next seven days (today and the six after it)."""
    today = now.astimezone(LOCAL_ZONE).date()
    return any(
        o.ends_at > now
        for o in openings_between(today, today + timedelta(days=6), weekly, exceptions)
    )


def osm_opening_hours(
    weekly: Sequence[WeeklyHours], exceptions: Sequence[DateException], *, today: date
) -> str:
    """The hours as an OpenStreetMap `opening_hours` value: "Mo,We 09:00-12:00; Th 13:30-16:30;
    2026 Dec 25 off". Weekdays with the same hours share a rule (three or more in a row become
    a range, Mo-Fr); dated exceptions from `today` on follow, since later rules override earlier
    ones in that syntax. Dates use its "year month day" form ("2026 Dec 25"). Empty when there
    are no hours at all."""
    by_day: dict[int, tuple[tuple[time, time], ...]] = {}
    for day in range(1, 8):
        spans = tuple(sorted((w.opens, w.closes) for w in weekly if w.weekday == day))
        if spans:
            by_day[day] = spans
    rules: list[str] = []
    seen: list[tuple[tuple[time, time], ...]] = []
    for spans in by_day.values():
        if spans in seen:
            continue
        seen.append(spans)
        days = [day for day, other in by_day.items() if other == spans]
        rules.append(f"{_osm_days(days)} {_osm_spans(spans)}")
    dated: dict[date, list[DateException]] = {}
    for exception in sorted(exceptions, key=lambda e: (e.day, e.opens or time.min)):
        if exception.day >= today:
            dated.setdefault(exception.day, []).append(exception)
    for day, items in dated.items():
        spans = tuple((e.opens, e.closes) for e in items if e.opens and e.closes)
        when = f"{day.year} {OSM_MONTHS[day.month - 1]} {day.day:02d}"
        rules.append(f"{when} {_osm_spans(spans) if spans else 'off'}")
    return "; ".join(rules)


def _osm_days(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{OSM_DAYS[run[0] - 1]}-{OSM_DAYS[run[-1] - 1]}")
        else:
            parts.extend(OSM_DAYS[day - 1] for day in run)
    return ",".join(parts)


def _osm_spans(spans: Iterable[tuple[time, time]]) -> str:
    return ",".join(f"{opens:%H:%M}-{closes:%H:%M}" for opens, closes in spans)


def hours_problem(hours: Sequence[WeeklyHours]) -> str | None:
    """Why a week of hours cannot be saved, or None: "order" when an opening does not close
    after it opens, "overlap" when two openings of a day overlap, "too_many" past the limit."""
    if len(hours) > MAX_HOURS_PER_WEEK:
        return "too_many"
    if any(h.closes <= h.opens for h in hours):
        return "order"
    for day in range(1, 8):
        spans = sorted((h.opens, h.closes) for h in hours if h.weekday == day)
        if any(later[0] < earlier[1] for earlier, later in pairwise(spans)):
            return "overlap"
    return None


def parse_clock(text: str) -> time | None:
    """A time of day as people type it: "9", "9:30", "09.30", "13u30", "13h30". None if not."""
    cleaned = text.strip().lower().replace("u", ":").replace("h", ":").replace(".", ":")
    if not cleaned:
        return None
    hours_text, _, minutes_text = cleaned.partition(":")
    minutes_text = minutes_text or "0"
    if not (hours_text.isascii() and hours_text.isdigit() and len(hours_text) <= 2):
        return None
    if not (minutes_text.isascii() and minutes_text.isdigit() and len(minutes_text) <= 2):
        return None
    hours, minutes = int(hours_text), int(minutes_text)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def weekly_from_moments(periods: Iterable[tuple[datetime, datetime]]) -> list[WeeklyHours]:
    """A week of hours from dated periods (the help sessions of a week): each period's local
    weekday, start and end, once each, merged where they overlap. Periods over midnight keep
    their first day until 23:59."""
    spans: dict[int, list[tuple[time, time]]] = {}
    for starts_at, ends_at in periods:
        start, end = starts_at.astimezone(LOCAL_ZONE), ends_at.astimezone(LOCAL_ZONE)
        closes = end.time() if end.date() == start.date() else time(23, 59)
        if closes > start.time():
            spans.setdefault(start.isoweekday(), []).append((start.time(), closes))
    week = []
    for weekday in sorted(spans):
        merged: list[list[time]] = []
        for opens, closes in sorted(spans[weekday]):
            if merged and opens <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], closes)
            else:
                merged.append([opens, closes])
        week.extend(WeeklyHours(weekday, opens, closes) for opens, closes in merged)
    return week
