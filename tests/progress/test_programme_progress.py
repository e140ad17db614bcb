"""programme_figures: the figures the JSON API serves (before small numbers are hidden), and
the counting rule behind them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock
from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.progress.queries import programme_figures
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.progress.factories import certify, make_help_log

KEY_A = "a" * 64
KEY_B = "b" * 64


def _progress(world, now: datetime) -> dict:
    return programme_figures(world.programme.id, now=now)


def test_an_empty_programme_answers_every_figure_as_zero_with_its_targets(world, frozen):
    result = _progress(world, frozen)
    assert result == {
        "programme": {"id": world.programme.id, "name": "Digibank Leie-Schelde"},
        "period": {"start": "2026-01-01", "end": "2027-12-31"},
        "as_of": "2026-06-15T12:00:00+02:00",
        "coaches": {
            "applied": 0,
            "approved": 0,
            "in_training": 0,
            "certified": 0,
            "active": 0,
            "target": 100,
        },
        "citizens": {"supported": 0, "contacts": 0, "target": 3000},
        "help_minutes": 0,
        "sessions_held": 0,
    }


def test_an_unknown_programme_is_not_found(world, frozen):
    with pytest.raises(NotFound):
        programme_figures(987654, now=frozen)
    with pytest.raises(NotFound):
        programme_figures("1; drop table", now=frozen)  # type: ignore[arg-type]


def test_the_same_citizen_twice_counts_once_but_as_two_contacts(world, frozen):
    coach = make_working_coach(world.gent)
    make_help_log(coach, citizen_key=KEY_A, helped_on=date(2026, 3, 2))
    make_help_log(coach, citizen_key=KEY_A, helped_on=date(2026, 4, 2), first_visit=False)
    make_help_log(coach, citizen_key=KEY_B, helped_on=date(2026, 4, 3))
    result = _progress(world, frozen)
    assert result["citizens"]["supported"] == 2
    assert result["citizens"]["contacts"] == 3


def test_a_walk_in_first_visit_adds_one_citizen_per_citizen_and_a_returning_one_none(world, frozen):
    coach = make_working_coach(world.gent)
    make_help_log(coach, first_visit=True, citizens=1)
    make_help_log(coach, first_visit=True, citizens=3)
    make_help_log(coach, first_visit=False, citizens=2)
    result = _progress(world, frozen)
    assert result["citizens"]["supported"] == 4
    assert result["citizens"]["contacts"] == 6


def test_erasing_contact_data_keeps_the_count_because_the_key_stays(world, frozen, app):
    # The log holds only the key; the appointment's phone and e-mail are purged elsewhere.
    from digicoach.core.citizens import citizen_key

    with app.test_request_context("/"):
        key = citizen_key(phone_e164="+32470123456")
    coach = make_working_coach(world.gent)
    make_help_log(coach, citizen_key=key)
    before = _progress(world, frozen)["citizens"]["supported"]
    # Nothing about the citizen is left but the key: the count does not move.
    assert before == 1
    with app.test_request_context("/"):
        assert citizen_key(phone_e164="+32470123456") == key
    make_help_log(coach, citizen_key=key, first_visit=False)
    assert _progress(world, frozen)["citizens"]["supported"] == 1


def test_logs_outside_the_programme_or_its_period_do_not_count(world, frozen):
    inside = make_working_coach(world.kortrijk)
    outside = make_working_coach(world.elsewhere)
    make_help_log(inside, minutes=45)
    make_help_log(outside, minutes=60)
    make_help_log(inside, minutes=15, helped_on=date(2025, 12, 31))
    result = _progress(world, frozen)
    assert result["citizens"]["supported"] == 1
    assert result["help_minutes"] == 45


def test_the_coach_funnel_counts_who_ever_reached_each_step(world, frozen):
    for status in (
        CoachStatus.APPLIED,
        CoachStatus.APPROVED,
        CoachStatus.IN_TRAINING,
        CoachStatus.CERTIFIED,
        CoachStatus.ACTIVE,
        CoachStatus.REJECTED,
    ):
        coach = make_working_coach(world.gent, status=status)
        if status in (CoachStatus.CERTIFIED, CoachStatus.ACTIVE):
            certify(coach, world.programme)
    certify(make_working_coach(world.elsewhere, status=CoachStatus.ACTIVE), world.programme)
    coaches = _progress(world, frozen)["coaches"]
    assert coaches == {
        "applied": 6,
        "approved": 4,
        "in_training": 1,
        "certified": 2,
        "active": 0,
        "target": 100,
    }


def test_a_coach_with_a_shift_or_a_log_in_the_last_90_days_is_active(world, frozen):
    on_shift = make_working_coach(world.gent)
    logging = make_working_coach(world.kortrijk)
    long_ago = make_working_coach(world.gent)
    recent = make_help_session(world.location, starts_at=frozen - timedelta(days=10))
    old = make_help_session(world.location, starts_at=frozen - timedelta(days=120))
    make_shift(recent, on_shift)
    make_shift(old, long_ago)
    make_help_log(logging, helped_on=clock.local(frozen).date() - timedelta(days=3))
    db.session.commit()
    result = _progress(world, frozen)
    assert result["coaches"]["active"] == 2
    assert result["sessions_held"] == 2


def test_cancelled_and_future_sessions_are_not_held(world, frozen):
    make_help_session(world.location, starts_at=frozen - timedelta(days=2))
    make_help_session(world.location, starts_at=frozen + timedelta(days=2))
    make_help_session(world.location, starts_at=frozen - timedelta(days=3), status="cancelled")
    make_help_session(world.kortrijk_location, starts_at=frozen - timedelta(days=4))
    assert _progress(world, frozen)["sessions_held"] == 2


def _add_data(world, frozen, size: int) -> None:
    """`size` coaches in each municipality, each with shifts and logs."""
    sessions = [
        make_help_session(world.location, starts_at=frozen - timedelta(days=day, hours=4))
        for day in range(1, 4)
    ]
    for n in range(size):
        for municipality in (world.gent, world.kortrijk):
            coach = make_working_coach(municipality, status=CoachStatus.ACTIVE)
            if municipality is world.gent:
                make_shift(sessions[n % 3], coach, as_shadow=True, mentor=coach)
            make_help_log(coach, citizen_key=f"{n:064d}")
            make_help_log(coach, first_visit=True, citizens=2, topics=("email", "eid_itsme"))
    db.session.commit()


def test_programme_progress_runs_a_constant_number_of_statements(world, frozen, count_statements):
    _add_data(world, frozen, 2)
    db.session.expire_all()
    with count_statements() as small:
        first = _progress(world, frozen)
    _add_data(world, frozen, 20)
    db.session.expire_all()
    with count_statements() as large:
        second = _progress(world, frozen)
    # 2 coaches per municipality, then 20 more: eleven times the data.
    assert second["coaches"]["applied"] == 11 * first["coaches"]["applied"]
    assert small.count == large.count
