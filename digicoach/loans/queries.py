"""Read models for the loan pages: the digipunten in scope, a digipunt's inventory with its
open loans, a device's history, and the desk's list of overdue loans (few queries, no N+1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from digicoach.accounts.models import User
from digicoach.extensions import db
from digicoach.loans import rules
from digicoach.loans.models import Device, DeviceStatus, Loan, LoanCall, LoanStatus
from digicoach.places.models import Location, Municipality


def locations_in_scope(actor: User) -> list[Location]:
    """The active digipunten whose devices the actor manages, by municipality and name."""
    query = (
        select(Location)
        .join(Municipality, Municipality.id == Location.municipality_id)
        .options(joinedload(Location.municipality))
        .where(Location.active.is_(True))
        .order_by(Municipality.name, Location.name)
    )
    if not actor.is_admin:
        query = query.where(Location.municipality_id.in_(actor.municipality_ids or {-1}))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    loan: Loan | None  # the open loan, if lent


def inventory(location_id: int) -> list[DeviceRow]:
    """A digipunt's devices by kind and name, each with its open loan: two queries."""
    devices = list(
        db.session.scalars(
            select(Device)
            .where(Device.location_id == location_id)
            .order_by(Device.kind, Device.label)
        )
    )
    loans = {
        loan.device_id: loan
        for loan in db.session.scalars(
            select(Loan).where(Loan.location_id == location_id, Loan.status == LoanStatus.OPEN)
        )
    }
    return [DeviceRow(device, loans.get(device.id)) for device in devices]


def status_counts(rows: list[DeviceRow]) -> dict[str, int]:
    counts = {status.value: 0 for status in DeviceStatus}
    for row in rows:
        counts[row.device.status] = counts.get(row.device.status, 0) + 1
    return counts


def device_loans(device_id: int) -> list[Loan]:
    """Every loan of a device, newest first."""
    return list(
        db.session.scalars(
            select(Loan).where(Loan.device_id == device_id).order_by(Loan.lent_at.desc())
        )
    )


def open_loan(device_id: int) -> Loan | None:
    return db.session.scalar(
        select(Loan).where(Loan.device_id == device_id, Loan.status == LoanStatus.OPEN)
    )


@dataclass(frozen=True)
class OverdueRow:
    loan: Loan
    days_overdue: int
    last_call: LoanCall | None
    calls: int


def overdue(actor: User, *, today: date, location_id: int | None = None) -> list[OverdueRow]:
    """Open loans past their due date at the actor's digipunten, longest overdue first, each
    with its last call: three queries."""
    query = (
        select(Loan)
        .join(Location, Location.id == Loan.location_id)
        .options(joinedload(Loan.device), joinedload(Loan.location))
        .where(Loan.status == LoanStatus.OPEN, Loan.due_on < today)
        .order_by(Loan.due_on, Loan.id)
    )
    if not actor.is_admin:
        query = query.where(Location.municipality_id.in_(actor.municipality_ids or {-1}))
    if location_id is not None:
        query = query.where(Loan.location_id == location_id)
    loans = list(db.session.scalars(query))
    if not loans:
        return []
    ids = [loan.id for loan in loans]
    counts = dict(
        db.session.execute(
            select(LoanCall.loan_id, func.count())
            .where(LoanCall.loan_id.in_(ids))
            .group_by(LoanCall.loan_id)
        ).all()
    )
    latest: dict[int, LoanCall] = {}
    for call in db.session.scalars(
        select(LoanCall).where(LoanCall.loan_id.in_(ids)).order_by(LoanCall.called_at)
    ):
        latest[call.loan_id] = call
    return [
        OverdueRow(
            loan,
            rules.days_overdue(loan.due_on, today),
            latest.get(loan.id),
            counts.get(loan.id, 0),
        )
        for loan in loans
    ]


def staff_names(ids: Any) -> dict[int, str]:
    """Names of the staff who lent, took back or called, for a page: one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {row.id: row.name or row.email for row in rows}
