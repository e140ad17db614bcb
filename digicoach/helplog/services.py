"""Use cases of the help log: a coach logs help given, a coordinator corrects a log.

A log starts from one of the coach's shifts, from an appointment, or from a walk-in the coach
(or a colleague) called from the queue: one log per appointment and per walk-in, and logging
a called walk-in marks them helped.

Services never commit; the caller's unit of work does. Bad input raises ValidationFailed with
messages per field and writes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.bookings import walk_ins
from digicoach.bookings.models import Appointment, AppointmentStatus, WalkIn, WalkInStatus
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import audit, clock, timeslots
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.i18n import when
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog import rules
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.helplog.permissions import (
    can_correct_help_log,
    can_log_help,
    can_log_help_for_coach,
    can_log_help_for_coaches,
)
from digicoach.places.queries import valid_id

# Appointments a coach can log help for: the citizen came (or the desk did not mark it yet).
LOGGABLE_APPOINTMENTS = (AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED)
# Walk-ins a coach can log help for: called to a station, or already marked helped.
LOGGABLE_WALK_INS = (WalkInStatus.CALLED, WalkInStatus.HELPED)


@dataclass(frozen=True)
class HelpInput:
    """A new log: from one of the coach's shifts, an appointment, or a walk-in."""

    details: rules.HelpDetails
    shift_id: Any = None
    appointment_id: Any = None
    walk_in_id: Any = None


def _loaded_shift(shift_id: Any) -> Shift | None:
    """A shift that is not cancelled on a session that is not cancelled."""
    if not valid_id(shift_id):
        return None
    shift = db.session.get(Shift, shift_id)
    if (
        shift is None
        or shift.status == ShiftStatus.CANCELLED
        or shift.session.status == SessionStatus.CANCELLED
    ):
        return None
    return shift


def own_shift(coach: Coach, shift_id: Any) -> Shift | None:
    """The coach's own, not cancelled shift on a held session; None for anything else."""
    shift = _loaded_shift(shift_id)
    return shift if shift is not None and shift.coach_id == coach.id else None


def _has_shift_on(coach: Coach, session_id: int) -> bool:
    return (
        db.session.scalar(
            select(Shift.id).where(
                Shift.session_id == session_id,
                Shift.coach_id == coach.id,
                Shift.status != ShiftStatus.CANCELLED,
            )
        )
        is not None
    )


def own_appointment(coach: Coach, appointment_id: Any) -> Appointment | None:
    """An appointment assigned to the coach, or one assigned to nobody on a session the coach
    has a shift on. An appointment assigned to another coach is theirs to log."""
    if not valid_id(appointment_id):
        return None
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.status not in LOGGABLE_APPOINTMENTS:
        return None
    if appointment.assigned_coach_id == coach.id:
        return appointment
    if appointment.assigned_coach_id is None and _has_shift_on(coach, appointment.help_session_id):
        return appointment
    return None


def walk_in_session(coach: Coach, walk_in: WalkIn) -> HelpSession | None:
    """The coach's session at the walk-in's digipunt on the walk-in's day (not cancelled, with
    a shift that is not cancelled): the one running when they were called, else the first."""
    start = timeslots.local_moment(walk_in.day, time(0))
    end = timeslots.local_moment(walk_in.day + timedelta(days=1), time(0))
    sessions = list(
        db.session.scalars(
            select(HelpSession)
            .join(Shift, Shift.session_id == HelpSession.id)
            .where(
                Shift.coach_id == coach.id,
                Shift.status != ShiftStatus.CANCELLED,
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.location_id == walk_in.location_id,
                HelpSession.starts_at < end,
                HelpSession.ends_at > start,
            )
            .order_by(HelpSession.starts_at)
        )
    )
    moment = walk_in.called_at or walk_in.created_at
    running = [s for s in sessions if s.starts_at <= moment < s.ends_at]
    return (running or sessions or [None])[0]


def own_walk_in(coach: Coach, walk_in_id: Any) -> WalkIn | None:
    """A called or helped walk-in at a digipunt where the coach has a shift that day."""
    walk_in = _loaded_walk_in(walk_in_id)
    if walk_in is None:
        return None
    return walk_in if walk_in_session(coach, walk_in) is not None else None


def _loaded_walk_in(walk_in_id: Any) -> WalkIn | None:
    if not valid_id(walk_in_id):
        return None
    walk_in = db.session.get(WalkIn, walk_in_id)
    if walk_in is None or walk_in.status not in LOGGABLE_WALK_INS:
        return None
    return walk_in


def walk_in_logged(walk_in: WalkIn) -> bool:
    return db.session.scalar(select(HelpLog.id).where(HelpLog.walk_in_id == walk_in.id)) is not None


# --- who logs what, and when: the one rule for the form, the prefill and any other door ------


@dataclass(frozen=True)
class LogSource:
    """What a new log is for, checked: whose help it is, on which session, and whether the
    actor logs it for that coach (desk staff or a coordinator, at the coach's request)."""

    coach: Coach
    session: HelpSession
    helped_on: date
    on_behalf: bool
    shift: Shift | None = None
    appointment: Appointment | None = None
    walk_in: WalkIn | None = None


def _refuse(field_name: str, message: Any) -> ValidationFailed:
    return ValidationFailed({field_name: [str(message)]})


def _own_or_on_behalf(actor: User, coach: Coach, session: HelpSession) -> bool:
    """True when the actor logs for a colleague (and may), False for their own help; raises
    PermissionDenied for staff outside their municipalities."""
    if coach.user_id == actor.id:
        return False
    ensure(can_log_help_for_coach(actor, session.location.municipality_id))
    return True


def _caller_coach(walk_in: WalkIn) -> Coach | None:
    """The coach who called the walk-in from the queue (None when a non-coach called them)."""
    if walk_in.called_by_id is None:
        return None
    return db.session.scalar(select(Coach).where(Coach.user_id == walk_in.called_by_id))


def log_source(
    *,
    actor: User,
    shift_id: Any = None,
    appointment_id: Any = None,
    walk_in_id: Any = None,
    now: datetime,
    window_days: int | None = None,
) -> LogSource:
    """Check who may log this help, and whether now is the time for it. The form, its prefill
    (`/helplog/new?walk_in=...`) and every future door ask this one function.

    A coach logs help only for their own shift, an appointment assigned to them (or to nobody,
    on their shift), or a walk-in they called during their shift. Desk staff and coordinators
    (and admins) log for a coach at the coach's request, within their municipalities; that is
    audited by `record_help`. Help is logged from the start of the shift (or the call of a
    walk-in, if earlier) until `window_days` (HELP_LOG_WINDOW_DAYS) days after the shift ended
    (rules.log_window), never before the shift. Raises ValidationFailed (one message, named
    after the source: "shift", "appointment", "walk_in") or PermissionDenied (staff outside
    their scope). Reads only.
    """
    days = window_days if window_days is not None else _window_days()
    mine = coach_services.coach_of(actor) if can_log_help(actor) else None
    if mine is not None and mine.erased_at is not None:
        mine = None
    staff = can_log_help_for_coaches(actor)
    ensure(mine is not None or staff)
    source: LogSource
    if walk_in_id not in (None, ""):
        field_name = "walk_in"
        walk_in = _loaded_walk_in(walk_in_id)
        coach = None
        if walk_in is not None:
            if mine is not None and walk_in_session(mine, walk_in) is not None:
                coach = mine
            elif staff:
                coach = _caller_coach(walk_in)
        session = walk_in_session(coach, walk_in) if coach and walk_in else None
        if walk_in is None or coach is None or session is None:
            raise _refuse(field_name, _("This walk-in was not called at one of your shifts."))
        on_behalf = _own_or_on_behalf(actor, coach, session)
        opens_at = min(walk_in.called_at or session.starts_at, session.starts_at)
        source = LogSource(coach, session, walk_in.day, on_behalf, walk_in=walk_in)
    elif appointment_id not in (None, ""):
        field_name = "appointment"
        appointment = None
        if valid_id(appointment_id):
            appointment = db.session.get(Appointment, appointment_id)
        if appointment is None or appointment.status not in LOGGABLE_APPOINTMENTS:
            raise _refuse(field_name, _("This is not one of your appointments."))
        assigned = appointment.assigned_coach
        if mine is not None and own_appointment(mine, appointment.id) is not None:
            coach = mine
        elif staff and assigned is not None:
            coach = assigned
        elif assigned is not None and mine is not None:
            raise _refuse(field_name, _("This appointment is assigned to another digicoach."))
        elif staff:
            raise _refuse(field_name, _("Assign the appointment to a digicoach first."))
        else:
            raise _refuse(field_name, _("This is not one of your appointments."))
        session = appointment.session
        on_behalf = _own_or_on_behalf(actor, coach, session)
        opens_at = session.starts_at
        helped_on = clock.local(appointment.start).date()
        source = LogSource(coach, session, helped_on, on_behalf, appointment=appointment)
    else:
        field_name = "shift"
        shift = _loaded_shift(shift_id)
        if shift is None or (shift.coach_id != getattr(mine, "id", None) and not staff):
            raise _refuse(field_name, _("Choose one of your own shifts."))
        session = shift.session
        on_behalf = _own_or_on_behalf(actor, shift.coach, session)
        opens_at = session.starts_at
        helped_on = clock.local(session.starts_at).date()
        source = LogSource(shift.coach, session, helped_on, on_behalf, shift=shift)
    window = rules.log_window(opens_at=opens_at, shift_ends_at=session.ends_at, days=days)
    timing = rules.log_timing(window, now)
    if timing == rules.TOO_EARLY:
        raise _refuse(
            field_name,
            _(
                "You can log this help from the start of the shift on: %(start)s.",
                start=when(window.opens_at),
            ),
        )
    if timing == rules.TOO_LATE:
        raise _refuse(
            field_name,
            ngettext(
                "Help is logged until %(num)d day after the shift; this one ended on %(end)s. "
                "Ask a coordinator to log it for you.",
                "Help is logged until %(num)d days after the shift; this one ended on %(end)s. "
                "Ask a coordinator to log it for you.",
                days,
                end=when(session.ends_at),
            ),
        )
    return source


def _window_days() -> int:
    return int(current_app.config.get("HELP_LOG_WINDOW_DAYS", rules.DEFAULT_WINDOW_DAYS))


def record_help(
    *, actor: User, data: HelpInput, now: datetime, window_days: int | None = None
) -> HelpLog:
    """Log help given on a shift, for an appointment or to a walk-in (see `log_source` for
    who may log what, and when: a refusal raises ValidationFailed and writes nothing).

    Invalid details are refused per field (rules.problems). A log from an appointment takes
    its citizen key and counts one citizen; an appointment is logged once (Conflict). A log
    from a walk-in counts one citizen (first visit as the coach says), is made once per
    walk-in (Conflict), and marks a called walk-in helped. A log made by desk staff or a
    coordinator for a coach is audited as such ("help_log.create_for_coach").
    """
    details = data.details
    errors: dict[str, list[str]] = {}
    source: LogSource | None = None
    try:
        source = log_source(
            actor=actor,
            shift_id=data.shift_id,
            appointment_id=data.appointment_id,
            walk_in_id=data.walk_in_id,
            now=now,
            window_days=window_days,
        )
    except ValidationFailed as refused:
        errors.update({name: list(messages) for name, messages in refused.errors.items()})
    if source is not None and source.walk_in is not None:
        details = rules.HelpDetails(**{**asdict(details), "citizens": 1})
    elif source is not None and source.appointment is not None:
        details = rules.HelpDetails(**{**asdict(details), "citizens": 1, "first_visit": True})
    errors.update(
        {name: [str(m) for m in messages] for name, messages in rules.problems(details).items()}
    )
    if errors:
        raise ValidationFailed(errors)
    assert source is not None
    appointment, walk_in, session = source.appointment, source.walk_in, source.session
    if appointment is not None and db.session.scalar(
        select(HelpLog.id).where(HelpLog.appointment_id == appointment.id)
    ):
        raise Conflict(
            _("The help for this appointment is logged already."), code="help_log.logged_already"
        )
    if walk_in is not None and walk_in_logged(walk_in):
        raise Conflict(
            _("The help for this walk-in is logged already."), code="help_log.logged_already"
        )
    log = HelpLog(
        coach_id=source.coach.id,
        help_session_id=session.id,
        appointment_id=appointment.id if appointment else None,
        walk_in_id=walk_in.id if walk_in else None,
        citizen_key=appointment.citizen_key if appointment else None,
        municipality_id=session.location.municipality_id,
        location_id=session.location_id,
        neighbourhood_id=session.location.neighbourhood_id,
        helped_on=source.helped_on,
        logged_at=now,
        logged_by_id=actor.id,
    )
    _apply(log, details)
    db.session.add(log)
    db.session.flush()
    if walk_in is not None:
        walk_ins.helped_by_log(actor=actor, walk_in=walk_in, now=now)
    coach_services.record_shift_activity(source.coach, now)
    if source.on_behalf:
        audit.record(actor, "help_log.create_for_coach", log, ["coach_id"])
    else:
        audit.record(actor, "help_log.create", log)
    return log


def _apply(log: HelpLog, details: rules.HelpDetails) -> None:
    log.minutes = details.minutes  # type: ignore[assignment]
    log.citizens = details.citizens  # type: ignore[assignment]
    log.first_visit = details.first_visit
    log.outcome = details.outcome  # type: ignore[assignment]
    log.referred_to = rules.referral_of(details)
    log.did_it_themselves = details.did_it_themselves
    log.follow_up = details.follow_up
    log.language = details.language  # type: ignore[assignment]
    if sorted(log.topics) != sorted(details.topics):
        log.topic_rows = [HelpLogTopic(code=code) for code in sorted(details.topics)]


def _snapshot(log: HelpLog) -> dict[str, Any]:
    return {
        "minutes": log.minutes,
        "citizens": log.citizens,
        "first_visit": log.first_visit,
        "outcome": log.outcome,
        "referred_to": log.referred_to,
        "did_it_themselves": log.did_it_themselves,
        "follow_up": log.follow_up,
        "language": log.language,
        "topics": sorted(log.topics),
    }


def correct_help_log(
    *, actor: User, log: HelpLog, details: rules.HelpDetails, now: datetime
) -> list[str]:
    """A coordinator corrects a log in their scope. Returns the names of the changed fields,
    which the audit log records (never the values). A log from an appointment keeps counting
    one citizen. Raises PermissionDenied outside the scope and ValidationFailed for bad input.
    """
    ensure(can_correct_help_log(actor, log))
    if log.appointment_id is not None or log.citizen_key is not None:
        details = rules.HelpDetails(**{**asdict(details), "citizens": 1, "first_visit": True})
    elif log.walk_in_id is not None:
        details = rules.HelpDetails(**{**asdict(details), "citizens": 1})
    errors = rules.problems(details)
    if errors:
        raise ValidationFailed({name: [str(m) for m in found] for name, found in errors.items()})
    before = _snapshot(log)
    _apply(log, details)
    changed = rules.changed_fields(before, _snapshot(log))
    if changed:
        log.updated_at = now
        db.session.flush()
        audit.record(actor, "help_log.correct", log, changed)
    return changed


def details_of(log: HelpLog) -> rules.HelpDetails:
    return rules.HelpDetails(
        topics=tuple(log.topics),
        minutes=log.minutes,
        first_visit=log.first_visit,
        outcome=log.outcome,
        referred_to=log.referred_to,
        did_it_themselves=log.did_it_themselves,
        follow_up=log.follow_up,
        citizens=log.citizens,
        language=log.language,
    )
