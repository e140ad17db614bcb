"""The pure booking rules: slots, capacity, closing, coach choice, references."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digicoach.bookings import rules
from digicoach.bookings.rules import CoachFit

T0 = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)


def test_a_session_has_as_many_slots_as_whole_slot_lengths_fit():
    starts = rules.slot_starts(T0, T0 + timedelta(minutes=100), 30)
    assert starts == [T0, T0 + timedelta(minutes=30), T0 + timedelta(minutes=60)]
    assert rules.slot_starts(T0, T0, 30) == []


def test_only_the_start_of_a_whole_slot_is_a_slot_start():
    end = T0 + timedelta(hours=2)
    assert rules.is_slot_start(T0, end, 30, T0 + timedelta(minutes=90))
    assert not rules.is_slot_start(T0, end, 30, T0 + timedelta(minutes=15))
    assert not rules.is_slot_start(T0, end, 30, end)
    assert not rules.is_slot_start(T0, end, 30, T0 - timedelta(minutes=30))
    assert not rules.is_slot_start(T0, T0 + timedelta(minutes=50), 30, T0 + timedelta(minutes=30))


def test_capacity_counts_citizens_per_slot_times_booking_coaches():
    assert rules.slot_capacity("appointment", 3, 2) == 6
    assert rules.slot_capacity("hybrid", 3, 2) == 2  # half the coaches, rounded down
    assert rules.slot_capacity("hybrid", 1, 2) == 0  # a lone coach keeps the door open
    assert rules.slot_capacity("walk_in", 3, 2) == 0
    assert rules.slot_capacity("appointment", 0, 2) == 0


def test_online_booking_closes_hours_before_the_slot_even_across_a_clock_change():
    # 2026-03-29: the clocks go forward at 02:00 local; two hours are elapsed time.
    slot = T0
    assert rules.booking_open(slot, slot - timedelta(hours=2, seconds=1), 2)
    assert not rules.booking_open(slot, slot - timedelta(hours=2), 2)


def test_the_coach_who_fits_language_and_topic_comes_first_then_language_then_topic():
    both = CoachFit(1, frozenset({"ar"}), frozenset({"email"}), 5)
    language = CoachFit(2, frozenset({"ar"}), frozenset(), 0)
    topic = CoachFit(3, frozenset({"nl"}), frozenset({"email"}), 0)
    neither = CoachFit(4, frozenset({"nl"}), frozenset(), 0)
    assert rules.pick_coach([neither, topic, language, both], language="ar", topic="email") == 1
    assert rules.pick_coach([neither, topic, language], language="ar", topic="email") == 2
    assert rules.pick_coach([neither, topic], language="ar", topic="email") == 3
    assert rules.pick_coach([neither], language="ar", topic="email") == 4
    assert rules.pick_coach([], language="ar", topic="email") is None


def test_among_equal_fits_the_coach_with_fewest_appointments_is_chosen():
    busy = CoachFit(1, frozenset({"nl"}), frozenset({"email"}), 3)
    free = CoachFit(2, frozenset({"nl"}), frozenset({"email"}), 1)
    assert rules.pick_coach([busy, free], language="nl", topic="email") == 2


def test_a_reference_is_short_unambiguous_and_read_back_however_typed():
    reference = rules.new_reference()
    assert len(reference) == 7 and reference[3] == "-"
    assert not set(reference.replace("-", "")) & set("0O1IL2Z5S8B")
    assert rules.normalise_reference(reference.lower().replace("-", " ")) == reference
    assert rules.normalise_reference("K0M-4QX") is None
    assert rules.normalise_reference("") is None


def test_contact_data_goes_the_retention_period_after_the_appointment():
    assert not rules.contact_erasure_due(T0, T0 + timedelta(days=29, hours=23), 30)
    assert rules.contact_erasure_due(T0, T0 + timedelta(days=30), 30)


def test_a_citizen_at_the_limit_of_active_appointments_is_refused_one_more():
    assert not rules.over_active_limit(2, 3)
    assert rules.over_active_limit(3, 3)
