"""Weekly series keep their local wall-clock time across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from digicoach.core import clock, timeslots


def local_times(moments):
    return [clock.local(m).strftime("%Y-%m-%d %H:%M") for m in moments]


def test_a_weekly_series_stays_at_14_00_when_summer_time_starts_on_2026_03_29():
    starts = timeslots.weekly_starts(
        first_day=date(2026, 3, 22), weekdays=[7], start_time=time(14, 0), count=3
    )
    assert local_times(starts) == ["2026-03-22 14:00", "2026-03-29 14:00", "2026-04-05 14:00"]
    # 13:00 UTC in winter, 12:00 UTC in summer: the UTC time moves, the local time does not.
    assert [s.hour for s in starts] == [13, 12, 12]
    assert all(s.tzinfo == UTC for s in starts)


def test_a_weekly_series_stays_at_14_00_when_summer_time_ends_on_2026_10_25():
    starts = timeslots.weekly_starts(
        first_day=date(2026, 10, 18), weekdays=[7], start_time=time(14, 0), count=3
    )
    assert local_times(starts) == ["2026-10-18 14:00", "2026-10-25 14:00", "2026-11-01 14:00"]
    assert [s.hour for s in starts] == [12, 13, 13]


def test_the_end_keeps_its_wall_clock_time_too():
    series = timeslots.weekly_series(
        first_day=date(2026, 3, 26),
        weekdays=[4],
        start_time=time(14, 0),
        duration=timedelta(hours=2),
        count=2,
    )
    assert local_times([o.end for o in series]) == ["2026-03-26 16:00", "2026-04-02 16:00"]
    assert all(o.end - o.start == timedelta(hours=2) for o in series)


def test_several_weekdays_every_other_week_until_a_date():
    days = timeslots.weekly_dates(
        first_day=date(2026, 3, 4),  # a Wednesday
        weekdays=[1, 3],
        every_weeks=2,
        until=date(2026, 3, 31),
    )
    # The Monday of the first week (2 March) is before the first day, so it is skipped.
    assert days == [date(2026, 3, 4), date(2026, 3, 16), date(2026, 3, 18), date(2026, 3, 30)]


def test_until_is_inclusive_and_count_stops_first():
    assert timeslots.weekly_dates(
        first_day=date(2026, 1, 5), weekdays=[1], until=date(2026, 1, 19)
    ) == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    assert timeslots.weekly_dates(
        first_day=date(2026, 1, 5), weekdays=[1], until=date(2026, 12, 31), count=2
    ) == [date(2026, 1, 5), date(2026, 1, 12)]


def test_a_series_never_runs_away():
    days = timeslots.weekly_dates(first_day=date(2026, 1, 1), weekdays=[1], until=date(2099, 1, 1))
    assert len(days) == timeslots.MAX_OCCURRENCES


def test_a_local_time_that_does_not_exist_moves_forward():
    moment = timeslots.local_moment(date(2026, 3, 29), time(2, 30))
    assert moment == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert clock.local(moment).strftime("%H:%M") == "03:30"


@pytest.mark.parametrize(
    "arguments",
    [
        {"weekdays": [], "count": 1},
        {"weekdays": [8], "count": 1},
        {"weekdays": [1], "every_weeks": 0, "count": 1},
        {"weekdays": [1]},
        {"weekdays": [1], "count": -1},
    ],
)
def test_invalid_series_are_refused(arguments):
    with pytest.raises(ValueError):
        timeslots.weekly_dates(first_day=date(2026, 1, 1), **arguments)


def test_a_series_needs_a_positive_duration():
    with pytest.raises(ValueError):
        timeslots.weekly_series(
            first_day=date(2026, 1, 1),
            weekdays=[1],
            start_time=time(14, 0),
            duration=timedelta(0),
            count=1,
        )
