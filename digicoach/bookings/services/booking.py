"""Booking a place: online, by phone at the desk, through the API.

Capacity (DESIGN §4): the slot row is created lazily (INSERT ... ON CONFLICT DO NOTHING), its
capacity is refreshed from the session's coaches under the row lock, and a place is taken with
the conditional update of `core.db.take_place`; of many concurrent bookings for the last place
exactly one moves the counter. `CHECK (taken <= capacity)` and the unique idempotency key
stand behind it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, select, text
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.bookings import free_places, permissions, queries, rules
from digicoach.bookings.models import (
    Appointment,
    AppointmentStatus,
    BookingChannel,
    Slot,
)
from digicoach.bookings.services.common import (
    Booking,
    BookingInput,
    SlotFull,
    TooManyAppointments,
    _already_booked,
    manage_token_for,
    message_language,
    new_token,
)
from digicoach.bookings.services.notices import notify
from digicoach.bookings.services.validation import _validate
from digicoach.core import audit
from digicoach.core.citizens import citizen_key
from digicoach.core.db import UTCDateTime, insert_for_dialect, serialize_on
from digicoach.core.errors import ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession


def ensure_slot(session: HelpSession, start: datetime) -> int:
    """The id of the slot row of (session, start), created if it did not exist yet.

    One statement: an upsert whose update changes nothing, so the row's id comes back whether
    it was inserted now or before (a plain DO NOTHING returns no row for an existing one)."""
    end = start + timedelta(minutes=session.slot_minutes)
    statement = insert_for_dialect(Slot.__table__).values(
        help_session_id=session.id, start=start, end=end, taken=0, capacity=0
    )
    return db.session.scalar(
        statement.on_conflict_do_update(
            index_elements=["help_session_id", "start"],
            set_={"start": statement.excluded.start},
        ).returning(Slot.__table__.c.id)
    )


# Takes one place of the slot (session, start), making the slot row when it is the first
# booking: ON CONFLICT takes the existing row's lock and re-checks the condition on its latest
# version, so of many concurrent bookings for the last place exactly one gets the id back. The
# capacity of the coaches on shift now is stored in the same statement. A text statement,
# because SQLAlchemy 2.0 compiles a dialect INSERT ... ON CONFLICT anew at every execution
# (it has no cache key); this one is compiled once. The syntax is PostgreSQL's and SQLite's.
_TAKE_SLOT_PLACE = text(
    'INSERT INTO booking_slot (help_session_id, start, "end", taken, capacity) '
    "VALUES (:session_id, :start, :end, 1, :capacity) "
    "ON CONFLICT (help_session_id, start) DO UPDATE "
    "SET taken = booking_slot.taken + 1, capacity = excluded.capacity "
    "WHERE booking_slot.taken < excluded.capacity "
    "RETURNING booking_slot.id"
).bindparams(
    bindparam("session_id", type_=Integer()),
    bindparam("start", type_=UTCDateTime()),
    bindparam("end", type_=UTCDateTime()),
    bindparam("capacity", type_=Integer()),
)


def take_slot_place(session: HelpSession, start: datetime, *, capacity: int | None = None) -> int:
    """Take one place in the slot, race-free; returns the slot id. Raises SlotFull.

    One statement makes the slot row if needed, takes the place and stores the capacity of the
    coaches on shift now (`capacity`, or counted here), so a capacity that fell below the
    places taken lets nobody more in."""
    if capacity is None:
        capacity = queries.session_capacity(session)
    slot_id = None
    if capacity > 0:
        slot_id = db.session.scalar(
            _TAKE_SLOT_PLACE,
            {
                "session_id": session.id,
                "start": start,
                "end": start + timedelta(minutes=session.slot_minutes),
                "capacity": capacity,
            },
        )
    if slot_id is None:
        raise SlotFull(_("Sorry, this time is fully booked now. Choose another time."))
    free_places.changed(session.location_id)
    return slot_id


# A new reference that another appointment holds already (one in hundreds of millions) fails
# the unique index; the booking then tries again with another, this many times in all.
REFERENCE_TRIES = 3


def _reference_taken(reference: str) -> bool:
    return (
        db.session.scalar(select(Appointment.id).where(Appointment.reference == reference))
        is not None
    )


def _assign_coach(session: HelpSession, *, language: str, topic: str) -> int | None:
    return rules.pick_coach(queries.coach_candidates(session), language=language, topic=topic)


def book(*, actor: User | None, data: BookingInput, now: datetime) -> Booking:
    """Book a place in a slot for a citizen; tell them by SMS and/or e-mail.

    Online (actor None or anyone): needs a phone or an e-mail and consent, closes
    BOOKING_CLOSES_HOURS_BEFORE hours before the slot. By phone at the desk (channel
    "phone"): the actor must work at the location; with `no_phone` the citizen gives no phone,
    and then the staff note must say how to reach them (or what to tell them).
    A citizen holds at most BOOKING_MAX_ACTIVE_PER_CONTACT coming appointments.

    Raises ValidationFailed (per field), SlotFull, TooManyAppointments, PermissionDenied.
    A repeated submission of the same form token returns the first booking (`replayed`). The
    manage token is always made here: random, or derived from the form token with
    `manage_token_for` (never the form token itself), whichever door the booking came from.
    """
    if data.token is not None:
        if not queries.well_formed_token(data.token):
            raise ValidationFailed({"token": [_("Start again, please.")]})
        existing = queries.appointment_by_idempotency(data.token)
        if existing is not None:
            return Booking(existing, manage_token_for(data.token), replayed=True)
    clean = _validate(data, now=now)
    staff = data.channel != BookingChannel.ONLINE
    if staff:
        ensure(
            actor is not None and permissions.can_work_at_location(actor, clean.session.location)
        )
    key = citizen_key(phone_e164=clean.phone, email=clean.email)
    limit = int(current_app.config["BOOKING_MAX_ACTIVE_PER_CONTACT"])
    if key:
        # The limit is counted, then written: one booking per citizen at a time, or parallel
        # requests would all count the same number and all book.
        serialize_on("citizen", key)
    if key:
        # One statement for both checks: the coming appointments and this slot's.
        active, holds_this_slot = queries.citizen_bookings(
            key, clean.session.id, clean.start, now=now
        )
        if rules.over_active_limit(active, limit):
            raise TooManyAppointments(
                _(
                    "You already have %(count)d appointments planned. Cancel one first, or "
                    "call us.",
                    count=limit,
                )
            )
        if holds_this_slot:
            raise _already_booked()
    token = manage_token_for(data.token) if data.token else new_token()
    language = message_language(data.contact_language)
    # The reference is not looked up first (a statement per booking): the unique index refuses
    # one that is taken, and the savepoint lets the booking try again with another.
    for attempt in range(REFERENCE_TRIES):
        reference = rules.new_reference()
        try:
            with db.session.begin_nested():
                # The coaches on shift give both the capacity and the coach to assign.
                coaches = queries.coach_candidates(clean.session)
                slot_id = take_slot_place(
                    clean.session,
                    clean.start,
                    capacity=rules.slot_capacity(
                        clean.session.mode, len(coaches), clean.session.citizens_per_slot
                    ),
                )
                appointment = Appointment(
                    help_session_id=clean.session.id,
                    location_id=clean.session.location_id,
                    slot_id=slot_id,
                    start=clean.start,
                    end=clean.start + timedelta(minutes=clean.session.slot_minutes),
                    reference=reference,
                    manage_token_hash=queries.hash_token(token),
                    idempotency_key=queries.idempotency_hash(data.token) if data.token else None,
                    status=AppointmentStatus.BOOKED,
                    channel=data.channel,
                    first_name=clean.first_name,
                    phone=clean.phone,
                    email=clean.email,
                    note=clean.note,
                    staff_note=clean.staff_note,
                    language=clean.language,
                    contact_language=language,
                    topic=clean.topic,
                    citizen_key=key,
                    assigned_coach_id=rules.pick_coach(
                        coaches, language=clean.language, topic=clean.topic
                    ),
                    created_at=now,
                    created_by_id=actor.id if actor is not None and staff else None,
                )
                db.session.add(appointment)
                db.session.flush()
        except IntegrityError:
            # The same form submitted twice at the same moment, or the same citizen booking the
            # same slot in two requests: the other submission won.
            existing = queries.appointment_by_idempotency(data.token) if data.token else None
            if existing is not None:
                return Booking(existing, token, replayed=True)
            if key and queries.holds_place_at(key, clean.session.id, clean.start):
                raise _already_booked() from None
            if attempt + 1 < REFERENCE_TRIES and _reference_taken(reference):
                continue  # the place was given back with the savepoint; take it again
            raise
        break
    audit.record(
        actor if staff else None,
        "bookings.appointment.book",
        appointment,
        ["first_name", "phone", "email", "note", "topic", "language", "start"],
    )
    notify(appointment, "booked", manage_token=token)
    return Booking(appointment, token)
