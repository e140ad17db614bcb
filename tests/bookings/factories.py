"""Factories for bookable help sessions and appointments."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from digicoach.bookings import services
from digicoach.bookings.models import Appointment, BookingChannel
from digicoach.coaches.models import Coach
from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from digicoach.places.models import Location
from tests.helpdesk.factories import make_help_session, make_shift


def in_days(days: int, hour: int = 14, minute: int = 0) -> datetime:
    """A UTC moment at a local wall-clock time `days` days from today."""
    return timeslots.local_moment(clock.local_today() + timedelta(days=days), time(hour, minute))


def make_bookable_session(
    location: Location,
    coaches: list[Coach],
    *,
    starts_at: datetime | None = None,
    hours: float = 2,
    mode: str = "appointment",
    citizens_per_slot: int = 1,
    slot_minutes: int = 30,
    **values: Any,
) -> HelpSession:
    """An appointment session (default: in three days 14:00-16:00, four 30-minute slots),
    with the coaches signed up (non-shadow)."""
    session = make_help_session(
        location,
        starts_at=starts_at or in_days(3),
        hours=hours,
        mode=mode,
        citizens_per_slot=citizens_per_slot,
        slot_minutes=slot_minutes,
        coaches_max=max(len(coaches), 2),
        **values,
    )
    for coach in coaches:
        make_shift(session, coach)
    return session


def booking_input(session: HelpSession, start: datetime | None = None, **values: Any):
    data: dict[str, Any] = {
        "help_session_id": session.id,
        "start": start or session.starts_at,
        "first_name": "Maria",
        "phone": "0470 12 34 56",
        "email": "",
        "topic": "email",
        "language": "nl",
        "note": "",
        "consent": True,
        "channel": BookingChannel.ONLINE,
        "contact_language": "nl",
    }
    data.update(values)
    return services.BookingInput(**data)


def make_appointment(session: HelpSession, start: datetime | None = None, **values: Any):
    """A booking through the service (so the slot counter moves); returns the Booking."""
    now = values.pop("now", None) or clock.now()
    actor = values.pop("actor", None)
    booking = services.book(actor=actor, data=booking_input(session, start, **values), now=now)
    db.session.flush()
    return booking


__all__ = ["Appointment", "booking_input", "in_days", "make_appointment", "make_bookable_session"]
