"""A digicoach: the volunteer behind a User, their profile, screening facts and pipeline history.

Screening keeps only facts (what was checked, on which day, by whom). We never store a copy or
the number of an identity card or of a certificate of good conduct: we do not need them, and
what we do not hold cannot leak.
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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.accounts.models import User
from digicoach.content.models import PageVersion
from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Neighbourhood


class CoachStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_TRAINING = "in_training"
    CERTIFIED = "certified"
    ACTIVE = "active"
    DORMANT = "dormant"
    LEFT = "left"


STATUS_LABELS = {
    CoachStatus.APPLIED: _l("Applied"),
    CoachStatus.APPROVED: _l("Approved"),
    CoachStatus.REJECTED: _l("Declined"),
    CoachStatus.IN_TRAINING: _l("In training"),
    CoachStatus.CERTIFIED: _l("Certified"),
    CoachStatus.ACTIVE: _l("Active"),
    CoachStatus.DORMANT: _l("Dormant"),
    CoachStatus.LEFT: _l("Left"),
}


class HeardFrom(StrEnum):
    FRIEND = "friend"
    MUNICIPALITY = "municipality"
    LIBRARY = "library"
    ORGANISATION = "organisation"
    SOCIAL_MEDIA = "social_media"
    PRESS = "press"
    OTHER = "other"


HEARD_FROM_LABELS = {
    HeardFrom.FRIEND: _l("A friend or family member"),
    HeardFrom.MUNICIPALITY: _l("The municipality (website, magazine, town hall)"),
    HeardFrom.LIBRARY: _l("The library"),
    HeardFrom.ORGANISATION: _l("A social organisation or volunteer centre"),
    HeardFrom.SOCIAL_MEDIA: _l("Social media"),
    HeardFrom.PRESS: _l("Newspaper, radio or TV"),
    HeardFrom.OTHER: _l("Another way"),
}


class ScreeningItem(StrEnum):
    INTAKE_HELD = "intake_held"
    IDENTITY_SEEN = "identity_seen"
    # Uittreksel uit het strafregister, model 2 (work with vulnerable people): seen, not kept.
    GOOD_CONDUCT_SEEN = "good_conduct_seen"


SCREENING_LABELS = {
    ScreeningItem.INTAKE_HELD: _l("Intake conversation held"),
    ScreeningItem.IDENTITY_SEEN: _l("Identity document seen"),
    ScreeningItem.GOOD_CONDUCT_SEEN: _l("Certificate of good conduct (model 2) seen"),
}


class Coach(db.Model):
    __tablename__ = "coach"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), unique=True)
    # The municipality the coach volunteers in; it decides which coordinators see them.
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=CoachStatus.APPLIED, index=True)
    # The user's `name` is "first last" for everyone else; the parts are kept for sorting and
    # for the profile form.
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    # E.164 (+32470123456), or None after erasure.
    phone: Mapped[str | None] = mapped_column(String(20))
    motivation: Mapped[str] = mapped_column(Text, default="")
    heard_from: Mapped[str | None] = mapped_column(String(20))
    heard_from_other: Mapped[str] = mapped_column(String(200), default="")
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    # The coach goes to citizens' homes for help at home (digicoach.homevisits).
    home_visits: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    insurance_reference: Mapped[str] = mapped_column(String(100), default="")

    # Which version of each text the applicant accepted, and when (None: none was published).
    privacy_version_id: Mapped[int | None] = mapped_column(ForeignKey("page_version.id"))
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    volunteer_note_version_id: Mapped[int | None] = mapped_column(ForeignKey("page_version.id"))
    volunteer_note_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # When the coach last became active; dormancy counts from here when no shift follows.
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the shifts feature through services.record_shift_activity; drives dormancy.
    last_shift_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    municipality: Mapped[Municipality] = relationship()
    privacy_version: Mapped[PageVersion | None] = relationship(foreign_keys=[privacy_version_id])
    volunteer_note_version: Mapped[PageVersion | None] = relationship(
        foreign_keys=[volunteer_note_version_id]
    )
    language_rows: Mapped[list[CoachLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CoachLanguage.code"
    )
    topic_rows: Mapped[list[CoachTopic]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CoachTopic.code"
    )
    availability_rows: Mapped[list[CoachAvailability]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    neighbourhood_rows: Mapped[list[CoachNeighbourhood]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    # The other municipalities of a shared programme where the coach also helps (the coach
    # pool); the home municipality above is implied and never listed here.
    serves_rows: Mapped[list[CoachMunicipality]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    history: Mapped[list[CoachStatusChange]] = relationship(
        cascade="all, delete-orphan",
        order_by="(CoachStatusChange.changed_at, CoachStatusChange.id)",
        back_populates="coach",
    )
    notes: Mapped[list[CoachNote]] = relationship(
        cascade="all, delete-orphan", order_by="(CoachNote.created_at, CoachNote.id)"
    )
    screening_checks: Mapped[list[ScreeningCheck]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    intakes: Mapped[list[Intake]] = relationship(
        cascade="all, delete-orphan", order_by="(Intake.starts_at, Intake.id)"
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('applied', 'approved', 'rejected', 'in_training', 'certified', "
            "'active', 'dormant', 'left')",
            name="status_known",
        ),
    )

    @property
    def languages(self) -> list[str]:
        return [row.code for row in self.language_rows]

    @property
    def topics(self) -> list[str]:
        return [row.code for row in self.topic_rows]

    @property
    def availability(self) -> set[tuple[int, str]]:
        return {(row.weekday, row.daypart) for row in self.availability_rows}

    @property
    def neighbourhood_ids(self) -> list[int]:
        return sorted(row.neighbourhood_id for row in self.neighbourhood_rows)

    @property
    def neighbourhoods(self) -> list[Neighbourhood]:
        return sorted((row.neighbourhood for row in self.neighbourhood_rows), key=lambda n: n.name)

    @property
    def also_serves_ids(self) -> list[int]:
        """The extra municipalities the coach serves, besides their home municipality."""
        return sorted(row.municipality_id for row in self.serves_rows)

    @property
    def served_municipality_ids(self) -> frozenset[int]:
        """Where the coach may take shifts and be invited: home and the chosen extras."""
        return frozenset({self.municipality_id, *self.also_serves_ids})

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[CoachStatus(self.status)])

    def screening(self, item: ScreeningItem) -> ScreeningCheck | None:
        return next((check for check in self.screening_checks if check.item == item), None)


class CoachLanguage(db.Model):
    __tablename__ = "coach_language"

    coach_id: Mapped[int] = mapped_column(
        ForeignKey("coach.id", ondelete="CASCADE"), primary_key=True
    )
    # A code from core.vocabulary.SPOKEN_LANGUAGES.
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class CoachTopic(db.Model):
    __tablename__ = "coach_topic"

    coach_id: Mapped[int] = mapped_column(
        ForeignKey("coach.id", ondelete="CASCADE"), primary_key=True
    )
    # A code from core.vocabulary.TOPICS.
    code: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class CoachAvailability(db.Model):
    """A weekday and daypart when the coach is usually free (a wish, not a commitment)."""

    __tablename__ = "coach_availability"

    coach_id: Mapped[int] = mapped_column(
        ForeignKey("coach.id", ondelete="CASCADE"), primary_key=True
    )
    # ISO weekday, 1 (Monday) to 7 (Sunday).
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    daypart: Mapped[str] = mapped_column(String(10), primary_key=True)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_range"),
        CheckConstraint("daypart IN ('morning', 'afternoon', 'evening')", name="daypart_known"),
    )


class CoachNeighbourhood(db.Model):
    __tablename__ = "coach_neighbourhood"

    coach_id: Mapped[int] = mapped_column(
        ForeignKey("coach.id", ondelete="CASCADE"), primary_key=True
    )
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    neighbourhood: Mapped[Neighbourhood] = relationship(lazy="joined")


class CoachMunicipality(db.Model):
    """A municipality, besides the home one, where a coach of a shared programme helps."""

    __tablename__ = "coach_municipality"

    coach_id: Mapped[int] = mapped_column(
        ForeignKey("coach.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    municipality: Mapped[Municipality] = relationship(lazy="joined")


class CoachStatusChange(db.Model):
    """One step in the pipeline. `changed_by_id` is None for the system (e.g. dormancy)."""

    __tablename__ = "coach_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")

    coach: Mapped[Coach] = relationship(back_populates="history")
    changed_by: Mapped[User | None] = relationship()


class CoachNote(db.Model):
    """An internal note by staff. Append-only: notes are added, never edited."""

    __tablename__ = "coach_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


class ScreeningCheck(db.Model):
    """A screening fact: what was checked, on which day, by whom. Never a document or number."""

    __tablename__ = "screening_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(30))
    checked_on: Mapped[date] = mapped_column(Date)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    checked_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("coach_id", "item"),)

    @property
    def label(self) -> str:
        return str(SCREENING_LABELS[ScreeningItem(self.item)])


class Intake(db.Model):
    """A planned intake conversation with an applicant."""

    __tablename__ = "intake"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"))
    # Free text when the intake is not at a digipunt ("by phone", "town hall, room 2").
    place: Mapped[str] = mapped_column(String(200), default="")
    planned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    location: Mapped[Location | None] = relationship()

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period_order"),
        Index("ix_intake_starts_at", "starts_at"),
    )

    @property
    def where(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(f"{self.location.name}, {self.location.address}")
        if self.place:
            parts.append(self.place)
        return ", ".join(parts)


__all__ = [
    "Coach",
    "CoachAvailability",
    "CoachLanguage",
    "CoachMunicipality",
    "CoachNeighbourhood",
    "CoachNote",
    "CoachStatus",
    "CoachStatusChange",
    "CoachTopic",
    "HeardFrom",
    "Intake",
    "ScreeningCheck",
    "ScreeningItem",
]
