"""Phase 4: appointments in the sessions' slots, never more than a slot holds."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app

from digicoach.bookings import rules as booking_rules
from digicoach.bookings.models import Appointment, Slot

if TYPE_CHECKING:
    from digicoach.demo_data.flanders.seeder import Seeder
from digicoach.demo_data.flanders.common import (
    CONTACT_LANGUAGES,
    HOLDS,
    LANGUAGES,
    RETENTION_DAYS,
    TOPIC_CODES,
    SessionRow,
    random_hex,
)
from digicoach.demo_data.flanders.names import FIRST_NAMES, reference


def appointments(seeder: Seeder) -> None:
    """Appointments in the slots of sessions that take them, never more than a slot holds.

    Every place of every slot is a candidate; the wanted number is drawn from them
    uniformly, so busier months (more digipunten open) get more appointments.
    """
    rng = seeder.rng
    now = seeder.now
    slots: list[tuple[SessionRow, datetime, int]] = []
    places: list[int] = []
    for session in seeder.session_list:
        if session.cancelled or session.mode not in booking_rules.SLOTTED_MODES:
            continue
        capacity = booking_rules.slot_capacity(
            session.mode, len(session.coaches), session.citizens_per_slot
        )
        if capacity <= 0:
            continue
        for start in booking_rules.slot_starts(
            session.starts_at, session.ends_at, session.slot_minutes
        ):
            places.extend([len(slots)] * capacity)
            slots.append((session, start, capacity))
    wanted = min(seeder.size.appointments, len(places))
    seeder.echo(f"    {wanted:,} appointments in {len(places):,} places of {len(slots):,} slots")
    per_slot = Counter(rng.sample(places, wanted))
    # The citizens: about 2.6 appointments each, so many come back.
    citizens = max(1, round(wanted / 2.6))
    secret = current_app.config["CITIZEN_KEY_SECRET"].encode()
    pool = []
    for n in range(citizens):
        phone = f"+3248{n:07d}" if rng.random() < 0.8 else None
        email = None if phone else f"citizen{n}@example.org"
        identity = f"tel:{phone}" if phone else f"mail:{email}"
        key = hmac.new(secret, identity.encode(), hashlib.sha256).hexdigest()
        pool.append(
            (
                rng.choice(FIRST_NAMES),
                phone,
                email,
                key,
                rng.choice(LANGUAGES),
                rng.choice(CONTACT_LANGUAGES),
            )
        )
    slot_rows, rows = [], []
    seeder.attended: list[tuple] = []
    retention = timedelta(days=RETENTION_DAYS)
    for index in sorted(per_slot):
        session, start, capacity = slots[index]
        end = start + timedelta(minutes=session.slot_minutes)
        slot_id = len(slot_rows) + 1
        holding = 0
        in_slot: set[str] = set()
        for _n in range(per_slot[index]):
            if end <= now:
                status = rng.choices(
                    ["attended", "no_show", "cancelled", "cancelled_by_organiser"],
                    weights=[78, 9, 10, 3],
                )[0]
            elif start <= now:
                status = "booked"
            else:
                status = rng.choices(["booked", "cancelled"], weights=[92, 8])[0]
            holding += status in HOLDS
            citizen = rng.choice(pool)
            # One citizen, one place per slot, as booking holds (while citizens are left).
            while citizen[3] in in_slot and len(in_slot) < len(pool):
                citizen = rng.choice(pool)
            in_slot.add(citizen[3])
            first_name, phone, email, key, language, contact_language = citizen
            topic = rng.choice(TOPIC_CODES)
            channel = rng.choices(["online", "phone", "walk_in"], weights=[55, 35, 10])[0]
            created = min(
                start - timedelta(days=rng.randint(1, 21), minutes=rng.randint(0, 600)), now
            )
            erased = end + retention <= now
            coach_id = rng.choice(session.coaches) if status != "cancelled" else None
            aid = len(rows) + 1
            rows.append(
                (
                    aid,
                    session.id,
                    session.place.id,
                    slot_id,
                    start,
                    end,
                    reference(aid),
                    random_hex(rng),
                    status,
                    channel,
                    "" if erased else first_name,
                    None if erased else phone,
                    None if erased else email,
                    "",
                    "",
                    language,
                    contact_language,
                    topic,
                    key,
                    coach_id,
                    created,
                    created + timedelta(days=1) if status.startswith("cancelled") else None,
                    start + timedelta(minutes=rng.randint(-10, 5))
                    if status == "attended"
                    else None,
                    end + retention if erased else None,
                )
            )
            if status == "attended":
                seeder.attended.append((aid, session, start, end, key, language, topic, coach_id))
        slot_rows.append((slot_id, session.id, start, end, holding, capacity))
    w = seeder.writer
    w.write(
        Slot.__table__,
        ("id", "help_session_id", "start", "end", "taken", "capacity"),
        slot_rows,
    )
    w.write(
        Appointment.__table__,
        (
            "id",
            "help_session_id",
            "location_id",
            "slot_id",
            "start",
            "end",
            "reference",
            "manage_token_hash",
            "status",
            "channel",
            "first_name",
            "phone",
            "email",
            "note",
            "staff_note",
            "language",
            "contact_language",
            "topic",
            "citizen_key",
            "assigned_coach_id",
            "created_at",
            "cancelled_at",
            "checked_in_at",
            "contact_erased_at",
        ),
        rows,
    )


# -- help logs -----------------------------------------------------------------------------
