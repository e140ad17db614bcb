"""A programme's own reminder lead times and switches.

A programme without a row uses the app-wide defaults (config.py, REMINDER_*). Which
programme's settings apply to an event is decided in rules.governing_programme.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db


class ReminderSettings(db.Model):
    __tablename__ = "reminder_settings"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    # "N days before" is the same local wall-clock time N days earlier (rules.days_before).
    citizen_days_before: Mapped[int] = mapped_column(SmallInteger)
    same_morning_sms: Mapped[bool] = mapped_column()
    same_morning_at: Mapped[time] = mapped_column(Time)
    shift_days_before: Mapped[int] = mapped_column(SmallInteger)
    training_days_before: Mapped[int] = mapped_column(SmallInteger)
    # Days before a help session with too few coaches, longest first, as "7,2": a plain string
    # reads the same on SQLite and PostgreSQL (rules.parse_alert_days reads it back).
    understaffed_alert_days: Mapped[str] = mapped_column(String(20))
    help_log_nudge: Mapped[bool] = mapped_column()
    help_log_nudge_at: Mapped[time] = mapped_column(Time)
    weekly_digest: Mapped[bool] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        CheckConstraint("citizen_days_before BETWEEN 1 AND 7", name="citizen_days_range"),
        CheckConstraint("shift_days_before BETWEEN 1 AND 14", name="shift_days_range"),
        CheckConstraint("training_days_before BETWEEN 1 AND 14", name="training_days_range"),
    )


class PlanningFailure(db.Model):
    """A kind of reminder whose last planning failed (services.run): shown on the outbox page
    until a run plans that kind again. One row per kind; no message content, only the error's
    class (an error's text may quote a recipient)."""

    __tablename__ = "reminder_planning_failure"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(String(120))
