"""Things the workspace home counts, made directly (their own rules are tested elsewhere)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from digicoach.accounts import tokens
from digicoach.accounts.models import User
from digicoach.bookings.models import Appointment, WalkIn
from digicoach.coaches.models import Coach, CoachStatus, ScreeningCheck
from digicoach.core import clock
from digicoach.core.heartbeat import JobRun
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from digicoach.helpdesk.services.invitations import INVITE_PURPOSE
from digicoach.helplog.models import HelpLog
from digicoach.places.models import Location, Municipality
from tests.coaches.factories import make_coach
from tests.helplog.factories import make_booked_appointment

_numbers = itertools.count(1)


def make_unfinished_screening(municipality: Municipality) -> Coach:
    """An applicant with one of the three screening items checked."""
    coach = make_coach(municipality, status=CoachStatus.APPLIED)
    coach.screening_checks.append(
        ScreeningCheck(item="intake_held", checked_on=date(2026, 1, 5), recorded_at=clock.now())
    )
    db.session.flush()
    return coach


def make_appointment_at(
    session: HelpSession, *, status: str = "booked", start: datetime | None = None, **values: Any
) -> Appointment:
    """An appointment in a slot of its own, each citizen a different one."""
    n = next(_numbers)
    values.setdefault("language", "nl")
    values.setdefault("citizen_key", f"{n:064x}")
    return make_booked_appointment(
        session, status=status, start=start or session.starts_at + timedelta(seconds=n), **values
    )


def make_walk_in(location: Location, *, status: str = "waiting", day: date | None = None) -> WalkIn:
    walk_in = WalkIn(
        location_id=location.id,
        day=day or clock.local_today(),
        number=next(_numbers),
        topic="email",
        language="nl",
        status=status,
    )
    db.session.add(walk_in)
    db.session.flush()
    return walk_in


def make_failed_message() -> OutboxMessage:
    n = next(_numbers)
    now = clock.now()
    message = OutboxMessage(
        dedupe_key=f"test:{n}",
        kind="reminders.test",
        channel="email",
        recipient=f"someone{n}@example.org",
        body_text="Hallo",
        due_at=now,
        next_attempt_at=now,
        status="failed",
        attempts=5,
        last_error="550 no such user",
    )
    db.session.add(message)
    db.session.flush()
    return message


def make_job_run(job: str, day: date) -> JobRun:
    run = JobRun(job=job, local_date=day, started_at=clock.now(), finished_at=clock.now())
    db.session.add(run)
    db.session.flush()
    return run


def make_log_for(coach: Coach, session: HelpSession, **values: Any) -> HelpLog:
    log = HelpLog(
        coach_id=coach.id,
        help_session_id=session.id,
        municipality_id=session.location.municipality_id,
        location_id=session.location_id,
        helped_on=clock.local(session.starts_at).date(),
        minutes=values.pop("minutes", 30),
        outcome=values.pop("outcome", "solved"),
        citizen_key=values.pop("citizen_key", None),
        **values,
    )
    db.session.add(log)
    db.session.flush()
    return log


def invite(user: User, session: HelpSession) -> str:
    now = clock.now()
    return tokens.issue(
        INVITE_PURPOSE,
        user=user,
        lifetime=session.starts_at - now,
        now=now,
        payload=str(session.id),
    )
