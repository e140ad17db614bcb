"""The timing rules, above all what "24 hours before" means when the clocks change."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from digicoach.core.clock import LOCAL_ZONE
from digicoach.reminders import rules


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LOCAL_ZONE).astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "reminder", "elapsed_hours"),
    [
        # Clocks forward on Sunday 2026-03-29 at 02:00.
        (local(2026, 3, 30, 10, 0), local(2026, 3, 29, 10, 0), 24),
        (local(2026, 3, 29, 10, 0), local(2026, 3, 28, 10, 0), 23),
        (local(2026, 3, 29, 14, 30), local(2026, 3, 28, 14, 30), 23),
        # Clocks back on Sunday 2026-10-25 at 03:00.
        (local(2026, 10, 25, 10, 0), local(2026, 10, 24, 10, 0), 25),
        (local(2026, 10, 26, 10, 0), local(2026, 10, 25, 10, 0), 24),
    ],
)
def test_a_day_before_is_the_same_wall_clock_time_on_the_previous_day(
    start, reminder, elapsed_hours
):
    due = rules.days_before(start, 1)
    assert due == reminder
    assert due.astimezone(LOCAL_ZONE).time() == start.astimezone(LOCAL_ZONE).time()
    assert start - due == timedelta(hours=elapsed_hours)


def test_a_wall_clock_time_missing_on_the_previous_day_lands_an_hour_later():
    # 02:30 does not exist on 2026-03-29: the reminder goes at 03:30 CEST.
    due = rules.days_before(local(2026, 3, 30, 2, 30), 1)
    assert due.astimezone(LOCAL_ZONE).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


def test_a_wall_clock_time_that_happens_twice_is_the_first_one():
    due = rules.days_before(local(2026, 10, 26, 2, 30), 1)
    assert due == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_two_days_before_keeps_the_wall_clock_across_the_change():
    due = rules.days_before(local(2026, 3, 30, 14, 0), 2)
    assert due == local(2026, 3, 28, 14, 0)


def test_a_reminder_is_due_between_its_moment_and_the_start_only():
    start = local(2026, 3, 30, 10, 0)
    due = rules.days_before(start, 1)
    booked = due - timedelta(days=3)
    assert not rules.is_due(
        due_at=due, now=due - timedelta(minutes=1), start=start, booked_at=booked
    )
    assert rules.is_due(due_at=due, now=due, start=start, booked_at=booked)
    assert rules.is_due(due_at=due, now=start - timedelta(minutes=1), start=start, booked_at=booked)
    assert not rules.is_due(due_at=due, now=start, start=start, booked_at=booked)


def test_no_reminder_for_a_booking_made_after_the_reminder_moment():
    start = local(2026, 3, 30, 10, 0)
    due = rules.days_before(start, 1)
    assert not rules.is_due(
        due_at=due, now=due + timedelta(hours=2), start=start, booked_at=due + timedelta(hours=1)
    )


def test_the_same_morning_sms_needs_an_hour_between_it_and_the_appointment():
    assert rules.same_morning(local(2026, 10, 25, 10, 0), time(8)) == local(2026, 10, 25, 8, 0)
    assert rules.same_morning(local(2026, 10, 25, 8, 30), time(8)) is None


def test_the_help_log_nudge_goes_in_the_evening_or_an_hour_after_a_late_shift():
    assert rules.evening_after(local(2026, 3, 29, 16, 0), time(19)) == local(2026, 3, 29, 19, 0)
    assert rules.evening_after(local(2026, 3, 29, 20, 0), time(19)) == local(2026, 3, 29, 21, 0)


def test_citizens_get_an_sms_when_a_phone_is_known_else_an_email():
    assert rules.citizen_channel("+32470123456", "a@example.org") == rules.SMS
    assert rules.citizen_channel(None, "a@example.org") == rules.EMAIL
    assert rules.citizen_channel(None, None) is None


def test_coaches_get_the_channels_they_chose_and_sms_only_with_a_phone():
    assert rules.coach_channels(email=True, sms=True, phone="+32470123456") == ["email", "sms"]
    assert rules.coach_channels(email=False, sms=True, phone=None) == []


def test_recipients_are_masked_on_the_admin_page():
    assert rules.mask_recipient("sms", "+32470123456") == "+32 470 ** ** 56"
    assert rules.mask_recipient("email", "maria.peeters@example.org") == "m***@example.org"
    assert rules.mask_recipient("email", "") == ""


def test_stamps_in_keys_round_trip_and_have_no_colons():
    moment = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert ":" not in rules.stamp(moment)
    assert rules.parse_stamp(rules.stamp(moment)) == moment
    assert rules.parse_stamp("nonsense") is None


# --- whose settings, and what a programme may set ------------------------------------------------


def period(programme_id: int, starts_on, ends_on, *municipality_ids: int) -> rules.ProgrammePeriod:
    return rules.ProgrammePeriod(programme_id, starts_on, ends_on, frozenset(municipality_ids))


def test_an_event_takes_the_programme_that_covers_its_municipality_on_its_date():
    gent = period(1, date(2026, 1, 1), date(2026, 12, 31), 10, 11)
    assert rules.governing_programme([gent], 10, date(2026, 3, 30)) == 1
    assert rules.governing_programme([gent], 10, date(2026, 12, 31)) == 1  # the last day counts
    assert rules.governing_programme([gent], 10, date(2027, 1, 1)) is None  # it has ended
    assert rules.governing_programme([gent], 10, date(2025, 12, 31)) is None  # not started yet
    assert rules.governing_programme([gent], 12, date(2026, 3, 30)) is None  # not its municipality


def test_of_overlapping_programmes_the_one_that_started_last_applies_then_the_newest():
    older = period(1, date(2025, 1, 1), date(2027, 12, 31), 10)
    newer = period(2, date(2026, 3, 1), date(2026, 12, 31), 10)
    same_start = period(3, date(2026, 3, 1), date(2026, 6, 30), 10)
    assert rules.governing_programme([older, newer], 10, date(2026, 2, 1)) == 1
    assert rules.governing_programme([older, newer], 10, date(2026, 3, 1)) == 2
    assert rules.governing_programme([newer, same_start, older], 10, date(2026, 4, 1)) == 3
    assert rules.governing_programme([newer, same_start, older], 10, date(2026, 7, 1)) == 2
    assert rules.governing_programme([older, newer], 10, date(2027, 1, 1)) == 1


def test_a_coordinator_gets_the_digest_unless_every_programme_of_theirs_switched_it_off():
    assert rules.receives_weekly_digest([[False]], default=True) is False
    assert rules.receives_weekly_digest([[False, True]], default=False) is True
    assert rules.receives_weekly_digest([[False], [False, False]], default=True) is False
    # A municipality without a programme counts with the default switch.
    assert rules.receives_weekly_digest([[False], []], default=True) is True
    assert rules.receives_weekly_digest([[]], default=True) is True
    assert rules.receives_weekly_digest([[]], default=False) is False


@pytest.mark.parametrize(
    ("typed", "allowed", "days"),
    [
        ("2", rules.CITIZEN_DAYS, 2),
        (" 7 ", rules.CITIZEN_DAYS, 7),
        (3, rules.COACH_DAYS, 3),
        ("14", rules.COACH_DAYS, 14),
        ("8", rules.CITIZEN_DAYS, None),
        ("0", rules.COACH_DAYS, None),
        ("15", rules.COACH_DAYS, None),
        ("1.5", rules.CITIZEN_DAYS, None),
        ("-1", rules.CITIZEN_DAYS, None),
        ("twee", rules.CITIZEN_DAYS, None),
        ("", rules.CITIZEN_DAYS, None),
        (None, rules.CITIZEN_DAYS, None),
    ],
)
def test_lead_times_are_whole_days_within_their_limits(typed, allowed, days):
    assert rules.parse_days(typed, allowed) == days


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("7, 2", (7, 2)),
        ("2,7", (7, 2)),
        ("30", (30,)),
        ("1; 14 3", (14, 3, 1)),
        ([2, 7], (7, 2)),
        ("7, 7", None),  # the same day twice
        ("7, 5, 3, 1", None),  # more than three
        ("31", None),
        ("0, 2", None),
        ("7, twee", None),
        ("", None),
        (" , ", None),
    ],
)
def test_understaffing_alerts_are_one_to_three_different_days_from_1_to_30(typed, days):
    assert rules.parse_alert_days(typed) == days


def test_alert_days_are_stored_as_text_and_read_back():
    assert rules.format_alert_days((7, 2)) == "7,2"
    assert rules.parse_alert_days(rules.format_alert_days((7, 2))) == (7, 2)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("08:00", time(8, 0)),
        ("8:00", time(8, 0)),
        ("19.30", time(19, 30)),
        ("23:59", time(23, 59)),
        (time(7, 15, 42), time(7, 15)),
        ("24:00", None),
        ("8", None),
        ("08:60", None),
        ("8 uur", None),
        ("", None),
        (None, None),
    ],
)
def test_times_are_hours_and_minutes(typed, moment):
    assert rules.parse_clock_time(typed) == moment
