"""Twenty real processes take the last coach place of a help session at once: exactly one
gets it, the others get a clean "full". Runs on SQLite and on PostgreSQL."""

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import DomainError
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, Shift
from digicoach.helpdesk.services import common, shifts
from tests.helpdesk.factories import make_help_session, make_shift

pytestmark = pytest.mark.concurrency

RACERS = 20


def take_the_last_place(index: int, session_id: int, coach_ids: tuple[int, ...]) -> str:
    """Racer `index` signs up coach `coach_ids[index]` (a process per coach, as in real life)."""
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                session = db.session.get(HelpSession, session_id)
                coach = db.session.get(Coach, coach_ids[index])
                shifts.sign_up(actor=coach.user, coach=coach, session=session, now=clock.now())
                return "signed_up"
        except common.SessionFull:
            return "full"
        except DomainError as error:
            return f"refused: {error.message}"


def test_twenty_racers_for_the_last_coach_place_one_wins_the_rest_hear_full(
    world, racing_processes
):
    session = make_help_session(world.location, coaches_min=2, coaches_max=3)
    make_shift(session, world.coach())
    make_shift(session, world.coach())
    racers = [world.coach() for _ in range(RACERS)]
    db.session.commit()

    outcomes = racing_processes(
        RACERS, take_the_last_place, session.id, tuple(coach.id for coach in racers)
    )

    assert outcomes.count("signed_up") == 1, outcomes
    assert outcomes.count("full") == RACERS - 1, outcomes
    db.session.rollback()  # a fresh snapshot: ours began before the race
    assert db.session.get(HelpSession, session.id).coaches_taken == 3
    assert (
        db.session.scalar(
            select(func.count()).select_from(Shift).where(Shift.session_id == session.id)
        )
        == 3
    )
