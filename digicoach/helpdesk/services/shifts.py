"""Coaches on help sessions: signing up (also as a shadow) and cancelling a shift.

Capacity (DESIGN §4): a coach place is taken with a conditional counter update
(`core.db.take_place`), so of many concurrent sign-ups for the last place exactly one moves
the counter; `CHECK (coaches_taken <= coaches_max)` and UNIQUE (coach, session) stand behind
it. One coach's own sign-ups are serialised by locking the coach row, so two overlapping
shifts cannot slip in side by side.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import audit, phones
from digicoach.core.db import release_place, take_place
from digicoach.core.errors import Conflict
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import permissions, queries, rules, signals
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helpdesk.services.common import (
    SessionFull,
    SignUpRefused,
    TooLateToCancel,
    mail_coach,
)
from digicoach.training import rules as training_rules


def _lock_coach(coach_id: int) -> None:
    """Serialise one coach's sign-ups, so two overlapping shifts cannot both pass the check."""
    db.session.execute(select(Coach.id).where(Coach.id == coach_id).with_for_update())


def _mentor_for(session: HelpSession, *, besides: int) -> Coach | None:
    """The first certified or active coach signed up (not as a shadow) on the session."""
    return db.session.scalar(
        select(Coach)
        .join(Shift, Shift.coach_id == Coach.id)
        .where(
            Shift.session_id == session.id,
            Shift.status == ShiftStatus.SIGNED_UP,
            Shift.as_shadow.is_(False),
            Shift.coach_id != besides,
            Coach.status.in_(sorted(training_rules.WORKING_STATUSES)),
        )
        .order_by(Shift.signed_up_at, Shift.id)
    )


def _period(session: HelpSession) -> rules.Period:
    return rules.Period(session.starts_at, session.ends_at)


def sign_up(
    *, actor: User, coach: Coach, session: HelpSession, now: datetime, as_shadow: bool = False
) -> Shift:
    """Put a coach on a help session.

    Certified and active coaches (and dormant ones, who become active again: see
    rules.status_for_shifts) take a coach place; a coach in training joins only as a
    shadow beside a certified or active mentor already on the session (training.rules), and a
    shadow takes no place. The session must be planned, not started, at a location of a
    municipality the coach serves (home, or chosen in the coach pool); the coach may not have
    an overlapping shift (rules.overlaps).
    Signing up restarts the coach's dormancy clock (coaches.services.record_shift_activity).

    Raises PermissionDenied, SessionFull when the last place is gone, SignUpRefused (a Conflict
    whose code names the rule: cancelled, started, other_municipality, already_signed_up,
    shadow_only, no_mentor, not_certified, overlap; for a home visit no_home_visits when the coach
    did not opt in, and travel_time when another shift is within HOME_VISIT_TRAVEL_MINUTES of
    it, see rules.first_without_travel_time) otherwise.
    """
    ensure(permissions.can_assign_shift(actor, coach, session))
    _lock_coach(coach.id)
    if session.is_cancelled:
        raise SignUpRefused("cancelled", _("This help session is cancelled."))
    if session.starts_at <= now:
        raise SignUpRefused("started", _("This help session has started already."))
    if session.location.municipality_id not in coach.served_municipality_ids:
        raise SignUpRefused(
            "other_municipality", _("This help session is in another municipality.")
        )
    if session.is_home_visit and (as_shadow or not coach.home_visits):
        raise SignUpRefused(
            "no_home_visits", _("Only digicoaches who chose to do home visits go on one.")
        )
    existing = db.session.scalar(
        select(Shift).where(Shift.coach_id == coach.id, Shift.session_id == session.id)
    )
    if existing is not None and existing.is_active:
        raise SignUpRefused("already_signed_up", _("Already signed up for this help session."))
    mentor = _mentor_for(session, besides=coach.id) if as_shadow else None
    if not training_rules.may_join_help_session(
        rules.status_for_shifts(coach.status),
        as_shadow=as_shadow,
        mentor_status=mentor.status if mentor else None,
    ):
        if coach.status == training_rules.COACH_IN_TRAINING and not as_shadow:
            raise SignUpRefused(
                "shadow_only", _("A digicoach in training joins as a shadow, beside a mentor.")
            )
        if coach.status == training_rules.COACH_IN_TRAINING:
            raise SignUpRefused(
                "no_mentor",
                _("A shadow needs a certified digicoach on the same help session. Nobody is yet."),
            )
        raise SignUpRefused(
            "not_certified", _("Only certified and active digicoaches take shifts.")
        )
    ensure_free(coach, session)
    if not as_shadow:
        if not take_place(HelpSession, session.id, "coaches_taken", "coaches_max"):
            raise SessionFull(_("This help session has all the digicoaches it needs."))
        # The counter moved under the row lock: the session may have been cancelled meanwhile.
        status = db.session.scalar(select(HelpSession.status).where(HelpSession.id == session.id))
        if status != SessionStatus.PLANNED:
            raise SignUpRefused("cancelled", _("This help session is cancelled."))
    shift = existing or Shift(coach_id=coach.id, session_id=session.id)
    shift.status = ShiftStatus.SIGNED_UP
    shift.as_shadow = as_shadow
    shift.mentor_id = mentor.id if mentor else None
    shift.signed_up_at = now
    shift.signed_up_by_id = actor.id
    shift.cancelled_at = None
    shift.cancelled_by_id = None
    if existing is None:
        db.session.add(shift)
    try:
        db.session.flush()
    except IntegrityError as error:
        # The UNIQUE (coach, session) pair: the same coach signed up twice at once.
        raise SignUpRefused(
            "already_signed_up", _("Already signed up for this help session.")
        ) from error
    # The counter moved in the database; the topics and languages did not.
    db.session.refresh(session, ["coaches_taken"])
    coach_services.record_shift_activity(coach, now)
    audit.record(actor, "helpdesk.shift.sign_up", shift, ["status", "as_shadow", "mentor_id"])
    return shift


def ensure_free(coach: Coach, session: HelpSession) -> None:
    """Refuse (SignUpRefused "overlap" or "travel_time") when the coach has another shift at
    the session's time, or within HOME_VISIT_TRAVEL_MINUTES of it when one of the two is a
    home visit. Used by sign_up, and by homevisits when a visit with coaches on it moves."""
    busy = queries.busy_periods([coach.id], around=_period(session), exclude_session_id=session.id)
    clash = rules.first_overlap(_period(session), busy.get(coach.id, []))
    if clash is not None:
        raise SignUpRefused(
            "overlap",
            _(
                "Already on a help session at that time (%(place)s).",
                place=clash.session.location.name,
            ),
        )
    travel = timedelta(minutes=int(current_app.config["HOME_VISIT_TRAVEL_MINUTES"]))
    others = busy.get(coach.id, [])
    modes = queries.modes_of(other.session_id for _period_, other in others) if others else {}
    too_close = rules.first_without_travel_time(
        _period(session),
        session.mode,
        [(period, modes[other.session_id], other) for period, other in others],
        travel,
    )
    if too_close is not None:
        raise SignUpRefused(
            "travel_time",
            _(
                "A home visit needs %(minutes)d minutes of travel before and after it. "
                "This is too close to another shift (%(place)s).",
                minutes=int(travel.total_seconds() // 60),
                place=too_close.session.location.name,
            ),
        )


def cancel_shift(*, actor: User, shift: Shift, now: datetime) -> Shift:
    """Take a coach off a session. The coach does it themselves up to the cut-off
    (SHIFT_CANCEL_CUTOFF_HOURS before the start, rules.may_cancel_shift); coordinators who
    manage the session may do it any time and the coach is told by e-mail.

    Shadows of a mentor who leaves move to another mentor on the session, or lose their shift
    too (and are told). Raises PermissionDenied, TooLateToCancel or Conflict.
    """
    ensure(permissions.can_change_shift(actor, shift))
    session = shift.session
    if not shift.is_active:
        raise Conflict(_("This shift is cancelled already."))
    staff = permissions.can_manage_help_session(actor, session) or permissions.can_staff_home_visit(
        actor, session
    )
    if session.ends_at <= now:
        raise Conflict(_("This help session is over."))
    cutoff = int(current_app.config["SHIFT_CANCEL_CUTOFF_HOURS"])
    if not staff and not rules.may_cancel_shift(
        starts_at=session.starts_at, now=now, cutoff_hours=cutoff
    ):
        location = session.location
        raise TooLateToCancel(
            _(
                "It is less than %(hours)d hours before the start. Please call %(place)s "
                "at %(phone)s to say you cannot come.",
                hours=cutoff,
                place=location.name,
                phone=phones.front_desk_phone(location),
            )
        )
    _cancel(actor, shift, now)
    if shift.coach.user_id != actor.id:
        _mail_shift_cancelled(shift, now)
    if not shift.as_shadow:
        _rehome_shadows(actor, shift, now)
    return shift


def _cancel(actor: User | None, shift: Shift, now: datetime) -> None:
    shift.status = ShiftStatus.CANCELLED
    shift.cancelled_at = now
    shift.cancelled_by_id = actor.id if actor else None
    if not shift.as_shadow:
        release_place(HelpSession, shift.session_id, "coaches_taken")
    db.session.flush()
    db.session.refresh(shift.session)
    audit.record(actor, "helpdesk.shift.cancel", shift, ["status"])
    signals.shift_cancelled.send(shift, actor=actor)


def _rehome_shadows(actor: User, mentor_shift: Shift, now: datetime) -> None:
    session = mentor_shift.session
    shadows = db.session.scalars(
        select(Shift).where(
            Shift.session_id == session.id,
            Shift.status == ShiftStatus.SIGNED_UP,
            Shift.as_shadow.is_(True),
            Shift.mentor_id == mentor_shift.coach_id,
        )
    ).all()
    for shadow in shadows:
        mentor = _mentor_for(session, besides=shadow.coach_id)
        if mentor is not None:
            shadow.mentor_id = mentor.id
            db.session.flush()
            audit.record(actor, "helpdesk.shift.mentor", shadow, ["mentor_id"])
        else:
            _cancel(actor, shadow, now)
            _mail_shift_cancelled(shadow, now)


def _mail_shift_cancelled(shift: Shift, now: datetime) -> None:
    mail_coach(
        shift.coach,
        kind="helpdesk.shift_cancelled",
        dedupe_key=f"helpdesk.shift_cancelled:{shift.id}:{now.isoformat()}",
        template="shift_cancelled",
        subject=lambda: _("You are no longer on a help session"),
        session=shift.session,
    )
