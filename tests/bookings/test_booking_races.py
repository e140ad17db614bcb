"""Twenty real processes book the last place of a slot at once: exactly one gets it, the others
get a clean "full", nothing is double-booked. Runs on SQLite and on PostgreSQL."""

from datetime import datetime

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
from tests.bookings.factories import booking_input, make_appointment, make_bookable_session

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
