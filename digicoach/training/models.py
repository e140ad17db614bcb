"""Training: the curriculum of a programme, cohorts and their sessions, enrolments with a
waitlist, attendance, and certificates.

Capacity holds under concurrency (DESIGN §4): the cohort row is locked while an enrolment is
decided, the enrolled counter cannot pass the capacity (CHECK), a coach is in a cohort once
(UNIQUE) and waitlist positions are distinct within a cohort (UNIQUE).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Programme

cohort_municipality = Table(
    "cohort_municipality",
    db.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "municipality_id",
        ForeignKey("municipality.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

training_session_module = Table(
    "training_session_module",
    db.metadata,
    Column("session_id", ForeignKey("training_session.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "module_id",
        ForeignKey("training_module.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class TrainingModule(db.Model):
    """A curriculum item of a programme: required for the certificate, or optional."""

    __tablename__ = "training_module"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # Minutes, not fractional hours: exact on every engine (1.5 hours is 90).
    expected_minutes: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    programme: Mapped[Programme] = relationship()

    __table_args__ = (
        UniqueConstraint("programme_id", "title"),
        CheckConstraint("expected_minutes >= 0", name="expected_minutes_positive"),
    )

    @property
    def expected_hours(self) -> float:
        return self.expected_minutes / 60


class CertificationRule(db.Model):
    """A programme's own attendance threshold; without a row, CERTIFICATION_THRESHOLD_PERCENT."""

    __tablename__ = "certification_rule"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    threshold_percent: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (
        CheckConstraint("threshold_percent BETWEEN 1 AND 100", name="threshold_range"),
    )


class Cohort(db.Model):
    """An opleidingsgroep: one run of a programme's training, for one or more municipalities."""

    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    capacity: Mapped[int] = mapped_column(Integer)
    minimum: Mapped[int] = mapped_column(Integer, default=0)
    # Kept by the enrolment services under the cohort's row lock; the CHECK is the last line.
    enrolled_count: Mapped[int] = mapped_column(Integer, default=0)
    enrolment_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT"), index=True
    )
    online_link: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default="planned", index=True)
    # Set when coordinators were told about too few enrolments, so they are told once.
    low_enrolment_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    programme: Mapped[Programme] = relationship()
    trainer: Mapped[User | None] = relationship()
    location: Mapped[Location | None] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=cohort_municipality, order_by="Municipality.name"
    )
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="cohort",
        order_by="(TrainingSession.starts_at, TrainingSession.id)",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("minimum >= 0", name="minimum_positive"),
        CheckConstraint("enrolled_count >= 0", name="enrolled_not_negative"),
        CheckConstraint("enrolled_count <= capacity", name="enrolled_within_capacity"),
        CheckConstraint(
            "status IN ('planned', 'open', 'running', 'finished', 'cancelled')",
            name="status_known",
        ),
    )

    @property
    def municipality_ids(self) -> frozenset[int]:
        return frozenset(m.id for m in self.municipalities)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.enrolled_count, 0)

    @property
    def where(self) -> str:
        if self.location is not None:
            return f"{self.location.name}, {self.location.address}"
        return self.online_link


class TrainingSession(db.Model):
    """A lesmoment: one meeting of a cohort, covering one or more modules."""

    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # scheduled, held (attendance recorded) or cancelled.
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    # Self check-in: a short code the trainer shows; valid around the session (see rules).
    check_in_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Raised on every change, so calendar apps replace the copy they have (.ics SEQUENCE).
    revision: Mapped[int] = mapped_column(Integer, default=0)

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")
    modules: Mapped[list[TrainingModule]] = relationship(
        secondary=training_session_module, order_by="(TrainingModule.position, TrainingModule.id)"
    )

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period_order"),
        CheckConstraint("status IN ('scheduled', 'held', 'cancelled')", name="status_known"),
        Index("ix_training_session_starts_at", "starts_at"),
    )

    @property
    def module_ids(self) -> frozenset[int]:
        return frozenset(m.id for m in self.modules)


class Enrolment(db.Model):
    """A coach in a cohort: enrolled, waitlisted (with a position), withdrawn or completed."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    # 1..n among the waitlisted of a cohort, distinct and without gaps; None otherwise.
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship()
    coach: Mapped[Coach] = relationship()

    __table_args__ = (
        UniqueConstraint("coach_id", "cohort_id"),
        UniqueConstraint("cohort_id", "waitlist_position"),
        CheckConstraint(
            "status IN ('enrolled', 'waitlisted', 'withdrawn', 'completed')", name="status_known"
        ),
        CheckConstraint(
            "(status = 'waitlisted' AND waitlist_position >= 1) "
            "OR (status <> 'waitlisted' AND waitlist_position IS NULL)",
            name="position_only_when_waitlisted",
        ),
    )


class Attendance(db.Model):
    """A coach's presence at one training session."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True
    )
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), index=True)
    mark: Mapped[str] = mapped_column(String(10))
    self_checked_in: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("session_id", "coach_id"),
        CheckConstraint("mark IN ('present', 'excused', 'absent')", name="mark_known"),
    )


class Certification(db.Model):
    """An attest: one per coach and programme, with a public verification code."""

    __tablename__ = "certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="RESTRICT"), index=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="RESTRICT"), index=True
    )
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"))
    # DC-2026-000123: set right after the row has its id, in the same transaction.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Printed on the certificate; anyone holding it may check it at /verify/<code>.
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    coach: Mapped[Coach] = relationship()
    programme: Mapped[Programme] = relationship()
    cohort: Mapped[Cohort | None] = relationship()

    __table_args__ = (UniqueConstraint("coach_id", "programme_id"),)


__all__ = [
    "Attendance",
    "Certification",
    "CertificationRule",
    "Cohort",
    "Enrolment",
    "TrainingModule",
    "TrainingSession",
    "cohort_municipality",
    "training_session_module",
]
