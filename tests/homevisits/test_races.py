"""Real processes race for what is capped: the second coach place of a visit, one coming visit
per citizen, and one coach's travel time between two visits. Runs on SQLite and PostgreSQL."""

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
from digicoach.core.errors import DomainError
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


def book_for_the_same_caller(index: int, desk_id: int, location_id: int) -> str:
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                desk = db.session.get(User, desk_id)
                data = visit_input(
                    db.session.get(Location, location_id),
                    token=f"racer-{index}",
                )
                services.book_visit(actor=desk, data=data, now=clock.now())
                return "booked"
        except services.VisitPlanned:
            return "planned"
        except DomainError as error:
            return f"refused: {error.message}"


def test_of_racers_for_the_second_coach_place_exactly_one_goes(world, racing_processes):
    visit = book(world)
    shifts.sign_up(
        actor=world.coordinator, coach=world.coach(), session=visit.session, now=clock.now()
    )
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
    outcomes = racing_processes(RACERS, book_for_the_same_caller, world.desk.id, world.location.id)

    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("planned") == RACERS - 1, outcomes
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(HomeVisit)) == 1


def test_one_coach_signing_up_for_two_close_visits_at_once_gets_one(world, racing_processes):
    coach = world.coach()
    first = book(world, start_time=time(10), end_time=time(11))
    second = book(world, phone="0470 00 00 07", start_time=time(11, 10), end_time=time(12))
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
