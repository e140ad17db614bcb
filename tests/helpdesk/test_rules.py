"""The pure helpdesk rules: overlap, slots, the cancel cut-off across DST, staffing, matching."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from digicoach.core import timeslots
from digicoach.helpdesk import rules
from digicoach.helpdesk.rules import Period


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, 5, hour, minute, tzinfo=UTC)


def test_shifts_that_touch_at_the_ends_do_not_overlap():
    morning = Period(_at(9), _at(12))
    afternoon = Period(_at(12), _at(15))
    assert not rules.overlaps(morning, afternoon)
    assert not rules.overlaps(afternoon, morning)


def test_a_shift_inside_another_overlaps_both_ways():
    long = Period(_at(13), _at(17))
    inside = Period(_at(14), _at(15))
    assert rules.overlaps(long, inside)
    assert rules.overlaps(inside, long)


def test_partly_overlapping_and_identical_shifts_overlap():
    assert rules.overlaps(Period(_at(9), _at(12)), Period(_at(11, 59), _at(14)))
    assert rules.overlaps(Period(_at(9), _at(12)), Period(_at(9), _at(12)))


def test_first_overlap_names_the_clashing_item_or_none():
    existing = [(Period(_at(9), _at(12)), "morning"), (Period(_at(14), _at(16)), "afternoon")]
    assert rules.first_overlap(Period(_at(12), _at(14)), existing) is None
    assert rules.first_overlap(Period(_at(15), _at(18)), existing) == "afternoon"


@pytest.mark.parametrize(
    ("mode", "minutes", "slot", "fits"),
    [
        ("appointment", 120, 30, True),
        ("appointment", 120, 45, False),
        ("hybrid", 90, 20, False),
        ("hybrid", 90, 15, True),
        ("walk_in", 90, 45, True),
        ("appointment", 120, 0, False),
    ],
)
def test_the_slot_length_must_divide_a_session_with_appointments(mode, minutes, slot, fits):
    assert rules.slot_fits(mode=mode, duration_minutes=minutes, slot_minutes=slot) is fits


def test_a_coach_may_cancel_until_exactly_the_cutoff_and_not_a_second_later():
    start = _at(14)
    assert rules.may_cancel_shift(starts_at=start, now=start - timedelta(hours=24), cutoff_hours=24)
    assert not rules.may_cancel_shift(
        starts_at=start, now=start - timedelta(hours=24) + timedelta(seconds=1), cutoff_hours=24
    )


def test_the_cutoff_counts_real_hours_when_summer_time_starts_on_2026_03_29():
    # Sunday 29 March 2026 at 14:00 in Brussels is 12:00 UTC (summer time, UTC+2).
    start = timeslots.local_moment(datetime(2026, 3, 29).date(), time(14, 0))
    # 24 real hours earlier is Saturday 28 March at 13:00 on the wall clock (UTC+1).
    last_chance = timeslots.local_moment(datetime(2026, 3, 28).date(), time(13, 0))
    assert rules.may_cancel_shift(starts_at=start, now=last_chance, cutoff_hours=24)
    assert not rules.may_cancel_shift(
        starts_at=start, now=last_chance + timedelta(minutes=1), cutoff_hours=24
    )


def test_the_cutoff_counts_real_hours_when_summer_time_ends_on_2026_10_25():
    # Sunday 25 October 2026 at 14:00 is 13:00 UTC (winter time, UTC+1).
    start = timeslots.local_moment(datetime(2026, 10, 25).date(), time(14, 0))
    # 24 real hours earlier is Saturday 24 October at 15:00 on the wall clock (UTC+2).
    last_chance = timeslots.local_moment(datetime(2026, 10, 24).date(), time(15, 0))
    assert rules.may_cancel_shift(starts_at=start, now=last_chance, cutoff_hours=24)
    assert not rules.may_cancel_shift(
        starts_at=start, now=last_chance + timedelta(minutes=1), cutoff_hours=24
    )


@pytest.mark.parametrize(
    ("taken", "kind", "short_by"),
    [(0, "empty", 2), (1, "short", 1), (2, "staffed", 0), (3, "staffed", 0)],
)
def test_staffing_is_empty_short_by_n_or_fully_staffed(taken, kind, short_by):
    staff = rules.staffing(mode="walk_in", taken=taken, minimum=2, maximum=3)
    assert staff.kind == kind
    assert staff.short_by == short_by
    assert staff.places_left == 3 - taken


@pytest.mark.parametrize(
    ("clock", "part"),
    [
        (time(9, 30), "morning"),
        (time(12, 0), "afternoon"),
        (time(17, 59), "afternoon"),
        (time(18, 0), "evening"),
    ],
)
def test_a_start_time_falls_in_one_daypart(clock, part):
    assert rules.daypart(clock) == part


def _coach(**values):
    facts = {
        "status": "active",
        "languages": frozenset({"nl", "ar"}),
        "topics": frozenset({"email"}),
        "neighbourhood_ids": frozenset({7}),
        "availability": frozenset({(2, "afternoon")}),
    }
    facts.update(values)
    return rules.CoachFacts(**facts)


SESSION = rules.SessionFacts(
    weekday=2,
    daypart="afternoon",
    languages=frozenset({"ar"}),
    topics=frozenset({"email", "eid_itsme"}),
    neighbourhood_id=7,
)


def test_a_coach_matches_on_status_language_topic_neighbourhood_and_availability():
    assert rules.matches(_coach(), SESSION)
    assert not rules.matches(_coach(status="in_training"), SESSION)
    assert not rules.matches(_coach(languages=frozenset({"nl"})), SESSION)
    assert not rules.matches(_coach(topics=frozenset({"job_search"})), SESSION)
    assert not rules.matches(_coach(neighbourhood_ids=frozenset({8})), SESSION)
    assert not rules.matches(_coach(availability=frozenset({(2, "morning")})), SESSION)
    assert not rules.matches(_coach(wants_email=False), SESSION)


def test_a_coach_without_neighbourhoods_helps_anywhere_and_a_session_without_topics_takes_all():
    assert rules.matches(_coach(neighbourhood_ids=frozenset()), SESSION)
    open_session = rules.SessionFacts(
        weekday=2,
        daypart="afternoon",
        languages=frozenset({"nl"}),
        topics=frozenset(),
        neighbourhood_id=None,
    )
    assert rules.matches(_coach(topics=frozenset({"job_search"})), open_session)


def test_the_board_pages_are_weeks_of_seven_days_from_today_without_gaps():
    today = date(2026, 3, 27)  # a Friday; the clocks change on Sunday
    weeks = rules.board_weeks(today, 4)
    assert [(w.first_day, w.last_day) for w in weeks][:2] == [
        (date(2026, 3, 27), date(2026, 4, 2)),
        (date(2026, 4, 3), date(2026, 4, 9)),
    ]
    assert all(b.first_day == a.last_day + timedelta(days=1) for a, b in pairwise(weeks))
    assert rules.board_week_number(date(2026, 3, 26), today, 4) == 0  # started yesterday
    assert rules.board_week_number(date(2026, 4, 2), today, 4) == 0
    assert rules.board_week_number(date(2026, 4, 3), today, 4) == 1
    assert rules.board_week_number(date(2026, 4, 23), today, 4) == 3
    assert rules.board_week_number(date(2026, 4, 24), today, 4) is None
