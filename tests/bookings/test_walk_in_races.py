"""Real processes call the next walk-in at once: nobody is called twice, nobody is skipped.
Runs on SQLite (a file) and on PostgreSQL, like the booking races."""

from __future__ import annotations

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.accounts.models import User
from digicoach.bookings import walk_ins
from digicoach.bookings.models import WalkIn, WalkInStatus
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import DomainError
from digicoach.extensions import db
from digicoach.places.models import Location
from tests.bookings.factories import in_days
from tests.helpdesk.factories import make_help_session, make_shift

pytestmark = pytest.mark.concurrency

RACERS = 8


def call_the_next(index: int, user_ids: list[int], location_id: int) -> str:
    """Racer `index` acts as one of the callers and calls the next walk-in to its own table."""
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                actor = db.session.get(User, user_ids[index % len(user_ids)])
                location = db.session.get(Location, location_id)
                called = walk_ins.call_next(
                    actor=actor, location=location, station=f"tafel {index}", now=clock.now()
                )
                return f"called {called.number}"
        except walk_ins.NobodyWaiting:
            return "nobody"
        except DomainError as error:
            return f"refused: {error.message}"


def _queue(world, waiting: int) -> list[int]:
    """Walk-in hours today all day, coaches on shift (any topic fits "other"), `waiting`
    walk-ins; returns the user ids of the callers: the desk and the coaches."""
    session = make_help_session(
        world.location, starts_at=in_days(0, 0, 1), hours=23.9, coaches_max=3
    )
    coaches = [world.coach() for _ in range(3)]
    for coach in coaches:
        make_shift(session, coach)
    db.session.flush()
    for _ in range(waiting):
        walk_ins.register_walk_in(
            actor=world.desk, location=world.location, topic="other", language="nl", now=clock.now()
        )
    db.session.commit()
    return [world.desk.id, *(coach.user_id for coach in coaches)]


def test_callers_at_once_never_get_the_same_walk_in(world, racing_processes):
    callers = _queue(world, waiting=RACERS // 2)

    outcomes = racing_processes(RACERS, call_the_next, callers, world.location.id)

    called = sorted(int(o.split()[1]) for o in outcomes if o.startswith("called"))
    assert called == list(range(1, RACERS // 2 + 1)), outcomes  # each number exactly once
    assert outcomes.count("nobody") == RACERS - RACERS // 2, outcomes
    db.session.rollback()  # a fresh snapshot: ours began before the race
    rows = db.session.scalars(select(WalkIn).order_by(WalkIn.number)).all()
    assert {row.status for row in rows} == {WalkInStatus.CALLED}
    assert len({row.station for row in rows}) == len(rows)  # each went to its own caller


def test_more_walk_ins_than_callers_each_caller_gets_one_and_the_rest_wait(world, racing_processes):
    callers = _queue(world, waiting=RACERS + 3)

    outcomes = racing_processes(RACERS, call_the_next, callers, world.location.id)

    called = sorted(int(o.split()[1]) for o in outcomes if o.startswith("called"))
    assert called == list(range(1, RACERS + 1)), outcomes  # the first in line, none twice
    db.session.rollback()
    waiting = db.session.scalar(
        select(func.count()).select_from(WalkIn).where(WalkIn.status == WalkInStatus.WAITING)
    )
    assert waiting == 3


def register_one(index: int, desk_id: int, location_id: int) -> str:
    """Racer `index` registers a walk-in at the same digipunt as every other racer."""
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                walk_in = walk_ins.register_walk_in(
                    actor=db.session.get(User, desk_id),
                    location=db.session.get(Location, location_id),
                    topic="email",
                    language="nl",
                    now=clock.now(),
                )
                return f"number {walk_in.number}"
        except DomainError as error:
            return f"refused: {error.message}"


def test_desks_registering_at_once_give_every_walk_in_its_own_number(world, racing_processes):
    _queue(world, waiting=0)

    outcomes = racing_processes(RACERS, register_one, world.desk.id, world.location.id)

    assert sorted(outcomes) == sorted(f"number {n}" for n in range(1, RACERS + 1)), outcomes
