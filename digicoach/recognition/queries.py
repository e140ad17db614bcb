"""What goes on a certificate and on an hours statement, read in a few queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import clock, timeslots
from digicoach.core.db import get_or_not_found
from digicoach.core.errors import NotFound
from digicoach.core.messages import absolute_url
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.places.models import Location
from digicoach.recognition import permissions
from digicoach.training import queries as training_queries
from digicoach.training.models import Certification


@dataclass(frozen=True)
class CertificateFacts:
    name: str
    programme: str
    modules: list[str]
    issued_on: date
    municipality: str
    number: str
    verification_code: str
    verify_url: str
    language: str


def certificate_facts(certification: Certification) -> CertificateFacts:
    coach = certification.coach
    return CertificateFacts(
        name=coach.user.name,
        programme=certification.programme.name,
        modules=[m.title for m in training_queries.certificate_modules(certification)],
        issued_on=clock.local(certification.issued_at).date(),
        municipality=training_queries.issuing_municipality(certification).name,
        number=certification.number or "",
        verification_code=certification.verification_code,
        verify_url=absolute_url("verify.verify", code=certification.verification_code),
        language=coach.user.language or "nl",
    )


def get_certificate(actor: User, certification_id: Any) -> Certification:
    """A certificate the actor may download (its coach, staff of its cohort); 404 otherwise."""
    found = training_queries.get_certificate(actor, certification_id)
    if found.number is None:
        raise NotFound(certification_id)
    return found


def certificates_of(coach: Coach) -> list[Certification]:
    return list(
        db.session.scalars(
            select(Certification)
            .where(Certification.coach_id == coach.id, Certification.number.is_not(None))
            .order_by(Certification.issued_at)
        )
    )


def get_coach(actor: User, coach_id: Any) -> Coach:
    coach = get_or_not_found(Coach, coach_id)
    if not permissions.can_see_coach_recognition(actor, coach):
        raise NotFound(coach_id)
    return coach


@dataclass(frozen=True)
class ShiftLine:
    starts_at: datetime
    ends_at: datetime
    place: str
    municipality: str

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True)
class HoursStatement:
    name: str
    municipality: str
    year: int
    until: date
    language: str
    shifts: list[ShiftLine] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.shifts)

    @property
    def places(self) -> list[str]:
        return sorted({line.place for line in self.shifts})


def hours_statement(coach: Coach, year: int, now: datetime) -> HoursStatement:
    """The coach's shifts of a calendar year that have ended by `now`: signed up or attended,
    on a session that was held as planned (the rule of workspace.queries.shift_hours)."""
    since = timeslots.local_moment(date(year, 1, 1), time(0))
    until = min(timeslots.local_moment(date(year + 1, 1, 1), time(0)), now)
    rows = db.session.execute(
        select(HelpSession.starts_at, HelpSession.ends_at, Location.name, Location.city)
        .join(Shift, Shift.session_id == HelpSession.id)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            Shift.coach_id == coach.id,
            Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at >= since,
            HelpSession.ends_at <= until,
        )
        .order_by(HelpSession.starts_at, HelpSession.id)
    ).all()
    return HoursStatement(
        name=coach.user.name,
        municipality=coach.municipality.name,
        year=year,
        until=clock.local(until).date(),
        language=coach.user.language or "nl",
        shifts=[
            ShiftLine(starts_at=r[0], ends_at=r[1], place=r[2], municipality=r[3]) for r in rows
        ],
    )


def statement_years(coach: Coach, now: datetime) -> list[int]:
    """The years with at least one shift of the coach, newest first, and always this year."""
    first = db.session.scalar(
        select(func.min(HelpSession.starts_at))
        .join(Shift, Shift.session_id == HelpSession.id)
        .where(Shift.coach_id == coach.id)
    )
    this_year = clock.local(now).year
    start = clock.local(first).year if first is not None else this_year
    return list(range(this_year, min(start, this_year) - 1, -1))
