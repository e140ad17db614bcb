"""Opening hours on a frozen clock: open now, next opening, this week, across the
daylight-saving changes of Europe/Brussels (2026-03-29 and 2026-10-25) and on holiday
exceptions; the OpenStreetMap form; the checks on a week of hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from digicoach.partners.rules import (
    DateException,
    WeeklyHours,
    hours_problem,
    is_open,
    moment,
    next_opening,
    open_this_week,
    osm_opening_hours,
    parse_clock,
    weekly_from_moments,
)

# Monday to Sunday, Tuesday morning and Thursday afternoon.
WEEK = [
    WeeklyHours(1, time(9), time(12)),
    WeeklyHours(3, time(9), time(12)),
    WeeklyHours(4, time(13, 30), time(16, 30)),
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_open_at_the_start_and_closed_at_the_end_in_winter():
    # Monday 7 December 2026, Brussels is UTC+1: 09:00 local is 08:00 UTC.
    assert not is_open(utc(2026, 12, 7, 7, 59), WEEK, [])
    assert is_open(utc(2026, 12, 7, 8, 0), WEEK, [])
    assert is_open(utc(2026, 12, 7, 10, 59), WEEK, [])
    assert not is_open(utc(2026, 12, 7, 11, 0), WEEK, [])


def test_the_same_wall_clock_hours_in_summer_are_an_hour_earlier_in_utc():
    # Monday 6 July 2026, UTC+2: 09:00 local is 07:00 UTC.
    assert is_open(utc(2026, 7, 6, 7, 0), WEEK, [])
    assert not is_open(utc(2026, 7, 6, 10, 0), WEEK, [])


def test_next_opening_across_the_spring_change_keeps_local_time():
    # Saturday 28 March 2026 noon (UTC+1); the clocks go forward on Sunday 29 March.
    found = next_opening(utc(2026, 3, 28, 11, 0), WEEK, [])
    assert found is not None
    # Monday 30 March 09:00 is summer time: 07:00 UTC, not 08:00.
    assert found.starts_at == utc(2026, 3, 30, 7, 0)
    assert found.ends_at == utc(2026, 3, 30, 10, 0)


def test_next_opening_across_the_autumn_change_keeps_local_time():
    # Saturday 24 October 2026 (UTC+2); the clocks go back on Sunday 25 October.
    found = next_opening(utc(2026, 10, 24, 10, 0), WEEK, [])
    assert found is not None
    assert found.starts_at == utc(2026, 10, 26, 8, 0)  # 09:00 winter time


def test_an_opening_on_the_night_of_the_change_has_its_real_length():
    sunday = [WeeklyHours(7, time(1, 0), time(4, 0))]
    spring = next_opening(utc(2026, 3, 28, 12, 0), sunday, [])
    autumn = next_opening(utc(2026, 10, 24, 12, 0), sunday, [])
    assert spring is not None and autumn is not None
    assert (spring.ends_at - spring.starts_at).total_seconds() == 2 * 3600  # an hour is lost
    assert (autumn.ends_at - autumn.starts_at).total_seconds() == 4 * 3600  # an hour twice
    # 02:30 does not exist on 29 March: read with the winter offset, it is 03:30 summer time.
    assert moment(date(2026, 3, 29), time(2, 30)) == utc(2026, 3, 29, 1, 30)
    assert is_open(utc(2026, 3, 29, 1, 30), sunday, [])


def test_a_holiday_closes_the_day_and_the_next_opening_skips_it():
    christmas = [DateException(date(2026, 12, 24), label="Kerstavond")]
    thursday_morning = utc(2026, 12, 24, 13, 0)  # 14:00 local, within 13:30-16:30
    assert is_open(thursday_morning, WEEK, [])
    assert not is_open(thursday_morning, WEEK, christmas)
    found = next_opening(utc(2026, 12, 24, 8, 0), WEEK, christmas)
    assert found is not None
    assert found.starts_at == utc(2026, 12, 28, 8, 0)  # Monday 28 December, 09:00


def test_other_hours_on_one_date_replace_the_week():
    late = [DateException(date(2026, 12, 7), time(18), time(20), "Avondopening")]
    assert not is_open(utc(2026, 12, 7, 9, 0), WEEK, late)  # the usual morning is gone
    assert is_open(utc(2026, 12, 7, 17, 30), WEEK, late)  # 18:30 local
    found = next_opening(utc(2026, 12, 7, 6, 0), WEEK, late)
    assert found is not None and found.starts_at == utc(2026, 12, 7, 17, 0)


def test_an_extra_opening_on_a_closed_weekday():
    saturday = [DateException(date(2026, 12, 12), time(10), time(12), "Opendeurdag")]
    assert is_open(utc(2026, 12, 12, 9, 30), WEEK, saturday)


def test_next_opening_is_the_next_start_even_while_open():
    now = utc(2026, 12, 7, 9, 0)  # Monday 10:00, open
    found = next_opening(now, WEEK, [])
    assert is_open(now, WEEK, [])
    assert found is not None and found.starts_at == utc(2026, 12, 9, 8, 0)  # Wednesday


def test_no_hours_means_no_next_opening_and_not_this_week():
    assert next_opening(utc(2026, 12, 7, 9, 0), [], []) is None
    assert not open_this_week(utc(2026, 12, 7, 9, 0), [], [])


def test_this_week_looks_seven_days_ahead_and_skips_closed_days():
    thursday_only = [WeeklyHours(4, time(13, 30), time(16, 30))]
    friday = utc(2026, 12, 4, 12, 0)
    assert open_this_week(friday, thursday_only, [])  # next Thursday is day 7
    closed = [DateException(date(2026, 12, 10))]
    assert not open_this_week(friday, thursday_only, closed)


def test_osm_groups_days_with_the_same_hours_and_adds_future_exceptions():
    exceptions = [
        DateException(date(2026, 12, 25), label="Kerstmis"),
        DateException(date(2026, 12, 31), time(9), time(12)),
        DateException(date(2026, 1, 1)),  # past: left out
    ]
    text = osm_opening_hours(WEEK, exceptions, today=date(2026, 12, 6))
    assert text == "Mo,We 09:00-12:00; Th 13:30-16:30; 2026 Dec 25 off; 2026 Dec 31 09:00-12:00"


def test_osm_writes_runs_of_days_as_a_range_and_two_openings_a_day():
    week = [WeeklyHours(day, time(9), time(12)) for day in range(1, 6)]
    week += [WeeklyHours(day, time(14), time(18, 30)) for day in range(1, 6)]
    week += [WeeklyHours(6, time(8, 30), time(12))]
    assert (
        osm_opening_hours(week, [], today=date(2026, 12, 6))
        == "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"
    )
    assert osm_opening_hours([], [], today=date(2026, 12, 6)) == ""


def test_hours_problems():
    assert hours_problem(WEEK) is None
    assert hours_problem([WeeklyHours(1, time(12), time(9))]) == "order"
    overlapping = [WeeklyHours(1, time(9), time(12)), WeeklyHours(1, time(11), time(13))]
    assert hours_problem(overlapping) == "overlap"
    touching = [WeeklyHours(1, time(9), time(12)), WeeklyHours(1, time(12), time(13))]
    assert hours_problem(touching) is None
    assert hours_problem([WeeklyHours(1, time(9), time(10))] * 29) == "too_many"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", time(9)),
        ("9:30", time(9, 30)),
        ("09.30", time(9, 30)),
        ("13u30", time(13, 30)),
        ("13h30", time(13, 30)),
        (" 7 ", time(7)),
        ("24:00", None),
        ("9:75", None),
        ("²", None),
        ("nine", None),
        ("", None),
    ],
)
def test_parse_clock(text, expected):
    assert parse_clock(text) == expected


def test_a_week_of_hours_from_sessions_merges_overlaps_per_local_weekday():
    sessions = [
        (utc(2026, 12, 8, 8, 0), utc(2026, 12, 8, 11, 0)),  # Tuesday 09:00-12:00
        (utc(2026, 12, 8, 10, 0), utc(2026, 12, 8, 12, 0)),  # overlaps: to 13:00
        (utc(2026, 7, 9, 12, 0), utc(2026, 7, 9, 14, 0)),  # a summer Thursday 14:00-16:00
    ]
    assert weekly_from_moments(sessions) == [
        WeeklyHours(2, time(9), time(13)),
        WeeklyHours(4, time(14), time(16)),
    ]
