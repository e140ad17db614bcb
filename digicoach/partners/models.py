"""Partner organisations of a municipality and what they offer besides digicoach sessions.

An organisation (library, OCMW, CAW, ...) belongs to one municipality, serves some of its
neighbourhoods and runs digipunten (`location.organisation_id`) and offers. An offer has weekly
opening hours and dated exceptions (closed days, holidays, other hours on one date). Its partner
staff (role *partner*, `user_organisation`) act for this organisation only.
A referral will point at an offer or a digipunt, so both keep stable ids and never move.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Neighbourhood


class OrganisationKind(StrEnum):
    LIBRARY = "library"
    SOCIAL_SERVICES = "social_services"
    CAW = "caw"
    COMMUNITY_CENTRE = "community_centre"
    NON_PROFIT = "non_profit"
    SCHOOL = "school"
    OTHER = "other"


ORGANISATION_KIND_LABELS = {
    OrganisationKind.LIBRARY: _l("Library"),
    OrganisationKind.SOCIAL_SERVICES: _l("Social services (OCMW)"),
    OrganisationKind.CAW: _l("CAW (general welfare centre)"),
    OrganisationKind.COMMUNITY_CENTRE: _l("Community centre"),
    OrganisationKind.NON_PROFIT: _l("Non-profit organisation"),
    OrganisationKind.SCHOOL: _l("School"),
    OrganisationKind.OTHER: _l("Other organisation"),
}


class OfferKind(StrEnum):
    DEVICE_LOAN = "device_loan"
    SOCIAL_TARIFF = "social_tariff"
    COURSE = "course"
    HELP_AT_HOME = "help_at_home"
    FREE_ACCESS = "free_access"
    ADVICE = "advice"
    OTHER = "other"


OFFER_KIND_LABELS = {
    OfferKind.DEVICE_LOAN: _l("Borrow a device"),
    OfferKind.SOCIAL_TARIFF: _l("Help with the social tariff"),
    OfferKind.COURSE: _l("Course"),
    OfferKind.HELP_AT_HOME: _l("Help at home"),
    OfferKind.FREE_ACCESS: _l("Free wifi and computers"),
    OfferKind.ADVICE: _l("Advice and help with forms"),
    OfferKind.OTHER: _l("Other help"),
}


class HowToGet(StrEnum):
    WALK_IN = "walk_in"
    CALL = "call"
    BOOK = "book"
    REFERRAL = "referral"


HOW_TO_GET_LABELS = {
    HowToGet.WALK_IN: _l("Just walk in"),
    HowToGet.CALL: _l("Call first"),
    HowToGet.BOOK: _l("Make an appointment"),
    HowToGet.REFERRAL: _l("Someone refers you"),
}


organisation_neighbourhood = Table(
    "organisation_neighbourhood",
    db.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "neighbourhood_id",
        ForeignKey("neighbourhood.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Organisation(db.Model):
    """A partner organisation of a municipality."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    municipality: Mapped[Municipality] = relationship()
    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        secondary=organisation_neighbourhood, order_by="Neighbourhood.name"
    )
    locations: Mapped[list[Location]] = relationship(
        primaryjoin="Organisation.id == foreign(Location.organisation_id)",
        order_by="Location.name",
        viewonly=True,
    )
    offers: Mapped[list[Offer]] = relationship(
        back_populates="organisation", order_by="Offer.title"
    )

    __table_args__ = (
        UniqueConstraint("municipality_id", "name"),
        CheckConstraint(
            "kind IN ('library', 'social_services', 'caw', 'community_centre', 'non_profit',"
            " 'school', 'other')",
            name="kind_known",
        ),
    )

    @property
    def kind_label(self) -> str:
        return str(ORGANISATION_KIND_LABELS[OrganisationKind(self.kind)])


class Offer(db.Model):
    """What an organisation offers: a device loan, a course, help with the social tariff, ...

    It takes place at one of the organisation's digipunten or at an address of its own.
    """

    __tablename__ = "offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    # Who it is for, in plain words ("Inwoners met een laag inkomen").
    audience: Mapped[str] = mapped_column(String(300), default="")
    free: Mapped[bool] = mapped_column(Boolean, default=True)
    # The price in words when it is not free ("5 euro per les").
    price: Mapped[str] = mapped_column(String(120), default="")
    how_to_get: Mapped[str] = mapped_column(String(10))
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("location.id", ondelete="SET NULL"), index=True
    )
    # The place when it is not at a digipunt ("Sint-Pietersnieuwstraat 1, 9000 Gent").
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    organisation: Mapped[Organisation] = relationship(back_populates="offers")
    location: Mapped[Location | None] = relationship()
    topic_rows: Mapped[list[OfferTopic]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OfferTopic.code"
    )
    language_rows: Mapped[list[OfferLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OfferLanguage.code"
    )
    hours: Mapped[list[OfferHours]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(OfferHours.weekday, OfferHours.opens)",
    )
    exceptions: Mapped[list[OfferException]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(OfferException.day, OfferException.opens)",
    )

    __table_args__ = (
        CheckConstraint(
            "kind IN ('device_loan', 'social_tariff', 'course', 'help_at_home', 'free_access',"
            " 'advice', 'other')",
            name="kind_known",
        ),
        CheckConstraint("how_to_get IN ('walk_in', 'call', 'book', 'referral')", name="how_known"),
    )

    @property
    def topics(self) -> list[str]:
        return [row.code for row in self.topic_rows]

    @property
    def languages(self) -> list[str]:
        return [row.code for row in self.language_rows]

    @property
    def kind_label(self) -> str:
        return str(OFFER_KIND_LABELS[OfferKind(self.kind)])

    @property
    def how_to_get_label(self) -> str:
        return str(HOW_TO_GET_LABELS[HowToGet(self.how_to_get)])

    @property
    def place_name(self) -> str:
        return self.location.name if self.location else self.organisation.name

    @property
    def place_address(self) -> str:
        return self.location.address if self.location else self.address


class OfferTopic(db.Model):
    __tablename__ = "offer_topic"

    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True
    )
    # A code from core.vocabulary.TOPICS.
    code: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class OfferLanguage(db.Model):
    __tablename__ = "offer_language"

    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True
    )
    # A code from core.vocabulary.SPOKEN_LANGUAGES.
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class OfferHours(db.Model):
    """A weekly opening: ISO weekday (1 is Monday), local wall-clock times in Brussels."""

    __tablename__ = "offer_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_known"),
        CheckConstraint("closes > opens", name="period_order"),
        UniqueConstraint("offer_id", "weekday", "opens"),
    )


class OfferException(db.Model):
    """A date that differs from the week: closed (no times) or open at other hours."""

    __tablename__ = "offer_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    opens: Mapped[time | None] = mapped_column(Time)
    closes: Mapped[time | None] = mapped_column(Time)
    # Why, in a few words ("Kerstmis", "Personeelsdag").
    label: Mapped[str] = mapped_column(String(120), default="")

    __table_args__ = (
        CheckConstraint(
            "(opens IS NULL AND closes IS NULL) OR (opens IS NOT NULL AND closes > opens)",
            name="closed_or_hours",
        ),
        UniqueConstraint("offer_id", "day", "opens"),
    )

    @property
    def closed(self) -> bool:
        return self.opens is None


__all__ = [
    "HowToGet",
    "Offer",
    "OfferException",
    "OfferHours",
    "OfferKind",
    "OfferLanguage",
    "OfferTopic",
    "Organisation",
    "OrganisationKind",
    "organisation_neighbourhood",
]
