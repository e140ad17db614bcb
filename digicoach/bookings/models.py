"""Appointments, the slots they take a place in, and walk-ins at the front desk.

Nothing is double-booked (DESIGN §4): an appointment takes a place in its `Slot` row with a
conditional counter update (`core.db.take_place` on `taken`), and `CHECK (taken <= capacity)`
stands behind it. A slot row exists once per (help session, start): it is created lazily
with an INSERT that tolerates the unique conflict. A per-form idempotency key (UNIQUE) makes a
double submit book once.

Only the SHA-256 of the manage token is kept. After the retention period the contact data
(first name, phone, e-mail, notes) is erased; the citizen key and the statistics remain.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from digicoach.places.models import Location


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    CANCELLED_BY_ORGANISER = "cancelled_by_organiser"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


STATUS_LABELS = {
    AppointmentStatus.BOOKED: _l("Booked"),
    AppointmentStatus.CANCELLED: _l("Cancelled"),
    AppointmentStatus.CANCELLED_BY_ORGANISER: _l("Cancelled by the organiser"),
    AppointmentStatus.ATTENDED: _l("Checked in"),
    AppointmentStatus.NO_SHOW: _l("Did not come"),
}

# Statuses that hold a place in the slot (cancelling gives the place back).
HOLDS_PLACE = frozenset(
    {AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW}
)


class BookingChannel(StrEnum):
    ONLINE = "online"
    PHONE = "phone"
    WALK_IN = "walk_in"


class Slot(db.Model):
    """The places of one appointment slot of a help session."""

    __tablename__ = "booking_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    help_session_id: Mapped[int] = mapped_column(
        ForeignKey("help_session.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    # Moved only by conditional updates (core.db.take_place / release_place).
    taken: Mapped[int] = mapped_column(SmallInteger, default=0)
    # Refreshed from the session's coaches at every booking, under the row lock.
    capacity: Mapped[int] = mapped_column(SmallInteger, default=0)

    __table_args__ = (
        UniqueConstraint("help_session_id", "start"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
        CheckConstraint("taken <= capacity", name="taken_within_capacity"),
    )


class Appointment(db.Model):
    """An afspraak: a citizen's place in one slot of a help session."""

    __tablename__ = "appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    help_session_id: Mapped[int] = mapped_column(
        ForeignKey("help_session.id", ondelete="RESTRICT"), index=True
    )
    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT"), index=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("booking_slot.id", ondelete="RESTRICT"))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    # Short and human: "K7M-4QX" (rules.new_reference).
    reference: Mapped[str] = mapped_column(String(7), unique=True)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the form's one-time token: a double submit finds the first booking.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(24), default=AppointmentStatus.BOOKED, index=True)
    channel: Mapped[str] = mapped_column(String(10), default=BookingChannel.ONLINE)
    # Contact data, erased after the retention period (contact_erased_at).
    first_name: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str] = mapped_column(Text, default="")
    staff_note: Mapped[str] = mapped_column(Text, default="")
    # The language the citizen wants help in (core.vocabulary.SPOKEN_LANGUAGES) ...
    language: Mapped[str] = mapped_column(String(8))
    # ... and the one we write to them in (nl, fr or en).
    contact_language: Mapped[str] = mapped_column(String(5), default="nl")
    topic: Mapped[str] = mapped_column(String(30))
    # HMAC of the phone or e-mail (core.citizens.citizen_key); kept after erasure.
    citizen_key: Mapped[str | None] = mapped_column(String(64), index=True)
    assigned_coach_id: Mapped[int | None] = mapped_column(
        ForeignKey("coach.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The front desk called a citizen whose appointment the organiser cancelled.
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[HelpSession] = relationship(lazy="joined", innerjoin=True)
    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)
    assigned_coach: Mapped[Coach | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "status IN ('booked', 'cancelled', 'cancelled_by_organiser', 'attended', 'no_show')",
            name="status_known",
        ),
        CheckConstraint("channel IN ('online', 'phone', 'walk_in')", name="channel_known"),
        CheckConstraint('"end" > start', name="period_order"),
        Index("ix_appointment_location_start", "location_id", "start"),
        Index("ix_appointment_session_start", "help_session_id", "start"),
        # The second line behind the service's check: one citizen, one place per slot.
        Index(
            "uq_appointment_citizen_slot",
            "slot_id",
            "citizen_key",
            unique=True,
            sqlite_where=text("status = 'booked' AND citizen_key IS NOT NULL"),
            postgresql_where=text("status = 'booked' AND citizen_key IS NOT NULL"),
        ),
    )

    @property
    def is_active(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[AppointmentStatus(self.status)])


class WalkInStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    HELPED = "helped"
    LEFT = "left"


class WalkIn(db.Model):
    """A citizen who came without an appointment: a queue number per location per day.

    Waiting until a coach or the desk calls them (`called_at`, by whom, to which `station`);
    then helped (`helped_at`) or left without help (`left_at`). No name, no contact.
    """

    __tablename__ = "walk_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Whether the citizen says this is their first time at a digipunt (None: not asked).
    first_visit: Mapped[bool | None] = mapped_column()
    status: Mapped[str] = mapped_column(
        String(8), default=WalkInStatus.WAITING, server_default=WalkInStatus.WAITING
    )
    # Moved from NULL only by a conditional update: two callers never get the same citizen.
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Where the citizen goes when called: "tafel 2" (shown on the waiting display).
    station: Mapped[str] = mapped_column(String(20), default="", server_default="")
    helped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("location_id", "day", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("status IN ('waiting', 'called', 'helped', 'left')", name="status_known"),
        Index("ix_walk_in_location_day_status", "location_id", "day", "status"),
    )


__all__ = [
    "HOLDS_PLACE",
    "Appointment",
    "AppointmentStatus",
    "BookingChannel",
    "Slot",
    "WalkIn",
    "WalkInStatus",
]
