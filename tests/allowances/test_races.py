"""Twelve coordinators record a flat-rate allowance for the same coach on the same day at
once: only one fits under the daily cap, the others are refused, and the totals row agrees.
Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.accounts.models import User
from digicoach.allowances import services
from digicoach.allowances.models import Allowance, AllowanceTotal
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict
from digicoach.extensions import db
from tests.factories import make_coordinator

pytestmark = pytest.mark.concurrency

RACERS = 12
DAY = date(2026, 6, 1)


def record_thirty_euros(index: int, coach_id: int, actor_ids: tuple[int, ...]) -> str:
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                coach = db.session.get(Coach, coach_id)
                actor = db.session.get(User, actor_ids[index])
                services.record(
                    actor=actor,
                    coach=coach,
                    data=services.AllowanceInput(kind="flat", day=DAY, amount="30"),
                    now=clock.now(),
                )
                return "recorded"
        except Conflict as error:
            return error.code or "conflict"


def ride_150_km(index: int, coach_id: int, actor_ids: tuple[int, ...]) -> str:
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                services.record(
                    actor=db.session.get(User, actor_ids[index]),
                    coach=db.session.get(Coach, coach_id),
                    data=services.AllowanceInput(kind="bicycle", day=DAY, km=150),
                    now=clock.now(),
                )
                return "recorded"
        except Conflict as error:
            return error.code or "conflict"


def _coordinators(world) -> tuple[int, ...]:
    return tuple(
        make_coordinator([world.gent], name=f"Coördinator {n}", language="en").id
        for n in range(RACERS)
    )


def test_racing_coordinators_never_pass_the_daily_cap(world, racing_processes):
    actors = _coordinators(world)
    db.session.commit()

    outcomes = racing_processes(RACERS, record_thirty_euros, world.coach.id, actors)

    assert outcomes.count("recorded") == 1, outcomes
    assert outcomes.count("allowances.daily_cap") == RACERS - 1, outcomes
    db.session.rollback()
    assert db.session.scalar(select(func.sum(Allowance.amount_cents))) == 3000
    assert db.session.get(AllowanceTotal, (world.coach.id, 2026)).flat_cents == 3000


def test_racing_coordinators_never_pass_the_2000_km(world, racing_processes):
    services.record(
        actor=world.coordinator,
        coach=world.coach,
        data=services.AllowanceInput(kind="car", day=date(2026, 5, 1), km=1800),
        now=clock.now(),
    )
    actors = _coordinators(world)
    db.session.commit()

    outcomes = racing_processes(RACERS, ride_150_km, world.coach.id, actors)

    assert outcomes.count("recorded") == 1, outcomes
    assert outcomes.count("allowances.km_cap") == RACERS - 1, outcomes
    db.session.rollback()
    assert db.session.get(AllowanceTotal, (world.coach.id, 2026)).km == 1950
