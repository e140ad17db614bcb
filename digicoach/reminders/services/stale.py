"""Reminders that no longer apply: pending ones whose appointment, shift, training session or
understaffed session was cancelled, moved or (for alerts) staffed meanwhile become `skipped`.

A moved event gets a new key (its new time), so the next run queues it again. A cancelled help
session, shift or appointment skips its pending reminders at once (the receivers call
`skip_reminders_of_help_session` and `skip_pending_reminders`); `skip_stale`, at the start of
every run, is the safety net for every other change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update

from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.core.db import parse_id
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.reminders.services.keys import KIND_PREFIX, WEEKLY_DIGEST, Key, parse_key
from digicoach.training.models import Enrolment, TrainingSession


def skip_stale(*, now: datetime) -> int:
    """Pending reminders whose appointment, shift, training session or understaffed session
    was cancelled, moved or (for alerts) staffed meanwhile become `skipped`. Returns how many."""
    pending = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.dedupe_key).where(
            OutboxMessage.status == Status.PENDING,
            OutboxMessage.kind.like(f"{KIND_PREFIX}%"),
            OutboxMessage.kind != WEEKLY_DIGEST,
        )
    ).all()
    stale = [message_id for message_id, key in pending if not _still_holds(key)]
    if stale:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(stale), OutboxMessage.status == Status.PENDING)
            .values(status=Status.SKIPPED, last_error="no longer applies")
            .execution_options(synchronize_session=False)
        )
    return len(stale)


def _still_holds(dedupe_key: str) -> bool:
    key = parse_key(dedupe_key)
    if key is None:
        return True
    if key.subject == "appointment":
        appointment = db.session.get(Appointment, key.subject_id)
        return (
            appointment is not None
            and appointment.status == AppointmentStatus.BOOKED
            and appointment.start == key.start
        )
    if key.subject == "shift":
        shift = db.session.get(Shift, key.subject_id)
        return (
            shift is not None
            and shift.status != ShiftStatus.CANCELLED
            and shift.session.status == SessionStatus.PLANNED
            and shift.session.starts_at == key.start
        )
    if key.subject == "training_session":
        return _training_reminder_holds(key)
    if key.subject == "help_session":
        session = db.session.get(HelpSession, key.subject_id)
        return (
            session is not None
            and session.status == SessionStatus.PLANNED
            and session.starts_at == key.start
            and helpdesk_queries.staffing_of(session).needs_coaches
        )
    return True


def _training_reminder_holds(key: Key) -> bool:
    """The session is still scheduled at that time and the coach (`reminder.c<id>`) still
    enrolled in its group."""
    session = db.session.get(TrainingSession, key.subject_id)
    coach_id = parse_id(key.what.rpartition(".c")[2])
    return (
        session is not None
        and session.status == "scheduled"
        and session.starts_at == key.start
        and coach_id is not None
        and db.session.scalar(
            select(Enrolment.id).where(
                Enrolment.cohort_id == session.cohort_id,
                Enrolment.coach_id == coach_id,
                Enrolment.status == "enrolled",
            )
        )
        is not None
    )


def skip_reminders_of_help_session(session: HelpSession) -> int:
    """A cancelled help session: its pending reminders become `skipped` at once, without
    waiting for the next run. That is its under-staffing alerts, the reminders and help-log
    nudges of its shifts, and the reminders of the appointments in it (whatever their status:
    the booking feature cancels them in the same transaction). Messages of other features,
    such as the notice that an appointment is cancelled, are left alone. Returns how many."""
    shift_ids = db.session.scalars(select(Shift.id).where(Shift.session_id == session.id)).all()
    appointment_ids = db.session.scalars(
        select(Appointment.id).where(Appointment.help_session_id == session.id)
    ).all()
    prefixes = [
        f"help_session:{session.id}:",
        *(f"shift:{shift_id}:" for shift_id in shift_ids),
        *(f"appointment:{appointment_id}:" for appointment_id in appointment_ids),
    ]
    return skip_pending_reminders(prefixes)


def skip_pending_reminders(prefixes: Sequence[str]) -> int:
    """Mark `skipped` every pending reminder whose dedupe key starts with one of `prefixes`
    (such as `appointment:42:`): for receivers of signals that something was cancelled."""
    skipped = 0
    for start in range(0, len(prefixes), 200):
        chunk = prefixes[start : start + 200]
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == Status.PENDING,
                OutboxMessage.kind.like(f"{KIND_PREFIX}%"),
                OutboxMessage.kind != WEEKLY_DIGEST,
                or_(
                    *(
                        OutboxMessage.dedupe_key.startswith(prefix, autoescape=True)
                        for prefix in chunk
                    )
                ),
            )
            .values(status=Status.SKIPPED, last_error="no longer applies")
            .execution_options(synchronize_session=False)
        )
        skipped += result.rowcount or 0
    return skipped
