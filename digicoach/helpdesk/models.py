"""Help sessions (spreekuren) at a digipunt, their recurring series, the coaches' shifts and
the coaches' private calendar feeds.

Capacity holds under concurrency (DESIGN §4): a shift takes a coach place with a conditional
counter update (`core.db.take_place` on `coaches_taken`), the CHECK keeps the counter within
`coaches_max`, and a coach is on a session once (UNIQUE (coach, session)). Shadows (coaches in
training beside a mentor) do not take a place.

The booking feature builds on HelpSession: the mode says whether citizens book, the slot
length and citizens per slot say how many appointments fit.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.places.models import Location


class SessionMode(StrEnum):
    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"
    HYBRID = "hybrid"
    # A home visit (digicoach.homevisits): booked by staff only, never offered to citizens.
    AT_HOME = "at_home"


MODE_LABELS = {
    SessionMode.WALK_IN: _l("Walk-in"),
    SessionMode.APPOINTMENT: _l("By appointment"),
    SessionMode.HYBRID: _l("Walk-in and by appointment"),
    SessionMode.AT_HOME: _l("Help at home"),
}

# The modes a coordinator plans on the helpdesk pages; home visits are booked on their own.
PLANNED_MODES = (SessionMode.WALK_IN, SessionMode.APPOINTMENT, SessionMode.HYBRID)


class SessionStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


class ShiftStatus(StrEnum):
    SIGNED_UP = "signed_up"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


class HelpSeries(db.Model):
    """How a recurring series was planned: every week or every two weeks on some weekdays,
    until a day or for a number of sessions. Its sessions keep `series_id`, so "this and all
    following" can find them; each session is a full row and may differ from the rule."""

    __tablename__ = "help_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT"), index=True
    )
    # ISO weekdays, comma-separated ("2,4" is Tuesday and Thursday).
    weekdays: Mapped[str] = mapped_column(String(20))
    every_weeks: Mapped[int] = mapped_column(SmallInteger, default=1)
    first_day: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("every_weeks IN (1, 2)", name="every_weeks_known"),
        CheckConstraint("until IS NOT NULL OR count IS NOT NULL", name="has_end"),
    )


class HelpSession(db.Model):
    """A spreekuur: coaches help citizens at a digipunt between a start and an end."""

    __tablename__ = "help_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT"), index=True
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_series.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Indexed for the progress rollups' correction for sessions not ended yet.
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    mode: Mapped[str] = mapped_column(String(12), default=SessionMode.WALK_IN)
    # Appointments: the session is cut into slots of this many minutes, each for this many
    # citizens. Kept for walk-in sessions too, so switching the mode keeps the values.
    slot_minutes: Mapped[int] = mapped_column(SmallInteger, default=30)
    citizens_per_slot: Mapped[int] = mapped_column(SmallInteger, default=1)
    coaches_min: Mapped[int] = mapped_column(SmallInteger, default=1)
    coaches_max: Mapped[int] = mapped_column(SmallInteger, default=2)
    # Non-shadow coaches signed up; moved only by conditional updates (core.db.take_place).
    coaches_taken: Mapped[int] = mapped_column(SmallInteger, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=SessionStatus.PLANNED)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Raised on every change, so calendar apps replace the copy they have (.ics SEQUENCE).
    revision: Mapped[int] = mapped_column(Integer, default=0)

    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)
    series: Mapped[HelpSeries | None] = relationship()
    topic_rows: Mapped[list[HelpSessionTopic]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="HelpSessionTopic.code"
    )
    language_rows: Mapped[list[HelpSessionLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="HelpSessionLanguage.code"
    )
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="session", order_by="(Shift.signed_up_at, Shift.id)"
    )

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period_order"),
        CheckConstraint(
            "mode IN ('walk_in', 'appointment', 'hybrid', 'at_home')", name="mode_known"
        ),
        CheckConstraint("status IN ('planned', 'cancelled')", name="status_known"),
        CheckConstraint("slot_minutes > 0", name="slot_positive"),
        CheckConstraint("citizens_per_slot >= 1", name="citizens_positive"),
        CheckConstraint("coaches_min >= 1", name="coaches_min_positive"),
        CheckConstraint("coaches_max >= coaches_min", name="coaches_range"),
        CheckConstraint("coaches_taken >= 0", name="coaches_taken_not_negative"),
        CheckConstraint("coaches_taken <= coaches_max", name="coaches_within_max"),
        Index("ix_help_session_starts_at", "starts_at"),
        Index("ix_help_session_location_start", "location_id", "starts_at"),
    )

    @property
    def topics(self) -> list[str]:
        return [row.code for row in self.topic_rows]

    @property
    def languages(self) -> list[str]:
        return [row.code for row in self.language_rows]

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def takes_appointments(self) -> bool:
        return self.mode in (SessionMode.APPOINTMENT, SessionMode.HYBRID)

    @property
    def is_home_visit(self) -> bool:
        return self.mode == SessionMode.AT_HOME

    @property
    def mode_label(self) -> str:
        return str(MODE_LABELS[SessionMode(self.mode)])


class HelpSessionTopic(db.Model):
    __tablename__ = "help_session_topic"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("help_session.id", ondelete="CASCADE"), primary_key=True
    )
    # A code from core.vocabulary.TOPICS.
    code: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class HelpSessionLanguage(db.Model):
    __tablename__ = "help_session_language"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("help_session.id", ondelete="CASCADE"), primary_key=True
    )
    # A code from core.vocabulary.SPOKEN_LANGUAGES.
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class Shift(db.Model):
    """A coach on a help session. A coach in training joins as a shadow beside a mentor.

    A cancelled shift keeps its row (the UNIQUE (coach, session) pair): signing up again
    revives it.
    """

    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("help_session.id", ondelete="CASCADE"), index=True
    )
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ShiftStatus.SIGNED_UP)
    as_shadow: Mapped[bool] = mapped_column(Boolean, default=False)
    # The certified coach a shadow learns from (on the same session).
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("coach.id", ondelete="SET NULL"))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    signed_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    session: Mapped[HelpSession] = relationship(back_populates="shifts")
    coach: Mapped[Coach] = relationship(foreign_keys=[coach_id])
    mentor: Mapped[Coach | None] = relationship(foreign_keys=[mentor_id])
    signed_up_by: Mapped[User | None] = relationship(foreign_keys=[signed_up_by_id])

    __table_args__ = (
        UniqueConstraint("coach_id", "session_id"),
        CheckConstraint("status IN ('signed_up', 'cancelled', 'attended')", name="status_known"),
        CheckConstraint("NOT as_shadow OR mentor_id IS NOT NULL", name="shadow_has_mentor"),
    )

    @property
    def is_active(self) -> bool:
        return self.status == ShiftStatus.SIGNED_UP


class CalendarFeed(db.Model):
    """A coach's secret calendar address. Only the SHA-256 of its token is kept; a new
    address replaces the old one, and revoking deletes the row, so the old URL answers 404."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


__all__ = [
    "PLANNED_MODES",
    "CalendarFeed",
    "HelpSeries",
    "HelpSession",
    "HelpSessionLanguage",
    "HelpSessionTopic",
    "SessionMode",
    "SessionStatus",
    "Shift",
    "ShiftStatus",
]
