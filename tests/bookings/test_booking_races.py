"""Twenty real processes book the last place of a slot at once: exactly one gets it, the others
get a clean "full", nothing is double-booked. Runs on SQLite and on PostgreSQL."""

from datetime import datetime, timedelta

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.bookings import services
from digicoach.bookings.models import Appointment, Slot
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import DomainError
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from tests.bookings.factories import (
    booking_input,
    in_days,
    make_appointment,
    make_bookable_session,
)

pytestmark = pytest.mark.concurrency

RACERS = 20


def book_the_last_place(index: int, session_id: int, start_iso: str) -> str:
    """Racer `index` books as a different citizen (its own phone number)."""
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                session = db.session.get(HelpSession, session_id)
                data = booking_input(
                    session, datetime.fromisoformat(start_iso), phone=f"+3247{index + 1:07d}"
                )
                services.book(actor=None, data=data, now=clock.now())
                return "booked"
        except services.SlotFull:
            return "full"
        except DomainError as error:
            return f"refused: {error.message}"


def test_twenty_racers_for_the_last_place_of_a_slot_one_wins_the_rest_hear_full(
    world, racing_processes
):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    make_appointment(session, phone="0470 99 99 99")  # one of two places is gone
    session_id, start = session.id, session.starts_at.isoformat()
    db.session.commit()

    outcomes = racing_processes(RACERS, book_the_last_place, session_id, start)

    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("full") == RACERS - 1, outcomes
    db.session.rollback()  # a fresh snapshot: ours began before the race
    assert db.session.scalar(select(Slot.taken)) == 2
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2


def test_twenty_racers_on_a_slot_nobody_booked_yet_create_one_slot_row(world, racing_processes):
    session = make_bookable_session(world.location, [world.coach()])
    session_id, start = session.id, session.starts_at.isoformat()
    db.session.commit()

    outcomes = racing_processes(RACERS, book_the_last_place, session_id, start)

    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("full") == RACERS - 1, outcomes
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Slot)) == 1


def book_with_one_phone(index: int, session_id: int, starts: list[str]) -> str:
    """Racer `index` books slot `index` for the same citizen (one phone number for all)."""
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                session = db.session.get(HelpSession, session_id)
                start = datetime.fromisoformat(starts[index])
                data = booking_input(session, start, phone="+32470555555")
                services.book(actor=None, data=data, now=clock.now())
                return "booked"
        except services.TooManyAppointments:
            return "limit"
        except DomainError as error:
            return f"refused: {error.message}"


def test_racers_booking_different_slots_for_one_citizen_get_exactly_the_limit(
    app, world, racing_processes
):
    """The per-contact limit counts, then writes: without serialising per citizen, parallel
    bookings all counted the same number and all booked (5 of a limit of 3 once)."""
    session = make_bookable_session(
        world.location, [world.coach()], starts_at=in_days(3, 8), hours=10
    )
    starts = [
        (session.starts_at + timedelta(minutes=30 * index)).isoformat() for index in range(RACERS)
    ]
    db.session.commit()
    limit = app.config["BOOKING_MAX_ACTIVE_PER_CONTACT"]

    outcomes = racing_processes(RACERS, book_with_one_phone, session.id, starts)

    assert outcomes.count("booked") == limit, outcomes
    assert outcomes.count("limit") == RACERS - limit, outcomes
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == limit
