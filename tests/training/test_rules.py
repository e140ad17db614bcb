"""The pure training rules, at their boundaries."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from digicoach.training import rules
from digicoach.training.rules import SessionFacts

EIGHTY = rules.threshold_fraction(80)
BASICS, SAFETY, EXTRA = 1, 2, 3


def held(mark, *modules):
    return SessionFacts(status=rules.HELD, module_ids=frozenset(modules or {EXTRA}), mark=mark)


def test_the_threshold_is_an_exact_fraction():
    assert Fraction(4, 5) == EIGHTY
    with pytest.raises(ValueError):
        rules.threshold_fraction(0)
    with pytest.raises(ValueError):
        rules.threshold_fraction(101)


@pytest.mark.parametrize(
    ("attended", "held_count", "certifiable"),
    [
        (7999, 10000, False),  # 79.99 %
        (8000, 10000, True),  # exactly 80 %
        (4, 5, True),  # 80 %
        (3, 4, False),  # 75 %
        (5, 5, True),  # 100 %
        (0, 0, False),  # no session held
    ],
)
def test_attendance_threshold_boundaries(attended, held_count, certifiable):
    assert rules.is_certifiable(attended, held_count, EIGHTY) is certifiable


def test_four_of_five_held_sessions_with_every_required_module_is_eligible():
    sessions = (
        [held("present", BASICS), held("present", SAFETY)]
        + [held("present")] * 2
        + [held("absent")]
    )
    assessment = rules.assess(sessions, required_module_ids={BASICS, SAFETY}, threshold=EIGHTY)
    assert (assessment.attended, assessment.held) == (4, 5)
    assert assessment.share == Fraction(4, 5)
    assert assessment.eligible


def test_one_session_short_of_80_percent_is_not_eligible():
    sessions = [held("present", BASICS), held("present", SAFETY), held("present")] + [
        held("absent")
    ] * 2
    assessment = rules.assess(sessions, required_module_ids={BASICS, SAFETY}, threshold=EIGHTY)
    assert assessment.share == Fraction(3, 5)
    assert not assessment.eligible
    # Two more attended sessions: 5 of 7 is 71 %, 5/7 < 4/5; three more: 6 of 8 is 75 %; ...
    assert assessment.sessions_still_needed == 5


def test_all_sessions_attended_is_eligible():
    sessions = [held("present", BASICS), held("present", SAFETY)]
    assert rules.assess(sessions, required_module_ids={BASICS, SAFETY}, threshold=EIGHTY).eligible


def test_nobody_is_eligible_before_a_session_is_held():
    sessions = [SessionFacts(status=rules.SCHEDULED, module_ids=frozenset({BASICS}))]
    assessment = rules.assess(sessions, required_module_ids=set(), threshold=EIGHTY)
    assert assessment.held == 0
    assert assessment.share == 0
    assert not assessment.eligible
    assert assessment.sessions_still_needed == 1


def test_cancelled_sessions_do_not_count():
    sessions = [
        held("present", BASICS),
        held("present", SAFETY),
        SessionFacts(status=rules.SESSION_CANCELLED, module_ids=frozenset({EXTRA})),
        SessionFacts(status=rules.SESSION_CANCELLED, module_ids=frozenset({EXTRA})),
    ]
    assessment = rules.assess(sessions, required_module_ids={BASICS, SAFETY}, threshold=EIGHTY)
    assert (assessment.attended, assessment.held) == (2, 2)
    assert assessment.eligible


def test_an_excused_absence_counts_as_not_attended_but_is_shown():
    sessions = [
        held("present", BASICS),
        held("present", SAFETY),
        held("present"),
        held("excused"),
        held("excused"),
    ]
    assessment = rules.assess(sessions, required_module_ids={BASICS, SAFETY}, threshold=EIGHTY)
    assert (assessment.attended, assessment.excused, assessment.held) == (3, 2, 5)
    assert not assessment.eligible


def test_a_missing_required_module_blocks_the_certificate_even_at_100_percent():
    sessions = [held("present", BASICS), held("present"), held("excused", SAFETY)]
    assessment = rules.assess(
        sessions, required_module_ids={BASICS, SAFETY}, threshold=Fraction(1, 2)
    )
    assert assessment.attendance_ok
    assert assessment.missing_module_ids == {SAFETY}
    assert not assessment.eligible


def test_an_optional_module_is_never_missing():
    sessions = [held("present", BASICS), held("absent", EXTRA)]
    assessment = rules.assess(sessions, required_module_ids={BASICS}, threshold=Fraction(1, 2))
    assert assessment.missing_module_ids == frozenset()
    assert assessment.eligible


@pytest.mark.parametrize(
    ("status", "as_shadow", "mentor", "allowed"),
    [
        ("certified", False, None, True),
        ("active", False, None, True),
        ("active", True, "certified", True),
        ("in_training", False, None, False),
        ("in_training", True, None, False),
        ("in_training", True, "in_training", False),
        ("in_training", True, "dormant", False),
        ("in_training", True, "certified", True),
        ("in_training", True, "active", True),
        ("approved", True, "active", False),
        ("applied", False, None, False),
        ("dormant", False, None, False),
        ("left", True, "active", False),
    ],
)
def test_who_may_join_a_help_session(status, as_shadow, mentor, allowed):
    assert rules.may_join_help_session(status, as_shadow=as_shadow, mentor_status=mentor) is allowed


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_enrolment_closes_at_the_deadline():
    deadline = NOW + timedelta(minutes=1)
    assert rules.enrolment_is_open(cohort_status="open", deadline=deadline, now=NOW)
    assert not rules.enrolment_is_open(cohort_status="open", deadline=NOW, now=NOW)
    assert not rules.enrolment_is_open(cohort_status="planned", deadline=deadline, now=NOW)
    assert not rules.enrolment_is_open(cohort_status="cancelled", deadline=deadline, now=NOW)


def test_check_in_is_open_from_30_minutes_before_to_30_minutes_after():
    start, end = NOW, NOW + timedelta(hours=2)
    margin = timedelta(minutes=30)
    assert rules.check_in_is_open(starts_at=start, ends_at=end, now=start - margin)
    assert rules.check_in_is_open(starts_at=start, ends_at=end, now=end + margin)
    assert not rules.check_in_is_open(
        starts_at=start, ends_at=end, now=start - margin - timedelta(seconds=1)
    )
    assert not rules.check_in_is_open(
        starts_at=start, ends_at=end, now=end + margin + timedelta(seconds=1)
    )


def test_check_in_codes_are_read_forgivingly():
    assert rules.normalise_check_in_code(" k7m-3qx ") == "K7M3QX"


@pytest.mark.parametrize(
    ("status", "enrolled", "first_in_days", "warn"),
    [
        ("open", 2, 10, True),
        ("planned", 2, 14, True),
        ("open", 2, 15, False),  # not yet within the warning window
        ("open", 6, 10, False),  # the minimum is reached
        ("running", 2, 10, False),
        ("open", 2, -1, False),  # already started
    ],
)
def test_the_low_enrolment_warning(status, enrolled, first_in_days, warn):
    assert (
        rules.needs_low_enrolment_warning(
            cohort_status=status,
            enrolled=enrolled,
            minimum=6,
            first_session_at=NOW + timedelta(days=first_in_days),
            now=NOW,
            warning_days=14,
        )
        is warn
    )


def test_closing_a_waitlist_gap_keeps_positions_distinct_and_without_gaps():
    assert rules.close_gap({10: 1, 11: 2, 12: 3, 13: 4}, 2) == {10: 1, 12: 2, 13: 3}


def test_certificate_numbers():
    assert rules.certificate_number(2026, 123) == "DC-2026-000123"
