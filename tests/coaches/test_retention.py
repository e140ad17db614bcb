"""Retention: the nightly job erases declined applicants after 180 days, anonymises coaches who
left after 24 months and deletes audit events older than 5 years, each run audited as a count;
the audit log stays append-only for everyone else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from digicoach import scheduler
from digicoach.coaches import tasks
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.coaches.retention import months_earlier
from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from tests.coaches.factories import make_coach

NIGHT = datetime(2026, 6, 10, 0, 30, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch):
    moment = {"now": NIGHT}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def _count_event(action: str) -> str:
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
    assert len(events) == 1, f"one {action} event per run, got {len(events)}"
    return events[0].fields


def _erased(coach: Coach) -> bool:
    db.session.expire_all()
    return db.session.get(Coach, coach.id).erased_at is not None


def test_the_settings_default_to_180_days_24_months_and_5_years(app):
    assert app.config["RETENTION_REJECTED_APPLICANT_DAYS"] == 180
    assert app.config["RETENTION_COACH_LEFT_MONTHS"] == 24
    assert app.config["RETENTION_AUDIT_YEARS"] == 5


def test_months_earlier_keeps_the_day_or_takes_the_last_of_the_month():
    assert months_earlier(NIGHT, 24) == datetime(2024, 6, 10, 0, 30, tzinfo=UTC)
    assert months_earlier(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "period", "action"),
    [
        (CoachStatus.REJECTED, timedelta(days=180), "retention.erase_rejected"),
        (
            CoachStatus.LEFT,
            NIGHT - months_earlier(NIGHT, 24),
            "retention.anonymise_left",
        ),
    ],
)
def test_a_decision_is_kept_the_day_before_its_period_ends_and_erased_the_day_after(
    gent, frozen, status, period, action
):
    decided = NIGHT - period
    coach = make_coach(
        gent, status=status, status_changed_at=decided, applied_at=decided - timedelta(days=5)
    )
    active = make_coach(gent, status=CoachStatus.ACTIVE, status_changed_at=decided)
    name = coach.user.email
    db.session.commit()

    frozen["now"] = decided + period - timedelta(days=1)
    tasks.apply_retention(frozen["now"])
    assert not _erased(coach), "kept the day before the period ends"
    assert _count_event(action) == "count=0"

    frozen["now"] = decided + period + timedelta(days=1)
    tasks.apply_retention(frozen["now"])
    db.session.expire_all()
    counted = db.session.scalars(
        select(AuditEvent.fields).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()
    assert counted == ["count=0", "count=1"]
    assert _erased(coach)
    assert db.session.get(Coach, coach.id).user.email != name
    assert not _erased(active), "only declined applicants and coaches who left"


def test_audit_events_older_than_five_years_go_and_the_deletion_is_counted(app, frozen):
    cutoff = months_earlier(NIGHT, 60)
    for occurred in (cutoff - timedelta(days=1), cutoff + timedelta(days=1)):
        db.session.add(
            AuditEvent(occurred_at=occurred, action="user.login", object_type="User", fields="")
        )
    db.session.commit()

    frozen["now"] = NIGHT - timedelta(days=2)
    assert scheduler.purge_audit_events(frozen["now"]) == 0, "the day before: both are kept"
    frozen["now"] = NIGHT
    assert scheduler.purge_audit_events(frozen["now"]) == 1
    frozen["now"] = NIGHT + timedelta(days=2)
    assert scheduler.purge_audit_events(frozen["now"]) == 1, "the day after: the second goes"

    db.session.expire_all()
    logins = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.login")).all()
    assert logins == []
    purges = db.session.scalars(
        select(AuditEvent.fields).where(AuditEvent.action == "audit.purge").order_by(AuditEvent.id)
    ).all()
    assert purges == ["count=0", "count=1", "count=1"]


def test_the_audit_log_stays_append_only_outside_the_purge(app, frozen):
    db.session.add(
        AuditEvent(
            occurred_at=NIGHT - timedelta(days=4000), action="user.login", object_type="User"
        )
    )
    db.session.commit()
    scheduler.purge_audit_events(NIGHT - timedelta(days=3000))
    for statement in (
        delete(AuditEvent),
        update(AuditEvent).values(action="user.logout"),
    ):
        with pytest.raises(DBAPIError):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "audit.purge"))


def test_the_nightly_jobs_are_registered():
    names = {job.name for job in scheduler.JOBS}
    assert {"coaches.apply_retention", "audit.purge_old_events"} <= names
