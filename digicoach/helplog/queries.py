"""Read models for the help log pages, scoped inside the query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from digicoach.accounts.models import User
from digicoach.bookings.models import Appointment, WalkIn
from digicoach.coaches.models import Coach
from digicoach.core import clock, timeslots
from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog
from digicoach.helplog.services import LOGGABLE_APPOINTMENTS, LOGGABLE_WALK_INS
from digicoach.places.queries import scope_condition, valid_id

RECENT_LOGS = 10
MANAGE_LIMIT = 200


@dataclass(frozen=True)
class Today:
    shifts: list[Shift]
    appointments: list[Appointment]
    logged_appointment_ids: frozenset[int]
    logs: list[HelpLog]
    # Walk-ins the coach called from the queue today, and those already logged.
    walk_ins: list[WalkIn] = field(default_factory=list)
    logged_walk_in_ids: frozenset[int] = frozenset()


def today_for_coach(coach: Coach, *, now: datetime) -> Today:
    """The coach's shifts of today, the appointments on them, the walk-ins they called, and
    their latest logs."""
    today = clock.local(now).date()
    start = timeslots.local_moment(today, time(0))
    end = timeslots.local_moment(today + timedelta(days=1), time(0))
    shifts = list(
        db.session.scalars(
            select(Shift)
            .join(HelpSession, HelpSession.id == Shift.session_id)
            .where(
                Shift.coach_id == coach.id,
                Shift.status != ShiftStatus.CANCELLED,
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.starts_at >= start,
                HelpSession.starts_at < end,
            )
            .order_by(HelpSession.starts_at, Shift.id)
        )
    )
    session_ids = [shift.session_id for shift in shifts]
    appointments = list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.status.in_(list(LOGGABLE_APPOINTMENTS)),
                Appointment.start >= start,
                Appointment.start < end,
                or_(
                    Appointment.assigned_coach_id == coach.id,
                    Appointment.help_session_id.in_(session_ids),
                ),
            )
            .order_by(Appointment.start, Appointment.id)
        )
    )
    logged = frozenset(
        db.session.scalars(
            select(HelpLog.appointment_id).where(
                HelpLog.appointment_id.in_([a.id for a in appointments])
            )
        )
    )
    logs = list(
        db.session.scalars(
            select(HelpLog)
            .where(HelpLog.coach_id == coach.id)
            .order_by(HelpLog.logged_at.desc(), HelpLog.id.desc())
            .limit(RECENT_LOGS)
        )
    )
    walk_ins = list(
        db.session.scalars(
            select(WalkIn)
            .where(
                WalkIn.called_by_id == coach.user_id,
                WalkIn.day == today,
                WalkIn.status.in_([str(s) for s in LOGGABLE_WALK_INS]),
            )
            .order_by(WalkIn.called_at, WalkIn.id)
        )
    )
    logged_walk_ins = frozenset(
        db.session.scalars(
            select(HelpLog.walk_in_id).where(HelpLog.walk_in_id.in_([w.id for w in walk_ins]))
        )
    )
    return Today(shifts, appointments, logged, logs, walk_ins, logged_walk_ins)


def logs_in_scope(actor: User, *, limit: int = MANAGE_LIMIT) -> list[HelpLog]:
    """The latest logs of the actor's municipalities, newest first."""
    return list(
        db.session.scalars(
            select(HelpLog)
            .options(selectinload(HelpLog.coach), selectinload(HelpLog.session))
            .where(scope_condition(actor, HelpLog.municipality_id))
            .order_by(HelpLog.helped_on.desc(), HelpLog.id.desc())
            .limit(limit)
        )
    )


def get_log_for_staff(actor: User, log_id: Any) -> HelpLog:
    """A log of the actor's municipalities. Raises NotFound otherwise."""
    if not valid_id(log_id):
        raise NotFound(log_id)
    log = db.session.scalar(
        select(HelpLog).where(HelpLog.id == log_id, scope_condition(actor, HelpLog.municipality_id))
    )
    if log is None:
        raise NotFound(log_id)
    return log
