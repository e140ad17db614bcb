"""Use cases of the help log: a coach logs help given, a coordinator corrects a log.

A log starts from one of the coach's shifts, from an appointment, or from a walk-in the coach
(or a colleague) called from the queue: one log per appointment and per walk-in, and logging
a called walk-in marks them helped.

Services never commit; the caller's unit of work does. Bad input raises ValidationFailed with
messages per field and writes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.bookings import walk_ins
from digicoach.bookings.models import Appointment, AppointmentStatus, WalkIn, WalkInStatus
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import audit, clock, timeslots
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog import rules
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.helplog.permissions import can_correct_help_log, can_log_help
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


def _coach(actor: User) -> Coach:
    ensure(can_log_help(actor))
    coach = coach_services.coach_of(actor)
    ensure(coach is not None and coach.erased_at is None)
    return coach  # type: ignore[return-value]


def own_shift(coach: Coach, shift_id: Any) -> Shift | None:
    """The coach's own, not cancelled shift on a held session; None for anything else."""
    if not valid_id(shift_id):
        return None
    shift = db.session.get(Shift, shift_id)
    if (
        shift is None
        or shift.coach_id != coach.id
        or shift.status == ShiftStatus.CANCELLED
        or shift.session.status == SessionStatus.CANCELLED
    ):
        return None
    return shift


def own_appointment(coach: Coach, appointment_id: Any) -> Appointment | None:
    """An appointment assigned to the coach, or on a session the coach has a shift on."""
    if not valid_id(appointment_id):
        return None
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.status not in LOGGABLE_APPOINTMENTS:
        return None
    if appointment.assigned_coach_id == coach.id:
        return appointment
    on_session = db.session.scalar(
        select(Shift.id).where(
            Shift.session_id == appointment.help_session_id,
            Shift.coach_id == coach.id,
            Shift.status != ShiftStatus.CANCELLED,
        )
    )
    return appointment if on_session is not None else None


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
    if not valid_id(walk_in_id):
        return None
    walk_in = db.session.get(WalkIn, walk_in_id)
    if walk_in is None or walk_in.status not in LOGGABLE_WALK_INS:
        return None
    return walk_in if walk_in_session(coach, walk_in) is not None else None


def walk_in_logged(walk_in: WalkIn) -> bool:
    return db.session.scalar(select(HelpLog.id).where(HelpLog.walk_in_id == walk_in.id)) is not None


def record_help(*, actor: User, data: HelpInput, now: datetime) -> HelpLog:
    """Log help the actor (a coach) gave, on one of their shifts or for an appointment.

    Refuses (ValidationFailed, nothing written) a shift or appointment that is not the coach's,
    a session that has not started by today, and invalid details (see rules.problems). A log
    from an appointment takes its citizen key and counts one citizen; an appointment is
    logged once (Conflict). A log from a walk-in counts one citizen (first visit as the coach
    says), is made once per walk-in (Conflict), and marks a called walk-in helped.
    """
    coach = _coach(actor)
    details = data.details
    errors = {}
    session: HelpSession | None = None
    appointment = None
    walk_in = None
    if data.walk_in_id not in (None, ""):
        walk_in = own_walk_in(coach, data.walk_in_id)
        if walk_in is None:
            errors["walk_in"] = [_("This walk-in was not called at one of your shifts.")]
        else:
            session = walk_in_session(coach, walk_in)
            details = rules.HelpDetails(**{**asdict(details), "citizens": 1})
    elif data.appointment_id not in (None, ""):
        appointment = own_appointment(coach, data.appointment_id)
        if appointment is None:
            errors["appointment"] = [_("This is not one of your appointments.")]
        else:
            session = appointment.session
            details = rules.HelpDetails(**{**asdict(details), "citizens": 1, "first_visit": True})
    else:
        shift = own_shift(coach, data.shift_id)
        if shift is None:
            errors["shift"] = [_("Choose one of your own shifts.")]
        else:
            session = shift.session
    errors.update(
        {name: [str(m) for m in messages] for name, messages in rules.problems(details).items()}
    )
    helped_on = None
    if walk_in is not None:
        helped_on = walk_in.day
    elif session is not None:
        helped_on = clock.local(session.starts_at).date()
        if not rules.not_in_future(helped_on, clock.local(now).date()):
            errors.setdefault("shift", []).append(
                _("You can log help from the day of the shift on, not before.")
            )
    if errors:
        raise ValidationFailed(errors)
    assert session is not None and helped_on is not None
    if appointment is not None and db.session.scalar(
        select(HelpLog.id).where(HelpLog.appointment_id == appointment.id)
    ):
        raise Conflict(_("The help for this appointment is logged already."))
    if walk_in is not None and walk_in_logged(walk_in):
        raise Conflict(_("The help for this walk-in is logged already."))
    log = HelpLog(
        coach_id=coach.id,
        help_session_id=session.id,
        appointment_id=appointment.id if appointment else None,
        walk_in_id=walk_in.id if walk_in else None,
        citizen_key=appointment.citizen_key if appointment else None,
        municipality_id=session.location.municipality_id,
        location_id=session.location_id,
        neighbourhood_id=session.location.neighbourhood_id,
        helped_on=helped_on,
        logged_at=now,
        logged_by_id=actor.id,
    )
    _apply(log, details)
    db.session.add(log)
    db.session.flush()
    if walk_in is not None:
        walk_ins.helped_by_log(actor=actor, walk_in=walk_in, now=now)
    coach_services.record_shift_activity(coach, now)
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
