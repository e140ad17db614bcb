"""The pipeline's transition table and the other pure rules, without database or Flask."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from digicoach.coaches import rules

ALLOWED = [
    ("applied", "approved"),
    ("applied", "rejected"),
    ("applied", "left"),
    ("approved", "in_training"),
    ("approved", "left"),
    ("in_training", "certified"),
    ("in_training", "left"),
    ("certified", "active"),
    ("certified", "left"),
    ("active", "dormant"),
    ("active", "left"),
    ("dormant", "active"),
    ("dormant", "left"),
]
REFUSED = [pair for pair in product(rules.STATUSES, repeat=2) if pair not in ALLOWED]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_the_pipeline_allows(current, target):
    assert rules.may_transition(current, target)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_the_pipeline_refuses(current, target):
    assert not rules.may_transition(current, target)


def test_the_table_is_exactly_the_documented_one():
    table = {(a, b) for a, targets in rules.TRANSITIONS.items() for b in targets}
    assert table == set(ALLOWED)


def test_nothing_skips_a_step():
    assert not rules.may_transition("applied", "active")
    assert not rules.may_transition("approved", "certified")
    assert not rules.may_transition("in_training", "active")


def test_left_and_rejected_are_final():
    assert {"left", "rejected"} == rules.FINAL_STATUSES
    assert rules.next_statuses("left") == []


def test_no_status_stays_where_it_is():
    assert all(not rules.may_transition(status, status) for status in rules.STATUSES)


def test_an_unknown_status_never_moves():
    assert not rules.may_transition("banana", "active")
    assert not rules.may_transition("applied", "banana")


def test_next_statuses_are_in_pipeline_order():
    assert rules.next_statuses("applied") == ["approved", "rejected", "left"]
    assert rules.next_statuses("dormant", by_system=True) == ["active", "left"]
    assert rules.next_statuses("dormant") == ["left"]


def test_approval_needs_every_screening_item():
    assert rules.missing_screening([]) == ["intake_held", "identity_seen", "good_conduct_seen"]
    assert rules.missing_screening(["identity_seen", "intake_held"]) == ["good_conduct_seen"]
    assert rules.missing_screening(rules.SCREENING_ITEMS) == []


NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _dormant(**values):
    arguments = {
        "status": "active",
        "last_shift_at": None,
        "activated_at": NOW - timedelta(days=200),
        "status_changed_at": NOW - timedelta(days=200),
        "now": NOW,
        "after_days": 90,
    }
    arguments.update(values)
    return rules.is_dormant(**arguments)


def test_an_active_coach_without_a_shift_for_longer_than_the_limit_is_dormant():
    assert _dormant(last_shift_at=NOW - timedelta(days=91))


def test_exactly_the_limit_is_not_yet_dormant():
    assert not _dormant(last_shift_at=NOW - timedelta(days=90))


def test_a_coach_who_never_had_a_shift_counts_from_activation():
    assert not _dormant(activated_at=NOW - timedelta(days=10))
    assert _dormant(activated_at=NOW - timedelta(days=91))


def test_only_active_coaches_become_dormant():
    for status in set(rules.STATUSES) - {"active"}:
        assert not _dormant(status=status)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("+32 9 210 10 10", "+3292101010"),
        ("09 210 10 10", "+3292101010"),
        ("+31 6 12345678", "+31612345678"),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, e164):
    assert rules.normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "12", "hello", "0470 12 34", "+32 470 12 34 56 78 90 12"])
def test_bad_phone_numbers_are_refused(raw):
    assert rules.normalise_phone(raw) is None


def test_belgian_numbers_are_shown_the_local_way():
    assert rules.display_phone("+32470123456") == "0470 12 34 56"
    assert rules.display_phone("+31612345678") == "+31 6 12345678"
    assert rules.display_phone(None) == ""


def test_sms_only_for_who_asked_and_has_a_number():
    assert rules.may_receive_sms("+32470123456", True)
    assert not rules.may_receive_sms("+32470123456", False)
    assert not rules.may_receive_sms(None, True)


def test_the_erased_address_is_unique_and_undeliverable():
    assert rules.erased_email(7) == "erased-7@invalid"
    assert rules.erased_email(7) != rules.erased_email(8)
