"""Where the work happens (municipalities, neighbourhoods, locations) and what it aims for."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db

programme_municipality = Table(
    "programme_municipality",
    db.metadata,
    Column("programme_id", ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "municipality_id",
        ForeignKey("municipality.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Municipality(db.Model):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The five-digit NIS code of Statbel (Gent: 44021).
    nis_code: Mapped[str] = mapped_column(String(5), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        back_populates="municipality", order_by="Neighbourhood.name"
    )
    locations: Mapped[list[Location]] = relationship(
        back_populates="municipality", order_by="Location.name"
    )
    programmes: Mapped[list[Programme]] = relationship(
        secondary=programme_municipality, back_populates="municipalities"
    )


class Neighbourhood(db.Model):
    __tablename__ = "neighbourhood"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))

    municipality: Mapped[Municipality] = relationship(back_populates="neighbourhoods")

    __table_args__ = (UniqueConstraint("municipality_id", "name"),)


class Location(db.Model):
    """A digipunt: a library, community centre or town hall where citizens get help."""

    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="SET NULL"), index=True
    )
    # The partner organisation that runs it (digicoach.partners); none for older digipunten.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(4))
    city: Mapped[str] = mapped_column(String(120))
    front_desk_phone: Mapped[str] = mapped_column(String(30), default="")
    opening_notes: Mapped[str] = mapped_column(Text, default="")
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    municipality: Mapped[Municipality] = relationship(back_populates="locations")
    neighbourhood: Mapped[Neighbourhood | None] = relationship()

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


class Programme(db.Model):
    """A digital-inclusion programme with targets (Cross & Learn: 1000 coaches, 30,000 citizens)."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    coach_target: Mapped[int] = mapped_column()
    citizen_target: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(Text, default="")
    # The number citizens call when a digipunt has none of its own (else FRONT_DESK_PHONE).
    front_desk_phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=programme_municipality,
        back_populates="programmes",
        order_by="Municipality.name",
    )

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_order"),
        CheckConstraint("coach_target >= 0", name="coach_target_positive"),
        CheckConstraint("citizen_target >= 0", name="citizen_target_positive"),
    )
