"""Factories for training: modules, cohorts with sessions, enrolments."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Municipality, Programme
from digicoach.training import rules
from digicoach.training.models import (
    Attendance,
    Cohort,
    Enrolment,
    TrainingModule,
    TrainingSession,
)
from digicoach.training.services import enrolment

_numbers = itertools.count(1)


def make_module(programme: Programme, *, required: bool = True, **values: Any) -> TrainingModule:
    n = next(_numbers)
    module = TrainingModule(
        programme_id=programme.id,
        title=values.pop("title", f"Module {n}"),
        description=values.pop("description", ""),
        required=required,
        expected_minutes=values.pop("expected_minutes", 120),
        position=values.pop("position", n),
    )
    db.session.add(module)
    db.session.flush()
    return module


def make_cohort(
    programme: Programme,
    municipalities: list[Municipality],
    *,
    status: str = rules.OPEN,
    capacity: int = 10,
    minimum: int = 0,
    deadline: datetime | None = None,
    trainer: User | None = None,
    **values: Any,
) -> Cohort:
    n = next(_numbers)
    cohort = Cohort(
        programme_id=programme.id,
        name=values.pop("name", f"Opleidingsgroep {n}"),
        trainer_id=trainer.id if trainer else None,
        capacity=capacity,
        minimum=minimum,
        enrolled_count=0,
        enrolment_deadline=deadline or clock.now() + timedelta(days=7),
        online_link=values.pop("online_link", "https://meet.example.org/groep"),
        status=status,
        **values,
    )
    cohort.municipalities = municipalities
    db.session.add(cohort)
    db.session.flush()
    return cohort


def make_session(
    cohort: Cohort,
    *,
    starts_at: datetime | None = None,
    hours: int = 2,
    modules: list[TrainingModule] = (),  # type: ignore[assignment]
    status: str = rules.SCHEDULED,
) -> TrainingSession:
    start = starts_at or clock.now() + timedelta(days=10)
    session = TrainingSession(
        cohort=cohort,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        status=status,
    )
    session.modules = list(modules)
    db.session.add(session)
    db.session.flush()
    return session


def enrol(cohort: Cohort, coach: Coach) -> Enrolment:
    """Enrol through the service, as the coach themselves."""
    return enrolment.enrol(actor=coach.user, cohort=cohort, coach=coach, now=clock.now())


def mark(session: TrainingSession, coach: Coach, value: str) -> Attendance:
    row = Attendance(session_id=session.id, coach_id=coach.id, mark=value)
    session.status = rules.HELD
    db.session.add(row)
    db.session.flush()
    return row
