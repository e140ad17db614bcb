"""Devices of a digipunt's inventory, their loans to citizens, and the calls about late ones.

One open loan per device, twice over: lending moves the device from `available` to `on_loan`
with a conditional update (services.lend), and a partial unique index on the open loans of a
device refuses a second open loan whatever the code does.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.content.models import PageVersion
from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.places.models import Location


class DeviceKind(StrEnum):
    LAPTOP = "laptop"
    TABLET = "tablet"
    SMARTPHONE = "smartphone"
    HOTSPOT = "hotspot"


class DeviceStatus(StrEnum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


class Condition(StrEnum):
    GOOD = "good"
    WORN = "worn"
    DAMAGED = "damaged"


class LoanStatus(StrEnum):
    OPEN = "open"
    RETURNED = "returned"
    LOST = "lost"


class AgreementMethod(StrEnum):
    ON_SCREEN = "on_screen"
    ON_PAPER = "on_paper"


class Device(db.Model):
    """A device of a digipunt's inventory (later: of a partner organisation)."""

    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    # What the desk reads on the sticker: "Laptop 3".
    label: Mapped[str] = mapped_column(String(80))
    serial: Mapped[str] = mapped_column(String(80), default="")
    condition: Mapped[str] = mapped_column(String(20), default=Condition.GOOD)
    accessories: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default=DeviceStatus.AVAILABLE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    location: Mapped[Location] = relationship()

    __table_args__ = (
        UniqueConstraint("location_id", "label"),
        CheckConstraint("kind IN ('laptop', 'tablet', 'smartphone', 'hotspot')", name="kind_known"),
        CheckConstraint(
            "status IN ('available', 'on_loan', 'in_repair', 'retired')", name="status_known"
        ),
        CheckConstraint("condition IN ('good', 'worn', 'damaged')", name="condition_known"),
    )


class Loan(db.Model):
    """A device lent to a citizen until `due_on`. The contact data (first name, phone, e-mail)
    is erased some days after the loan closed (services.retention); the row stays for the
    figures, with the citizen key."""

    __tablename__ = "loan"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="RESTRICT"))
    # The device's digipunt when lent: the figures count the loan there.
    location_id: Mapped[int] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    citizen_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # The language the citizen chose at the desk: reminders are written in it.
    language: Mapped[str] = mapped_column(String(5), default="nl")
    agreement_version_id: Mapped[int] = mapped_column(ForeignKey("page_version.id"))
    agreement_method: Mapped[str] = mapped_column(String(20))
    agreement_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[date] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default=LoanStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    return_condition: Mapped[str | None] = mapped_column(String(20))
    return_note: Mapped[str] = mapped_column(Text, default="")
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    device: Mapped[Device] = relationship()
    location: Mapped[Location] = relationship()
    agreement_version: Mapped[PageVersion] = relationship()
    calls: Mapped[list[LoanCall]] = relationship(
        back_populates="loan", order_by="LoanCall.called_at.desc()"
    )

    __table_args__ = (
        # The second line behind the conditional update in services.lend.
        Index(
            "uq_loan_open_device",
            "device_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        Index("ix_loan_status_due_on", "status", "due_on"),
        CheckConstraint("status IN ('open', 'returned', 'lost')", name="status_known"),
        CheckConstraint(
            "agreement_method IN ('on_screen', 'on_paper')", name="agreement_method_known"
        ),
        CheckConstraint(
            "contact_erased_at IS NOT NULL OR phone IS NOT NULL OR email IS NOT NULL",
            name="contact_known",
        ),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_when_not_open"),
    )


class LoanCall(db.Model):
    """The desk called the citizen about a late loan: when, who, and a short note."""

    __tablename__ = "loan_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id", ondelete="CASCADE"), index=True)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(300), default="")

    loan: Mapped[Loan] = relationship(back_populates="calls")
