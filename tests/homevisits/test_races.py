"""Real processes race for what is capped: the second coach place of a visit, one coming visit
per citizen, one coach's travel time between two visits, and the same coaches booked by two
desks for visits at the same time. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import time

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import DomainError, ValidationFailed
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, Shift, ShiftStatus
from digicoach.helpdesk.services import common, shifts
from digicoach.homevisits import services
from digicoach.homevisits.models import HomeVisit
from digicoach.places.models import Location
from tests.homevisits.conftest import book, visit_input

pytestmark = pytest.mark.concurrency

RACERS = 3


def _sign_up(coach_id: int, session_id: int) -> str:
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                coach = db.session.get(Coach, coach_id)
                session = db.session.get(HelpSession, session_id)
                shifts.sign_up(actor=coach.user, coach=coach, session=session, now=clock.now())
                return "signed_up"
        except common.SessionFull:
            return "full"
        except common.SignUpRefused as refused:
            return refused.code
        except DomainError as error:
            return f"refused: {error.message}"


def second_coach(index: int, session_id: int, coach_ids: tuple[int, ...]) -> str:
    return _sign_up(coach_ids[index], session_id)


def one_coach_two_visits(index: int, coach_id: int, session_ids: tuple[int, ...]) -> str:
    return _sign_up(coach_id, session_ids[index])


def _book(desk_id: int, location_id: int, **values: object) -> str:
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                desk = db.session.get(User, desk_id)
                data = visit_input(db.session.get(Location, location_id), **values)
                services.book_visit(actor=desk, data=data, now=clock.now())
                return "booked"
        except services.VisitPlanned:
            return "planned"
        except ValidationFailed as error:
            return "coach_busy" if set(error.errors) <= {"coach_id", "second_id"} else str(error)
        except DomainError as error:
            return f"refused: {error.message}"


def book_for_the_same_caller(
    index: int, desk_id: int, location_id: int, coach_ids: tuple[int, ...]
) -> str:
    return _book(desk_id, location_id, token=f"racer-{index}", coach_ids=coach_ids)


def book_the_same_coaches(
    index: int, desk_ids: tuple[int, ...], location_id: int, coach_ids: tuple[int, ...]
) -> str:
    # Every other desk names the two coaches the other way round: no deadlock either way.
    pair = coach_ids if index % 2 == 0 else tuple(reversed(coach_ids))
    return _book(
        desk_ids[index % len(desk_ids)],
        location_id,
        phone=f"0470 00 10 {index:02d}",
        start_time=time(10, 15 * index),
        end_time=time(11, 30),
        coach_ids=pair,
    )


def change_to_the_same_coach(
    index: int, desk_id: int, visit_ids: tuple[int, ...], coach_ids: tuple[int, ...]
) -> str:
    """Desk `index` swaps the second coach of visit `index` for the one shared coach."""
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                visit = db.session.get(HomeVisit, visit_ids[index])
                starts = clock.local(visit.session.starts_at)
                ends = clock.local(visit.session.ends_at)
                kept = min(s.coach_id for s in visit.session.shifts if s.is_active)
                services.change_visit(
                    actor=db.session.get(User, desk_id),
                    visit=visit,
                    data=services.ChangeInput(
                        day=starts.date(),
                        start_time=starts.time(),
                        end_time=ends.time(),
                        coach_ids=(kept, coach_ids[0]),
                    ),
                    now=clock.now(),
                )
                return "changed"
        except ValidationFailed:
            return "coach_busy"
        except DomainError as error:
            return f"refused: {error.message}"


def test_of_racers_for_the_second_coach_place_exactly_one_goes(world, racing_processes):
    # A digicoach and the staff member go; a second digicoach may still join.
    visit = book(world, companion=True)
    racers = [world.coach() for _ in range(RACERS)]
    db.session.commit()

    outcomes = racing_processes(
        RACERS, second_coach, visit.session.id, tuple(coach.id for coach in racers)
    )

    assert outcomes.count("signed_up") == 1, outcomes
    assert outcomes.count("full") == RACERS - 1, outcomes
    db.session.rollback()
    assert db.session.get(HelpSession, visit.session.id).coaches_taken == 2


def test_desks_booking_the_same_caller_at_once_book_one_visit(world, racing_processes):
    coach_ids = (world.coach().id, world.coach().id)
    db.session.commit()
    outcomes = racing_processes(
        RACERS, book_for_the_same_caller, world.desk.id, world.location.id, coach_ids
    )

    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("planned") == RACERS - 1, outcomes
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HomeVisit)) == 1


def test_one_coach_signing_up_for_two_close_visits_at_once_gets_one(world, racing_processes):
    coach = world.coach()
    first = book(world, companion=True, start_time=time(10), end_time=time(11))
    second = book(
        world, companion=True, phone="0470 00 00 07", start_time=time(11, 10), end_time=time(12)
    )
    db.session.commit()

    outcomes = racing_processes(
        2, one_coach_two_visits, coach.id, (first.session.id, second.session.id)
    )

    assert sorted(outcomes) == ["signed_up", "travel_time"], outcomes
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Shift)
            .where(Shift.coach_id == coach.id, Shift.status == ShiftStatus.SIGNED_UP)
        )
        == 1
    )


def test_desks_booking_the_same_coaches_at_overlapping_times_book_one_visit(
    world, racing_processes
):
    coaches = (world.coach(), world.coach())
    db.session.commit()

    outcomes = racing_processes(
        RACERS,
        book_the_same_coaches,
        (world.desk.id, world.coordinator.id),
        world.location.id,
        tuple(coach.id for coach in coaches),
    )

    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("coach_busy") == RACERS - 1, outcomes
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HomeVisit)) == 1
    assert db.session.scalar(select(func.count()).select_from(HelpSession)) == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(Shift).where(Shift.status == ShiftStatus.SIGNED_UP)
        )
        == 2
    )


def test_desks_changing_visits_at_the_same_time_to_one_coach_give_them_one(world, racing_processes):
    shared = world.coach()
    visits = [
        book(world, phone=f"0470 00 20 {index:02d}", start_time=time(10), end_time=time(11))
        for index in range(2)
    ]
    db.session.commit()

    outcomes = racing_processes(
        2, change_to_the_same_coach, world.desk.id, tuple(v.id for v in visits), (shared.id,)
    )

    assert sorted(outcomes) == ["changed", "coach_busy"], outcomes
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Shift)
            .where(Shift.coach_id == shared.id, Shift.status == ShiftStatus.SIGNED_UP)
        )
        == 1
    )
