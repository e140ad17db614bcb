"""An appointment made directly (the booking rules are tested in tests/bookings)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from digicoach.bookings.models import Appointment, Slot
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession

_numbers = itertools.count(1)


def make_booked_appointment(session: HelpSession, **values: Any) -> Appointment:
    n = next(_numbers)
    # Each appointment in its own slot, so the slot's unique (session, start) holds.
    start = values.pop("start", session.starts_at + timedelta(minutes=30 * (n % 4)))
    slot = Slot(
        help_session_id=session.id,
        start=start,
        end=start + timedelta(minutes=30),
        taken=1,
        capacity=5,
    )
    db.session.add(slot)
    db.session.flush()
    appointment = Appointment(
        help_session_id=session.id,
        location_id=session.location_id,
        slot_id=slot.id,
        start=start,
        end=start + timedelta(minutes=30),
        reference=f"T{n:06d}",
        manage_token_hash=f"{n:064d}",
        status=values.pop("status", "booked"),
        channel=values.pop("channel", "online"),
        first_name=values.pop("first_name", "Maria"),
        phone=values.pop("phone", "+32470000001"),
        language=values.pop("language", "ar"),
        topic=values.pop("topic", "email"),
        citizen_key=values.pop("citizen_key", "c" * 64),
        **values,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment
