"""Read models: the nominative list of a year, a coach's year, the caps, the insurance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from digicoach.accounts.models import User
from digicoach.allowances import permissions, rules
from digicoach.allowances.models import Allowance, AllowanceCaps, ProgrammeInsurance
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import clock
from digicoach.core.db import get_or_not_found
from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, Shift, ShiftStatus
from digicoach.places.models import Location, Municipality, Programme

# Coaches who may be owed something: certified or beyond, and applicants in training.
PAYABLE_STATUSES = (
    CoachStatus.IN_TRAINING,
    CoachStatus.CERTIFIED,
    CoachStatus.ACTIVE,
    CoachStatus.DORMANT,
    CoachStatus.LEFT,
)


def _scope(actor: User, column: Any) -> ColumnElement[bool]:
    if actor.is_admin:
        return true()
    ids = sorted(actor.municipality_ids)
    return column.in_(ids) if ids else false()


@dataclass(frozen=True)
class ListLine:
    allowance: Allowance
    coach_name: str
    municipality: str


@dataclass(frozen=True)
class CoachYear:
    coach_id: int
    name: str
    flat_cents: int
    km: int
    travel_cents: int

    @property
    def total_cents(self) -> int:
        return self.flat_cents + self.travel_cents


def year_list(actor: User, year: int) -> list[ListLine]:
    """The nominative list the law asks for (volunteer, day, amount), in the actor's
    municipalities, by name and day."""
    rows = db.session.execute(
        select(Allowance, Coach.last_name, Coach.first_name, Municipality.name)
        .join(Coach, Coach.id == Allowance.coach_id)
        .join(Municipality, Municipality.id == Allowance.municipality_id)
        .where(
            Allowance.day >= date(year, 1, 1),
            Allowance.day <= date(year, 12, 31),
            _scope(actor, Allowance.municipality_id),
        )
        .order_by(Coach.last_name, Coach.first_name, Coach.id, Allowance.day, Allowance.id)
    ).all()
    return [
        ListLine(allowance=row[0], coach_name=f"{row[2]} {row[1]}".strip(), municipality=row[3])
        for row in rows
    ]


def coach_years(lines: list[ListLine]) -> list[CoachYear]:
    """Totals per coach of a year list, in the list's order."""
    totals: dict[int, dict[str, Any]] = {}
    for line in lines:
        entry = totals.setdefault(
            line.allowance.coach_id,
            {"name": line.coach_name, "flat": 0, "km": 0, "travel": 0},
        )
        if line.allowance.kind == rules.Kind.FLAT:
            entry["flat"] += line.allowance.amount_cents
        else:
            entry["km"] += line.allowance.km
            entry["travel"] += line.allowance.amount_cents
    return [
        CoachYear(
            coach_id=coach_id,
            name=entry["name"],
            flat_cents=entry["flat"],
            km=entry["km"],
            travel_cents=entry["travel"],
        )
        for coach_id, entry in totals.items()
    ]


def coaches_in_scope(actor: User) -> list[Coach]:
    return list(
        db.session.scalars(
            select(Coach)
            .where(
                _scope(actor, Coach.municipality_id),
                Coach.status.in_(PAYABLE_STATUSES),
                Coach.erased_at.is_(None),
            )
            .order_by(Coach.last_name, Coach.first_name, Coach.id)
        )
    )


def get_coach(actor: User, coach_id: Any) -> Coach:
    """A coach of the actor's municipalities; NotFound for anyone else (guessed ids)."""
    coach = get_or_not_found(Coach, coach_id)
    if not permissions.can_record_allowance_for(actor, coach, coach.municipality_id):
        raise NotFound(coach_id)
    return coach


def get_allowance(actor: User, allowance_id: Any) -> Allowance:
    allowance = get_or_not_found(Allowance, allowance_id)
    if not permissions.can_remove_allowance(actor, allowance):
        raise NotFound(allowance_id)
    return allowance


def coach_lines(actor: User, coach: Coach, year: int) -> list[ListLine]:
    return [line for line in year_list(actor, year) if line.allowance.coach_id == coach.id]


def own_lines(coach: Coach, year: int) -> list[ListLine]:
    """A coach's own lines of a year, in every municipality they helped in."""
    rows = db.session.execute(
        select(Allowance, Municipality.name)
        .join(Municipality, Municipality.id == Allowance.municipality_id)
        .where(
            Allowance.coach_id == coach.id,
            Allowance.day >= date(year, 1, 1),
            Allowance.day <= date(year, 12, 31),
        )
        .order_by(Allowance.day, Allowance.id)
    ).all()
    name = f"{coach.first_name} {coach.last_name}".strip()
    return [ListLine(allowance=row[0], coach_name=name, municipality=row[1]) for row in rows]


def own_years(coach: Coach, this: int) -> list[int]:
    """The years the coach has allowances in, and this year, newest first."""
    days = db.session.scalars(select(Allowance.day).where(Allowance.coach_id == coach.id))
    return sorted({day.year for day in days} | {this}, reverse=True)


@dataclass(frozen=True)
class ShiftChoice:
    shift_id: int
    starts_at: datetime
    place: str


def recent_shifts(coach: Coach, now: datetime, days: int = 90) -> list[ShiftChoice]:
    """The coach's shifts of the last `days` days (not cancelled), newest first."""
    rows = db.session.execute(
        select(Shift.id, HelpSession.starts_at, Location.name)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            Shift.coach_id == coach.id,
            Shift.status != ShiftStatus.CANCELLED,
            HelpSession.starts_at <= now,
            HelpSession.starts_at >= now - timedelta(days=days),
        )
        .order_by(HelpSession.starts_at.desc())
    ).all()
    return [ShiftChoice(shift_id=r[0], starts_at=r[1], place=r[2]) for r in rows]


def caps(year: int) -> AllowanceCaps | None:
    return db.session.get(AllowanceCaps, year)


def insurance_of(programme: Programme) -> ProgrammeInsurance | None:
    return db.session.get(ProgrammeInsurance, programme.id)


def all_caps() -> list[AllowanceCaps]:
    return list(db.session.scalars(select(AllowanceCaps).order_by(AllowanceCaps.year.desc())))


def this_year() -> int:
    return clock.local_today().year


@dataclass(frozen=True)
class Policy:
    programme: str
    insurer: str
    policy_number: str
    cover: str


def insurance_policies() -> list[Policy]:
    """Every programme's insurance, for the volunteer note (a public page)."""
    rows = db.session.execute(
        select(Programme.name, ProgrammeInsurance)
        .join(ProgrammeInsurance, ProgrammeInsurance.programme_id == Programme.id)
        .order_by(Programme.name)
    ).all()
    return [
        Policy(
            programme=name,
            insurer=row.insurer,
            policy_number=row.policy_number,
            cover=row.cover,
        )
        for name, row in rows
    ]


def programmes_with_insurance() -> list[tuple[Programme, ProgrammeInsurance | None]]:
    rows = db.session.execute(
        select(Programme, ProgrammeInsurance)
        .outerjoin(ProgrammeInsurance, ProgrammeInsurance.programme_id == Programme.id)
        .order_by(Programme.name)
    ).all()
    return [(row[0], row[1]) for row in rows]
