"""Dormancy: active coaches without a shift for COACH_DORMANT_AFTER_DAYS days, and waking up."""

from __future__ import annotations

from datetime import timedelta

from digicoach.coaches import services, tasks
from digicoach.coaches.models import CoachStatus
from digicoach.core import clock
from digicoach.extensions import db
from tests.coaches.factories import make_coach


def test_the_setting_defaults_to_ninety_days(app):
    assert app.config["COACH_DORMANT_AFTER_DAYS"] == 90


def test_active_coaches_without_a_recent_shift_become_dormant(gent, app):
    now = clock.now()
    stale = make_coach(
        gent,
        status=CoachStatus.ACTIVE,
        last_shift_at=now - timedelta(days=91),
        activated_at=now - timedelta(days=300),
    )
    recent = make_coach(
        gent,
        status=CoachStatus.ACTIVE,
        last_shift_at=now - timedelta(days=89),
        activated_at=now - timedelta(days=300),
    )
    never_but_new = make_coach(
        gent, status=CoachStatus.ACTIVE, activated_at=now - timedelta(days=30)
    )
    never_and_old = make_coach(
        gent, status=CoachStatus.ACTIVE, activated_at=now - timedelta(days=120)
    )
    certified = make_coach(gent, status=CoachStatus.CERTIFIED)
    db.session.commit()

    assert tasks.mark_dormant(now) == 2
    db.session.expire_all()
    assert stale.status == never_and_old.status == CoachStatus.DORMANT
    assert recent.status == never_but_new.status == CoachStatus.ACTIVE
    assert certified.status == CoachStatus.CERTIFIED
    change = stale.history[-1]
    assert (change.from_status, change.to_status, change.changed_by_id) == (
        "active",
        "dormant",
        None,
    )


def test_a_second_run_marks_nobody_again(gent, app):
    now = clock.now()
    make_coach(gent, status=CoachStatus.ACTIVE, activated_at=now - timedelta(days=200))
    db.session.commit()
    assert tasks.mark_dormant(now) == 1
    assert tasks.mark_dormant(now + timedelta(hours=1)) == 0


def test_the_limit_follows_the_setting(gent, app):
    app.config["COACH_DORMANT_AFTER_DAYS"] = 10
    now = clock.now()
    make_coach(gent, status=CoachStatus.ACTIVE, activated_at=now - timedelta(days=11))
    db.session.commit()
    assert tasks.mark_dormant(now) == 1


def test_a_shift_wakes_a_dormant_coach_and_restarts_the_clock(gent, app):
    now = clock.now()
    coach = make_coach(gent, status=CoachStatus.DORMANT, activated_at=now - timedelta(days=200))
    services.record_shift_activity(coach, now)
    db.session.commit()
    assert coach.status == CoachStatus.ACTIVE
    assert coach.last_shift_at == now
    assert coach.history[-1].to_status == "active"
    assert tasks.mark_dormant(now + timedelta(days=30)) == 0


def test_a_shift_of_an_active_coach_only_moves_the_clock_forward(gent, app):
    now = clock.now()
    coach = make_coach(gent, status=CoachStatus.ACTIVE, last_shift_at=now)
    services.record_shift_activity(coach, now - timedelta(days=5))
    assert coach.last_shift_at == now
    assert coach.status == CoachStatus.ACTIVE
    assert len(coach.history) == 1
