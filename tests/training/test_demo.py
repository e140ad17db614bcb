"""The demo adds a curriculum and cohorts in every phase."""

import random

from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.coaches import demo as coaches_demo
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from digicoach.places import demo as places_demo
from digicoach.training import demo, queries, rules
from digicoach.training.models import Certification, Cohort, Enrolment
from tests.factories import make_admin


def test_the_demo_has_a_cohort_in_every_phase_and_consistent_numbers(app):
    rng = random.Random(2026)
    with app.test_request_context("/"), force_locale("en"), unit_of_work():
        make_admin()
        places = places_demo.seed_places(rng=rng)
        coaches = coaches_demo.seed_coaches(rng=rng, places=places)
        demo.seed_training(rng=rng, places=places, coaches=coaches)

    # One open and one cancelled group; a running and a finished one per municipality.
    statuses = sorted(db.session.scalars(select(Cohort.status)))
    assert statuses == sorted(["open", "cancelled"] + ["running", "finished"] * 3)
    for cohort in db.session.scalars(select(Cohort)):
        enrolled = db.session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.status.in_([rules.ENROLLED, rules.COMPLETED]),
            )
        )
        assert cohort.enrolled_count == enrolled
    finished = db.session.scalar(select(Cohort).where(Cohort.status == "finished"))
    certificates = db.session.scalars(
        select(Certification).where(Certification.cohort_id == finished.id)
    ).all()
    assert certificates
    assert all(c.number.startswith("DC-") for c in certificates)
    # The certified graduates meet the rule they were certified by.
    standing = queries.assessments(finished, [c.coach_id for c in certificates])
    assert all(a.eligible for a in standing.values())
    open_cohort = db.session.scalar(select(Cohort).where(Cohort.status == "open"))
    rows = {row.cohort.id: row for row in queries.cohorts_for_staff(make_admin(), now=clock.now())}
    assert rows[open_cohort.id].low_enrolment
