"""Twenty real processes enrol for the last place at once: exactly one gets it, the others are
waitlisted with distinct, gap-free positions. Runs on SQLite and on PostgreSQL."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import DomainError
from digicoach.extensions import db
from digicoach.training import rules
from digicoach.training.models import Cohort, Enrolment
from digicoach.training.services import enrolment as enrolment_services
from tests.training.factories import enrol

pytestmark = pytest.mark.concurrency

RACERS = 20


def enrol_in_process(_index: int, cohort_id: int, coach_id: int) -> str:
    from flask import current_app

    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                cohort = db.session.get(Cohort, cohort_id)
                coach = db.session.get(Coach, coach_id)
                enrolment = enrolment_services.enrol(
                    actor=coach.user, cohort=cohort, coach=coach, now=clock.now()
                )
                return enrolment.status
        except DomainError as error:
            return f"refused: {error.message}"


def test_twenty_racers_for_the_last_place_one_enrolled_the_rest_waitlisted(world, racing_processes):
    for _ in range(world.cohort.capacity - 1):
        enrol(world.cohort, world.coach())
    racers = [world.coach() for _ in range(RACERS)]
    db.session.commit()

    outcomes = racing_processes(
        RACERS, enrol_own_coach, world.cohort.id, tuple(coach.id for coach in racers)
    )

    assert outcomes.count(rules.ENROLLED) == 1, outcomes
    assert outcomes.count(rules.WAITLISTED) == RACERS - 1, outcomes
    db.session.rollback()  # a fresh snapshot: ours began before the race
    cohort = db.session.get(Cohort, world.cohort.id)
    assert cohort.enrolled_count == cohort.capacity
    positions = sorted(
        db.session.scalars(
            select(Enrolment.waitlist_position).where(
                Enrolment.cohort_id == cohort.id, Enrolment.status == rules.WAITLISTED
            )
        )
    )
    assert positions == list(range(1, RACERS))


def enrol_own_coach(index: int, cohort_id: int, coach_ids: tuple[int, ...]) -> str:
    """Racer `index` enrols coach `coach_ids[index]` (a process per coach, as in real life)."""
    return enrol_in_process(index, cohort_id, coach_ids[index])
