"""Factories for reminder tests: appointments made directly (no booking rules in the way),
so a test can place them on any day, such as the nights the clocks change."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta
from typing import Any

from digicoach.bookings.models import Appointment, AppointmentStatus, BookingChannel, Slot
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession

_numbers = itertools.count(1)


def make_slot(
    session: HelpSession, start: datetime, minutes: int = 30, capacity: int = 5000
) -> Slot:
    slot = Slot(
        help_session_id=session.id,
        start=start,
        end=start + timedelta(minutes=minutes),
        taken=0,
        capacity=capacity,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def make_appointment(
    session: HelpSession, *, start: datetime | None = None, slot: Slot | None = None, **values: Any
) -> Appointment:
    """A booked appointment in `session` (its first slot by default), created a week before."""
    start = start or session.starts_at
    slot = slot or make_slot(session, start)
    n = next(_numbers)
    appointment = Appointment(
        help_session_id=session.id,
        location_id=session.location_id,
        slot_id=slot.id,
        start=start,
        end=start + timedelta(minutes=30),
        reference=values.pop("reference", f"R{n:06d}"),
        manage_token_hash=hashlib.sha256(f"token-{n}".encode()).hexdigest(),
        status=values.pop("status", AppointmentStatus.BOOKED),
        channel=BookingChannel.ONLINE,
        first_name=values.pop("first_name", "Maria"),
        phone=values.pop("phone", "+32470123456"),
        email=values.pop("email", None),
        language=values.pop("language", "nl"),
        contact_language=values.pop("contact_language", "nl"),
        topic=values.pop("topic", "email"),
        created_at=values.pop("created_at", start - timedelta(days=7)),
        **values,
    )
    slot.taken += 1
    db.session.add(appointment)
    db.session.flush()
    return appointment
