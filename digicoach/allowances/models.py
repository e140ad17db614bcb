"""Allowances: the caps of each calendar year, the entries, the running totals per coach and
year (the row that is locked while an entry is decided), and the insurance of a programme.

Money is integer cents; kilometre rates are in ten-thousandths of a euro (0.4269 €/km is 4269),
as the federal rate is published with four decimals. Never a float.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.places.models import Municipality, Programme


class AllowanceCaps(db.Model):
    """The caps and rates of one calendar year, entered by an admin (they are indexed yearly)."""

    __tablename__ = "allowance_caps"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    daily_cap_cents: Mapped[int] = mapped_column(Integer)
    yearly_cap_cents: Mapped[int] = mapped_column(Integer)
    # Ten-thousandths of a euro per kilometre.
    car_rate: Mapped[int] = mapped_column(Integer)
    bicycle_rate: Mapped[int] = mapped_column(Integer)
    km_cap: Mapped[int] = mapped_column(Integer, default=2000)
    # Where the figures come from (a law, a royal decree, a page of the volunteer centre).
    source: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("daily_cap_cents > 0", name="daily_cap_positive"),
        CheckConstraint("yearly_cap_cents >= daily_cap_cents", name="yearly_at_least_daily"),
        CheckConstraint("car_rate >= 0 AND bicycle_rate >= 0", name="rates_positive"),
        CheckConstraint("km_cap >= 0", name="km_cap_positive"),
    )


class AllowanceTotal(db.Model):
    """A coach's running totals in a calendar year. Every entry locks this row first, so two
    coordinators recording at once take turns and neither can pass a cap."""

    __tablename__ = "allowance_total"

    coach_id: Mapped[int] = mapped_column(
        ForeignKey("coach.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    flat_cents: Mapped[int] = mapped_column(Integer, default=0)
    km: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("flat_cents >= 0", name="flat_not_negative"),
        CheckConstraint("km >= 0", name="km_not_negative"),
    )


class Allowance(db.Model):
    """One line of the nominative list: a coach, a day, what kind, how much."""

    __tablename__ = "allowance"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach.id", ondelete="CASCADE"), index=True)
    # The municipality the work was done for: it decides which coordinators see the line.
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    # flat (forfaitaire kostenvergoeding), car (car or motorbike) or bicycle.
    kind: Mapped[str] = mapped_column(String(10))
    km: Mapped[int] = mapped_column(Integer, default=0)
    amount_cents: Mapped[int] = mapped_column(Integer)
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    coach: Mapped[Coach] = relationship()
    municipality: Mapped[Municipality] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('flat', 'car', 'bicycle')", name="kind_known"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint(
            "(kind = 'flat' AND km = 0) OR (kind <> 'flat' AND km > 0)", name="km_for_travel"
        ),
        Index("ix_allowance_coach_day", "coach_id", "day"),
        Index("ix_allowance_day", "day"),
    )


class ProgrammeInsurance(db.Model):
    """The organisation's volunteer insurance for a programme (civil liability and accidents),
    which the volunteer law asks to tell every volunteer (the volunteer note shows it)."""

    __tablename__ = "programme_insurance"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    insurer: Mapped[str] = mapped_column(String(160))
    policy_number: Mapped[str] = mapped_column(String(60))
    cover: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    programme: Mapped[Programme] = relationship()


__all__ = ["Allowance", "AllowanceCaps", "AllowanceTotal", "ProgrammeInsurance"]
