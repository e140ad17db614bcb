"""A cancelled or moved appointment and a cancelled shift skip their pending reminders at
once, not at the next reminder run; other messages stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from digicoach.bookings import services as booking_services
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.helpdesk.services import shifts as helpdesk_shifts
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.reminders.conftest import queue
from tests.reminders.factories import make_appointment
from tests.reminders.test_programme_settings import MONDAY_10, local

DAY_BEFORE = local(2026, 3, 29, 13, 0)


def statuses_of(prefix: str) -> dict[str, str]:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith(prefix))
    )
    return {row.kind: row.status for row in rows}


def a_session_with_a_coach(world, starts_at=MONDAY_10):
    session = make_help_session(world.location, starts_at=starts_at, mode="appointment")
    shift = make_shift(session, make_working_coach(world.municipality))
    return session, shift


def test_a_cancelled_appointment_skips_its_pending_reminder_at_once(world, frozen):
    session, _shift = a_session_with_a_coach(world)
    appointment = make_appointment(session, phone="+32470123456")
    other = make_appointment(session, start=MONDAY_10 + timedelta(minutes=30))
    db.session.commit()
    assert queue(DAY_BEFORE)["appointments"] == 2

    frozen.set(DAY_BEFORE + timedelta(minutes=1))
    booking_services.cancel(actor=None, appointment=appointment, now=frozen(), manage_token="t")
    db.session.commit()

    assert statuses_of(f"appointment:{appointment.id}:")["reminders.appointment_day_before"] == (
        Status.SKIPPED
    )
    assert statuses_of(f"appointment:{other.id}:") == {
        "reminders.appointment_day_before": Status.PENDING
    }
    assert queue(DAY_BEFORE + timedelta(minutes=5))["skipped"] == 0


def test_a_moved_appointment_skips_the_reminder_of_its_old_time(world, frozen):
    session, _shift = a_session_with_a_coach(world)
    appointment = make_appointment(session, phone="+32470123456")
    db.session.commit()
    assert queue(DAY_BEFORE)["appointments"] == 1
    [old_key] = db.session.scalars(
        select(OutboxMessage.dedupe_key).where(
            OutboxMessage.kind == "reminders.appointment_day_before"
        )
    ).all()

    frozen.set(DAY_BEFORE + timedelta(minutes=1))
    booking_services.move(
        actor=world.coordinator,
        appointment=appointment,
        help_session_id=session.id,
        start=MONDAY_10 + timedelta(minutes=60),
        now=frozen(),
    )
    db.session.commit()

    old = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == old_key))
    assert old.status == Status.SKIPPED


def test_a_cancelled_shift_skips_its_pending_reminder_at_once(world, frozen):
    _session, shift = a_session_with_a_coach(world, starts_at=MONDAY_10)
    _other, kept = a_session_with_a_coach(world, starts_at=MONDAY_10 + timedelta(hours=4))
    db.session.commit()
    assert queue(DAY_BEFORE)["shifts"] == 2

    frozen.set(DAY_BEFORE + timedelta(minutes=1))
    helpdesk_shifts.cancel_shift(actor=world.coordinator, shift=shift, now=frozen())
    db.session.commit()

    assert set(statuses_of(f"shift:{shift.id}:").values()) == {Status.SKIPPED}
    assert set(statuses_of(f"shift:{kept.id}:").values()) == {Status.PENDING}
