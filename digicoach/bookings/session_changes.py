"""What a change to a help session does to its appointments (helpdesk.services.editing).

Helpdesk sits below bookings, so it asks and tells through signals (bookings.receivers):

- before the change, `impact` answers how many booked appointments would lose their place in
  the changed session and how many of those would find no other free time in it;
- after it, `follow` moves every booked appointment along: the same offset from the session's
  start when that time is still a slot with room, else (as the coordinator chose) to the
  nearest free time in the session, or cancelled by the organiser. Citizens are told by SMS
  and e-mail in their language (the "moved" message with a new .ics, or the organiser's
  cancellation, which also puts those without e-mail on the front desk's call list);
  `appointment_moved` / `appointment_cancelled` make the reminders feature skip the reminders
  pending for the old time.

Places: every booked appointment gives its place back first and takes one in its new slot
with `take_slot_place` (capacity refreshed from the changed session under the row lock), so
the slot counters and their CHECK stay right whichever appointments trade places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from digicoach.accounts.models import User
from digicoach.bookings import free_places, rules, signals
from digicoach.bookings.models import Appointment, AppointmentStatus, Slot
from digicoach.bookings.services import notify, take_slot_place
from digicoach.core import audit
from digicoach.core.db import release_place
from digicoach.core.errors import Conflict
from digicoach.extensions import db
from digicoach.helpdesk import rules as helpdesk_rules
from digicoach.helpdesk.models import HelpSession


class AppointmentsChanged(Conflict):
    """Appointments were booked between the check and the change: the coordinator tries again."""

    code = "appointments_changed"


@dataclass
class Plan:
    """Where each booked appointment goes: `placed` (id → new start), `affected` (ids that
    cannot keep their offset) and `no_room` (affected ids without any free time)."""

    placed: dict[int, datetime] = field(default_factory=dict)
    affected: list[int] = field(default_factory=list)
    no_room: list[int] = field(default_factory=list)


def plan(
    booked: Sequence[tuple[int, datetime]],
    *,
    old_start: datetime,
    shape: helpdesk_rules.SessionShape,
    now: datetime,
) -> Plan:
    """Place booked appointments `(id, start)` (earliest first) in the changed session.

    Each keeps its offset from the session's start when that is a slot of the new shape with a
    free place (earlier bookings first). The others are affected; each takes the free future
    slot nearest to its offset (the earlier on a tie), or has no room.
    """
    starts = (
        rules.slot_starts(shape.starts_at, shape.ends_at, shape.slot_minutes)
        if shape.mode in rules.SLOTTED_MODES
        else []
    )
    capacity = rules.slot_capacity(shape.mode, shape.coaches, shape.citizens_per_slot)
    free = {start: capacity for start in starts}
    result = Plan()
    waiting: list[tuple[int, datetime]] = []
    for appointment_id, start in booked:
        target = shape.starts_at + (start - old_start)
        if free.get(target, 0) > 0:
            free[target] -= 1
            result.placed[appointment_id] = target
        else:
            result.affected.append(appointment_id)
            waiting.append((appointment_id, target))
    for appointment_id, target in waiting:
        options = [start for start, left in free.items() if left > 0 and start > now]
        if not options:
            result.no_room.append(appointment_id)
            continue
        best = min(options, key=lambda start: (abs(start - target), start))
        free[best] -= 1
        result.placed[appointment_id] = best
    return result


def _booked(session: HelpSession, *, lock: bool = False) -> list[Appointment]:
    query = (
        select(Appointment)
        .where(
            Appointment.help_session_id == session.id,
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .order_by(Appointment.start, Appointment.id)
    )
    if lock:
        query = query.with_for_update(of=Appointment)
    return list(db.session.scalars(query))


def impact(
    session: HelpSession, *, shape: helpdesk_rules.SessionShape, now: datetime
) -> helpdesk_rules.ChangeImpact:
    """How many booked appointments of `session` (old values) lose their place in `shape`,
    and how many of those find no free time in it. Changes nothing."""
    booked = [(a.id, a.start) for a in _booked(session)]
    result = plan(booked, old_start=session.starts_at, shape=shape, now=now)
    return helpdesk_rules.ChangeImpact(affected=len(result.affected), no_room=len(result.no_room))


def follow(
    session: HelpSession,
    *,
    old: helpdesk_rules.SessionShape,
    affected: str | None,
    actor: User | None,
    now: datetime,
) -> Plan:
    """Move the booked appointments of the changed `session` as `plan` says; cancel the ones
    without room when the coordinator chose so. Raises AppointmentsChanged when the plan no
    longer matches what the coordinator was shown (a booking came in meanwhile)."""
    appointments = _booked(session, lock=True)
    shape = helpdesk_rules.SessionShape(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        mode=session.mode,
        slot_minutes=session.slot_minutes,
        citizens_per_slot=session.citizens_per_slot,
        coaches=session.coaches_taken,
    )
    result = plan(
        [(a.id, a.start) for a in appointments], old_start=old.starts_at, shape=shape, now=now
    )
    if (result.affected and affected is None) or (
        result.no_room and affected != helpdesk_rules.CANCEL_AFFECTED
    ):
        raise AppointmentsChanged(
            _("Appointments were booked meanwhile. Look at the session again and save once more.")
        )
    for appointment in appointments:
        release_place(Slot, appointment.slot_id, "taken")
        free_places.changed(appointment.location_id)
    length = timedelta(minutes=session.slot_minutes)
    to_cancel = set(result.affected)
    moved: list[Appointment] = []
    cancelled: list[Appointment] = []
    for appointment in appointments:
        start = result.placed.get(appointment.id)
        cancel = affected == helpdesk_rules.CANCEL_AFFECTED and appointment.id in to_cancel
        if start is None or cancel:
            appointment.status = AppointmentStatus.CANCELLED_BY_ORGANISER
            appointment.cancelled_at = now
            cancelled.append(appointment)
            continue
        slot_id = take_slot_place(session, start)
        # A slot row made before the slot length changed keeps its old end otherwise.
        db.session.execute(
            update(Slot)
            .where(Slot.id == slot_id)
            .values(end=start + length)
            .execution_options(synchronize_session=False)
        )
        if (appointment.start, appointment.end) != (start, start + length):
            appointment.slot_id = slot_id
            appointment.start = start
            appointment.end = start + length
            moved.append(appointment)
        else:
            appointment.slot_id = slot_id
    db.session.flush()
    for appointment in moved:
        # The same action as a move by the desk: it counts toward the calendar SEQUENCE.
        audit.record(actor, "bookings.appointment.move", appointment, ["start", "end"])
        notify(appointment, "moved")
        signals.appointment_moved.send(appointment, now=now)
    for appointment in cancelled:
        audit.record(actor, "bookings.appointment.cancel_by_organiser", appointment, ["status"])
        notify(appointment, "cancelled_by_organiser")
        signals.appointment_cancelled.send(appointment, now=now)
    return result


def on_help_session_change_proposed(
    session: HelpSession, *, shape: helpdesk_rules.SessionShape, **extra: Any
) -> helpdesk_rules.ChangeImpact:
    return impact(session, shape=shape, now=extra["now"])


def on_help_session_changed(session: HelpSession, **extra: Any) -> None:
    follow(
        session,
        old=extra["old"],
        affected=extra.get("affected"),
        actor=extra.get("actor"),
        now=extra["now"],
    )
