"""Read models for the help log pages, scoped inside the query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from digicoach.accounts.models import User
from digicoach.bookings.models import Appointment, WalkIn
from digicoach.coaches.models import Coach
from digicoach.core import clock, timeslots
from digicoach.core.errors import NotFound
from digicoach.core.paging import Page, paginate
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.helplog.services import LOGGABLE_APPOINTMENTS, LOGGABLE_WALK_INS
from digicoach.places.models import Location
from digicoach.places.queries import scope_condition, valid_id

RECENT_LOGS = 10
LOGS_PER_PAGE = 25
# A shift whose help is not logged is still a to-do this many days after it ended.
MISSING_LOG_DAYS = 14


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
                # Their own appointments, and those assigned to nobody on their shifts: an
                # appointment of a colleague is the colleague's to log (services.log_source).
                or_(
                    Appointment.assigned_coach_id == coach.id,
                    and_(
                        Appointment.assigned_coach_id.is_(None),
                        Appointment.help_session_id.in_(session_ids),
                    ),
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


def shifts_without_log(
    *,
    now: datetime,
    coach: Coach | None = None,
    actor: User | None = None,
    days: int = MISSING_LOG_DAYS,
    with_coaches: bool = False,
) -> list[Shift]:
    """Shifts that ended in the last `days` days whose coach logged no help for that help
    session (the help-log nudge's rule): the coach's own, or those of the actor's
    municipalities. Latest first, with session and location (and the coaches, for a list
    that names them), in a fixed number of statements."""
    logged = (
        select(HelpLog.id)
        .where(HelpLog.coach_id == Shift.coach_id, HelpLog.help_session_id == Shift.session_id)
        .correlate(Shift)
        .exists()
    )
    query = (
        select(Shift)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .join(Location, Location.id == HelpSession.location_id)
        .options(contains_eager(Shift.session).contains_eager(HelpSession.location))
        .where(
            Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.ends_at <= now,
            HelpSession.ends_at > now - timedelta(days=days),
            ~logged,
        )
        .order_by(HelpSession.ends_at.desc(), Shift.id)
    )
    if coach is not None:
        query = query.where(Shift.coach_id == coach.id)
    if actor is not None:
        query = query.where(scope_condition(actor, Location.municipality_id))
    if with_coaches:
        query = query.options(joinedload(Shift.coach))
    return list(db.session.scalars(query).unique())


@dataclass(frozen=True)
class LogFilters:
    """The filters of the coordinators' list of help logs; None means "all"."""

    location_id: int | None = None
    topic: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    coach: str = ""


def logs_in_scope(
    actor: User,
    filters: LogFilters | None = None,
    *,
    page: int = 1,
    per_page: int = LOGS_PER_PAGE,
) -> Page[HelpLog]:
    """One page of the logs of the actor's municipalities, newest first, in a constant number
    of statements: the count, the logs, their topics, their coaches (with their user and
    profile rows) and their sessions (with the location, topics and languages)."""
    filters = filters or LogFilters()
    query = (
        select(HelpLog)
        .options(selectinload(HelpLog.coach), selectinload(HelpLog.session))
        .where(scope_condition(actor, HelpLog.municipality_id))
    )
    if filters.location_id is not None:
        query = query.where(HelpLog.location_id == filters.location_id)
    if filters.topic:
        query = query.where(
            HelpLog.id.in_(select(HelpLogTopic.log_id).where(HelpLogTopic.code == filters.topic))
        )
    if filters.starts_on is not None:
        query = query.where(HelpLog.helped_on >= filters.starts_on)
    if filters.ends_on is not None:
        query = query.where(HelpLog.helped_on <= filters.ends_on)
    words = filters.coach.strip()[:100].lower()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            HelpLog.coach_id.in_(
                select(Coach.id)
                .join(User, User.id == Coach.user_id)
                .where(func.lower(User.name).like(pattern, escape="\\"))
            )
        )
    return paginate(
        query.order_by(HelpLog.helped_on.desc(), HelpLog.id.desc()), page=page, per_page=per_page
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
