"""Retention: a citizen's contact data is erased some days after the appointment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from digicoach.bookings.models import (
    Appointment,
)
from digicoach.bookings.services.notices import _message_prefix
from digicoach.core import audit
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db


def purge_contact_data(*, now: datetime, retention_days: int) -> int:
    """Erase first name, phone, e-mail and notes `retention_days` after the appointment, in
    the appointment and in its outbox messages. The citizen key and the statistics remain."""
    limit = now - timedelta(days=retention_days)
    rows = db.session.scalars(
        select(Appointment).where(Appointment.contact_erased_at.is_(None), Appointment.end <= limit)
    ).all()
    for appointment in rows:
        appointment.first_name = ""
        appointment.phone = None
        appointment.email = None
        appointment.note = ""
        appointment.staff_note = ""
        appointment.contact_erased_at = now
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like(f"{_message_prefix(appointment)}%"))
            .values(recipient="", subject="", body_text="", body_html=None, attachment=None)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            None,
            "bookings.appointment.erase_contact",
            appointment,
            ["first_name", "phone", "email", "note", "staff_note"],
        )
    db.session.flush()
    return len(rows)
