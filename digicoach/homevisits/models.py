"""A home visit: a help session in mode "at home" plus who is visited, where, and what to know.

The help session (helpdesk) carries the time, the organising digipunt and the coaches' shifts,
so the staffing board, "find a shift", the shift rules and the help log treat a visit like any
other session. This row holds the citizen's details; they are erased HOME_VISIT_RETENTION_DAYS
after the visit (retention.py), the session and the figures stay.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.accounts.models import User
from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession


class HomeVisit(db.Model):
    __tablename__ = "home_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    help_session_id: Mapped[int] = mapped_column(
        ForeignKey("help_session.id", ondelete="CASCADE"), unique=True
    )
    # Contact and address, erased after the retention period (address_erased_at).
    first_name: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    street: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(8))
    # HMAC of the phone (core.citizens.citizen_key); kept after erasure for the figures.
    citizen_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # A staff member who goes along as the second person (then one coach is enough).
    companion_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # SHA-256 of the form's one-time token: a double submit finds the first booking.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    address_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[HelpSession] = relationship(lazy="joined", innerjoin=True)
    companion: Mapped[User | None] = relationship(foreign_keys=[companion_id])


__all__ = ["HomeVisit"]
