"""The projection arithmetic and the counting rules, at their edges (pure, no database)."""

from __future__ import annotations

from datetime import date

from digicoach.progress import rules
from digicoach.progress.rules import Pace

TODAY = date(2026, 6, 15)
END = date(2027, 12, 31)


def test_without_history_the_pace_is_zero_and_no_date_is_promised():
    pace = rules.weekly_pace(reached=0, reached_weeks_ago=0, weeks=0)
    projection = rules.project(target=100, reached=0, pace_per_week=pace, today=TODAY, ends_on=END)
    assert pace == 0
    assert projection.status is Pace.STALLED
    assert projection.reached_on is None
    assert projection.needed_per_week == 100 / ((END - TODAY).days / 7)


def test_a_reached_target_needs_nothing_more_even_when_exceeded():
    projection = rules.project(target=100, reached=130, pace_per_week=5, today=TODAY, ends_on=END)
    assert projection.status is Pace.REACHED
    assert projection.remaining == 0
    assert projection.needed_per_week is None
    assert projection.reached_on is None


def test_a_target_of_zero_is_reached_from_the_start():
    projection = rules.project(target=0, reached=0, pace_per_week=0, today=TODAY, ends_on=END)
    assert projection.status is Pace.REACHED


def test_zero_pace_with_work_left_is_stalled():
    pace = rules.weekly_pace(reached=40, reached_weeks_ago=40, weeks=8)
    projection = rules.project(target=100, reached=40, pace_per_week=pace, today=TODAY, ends_on=END)
    assert projection.status is Pace.STALLED
    assert projection.remaining == 60


def test_a_shrinking_count_is_no_negative_pace():
    assert rules.weekly_pace(reached=30, reached_weeks_ago=40, weeks=8) == 0


def test_the_projected_day_is_rounded_up_to_whole_days():
    # 10 left at 7 a week: 10 days.
    projection = rules.project(target=20, reached=10, pace_per_week=7, today=TODAY, ends_on=END)
    assert projection.reached_on == date(2026, 6, 25)
    assert projection.status is Pace.ON_TRACK


def test_a_pace_that_ends_after_the_period_is_behind():
    projection = rules.project(target=1000, reached=0, pace_per_week=1, today=TODAY, ends_on=END)
    assert projection.status is Pace.BEHIND
    assert projection.reached_on is not None and projection.reached_on > END


def test_after_the_end_of_the_period_no_weekly_need_is_given():
    projection = rules.project(
        target=100, reached=10, pace_per_week=2, today=date(2028, 1, 5), ends_on=END
    )
    assert projection.needed_per_week is None
    assert projection.weeks_left == 0
    assert projection.status is Pace.BEHIND


def test_a_walk_in_first_visit_counts_each_citizen_and_keys_count_once_each():
    assert rules.citizens_supported(distinct_keys=3, walk_in_first_visits=4) == 7
    assert rules.citizens_supported(distinct_keys=0, walk_in_first_visits=0) == 0


def test_numbers_under_five_are_suppressed_including_zero():
    assert [rules.suppressed(n) for n in (0, 1, 4, 5, 120)] == [None, None, None, 5, 120]


def test_a_rate_of_nothing_is_no_rate():
    assert rules.rate(0, 0) is None
    assert rules.rate(1, 4) == 0.25


def test_the_needed_line_runs_from_zero_to_the_target():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert rules.needed_line(target=100, starts_on=start, ends_on=end, on=start) == 0
    assert rules.needed_line(target=100, starts_on=start, ends_on=end, on=end) == 100
    assert rules.needed_line(target=100, starts_on=start, ends_on=end, on=date(2027, 5, 1)) == 100


def test_cumulative_weeks_carry_earlier_increments_and_fill_empty_weeks():
    weeks = rules.cumulative_by_week(
        {date(2025, 12, 1): 2, date(2026, 1, 7): 3, date(2026, 1, 20): 1},
        starts_on=date(2026, 1, 5),
        until=date(2026, 1, 26),
    )
    assert weeks == [
        (date(2026, 1, 5), 5),
        (date(2026, 1, 12), 5),
        (date(2026, 1, 19), 6),
        (date(2026, 1, 26), 6),
    ]


def test_the_first_rows_of_a_breakdown_and_how_many_more_there_are():
    rows = list(range(23))
    shown = rules.first_rows(rows)
    assert shown.rows == list(range(rules.BREAKDOWN_ROWS_SHOWN)) and shown.more == 3
    assert rules.first_rows(rows, 23) == rules.FirstRows(rows, 0)
    assert rules.first_rows([], 20) == rules.FirstRows([], 0)
