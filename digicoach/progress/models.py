"""Nightly snapshots of the figures per programme and municipality, for the trend lines.

Today's figures are always computed live; snapshots keep what cannot be recomputed later
(how many coaches were active or in training on a past day). One row per programme, scope
and day: `scope` is "all" for the programme as a whole or the municipality id as text, so the
unique constraint holds on every engine (a NULL would not be unique).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db

ALL = "all"


class ProgressSnapshot(db.Model):
    __tablename__ = "progress_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(12))
    # The local day the snapshot was taken (at night: it holds the figures up to that moment).
    taken_on: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    coaches_applied: Mapped[int] = mapped_column(Integer, default=0)
    coaches_approved: Mapped[int] = mapped_column(Integer, default=0)
    coaches_in_training: Mapped[int] = mapped_column(Integer, default=0)
    coaches_certified: Mapped[int] = mapped_column(Integer, default=0)
    coaches_active: Mapped[int] = mapped_column(Integer, default=0)
    citizens_supported: Mapped[int] = mapped_column(Integer, default=0)
    help_contacts: Mapped[int] = mapped_column(Integer, default=0)
    help_minutes: Mapped[int] = mapped_column(Integer, default=0)
    sessions_held: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("programme_id", "scope", "taken_on"),)


SNAPSHOT_FIGURES = (
    "coaches_applied",
    "coaches_approved",
    "coaches_in_training",
    "coaches_certified",
    "coaches_active",
    "citizens_supported",
    "help_contacts",
    "help_minutes",
    "sessions_held",
)

__all__ = ["ALL", "SNAPSHOT_FIGURES", "ProgressSnapshot"]
