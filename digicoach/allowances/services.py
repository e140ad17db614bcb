"""Allowance use cases: set a year's caps, record and remove an allowance, set a programme's
insurance. Services flush; the caller's unit of work commits.

How a cap holds when two coordinators record at once: every entry first makes sure the coach's
AllowanceTotal row for the year exists (INSERT … ON CONFLICT DO NOTHING), then locks it
(SELECT … FOR UPDATE on PostgreSQL; on SQLite the writing transaction already holds the
database's write lock from BEGIN IMMEDIATE, see core.db.configure_sqlite). Under that lock it
reads the day's and the year's standing, asks rules.refusal, and writes the entry and the new
totals. The second coordinator waits for the lock and then sees the first one's entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_currency
from flask_babel import gettext as _
from sqlalchemy import func, select

from digicoach.accounts.models import User
from digicoach.allowances import permissions, rules
from digicoach.allowances.models import (
    Allowance,
    AllowanceCaps,
    AllowanceTotal,
    ProgrammeInsurance,
)
from digicoach.coaches.models import Coach
from digicoach.core import audit, clock
from digicoach.core.db import assign, insert_for_dialect
from digicoach.core.errors import Conflict, FieldErrors, NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, Shift, ShiftStatus
from digicoach.places.models import Location, Programme

NOTE_MAX = 200


def money(cents: int) -> str:
    """An amount in the reader's language: '€ 41,48' (nl), '41,48 €' (fr), '€41.48' (en)."""
    return format_currency(rules.euros(cents), "EUR")


def caps_of(year: int) -> rules.Caps | None:
    row = db.session.get(AllowanceCaps, year)
    if row is None:
        return None
    return rules.Caps(
        daily_cents=row.daily_cap_cents,
        yearly_cents=row.yearly_cap_cents,
        car_rate=row.car_rate,
        bicycle_rate=row.bicycle_rate,
        km_cap=row.km_cap,
    )


# --- caps ---------------------------------------------------------------------------------


@dataclass
class CapsInput:
    year: int | None
    daily_cap: str | None
    yearly_cap: str | None
    car_rate: str | None
    bicycle_rate: str | None
    km_cap: int | None
    source: str = ""


def set_caps(*, actor: User, data: CapsInput, now: datetime) -> AllowanceCaps:
    """Enter or correct the caps of a calendar year. Raises ValidationFailed on a bad figure."""
    ensure(permissions.can_set_allowance_caps(actor))
    errors = FieldErrors()
    if data.year is None or not 2000 <= data.year <= 2100:
        errors.add("year", _("Enter a year, for example 2026."))
    daily = rules.parse_euros(data.daily_cap)
    yearly = rules.parse_euros(data.yearly_cap)
    if not daily:
        errors.add("daily_cap", _("Enter an amount in euro, for example 41,48."))
    if not yearly:
        errors.add("yearly_cap", _("Enter an amount in euro, for example 1.659,29."))
    elif daily and yearly < daily:
        errors.add("yearly_cap", _("The cap per year cannot be lower than the cap per day."))
    car = rules.parse_rate(data.car_rate)
    bicycle = rules.parse_rate(data.bicycle_rate)
    if car is None:
        errors.add("car_rate", _("Enter a rate per kilometre, for example 0,4269."))
    if bicycle is None:
        errors.add("bicycle_rate", _("Enter a rate per kilometre, for example 0,35."))
    if data.km_cap is None or not 0 <= data.km_cap <= 100_000:
        errors.add("km_cap", _("Enter a number of kilometres, for example 2000."))
    errors.raise_if_any()
    assert data.year is not None and daily and yearly and car is not None and bicycle is not None
    row = db.session.get(AllowanceCaps, data.year)
    if row is None:
        row = AllowanceCaps(year=data.year)
        db.session.add(row)
    changed = assign(
        row,
        daily_cap_cents=daily,
        yearly_cap_cents=yearly,
        car_rate=car,
        bicycle_rate=bicycle,
        km_cap=data.km_cap,
        source=(data.source or "").strip(),
    )
    row.updated_at = now
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        actor, "allowances.caps", row, changed, object_type="AllowanceCaps", object_id=row.year
    )
    return row


# --- entries ------------------------------------------------------------------------------


@dataclass
class AllowanceInput:
    kind: str | None
    day: date | None = None
    amount: str | None = None
    km: int | None = None
    shift_id: int | None = None
    note: str = ""


def _shift_of(coach: Coach, shift_id: int) -> Shift | None:
    return db.session.scalar(
        select(Shift).where(
            Shift.id == shift_id,
            Shift.coach_id == coach.id,
            Shift.status != ShiftStatus.CANCELLED,
        )
    )


def _lock_totals(coach_id: int, year: int) -> AllowanceTotal:
    """The coach's totals row of the year, created when missing, locked until commit."""
    db.session.execute(
        insert_for_dialect(AllowanceTotal.__table__)
        .values(coach_id=coach_id, year=year, flat_cents=0, km=0)
        .on_conflict_do_nothing()
    )
    return db.session.scalars(
        select(AllowanceTotal)
        .where(AllowanceTotal.coach_id == coach_id, AllowanceTotal.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _day_flat_cents(coach_id: int, day: date) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Allowance.amount_cents), 0)).where(
            Allowance.coach_id == coach_id, Allowance.day == day, Allowance.kind == rules.Kind.FLAT
        )
    )


def _refuse(reason: str, caps: rules.Caps, standing: rules.Standing) -> Conflict:
    if reason == "daily":
        left = max(caps.daily_cents - standing.day_flat_cents, 0)
        message = _(
            "This passes the cap per day of %(cap)s. Still possible on this day: %(left)s.",
            cap=money(caps.daily_cents),
            left=money(left),
        )
        return Conflict(message, field="amount", code="allowances.daily_cap")
    if reason == "yearly":
        left = max(caps.yearly_cents - standing.year_flat_cents, 0)
        message = _(
            "This passes the cap per year of %(cap)s. Still possible this year: %(left)s.",
            cap=money(caps.yearly_cents),
            left=money(left),
        )
        return Conflict(message, field="amount", code="allowances.yearly_cap")
    left_km = max(caps.km_cap - standing.year_km, 0)
    message = _(
        "This passes the %(cap)s km a year. Still possible this year: %(left)s km.",
        cap=caps.km_cap,
        left=left_km,
    )
    return Conflict(message, field="km", code="allowances.km_cap")


def record(*, actor: User, coach: Coach, data: AllowanceInput, now: datetime) -> Allowance:
    """Record one allowance for a coach, per shift (its day and municipality) or per day.

    Raises NotFound for a coach or shift outside the actor's municipalities, ValidationFailed
    for a bad field, Conflict `allowances.no_caps` when the year has no caps yet, and
    `allowances.daily_cap` / `allowances.yearly_cap` / `allowances.km_cap` when the entry would
    pass a cap (reaching it exactly is fine).
    """
    errors = FieldErrors()
    try:
        kind = rules.Kind(data.kind or "")
    except ValueError:
        kind = None
        errors.add("kind", _("Choose what the allowance is for."))
    day = data.day
    municipality_id = coach.municipality_id
    shift_id = None
    if data.shift_id is not None:
        shift = _shift_of(coach, data.shift_id)
        if shift is None:
            raise NotFound(data.shift_id)
        session = db.session.get(HelpSession, shift.session_id)
        assert session is not None
        location = db.session.get(Location, session.location_id)
        assert location is not None
        day = clock.local(session.starts_at).date()
        municipality_id = location.municipality_id
        shift_id = shift.id
    if not permissions.can_record_allowance_for(actor, coach, municipality_id):
        raise NotFound(coach.id)
    if day is None:
        errors.add("day", _("Enter the day, for example 3/12/2026."))
    elif day > clock.local(now).date():
        errors.add("day", _("The day cannot be in the future."))
    amount_cents, km = 0, 0
    if kind == rules.Kind.FLAT:
        amount_cents = rules.parse_euros(data.amount) or 0
        if amount_cents <= 0:
            errors.add("amount", _("Enter an amount in euro, for example 12,50."))
    elif kind is not None:
        km = data.km or 0
        if km <= 0 or km > 10_000:
            errors.add("km", _("Enter the number of kilometres, for example 12."))
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX:
        errors.add("note", _("Keep the note under %(count)d characters.", count=NOTE_MAX))
    errors.raise_if_any()
    assert kind is not None and day is not None
    caps = caps_of(day.year)
    if caps is None:
        raise Conflict(
            _("The caps for %(year)d are not entered yet. Ask an administrator.", year=day.year),
            code="allowances.no_caps",
        )
    if kind in rules.TRAVEL_KINDS:
        amount_cents = rules.km_amount_cents(km, rules.rate_for(kind, caps))
        if amount_cents <= 0:
            raise Conflict(
                _("There is no rate for this kind of travel in %(year)d.", year=day.year),
                field="kind",
                code="allowances.no_rate",
            )
    totals = _lock_totals(coach.id, day.year)
    standing = rules.Standing(
        day_flat_cents=_day_flat_cents(coach.id, day),
        year_flat_cents=totals.flat_cents,
        year_km=totals.km,
    )
    reason = rules.refusal(kind, amount_cents, km, caps, standing)
    if reason is not None:
        raise _refuse(reason, caps, standing)
    allowance = Allowance(
        coach_id=coach.id,
        municipality_id=municipality_id,
        day=day,
        kind=kind.value,
        km=km,
        amount_cents=amount_cents,
        shift_id=shift_id,
        note=note,
        recorded_at=now,
        recorded_by_id=actor.id,
    )
    db.session.add(allowance)
    if kind == rules.Kind.FLAT:
        totals.flat_cents += amount_cents
    else:
        totals.km += km
    db.session.flush()
    audit.record(actor, "allowances.record", allowance, ["day", "kind", "amount_cents", "km"])
    return allowance


def remove(*, actor: User, allowance: Allowance) -> None:
    """Remove a mistaken entry; the year's totals go down with it."""
    if not permissions.can_remove_allowance(actor, allowance):
        raise NotFound(allowance.id)
    totals = _lock_totals(allowance.coach_id, allowance.day.year)
    if allowance.kind == rules.Kind.FLAT:
        totals.flat_cents = max(totals.flat_cents - allowance.amount_cents, 0)
    else:
        totals.km = max(totals.km - allowance.km, 0)
    audit.record(actor, "allowances.remove", allowance)
    db.session.delete(allowance)
    db.session.flush()


# --- insurance ----------------------------------------------------------------------------


@dataclass
class InsuranceInput:
    insurer: str | None
    policy_number: str | None
    cover: str | None


def set_insurance(
    *, actor: User, programme: Programme, data: InsuranceInput, now: datetime
) -> ProgrammeInsurance:
    """Record the organisation's volunteer insurance for a programme."""
    ensure(permissions.can_set_insurance(actor))
    insurer = (data.insurer or "").strip()
    number = (data.policy_number or "").strip()
    errors = FieldErrors()
    if not insurer or len(insurer) > 160:
        errors.add("insurer", _("Enter the name of the insurer."))
    if not number or len(number) > 60:
        errors.add("policy_number", _("Enter the policy number."))
    errors.raise_if_any()
    row = db.session.get(ProgrammeInsurance, programme.id)
    if row is None:
        row = ProgrammeInsurance(programme_id=programme.id)
        db.session.add(row)
    changed = assign(row, insurer=insurer, policy_number=number, cover=(data.cover or "").strip())
    row.updated_at = now
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "allowances.insurance", programme, changed)
    return row
