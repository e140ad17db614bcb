"""Messages to the citizen about their appointment: SMS, e-mail and calendar file."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from digicoach.bookings import queries
from digicoach.bookings.models import (
    Appointment,
)
from digicoach.core import ics, messages, outbox, phones

# --- messages ---------------------------------------------------------------------------------


def _message_prefix(appointment: Appointment) -> str:
    return f"appointment:{appointment.id}:"


def manage_url(token: str) -> str:
    return messages.absolute_url("bookings.manage", token=token)


SUBJECTS = {
    "booked": lambda: _("Your appointment for digital help"),
    "moved": lambda: _("Your appointment has a new time"),
    "cancelled": lambda: _("Your appointment is cancelled"),
    "cancelled_by_organiser": lambda: _("We had to cancel your appointment"),
}


def appointment_event(
    appointment: Appointment, *, times_moved: int | None = None
) -> ics.CalendarEvent:
    """The appointment as a calendar event, in the current locale's words."""
    location = appointment.location
    return ics.CalendarEvent(
        uid=f"appointment-{appointment.reference}@digicoach",
        start=appointment.start,
        end=appointment.end,
        summary=_("Digital help: appointment %(reference)s", reference=appointment.reference),
        location=f"{location.name}, {location.address}",
        description=_(
            "Bring your identity card (eID), your smartphone and its charger. Make sure you "
            "know the PIN code of your eID, but never write it down."
        ),
        # A moved appointment keeps its uid; a higher sequence makes calendars replace it. The
        # number of moves grows with every move, also to an earlier time (the start does not).
        sequence=queries.times_moved(appointment.id) if times_moved is None else times_moved,
    )


def _calendar_attachment(appointment: Appointment, language: str, kind: str) -> outbox.Attachment:
    # Just booked: never moved yet, no need to count the moves in the audit log.
    moves = 0 if kind == "booked" else None
    with force_locale(language):
        event = appointment_event(appointment, times_moved=moves)
    # The event's words now, in the citizen's language; the .ics file when it is sent.
    return outbox.calendar_attachment(f"appointment-{appointment.reference}.ics", event)


def notify(appointment: Appointment, kind: str, *, manage_token: str | None = None) -> None:
    """Tell the citizen by SMS (with a mobile number) and by e-mail (with an address), in their
    language. One message per appointment, kind, time and channel (the outbox dedupes)."""
    if appointment.contact_erased_at is not None:
        return
    language = appointment.contact_language
    stamp = f"{_message_prefix(appointment)}{kind}:{appointment.start.isoformat()}"
    context = {
        "appointment": appointment,
        "location": appointment.location,
        "manage_url": manage_url(manage_token) if manage_token else None,
        "phone": phones.front_desk_phone(appointment.location),
    }
    # Nothing for a landline or no number at all: queue_sms sends to mobiles only.
    messages.queue_sms(
        recipient=appointment.phone,
        language=language,
        kind=f"bookings.{kind}",
        dedupe_key=f"{stamp}:sms",
        template=f"bookings/sms/{kind}.txt",
        **context,
    )
    if appointment.email:
        messages.queue_email(
            recipient=appointment.email,
            language=language,
            kind=f"bookings.{kind}",
            dedupe_key=f"{stamp}:email",
            template=f"bookings/email/{kind}",
            subject=SUBJECTS[kind],
            attachment=(
                _calendar_attachment(appointment, language, kind)
                if kind in ("booked", "moved")
                else None
            ),
            **context,
        )
