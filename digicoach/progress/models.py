"""Nightly snapshots of the figures per programme and municipality, for the trend lines.

Today's figures are always computed live; snapshots keep what cannot be recomputed later
(how many coaches were active or in training on a past day). One row per programme, scope
and day: `scope` is "all" for the programme as a whole or the municipality id as text, so the
unique constraint holds on every engine (a NULL would not be unique).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
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


class DayFigure(db.Model):
    """Daily rollup of the additive help and session figures (see `progress.rollups`): one row
    per municipality, local day, kind and key. `kind` is "help" (key ""), "topic", "language"
    or "neighbourhood" (the key is the code or the id as text, "" for none) for help logs of
    that day, or "session" (key "") for the sessions that started that day (with the contacts
    logged against them in `contacts`)."""

    __tablename__ = "progress_day_figure"

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(30), primary_key=True)
    logs: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    walk_in_first: Mapped[int] = mapped_column(Integer, default=0)
    did_it_themselves: Mapped[int] = mapped_column(Integer, default=0)
    follow_up: Mapped[int] = mapped_column(Integer, default=0)
    sessions_held: Mapped[int] = mapped_column(Integer, default=0)
    sessions_staffed: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_progress_day_figure_kind_day", "kind", "day"),)


class RollupState(db.Model):
    """How far a municipality's daily rollups go: every day before `rolled_until` is rolled up
    and exact. A write for an earlier day moves it back (`progress.rollups.touch`); the nightly
    job rolls the days from there up again."""

    __tablename__ = "progress_rollup_state"

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    rolled_until: Mapped[date] = mapped_column(Date)


class KeyFirstDay(db.Model):
    """Daily rollup of the citizen keys seen for the first time in a whole programme (its
    municipalities from its first day): distinct citizens are not additive over days or
    municipalities, first sightings are over days. Valid while `KeyRollupState` matches."""

    __tablename__ = "progress_key_first_day"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    new_keys: Mapped[int] = mapped_column(Integer, default=0)


class KeyRollupState(db.Model):
    """How far a programme's key first days are rolled up, and for which first day and
    municipalities (a digest of their ids): another start or membership makes them void."""

    __tablename__ = "progress_key_rollup_state"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    rolled_until: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    municipalities: Mapped[str] = mapped_column(String(64))


__all__ = [
    "ALL",
    "SNAPSHOT_FIGURES",
    "DayFigure",
    "KeyFirstDay",
    "KeyRollupState",
    "ProgressSnapshot",
    "RollupState",
]
