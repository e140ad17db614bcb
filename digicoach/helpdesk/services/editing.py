"""Changing planned help sessions safely.

One service for every edit (the form and "this and all following"): it refuses a change that
would put a coach on two places at once, or leave booked appointments without a place, unless
the coordinator chose to move or cancel those. Helpdesk sits below bookings (pyproject.toml), so
it asks and tells through signals: `help_session_change_proposed` before the change (each
receiver answers with a rules.ChangeImpact), `help_session_changed` after it (bookings move the
appointments and tell the citizens; reminders skip those pending for the old times).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.core import audit, clock, timeslots
from digicoach.core.db import assign
from digicoach.core.errors import Conflict, FieldErrors
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import permissions, queries, rules, signals
from digicoach.helpdesk.models import (
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionStatus,
)
from digicoach.helpdesk.services.common import (
    AppointmentsAffected,
    CoachesBusy,
    NoRoomToMove,
    lock_sessions,
    mail_coach,
)
from digicoach.helpdesk.services.planning import SessionInput, validate_details

# The fields whose change can move or squeeze the session's appointments.
SHAPE_FIELDS = frozenset({"starts_at", "ends_at", "mode", "slot_minutes", "citizens_per_slot"})


def shape_of(session: HelpSession) -> rules.SessionShape:
    return rules.SessionShape(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        mode=session.mode,
        slot_minutes=session.slot_minutes,
        citizens_per_slot=session.citizens_per_slot,
        coaches=session.coaches_taken,
    )


def _busy_coaches(
    plans: list[tuple[HelpSession, datetime, datetime]],
) -> list[tuple[str, str]]:
    """(coach name, other place) for each coach whose shift would overlap another of theirs
    at the new times. Sessions changed together do not count against each other."""
    changing = {target.id for target, _start, _end in plans}
    clashes = []
    for target, start, end in plans:
        if (start, end) == (target.starts_at, target.ends_at):
            continue
        period = rules.Period(start, end)
        shifts = queries.active_shifts(target)
        busy = queries.busy_periods(
            [shift.coach_id for shift in shifts], around=period, exclude_session_id=target.id
        )
        for shift in shifts:
            others = [
                (other_period, other)
                for other_period, other in busy.get(shift.coach_id, [])
                if other.session_id not in changing
            ]
            clash = rules.first_overlap(period, others)
            if clash is not None:
                clashes.append((shift.coach.user.name, clash.session.location.name))
    return clashes


def _impact(target: HelpSession, shape: rules.SessionShape, now: datetime) -> rules.ChangeImpact:
    """What the features above say the change would break (see signals)."""
    total = rules.ChangeImpact()
    for _receiver, answer in signals.help_session_change_proposed.send(
        target, shape=shape, now=now
    ):
        if answer is not None:
            total = total + answer
    return total


def _check_appointments(
    plans: list[tuple[HelpSession, rules.SessionShape]], affected_choice: str | None, now: datetime
) -> None:
    """Refuse while appointments would lose their place and nothing was chosen for them, or
    when moving them was chosen and some find no free place."""
    total = rules.ChangeImpact()
    for target, shape in plans:
        if shape != shape_of(target):
            total = total + _impact(target, shape, now)
    if not total.affected or affected_choice == rules.CANCEL_AFFECTED:
        return
    if affected_choice == rules.MOVE_AFFECTED:
        if total.no_room:
            raise NoRoomToMove(
                {
                    "affected": [
                        ngettext(
                            "%(num)d appointment finds no free time in the changed session. "
                            "Choose to cancel it, or change the session so it fits.",
                            "%(num)d appointments find no free time in the changed session. "
                            "Choose to cancel them, or change the session so they fit.",
                            total.no_room,
                        )
                    ]
                },
                affected=total.affected,
            )
        return
    raise AppointmentsAffected(
        {
            "affected": [
                ngettext(
                    "%(num)d booked appointment has no place in the changed session. "
                    "Choose whether to move it to another time or cancel it.",
                    "%(num)d booked appointments have no place in the changed session. "
                    "Choose whether to move them to other times or cancel them.",
                    total.affected,
                )
            ]
        },
        affected=total.affected,
    )


def update_session(
    *,
    actor: User,
    session: HelpSession,
    data: SessionInput,
    now: datetime,
    following: bool = False,
    affected: str | None = None,
) -> list[HelpSession]:
    """Change one session, or (with `following`) it and every later planned session of its
    series. The day applies to the chosen session only; the others keep their own day and
    take the new clock times and details. The location does not change (cancel and plan anew).

    Booked appointments move with their session (the same offset from its start). Those that
    lose their place (a shorter window, longer slots, fewer citizens per slot, a mode with
    fewer or no booking coaches) make the edit refuse, unless `affected` says what happens to
    them: rules.MOVE_AFFECTED (to the nearest free time in the session) or
    rules.CANCEL_AFFECTED (cancelled by the organiser). Citizens and coaches are told through
    the outbox; the change is audited with its fields.

    Raises Conflict for a cancelled or finished session or a home visit; ValidationFailed per
    field (also when the maximum would drop below the coaches already signed up); CoachesBusy (code
    "coach_busy") when a coach on it would have overlapping shifts; AppointmentsAffected
    ("appointments_affected", with the count) or NoRoomToMove ("no_room") for appointments.
    """
    ensure(permissions.can_manage_help_session(actor, session))
    if affected not in (None, *rules.AFFECTED_CHOICES):
        affected = None
    if session.is_cancelled:
        raise Conflict(_("A cancelled help session cannot change."))
    if session.ends_at <= now:
        raise Conflict(_("This help session is over and cannot change."))
    if session.is_home_visit:
        # Its shape (two people, travel time, the citizen's details) is kept by homevisits.
        raise Conflict(_("A home visit does not change here. Cancel it and book it again."))
    errors = FieldErrors()
    if data.day is None:
        errors.add("day", _("Enter the day."))
    validate_details(data, errors)
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
    targets = lock_sessions(ids)
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
    busy = _busy_coaches(plans)
    if busy:
        raise CoachesBusy(
            {
                "start_time": [
                    _(
                        "%(name)s has another shift at that time (%(place)s).",
                        name=name,
                        place=place,
                    )
                    for name, place in busy
                ]
            }
        )
    assert data.mode and data.slot_minutes and data.citizens_per_slot
    shapes = [
        (
            target,
            rules.SessionShape(
                starts_at=start,
                ends_at=end,
                mode=data.mode,
                slot_minutes=data.slot_minutes,
                citizens_per_slot=data.citizens_per_slot,
                coaches=target.coaches_taken,
            ),
        )
        for target, start, end in plans
    ]
    _check_appointments(shapes, affected, now)
    for target, start, end in plans:
        moved = target.starts_at != start or target.ends_at != end
        old = shape_of(target)
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
        if SHAPE_FIELDS.intersection(changed):
            signals.help_session_changed.send(
                target, old=old, affected=affected, actor=actor, now=now
            )
        if moved:
            for shift in queries.active_shifts(target):
                mail_coach(
                    shift.coach,
                    kind="helpdesk.shift_moved",
                    dedupe_key=f"helpdesk.shift_moved:{shift.id}:{target.revision}",
                    template="shift_moved",
                    subject=lambda: _("Your shift has a new time"),
                    session=target,
                )
    db.session.flush()
    return targets
