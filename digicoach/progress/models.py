"""Nightly snapshots of the figures per programme and municipality, for the trend lines.

Today's figures are always computed live; snapshots keep what cannot be recomputed later
(how many coaches were active or in training on a past day). One row per programme, scope
and day: `scope` is "all" for the programme as a whole or the municipality id as text, so the
unique constraint holds on every engine (a NULL would not be unique).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
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


class FigureValues:
    """The summed values a rollup row holds (`progress.queries.rollups.VALUE_COLUMNS`)."""

    logs: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    walk_in_first: Mapped[int] = mapped_column(Integer, default=0)
    did_it_themselves: Mapped[int] = mapped_column(Integer, default=0)
    follow_up: Mapped[int] = mapped_column(Integer, default=0)
    sessions_held: Mapped[int] = mapped_column(Integer, default=0)
    sessions_staffed: Mapped[int] = mapped_column(Integer, default=0)
    # kind "appointment": appointments of that day that came (attended) or not (no-show).
    no_shows: Mapped[int] = mapped_column(Integer, default=0)
    appointments_closed: Mapped[int] = mapped_column(Integer, default=0)


class DayFigure(FigureValues, db.Model):
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

    __table_args__ = (Index("ix_progress_day_figure_kind_day", "kind", "day"),)


class ProgrammeTotal(FigureValues, db.Model):
    """The daily rollups of a programme's municipalities summed from its first day up to
    `KeyRollupState.rolled_until` (not included), per kind and key: a whole-programme figure
    reads a few rows here instead of a row per municipality and day. `kind` is a kind of
    `DayFigure`, or "municipality" (key: its id) or "day" (key: the ISO day) for the help
    rows grouped that way. Valid while `KeyRollupState` matches the selection."""

    __tablename__ = "progress_programme_total"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(30), primary_key=True)


class RollupState(db.Model):
    """How far a municipality's daily rollups go: every day before `rolled_until` is rolled up
    and exact. A write for an earlier day moves it back (`progress.queries.touching`); the nightly
    job rolls the days from there up again."""

    __tablename__ = "progress_rollup_state"

    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    rolled_until: Mapped[date] = mapped_column(Date)
    # The latest end of a session (not cancelled) that started before `rolled_until`, as of
    # the last roll-up: the rolled-up sessions cannot still be running after it (a later
    # write to such a session moves `rolled_until` back before it).
    sessions_end_by: Mapped[datetime | None] = mapped_column(UTCDateTime)


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
    """How far a programme's key first days and totals are rolled up, and for which first day
    and municipalities (a digest of their ids): another start or membership makes them void."""

    __tablename__ = "progress_key_rollup_state"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    rolled_until: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date)
    municipalities: Mapped[str] = mapped_column(String(64))
    # How far `ProgrammeTotal` goes (None: no totals, a municipality was not rolled up).
    totals_until: Mapped[date | None] = mapped_column(Date)


class CoachRollup(db.Model):
    """Per coach, what the coach funnel and the active coaches need, so those figures read one
    row per coach instead of the status history, the certificates, the shifts and the help
    logs (see `progress.queries.coach_rollups`). The milestones are exact at all times (kept
    on every ORM write, one row per coach); the last activity covers the days before
    `CoachRollupState.rolled_until` (today after the nightly job), later days are counted live."""

    __tablename__ = "progress_coach_rollup"

    coach_id: Mapped[int] = mapped_column(
        ForeignKey("coach.id", ondelete="CASCADE"), primary_key=True
    )
    # The coach's own, copied so the figures read this table alone.
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    in_training: Mapped[bool] = mapped_column(Boolean, default=False)
    # The first change to approved or a later status.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The later of the first certified (or later) status and the first certificate, and its
    # local day (for the burn-up).
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certified_on: Mapped[date | None] = mapped_column(Date)
    # The coach's last help log and last shift (start of the session) before the rolled day.
    last_logged_on: Mapped[date | None] = mapped_column(Date)
    last_shift_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CoachRollupState(db.Model):
    """How far the coaches' last activity is rolled up: one row (id 1) once the nightly job
    ran; without it the coach figures are counted live."""

    __tablename__ = "progress_coach_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    rolled_until: Mapped[date] = mapped_column(Date)


__all__ = [
    "ALL",
    "SNAPSHOT_FIGURES",
    "CoachRollup",
    "CoachRollupState",
    "DayFigure",
    "KeyFirstDay",
    "KeyRollupState",
    "ProgrammeTotal",
    "ProgressSnapshot",
    "RollupState",
]
