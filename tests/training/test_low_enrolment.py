"""Cohorts below their minimum shortly before the start are flagged to their coordinators."""

from datetime import timedelta

from digicoach.core import clock, outbox
from digicoach.extensions import db
from digicoach.training import tasks
from digicoach.training.models import Cohort
from tests.conftest import sign_in
from tests.factories import make_coordinator
from tests.training.factories import enrol


def test_a_cohort_below_its_minimum_is_flagged_once_by_mail_and_on_the_list(
    app, client, world, mailbox
):
    world.cohort.minimum = 3
    enrol(world.cohort, world.coach())
    colleague = make_coordinator([world.gent], language="fr")
    db.session.commit()
    first_session = world.sessions[0].starts_at

    # 15 days before: too early.
    assert tasks.flag_low_enrolment(first_session - timedelta(days=15)) == 0
    # 14 days before: flagged, one mail per coordinator of the municipality.
    moment = first_session - timedelta(days=14)
    assert tasks.flag_low_enrolment(moment) == 1
    outbox.dispatch_due(clock.now())
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == sorted([world.coordinator.email, colleague.email])
    assert world.cohort.name in mailbox.to(world.coordinator.email)[0]["Subject"]
    # The other municipality's coordinator hears nothing.
    assert not mailbox.to(world.other_coordinator.email)
    # Once only.
    assert tasks.flag_low_enrolment(moment + timedelta(hours=1)) == 0
    assert db.session.get(Cohort, world.cohort.id).low_enrolment_flagged_at is not None

    sign_in(client, world.coordinator)
    page = client.get("/training/manage").get_data(as_text=True)
    assert "too few enrolments" in page


def test_a_cohort_at_its_minimum_is_not_flagged(world):
    world.cohort.minimum = 1
    enrol(world.cohort, world.coach())
    db.session.commit()
    first_session = world.sessions[0].starts_at
    assert tasks.flag_low_enrolment(first_session - timedelta(days=1)) == 0


def test_the_list_flag_follows_the_setting(client, world, app, monkeypatch):
    world.cohort.minimum = 2
    db.session.commit()
    sign_in(client, world.coordinator)
    # The first session is ten days away: within 14 days, outside 7.
    assert "too few enrolments" in client.get("/training/manage").get_data(as_text=True)
    app.config["COHORT_LOW_ENROLMENT_WARNING_DAYS"] = 7
    assert "too few enrolments" not in client.get("/training/manage").get_data(as_text=True)
    assert clock.now() < world.sessions[0].starts_at
