"""Two coordinators add the same digicoach's account to two organisations at once, in real
processes: it ends up staff of exactly one (partner staff work for one organisation); the other
hears it already works for another. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from digicoach.accounts.models import User, UserOrganisation
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import ValidationFailed
from digicoach.extensions import db
from digicoach.partners import services
from tests.factories import make_coordinator
from tests.helpdesk.factories import make_working_coach

pytestmark = pytest.mark.concurrency

RACERS = 4


def link_the_account(index: int, actor_ids: list[int], organisation_ids: list[int], email: str):
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                services.link_staff(
                    actor=db.session.get(User, actor_ids[index % 2]),
                    organisation_id=organisation_ids[index % 2],
                    email=email,
                    now=clock.now(),
                )
                return f"linked:{organisation_ids[index % 2]}"
        except ValidationFailed:
            return "refused"


def test_an_account_added_to_two_organisations_at_once_works_for_one(world, racing_processes):
    coach = make_working_coach(world.gent)
    other = make_coordinator([world.gent], name="Cor Twee")
    db.session.commit()
    actors = [world.coordinator.id, other.id]
    organisations = [world.library.id, world.ocmw.id]

    outcomes = racing_processes(RACERS, link_the_account, actors, organisations, coach.user.email)

    linked = [outcome for outcome in outcomes if outcome.startswith("linked:")]
    assert len(linked) == 1, outcomes
    # The others are refused with the rule's message, not a clash of two inserts (a 500).
    assert outcomes.count("refused") == RACERS - 1, outcomes
    db.session.rollback()
    rows = db.session.scalars(
        select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == coach.user_id)
    ).all()
    assert [f"linked:{row}" for row in rows] == linked
