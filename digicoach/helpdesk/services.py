"""Helpdesk use cases: plan help sessions (one, or a weekly series), change and cancel them,
sign coaches up and off, invite matching coaches, and the coaches' calendar addresses.

Every function takes the acting user, checks permission and scope, checks the rules in
rules.py (and training.rules for shadows), changes, flushes and audits field names. The
caller's unit of work commits; mail leaves through the outbox after that. Validation problems
raise ValidationFailed with messages per field, named like the form fields; refusals raise
Conflict (SessionFull when the last coach place is gone).

Capacity (DESIGN §4): a coach place is taken with a conditional counter update
(`core.db.take_place`), so of many concurrent sign-ups for the last place exactly one moves
the counter; `CHECK (coaches_taken <= coaches_max)` and UNIQUE (coach, session) stand behind
it. One coach's own sign-ups are serialised by locking the coach row, so two overlapping
shifts cannot slip in side by side.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from digicoach.accounts import tokens
from digicoach.accounts.models import User
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import audit, clock, messages, phones, timeslots, vocabulary
from digicoach.core.db import assign, release_place, take_place
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import permissions, queries, rules, signals
from digicoach.helpdesk.models import (
    CalendarFeed,
    HelpSeries,
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionStatus,
    Shift,
    ShiftStatus,
)
from digicoach.places import queries as place_queries
from digicoach.places.models import Location
from digicoach.training import rules as training_rules

INVITE_PURPOSE = "shift_invite"
NOTES_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500


class SessionFull(Conflict):
    """Every coach place of the session is taken."""

    code = "full"


class TooLateToCancel(Conflict):
    """The cut-off before the start has passed: the coach calls the digipunt instead."""

    code = "too_late"


class _Errors:
    """Collects field errors, so one submission reports every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[Any]] = {}

    def add(self, field_name: str, message: Any) -> None:
        self.by_field.setdefault(field_name, []).append(message)

    def __contains__(self, field_name: str) -> bool:
        return field_name in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationFailed(self.by_field)


# --- planning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    """One help session as a coordinator enters it: a local day and local clock times."""

    location_id: int | None
    day: date | None
    start_time: time | None
    end_time: time | None
    mode: str = rules.WALK_IN
    slot_minutes: int | None = 30
    citizens_per_slot: int | None = 1
    coaches_min: int | None = 1
    coaches_max: int | None = 2
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("nl",)
    notes: str = ""


@dataclass(frozen=True)
class Repeat:
    """How a series repeats: every week or every two weeks on `weekdays` (ISO, 1 is Monday),
    until a day (inclusive) or for a number of sessions."""

    weekdays: tuple[int, ...]
    every_weeks: int | None = 1
    until: date | None = None
    count: int | None = None


def _validate_details(data: SessionInput, errors: _Errors) -> int | None:
    """Check everything but the location and the day. Returns the length in minutes."""
    minutes = None
    if data.start_time is None:
        errors.add("start_time", _("Enter the start time, for example 14:00."))
    if data.end_time is None:
        errors.add("end_time", _("Enter the end time, for example 16:00."))
    elif data.start_time is not None:
        if data.end_time <= data.start_time:
            errors.add("end_time", _("The end time must be later than the start time."))
        else:
            minutes = (
                datetime.combine(date.min, data.end_time)
                - datetime.combine(date.min, data.start_time)
            ) // timedelta(minutes=1)
    if data.mode not in rules.MODES:
        errors.add("mode", _("Choose how citizens come: walk-in, by appointment or both."))
    if data.slot_minutes is None or not 5 <= data.slot_minutes <= rules.MAX_SLOT_MINUTES:
        errors.add(
            "slot_minutes",
            _("Enter a slot length from 5 to %(max)d minutes.", max=rules.MAX_SLOT_MINUTES),
        )
    elif minutes is not None and not rules.slot_fits(
        mode=data.mode, duration_minutes=minutes, slot_minutes=data.slot_minutes
    ):
        errors.add(
            "slot_minutes",
            _(
                "The session lasts %(minutes)d minutes: choose a slot length that divides it, "
                "for example 15, 20 or 30.",
                minutes=minutes,
            ),
        )
    if data.citizens_per_slot is None or not 1 <= data.citizens_per_slot <= (
        rules.MAX_CITIZENS_PER_SLOT
    ):
        errors.add(
            "citizens_per_slot",
            _("Enter a number from 1 to %(max)d.", max=rules.MAX_CITIZENS_PER_SLOT),
        )
    if data.coaches_min is None or not 1 <= data.coaches_min <= rules.MAX_COACHES:
        errors.add("coaches_min", _("Enter a number from 1 to %(max)d.", max=rules.MAX_COACHES))
    if data.coaches_max is None or not 1 <= data.coaches_max <= rules.MAX_COACHES:
        errors.add("coaches_max", _("Enter a number from 1 to %(max)d.", max=rules.MAX_COACHES))
    elif data.coaches_min is not None and data.coaches_min > data.coaches_max:
        errors.add("coaches_max", _("The maximum cannot be lower than the minimum."))
    if vocabulary.unknown(vocabulary.TOPICS, data.topics):
        errors.add("topics", _("Choose topics from the list."))
    if not data.languages:
        errors.add("languages", _("Choose at least one language."))
    elif vocabulary.unknown(vocabulary.SPOKEN_LANGUAGES, data.languages):
        errors.add("languages", _("Choose languages from the list."))
    if len(data.notes) > NOTES_MAX_LENGTH:
        errors.add("notes", _("Use at most %(count)d characters.", count=NOTES_MAX_LENGTH))
    return minutes


def _validate_location(actor: User, location_id: int | None, errors: _Errors) -> Location | None:
    """A location in the actor's scope that is open. An unknown id and one outside the scope
    get the same answer, so guessing ids reveals nothing."""
    if location_id is None:
        errors.add("location_id", _("Choose a digital help point."))
        return None
    try:
        location = place_queries.get_location(actor, location_id)
    except NotFound:
        errors.add("location_id", _("Choose a digital help point from the list."))
        return None
    if not location.active:
        errors.add("location_id", _("This digital help point is closed. Choose another one."))
        return None
    return location


def _new_session(
    location: Location, data: SessionInput, start: datetime, end: datetime, now: datetime
) -> HelpSession:
    session = HelpSession(
        location=location,
        starts_at=start,
        ends_at=end,
        mode=data.mode,
        slot_minutes=data.slot_minutes,
        citizens_per_slot=data.citizens_per_slot,
        coaches_min=data.coaches_min,
        coaches_max=data.coaches_max,
        coaches_taken=0,
        notes=data.notes.strip(),
        status=SessionStatus.PLANNED,
        created_at=now,
        revision=0,
    )
    session.topic_rows = [HelpSessionTopic(code=code) for code in sorted(set(data.topics))]
    session.language_rows = [HelpSessionLanguage(code=code) for code in sorted(set(data.languages))]
    return session


def create_session(*, actor: User, data: SessionInput, now: datetime) -> HelpSession:
    """Plan one help session in the future. Raises ValidationFailed per field."""
    ensure(permissions.can_plan_help_sessions(actor))
    errors = _Errors()
    location = _validate_location(actor, data.location_id, errors)
    if data.day is None:
        errors.add("day", _("Enter the day."))
    _validate_details(data, errors)
    errors.raise_if_any()
    assert location and data.day and data.start_time and data.end_time
    start = timeslots.local_moment(data.day, data.start_time)
    if start <= now:
        errors.add("day", _("Choose a day and time in the future."))
        errors.raise_if_any()
    session = _new_session(
        location, data, start, timeslots.local_moment(data.day, data.end_time), now
    )
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "helpdesk.session.create", session, _SESSION_FIELDS)
    return session


_SESSION_FIELDS = (
    "location_id",
    "starts_at",
    "ends_at",
    "mode",
    "slot_minutes",
    "citizens_per_slot",
    "coaches_min",
    "coaches_max",
    "topics",
    "languages",
    "notes",
)


def create_series(
    *, actor: User, data: SessionInput, repeat: Repeat, now: datetime
) -> list[HelpSession]:
    """Plan a recurring series from `data.day` on: every week or every two weeks on the chosen
    weekdays, until a day or for a number of sessions (at most 104). Each session keeps its
    local clock time across daylight-saving changes (core.timeslots).

    Raises ValidationFailed per field: the fields of a single session, plus weekdays,
    every_weeks, and count/until (a series needs one of them, and not too many sessions).
    """
    ensure(permissions.can_plan_help_sessions(actor))
    errors = _Errors()
    location = _validate_location(actor, data.location_id, errors)
    if data.day is None:
        errors.add("day", _("Enter the first day."))
    minutes = _validate_details(data, errors)
    weekdays = sorted(set(repeat.weekdays))
    if not weekdays or any(not 1 <= day <= 7 for day in weekdays):
        errors.add("weekdays", _("Choose at least one weekday."))
    if repeat.every_weeks not in rules.EVERY_WEEKS:
        errors.add("every_weeks", _("Choose every week or every two weeks."))
    if repeat.until is None and repeat.count is None:
        errors.add("count", _("Enter how many sessions, or the last day."))
    if repeat.count is not None and not 1 <= repeat.count <= rules.MAX_OCCURRENCES:
        errors.add("count", _("Enter a number from 1 to %(max)d.", max=rules.MAX_OCCURRENCES))
    if repeat.until is not None and data.day is not None and repeat.until < data.day:
        errors.add("until", _("The last day cannot be before the first day."))
    errors.raise_if_any()
    assert location and data.day and data.start_time and minutes and repeat.every_weeks
    occurrences = timeslots.weekly_series(
        first_day=data.day,
        weekdays=weekdays,
        start_time=data.start_time,
        duration=timedelta(minutes=minutes),
        every_weeks=repeat.every_weeks,
        until=repeat.until,
        # One more than allowed, to tell "too many" from "exactly the maximum".
        count=min(repeat.count or rules.MAX_OCCURRENCES + 1, rules.MAX_OCCURRENCES + 1),
    )
    if not occurrences:
        errors.add("weekdays", _("These choices give no session. Check the days."))
    elif occurrences[0].start <= now:
        errors.add("day", _("Choose a day and time in the future."))
    elif len(occurrences) > rules.MAX_OCCURRENCES:
        errors.add(
            "until",
            _(
                "A series has at most %(max)d sessions. Choose an earlier last day.",
                max=rules.MAX_OCCURRENCES,
            ),
        )
    errors.raise_if_any()
    series = HelpSeries(
        location_id=location.id,
        weekdays=",".join(str(day) for day in weekdays),
        every_weeks=repeat.every_weeks,
        first_day=data.day,
        until=repeat.until,
        count=repeat.count,
        created_at=now,
        created_by_id=actor.id,
    )
    db.session.add(series)
    sessions = []
    for occurrence in occurrences:
        session = _new_session(location, data, occurrence.start, occurrence.end, now)
        session.series = series
        db.session.add(session)
        sessions.append(session)
    db.session.flush()
    audit.record(actor, "helpdesk.series.create", series, ["sessions", *_SESSION_FIELDS])
    return sessions


def _lock_sessions(ids: Iterable[int]) -> list[HelpSession]:
    """Load sessions with their rows locked until the transaction ends, with fresh values.

    PostgreSQL: SELECT … FOR UPDATE. SQLite drops FOR UPDATE, but every unit of work there
    starts with BEGIN IMMEDIATE, which already holds the database's write lock.
    """
    return list(
        db.session.scalars(
            select(HelpSession)
            .where(HelpSession.id.in_(sorted(set(ids))))
            .order_by(HelpSession.starts_at, HelpSession.id)
            .with_for_update(of=HelpSession)
            .execution_options(populate_existing=True)
        )
    )


def update_session(
    *, actor: User, session: HelpSession, data: SessionInput, now: datetime, following: bool = False
) -> list[HelpSession]:
    """Change one session, or (with `following`) it and every later planned session of its
    series. The day applies to the chosen session only; the others keep their own day and
    take the new clock times and details. The location does not change (cancel and plan anew).

    Raises Conflict for a cancelled or finished session, ValidationFailed per field (also when
    the maximum would drop below the coaches already signed up).
    """
    ensure(permissions.can_manage_help_session(actor, session))
    if session.is_cancelled:
        raise Conflict(_("A cancelled help session cannot change."))
    if session.ends_at <= now:
        raise Conflict(_("This help session is over and cannot change."))
    errors = _Errors()
    if data.day is None:
        errors.add("day", _("Enter the day."))
    _validate_details(data, errors)
    errors.raise_if_any()
    assert data.day and data.start_time and data.end_time
    ids = [session.id]
    if following and session.series_id is not None:
        ids += db.session.scalars(
            select(HelpSession.id).where(
                HelpSession.series_id == session.series_id,
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.starts_at > session.starts_at,
            )
        ).all()
    targets = _lock_sessions(ids)
    plans: list[tuple[HelpSession, datetime, datetime]] = []
    for target in targets:
        day = data.day if target.id == session.id else clock.local(target.starts_at).date()
        start = timeslots.local_moment(day, data.start_time)
        end = timeslots.local_moment(day, data.end_time)
        if target.id == session.id and start != target.starts_at and start <= now:
            errors.add("day", _("Choose a day and time in the future."))
        assert data.coaches_max is not None
        if target.coaches_taken > data.coaches_max:
            errors.add(
                "coaches_max",
                _(
                    "%(count)d digicoaches have signed up for %(day)s already: the maximum "
                    "cannot be lower.",
                    count=target.coaches_taken,
                    day=format_date(target.starts_at, "EEEE d MMMM"),
                ),
            )
        plans.append((target, start, end))
    errors.raise_if_any()
    for target, start, end in plans:
        moved = target.starts_at != start or target.ends_at != end
        changed = assign(
            target,
            starts_at=start,
            ends_at=end,
            mode=data.mode,
            slot_minutes=data.slot_minutes,
            citizens_per_slot=data.citizens_per_slot,
            coaches_min=data.coaches_min,
            coaches_max=data.coaches_max,
            notes=data.notes.strip(),
        )
        if set(target.topics) != set(data.topics):
            target.topic_rows = [HelpSessionTopic(code=c) for c in sorted(set(data.topics))]
            changed.append("topics")
        if set(target.languages) != set(data.languages):
            target.language_rows = [
                HelpSessionLanguage(code=c) for c in sorted(set(data.languages))
            ]
            changed.append("languages")
        if not changed:
            continue
        target.revision += 1
        db.session.flush()
        audit.record(actor, "helpdesk.session.update", target, changed)
        if moved:
            for shift in queries.active_shifts(target):
                _mail_coach(
                    shift.coach,
                    kind="helpdesk.shift_moved",
                    dedupe_key=f"helpdesk.shift_moved:{shift.id}:{target.revision}",
                    template="shift_moved",
                    subject=lambda: _("Your shift has a new time"),
                    session=target,
                )
    db.session.flush()
    return targets


def cancel_session(*, actor: User, session: HelpSession, reason: str, now: datetime) -> HelpSession:
    """Cancel one help session: it is marked cancelled, its shifts are cancelled, every coach
    on it gets an e-mail, and `signals.help_session_cancelled` tells the features above
    (bookings cancel the appointments "by the organiser").

    Raises ValidationFailed without a reason, Conflict when it is cancelled or over already.
    """
    ensure(permissions.can_manage_help_session(actor, session))
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": [_("Say why the help session is cancelled.")]})
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {"reason": [_("Use at most %(count)d characters.", count=REASON_MAX_LENGTH)]}
        )
    locked = _lock_sessions([session.id])
    if not locked or locked[0].is_cancelled:
        raise Conflict(_("This help session is cancelled already."))
    if session.ends_at <= now:
        raise Conflict(_("This help session is over and cannot be cancelled."))
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancel_reason = text
    session.coaches_taken = 0
    session.revision += 1
    shifts = queries.active_shifts(session)
    for shift in shifts:
        shift.status = ShiftStatus.CANCELLED
        shift.cancelled_at = now
        shift.cancelled_by_id = actor.id
    db.session.flush()
    audit.record(actor, "helpdesk.session.cancel", session, ["status", "cancel_reason"])
    for shift in shifts:
        audit.record(actor, "helpdesk.shift.cancel", shift, ["status"])
        _mail_coach(
            shift.coach,
            kind="helpdesk.session_cancelled",
            dedupe_key=f"helpdesk.session_cancelled:{shift.id}:{session.revision}",
            template="session_cancelled",
            subject=lambda: _("A help session is cancelled"),
            session=session,
            reason=text,
        )
    signals.help_session_cancelled.send(session, actor=actor, reason=text, now=now)
    return session


# --- shifts -----------------------------------------------------------------------------------


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
    shadow takes no place. The session must be planned, not started, at a location of the
    coach's municipality; the coach may not have an overlapping shift (rules.overlaps).
    Signing up restarts the coach's dormancy clock (coaches.services.record_shift_activity).

    Raises PermissionDenied, SessionFull when the last place is gone, Conflict otherwise.
    """
    ensure(permissions.can_assign_shift(actor, coach, session))
    _lock_coach(coach.id)
    if session.is_cancelled:
        raise Conflict(_("This help session is cancelled."))
    if session.starts_at <= now:
        raise Conflict(_("This help session has started already."))
    if coach.municipality_id != session.location.municipality_id:
        raise Conflict(_("This help session is in another municipality."))
    existing = db.session.scalar(
        select(Shift).where(Shift.coach_id == coach.id, Shift.session_id == session.id)
    )
    if existing is not None and existing.is_active:
        raise Conflict(_("Already signed up for this help session."))
    mentor = _mentor_for(session, besides=coach.id) if as_shadow else None
    if not training_rules.may_join_help_session(
        rules.status_for_shifts(coach.status),
        as_shadow=as_shadow,
        mentor_status=mentor.status if mentor else None,
    ):
        if coach.status == training_rules.COACH_IN_TRAINING and not as_shadow:
            raise Conflict(_("A digicoach in training joins as a shadow, beside a mentor."))
        if coach.status == training_rules.COACH_IN_TRAINING:
            raise Conflict(
                _("A shadow needs a certified digicoach on the same help session. Nobody is yet.")
            )
        raise Conflict(_("Only certified and active digicoaches take shifts."))
    busy = queries.busy_periods([coach.id], around=_period(session), exclude_session_id=session.id)
    clash = rules.first_overlap(_period(session), busy.get(coach.id, []))
    if clash is not None:
        raise Conflict(
            _(
                "Already on a help session at that time (%(place)s).",
                place=clash.session.location.name,
            )
        )
    if not as_shadow:
        if not take_place(HelpSession, session.id, "coaches_taken", "coaches_max"):
            raise SessionFull(_("This help session has all the digicoaches it needs."))
        # The counter moved under the row lock: the session may have been cancelled meanwhile.
        status = db.session.scalar(select(HelpSession.status).where(HelpSession.id == session.id))
        if status != SessionStatus.PLANNED:
            raise Conflict(_("This help session is cancelled."))
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
        raise Conflict(_("Already signed up for this help session.")) from error
    db.session.refresh(session)
    coach_services.record_shift_activity(coach, now)
    audit.record(actor, "helpdesk.shift.sign_up", shift, ["status", "as_shadow", "mentor_id"])
    return shift


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
    staff = permissions.can_manage_help_session(actor, session)
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
    _mail_coach(
        shift.coach,
        kind="helpdesk.shift_cancelled",
        dedupe_key=f"helpdesk.shift_cancelled:{shift.id}:{now.isoformat()}",
        template="shift_cancelled",
        subject=lambda: _("You are no longer on a help session"),
        session=shift.session,
    )


# --- invitations (the inviting itself is in invitations.py) ----------------------------------


def invitation_session(*, actor: User, token: str, now: datetime) -> HelpSession:
    """The session an invitation link is for, without using the link. Raises NotFound when
    the link is unknown, used, expired or meant for someone else."""
    row = tokens.peek(INVITE_PURPOSE, token, now=now)
    if row is None or row.user_id != actor.id or not (row.payload or "").isdigit():
        raise NotFound("invitation")
    session = db.session.get(HelpSession, int(row.payload or 0))
    if session is None:
        raise NotFound("invitation")
    return session


def accept_invitation(*, actor: User, token: str, now: datetime) -> Shift:
    """Use an invitation link once to sign up (see `sign_up` for the rules and errors).
    If the sign-up is refused, the transaction rolls back and the link stays usable."""
    session = invitation_session(actor=actor, token=token, now=now)
    coach = coach_services.coach_of(actor)
    if coach is None or tokens.redeem(INVITE_PURPOSE, token, now=now) is None:
        raise NotFound("invitation")
    return sign_up(actor=actor, coach=coach, session=session, now=now)


# --- calendar feeds ---------------------------------------------------------------------------


def create_calendar_feed(*, actor: User, coach: Coach, now: datetime) -> str:
    """Give the coach a new secret calendar address and return its token (shown once: only
    its hash is kept). An earlier address stops working."""
    ensure(coach.user_id == actor.id)
    token = secrets.token_urlsafe(32)
    feed = queries.feed_of(coach)
    if feed is None:
        feed = CalendarFeed(coach_id=coach.id)
        db.session.add(feed)
    feed.token_hash = queries.hash_token(token)
    feed.created_at = now
    db.session.flush()
    audit.record(actor, "helpdesk.feed.create", feed, ["token_hash"])
    return token


def revoke_calendar_feed(*, actor: User, coach: Coach, now: datetime) -> None:
    """Switch the coach's calendar address off: the old URL answers 404 from now on."""
    ensure(coach.user_id == actor.id)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.coach_id == coach.id))
    audit.record(actor, "helpdesk.feed.revoke", coach, ["calendar_feed"], object_type="Coach")


# --- helpers ----------------------------------------------------------------------------------


def _mail_coach(
    coach: Coach,
    *,
    kind: str,
    dedupe_key: str,
    template: str,
    subject: Any,
    send_not_after: datetime | None = None,
    **context: Any,
) -> None:
    """Queue an e-mail to a coach, rendered in their language, unless they were erased or
    deactivated."""
    user = coach.user
    if coach.erased_at is not None or not user.active:
        return
    messages.queue_email(
        recipient=user.email,
        language=user.language,
        kind=kind,
        dedupe_key=dedupe_key,
        template=f"helpdesk/email/{template}",
        subject=subject,
        send_not_after=send_not_after,
        user=user,
        my_shifts=messages.absolute_url("helpdesk.my_shifts"),
        **context,
    )
