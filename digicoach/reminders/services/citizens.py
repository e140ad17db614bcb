"""Reminders to citizens of their appointment: the day before (SMS with a mobile number, else
e-mail; the programme says how many days) and, when the programme switched it on, a
same-morning SMS."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.bookings.services import appointment_event
from digicoach.core import messages, phones, sms
from digicoach.core.i18n import DEFAULT_LANGUAGE
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.places.models import Location
from digicoach.reminders import rules
from digicoach.reminders.services.keys import (
    APPOINTMENT_DAY_BEFORE,
    APPOINTMENT_SAME_MORNING,
    Batch,
    MakeMessage,
    calendar_attachment,
    make_key,
)
from digicoach.reminders.services.settings import ProgrammeSettings


def queue_appointment_reminders(*, now: datetime, settings: ProgrammeSettings) -> int:
    """The reminder the day before (SMS with a phone, else e-mail; the programme says how many
    days) and, when the programme switched it on, a same-morning SMS, for booked appointments
    that have not started."""
    horizon = now + timedelta(days=settings.longest(lambda s: s.citizen_days_before), hours=2)
    rows = db.session.execute(
        select(Appointment, Location.municipality_id)
        .join(Location, Appointment.location_id == Location.id)
        .where(
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.start > now,
            Appointment.start <= horizon,
            Appointment.contact_erased_at.is_(None),
        )
    ).all()
    batch = Batch()
    for appointment, municipality_id in rows:
        channel = rules.citizen_channel(appointment.phone, appointment.email)
        if channel is None:
            continue
        own = settings.for_event(municipality_id, appointment.start)
        due = rules.days_before(appointment.start, own.citizen_days_before)
        if rules.is_due(
            due_at=due, now=now, start=appointment.start, booked_at=appointment.created_at
        ):
            key = make_key(
                "appointment", appointment.id, "reminder.day_before", appointment.start, channel
            )
            batch.add(key, _appointment_message(appointment, channel, due, "day_before"))
        if own.same_morning_sms and sms.can_receive_sms(appointment.phone):
            morning = rules.same_morning(appointment.start, own.same_morning_at)
            if morning is not None and rules.is_due(
                due_at=morning, now=now, start=appointment.start, booked_at=appointment.created_at
            ):
                key = make_key(
                    "appointment",
                    appointment.id,
                    "reminder.same_morning",
                    appointment.start,
                    rules.SMS,
                )
                batch.add(
                    key, _appointment_message(appointment, rules.SMS, morning, "same_morning")
                )
    return batch.queue()


def _appointment_message(
    appointment: Appointment, channel: str, due: datetime, which: str
) -> MakeMessage:
    def make(key: str) -> OutboxMessage | None:
        language = appointment.contact_language or DEFAULT_LANGUAGE
        context = {
            "appointment": appointment,
            "location": appointment.location,
            "phone": phones.front_desk_phone(appointment.location),
        }
        kind = APPOINTMENT_DAY_BEFORE if which == "day_before" else APPOINTMENT_SAME_MORNING
        if channel == rules.SMS:
            return messages.queue_sms(
                recipient=appointment.phone,
                language=language,
                kind=kind,
                dedupe_key=key,
                template=f"reminders/sms/appointment_{which}.txt",
                due_at=due,
                send_not_after=appointment.start,
                **context,
            )
        return messages.queue_email(
            recipient=appointment.email or "",
            language=language,
            kind=kind,
            dedupe_key=key,
            template="reminders/email/appointment",
            subject=lambda: _("Reminder: your appointment for digital help"),
            due_at=due,
            send_not_after=appointment.start,
            # The booking's own event: the same uid and sequence, so a calendar updates the
            # entry it already has instead of adding a second one.
            attachment=lambda: calendar_attachment(appointment_event(appointment)),
            **context,
        )

    return make
