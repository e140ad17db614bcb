"""Two staff members close the same referral at once, in real processes: it closes once, with
one outcome; the other hears that someone changed it. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from digicoach.referrals import services
from digicoach.referrals.models import Referral
from tests.partners.factories import make_partner_staff
from tests.referrals.conftest import refer

pytestmark = pytest.mark.concurrency

RACERS = 4
OUTCOMES = ("helped", "unreachable", "declined", "elsewhere")


def close_the_referral(index: int, referral_id: int, staff_ids: list[int]) -> str:
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                services.close(
                    actor=db.session.get(User, staff_ids[index % len(staff_ids)]),
                    referral=db.session.get(Referral, referral_id),
                    outcome=OUTCOMES[index],
                    now=clock.now(),
                )
                return f"closed:{OUTCOMES[index]}"
        except services.MovedOn:
            return "moved on"


def test_a_referral_closed_by_several_staff_at_once_closes_once(world, racing_processes):
    referral = refer(world)
    colleague = make_partner_staff(world.ocmw, name="Bart OCMW")
    db.session.commit()
    staff_ids = [world.ocmw_staff.id, colleague.id]

    outcomes = racing_processes(RACERS, close_the_referral, referral.id, staff_ids)

    closed = [outcome for outcome in outcomes if outcome.startswith("closed:")]
    assert len(closed) == 1, outcomes
    assert outcomes.count("moved on") == RACERS - 1, outcomes
    db.session.rollback()
    stored = db.session.scalar(select(Referral))
    assert stored.status == "closed" and closed == [f"closed:{stored.outcome}"]
