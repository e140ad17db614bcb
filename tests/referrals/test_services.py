"""The rules of a warm referral: consent, a reason, minimal contact data, a target in the
municipality; its statuses move once and only by the receiving organisation; reminders of open
referrals go to that organisation on a frozen clock; contact data is erased on schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from digicoach import scheduler
from digicoach.core.audit import AuditEvent
from digicoach.core.citizens import citizen_key
from digicoach.core.errors import NotFound, PermissionDenied, ValidationFailed
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.referrals import notices, retention, services
from digicoach.referrals.models import Referral
from tests.referrals.conftest import NOW, refer


def test_a_coach_refers_from_their_help_log_with_the_minimum_of_contact_data(world):
    referral = refer(world)
    assert referral.status == "sent" and referral.organisation_id == world.ocmw.id
    assert referral.first_name == "Marcel" and referral.phone == "+32470123456"
    assert referral.email is None and referral.consent is True
    assert referral.neighbourhood_id == world.wijk.id and referral.municipality_id == world.gent.id
    # The citizen key links the referral to the help logs without a name.
    assert referral.citizen_key == citizen_key(phone_e164="+32470123456")
    # The help log's "referred to" tick follows the referral.
    assert db.session.get(type(world.log), world.log.id).referred_to == "ocmw"


def test_no_referral_without_consent_a_reason_or_a_way_to_reach_the_citizen(world):
    with pytest.raises(ValidationFailed) as refused:
        refer(world, consent=False, reason=" ", phone="", email="")
    assert set(refused.value.errors) == {"consent", "reason", "phone"}
    with pytest.raises(ValidationFailed) as elsewhere:
        refer(world, target=f"offer:{world.kortrijk_offer.id}")
    assert set(elsewhere.value.errors) == {"target"}
    db.session.rollback()
    assert db.session.scalars(select(Referral)).all() == []


def test_a_digipunt_run_by_an_organisation_is_a_target_too(world):
    referral = refer(world, target=f"location:{world.krook.id}")
    assert (
        referral.organisation_id == world.library.id
        and referral.target_name == "Bibliotheek De Krook"
    )


def test_only_the_logs_coach_or_the_municipalitys_desk_refers_from_a_log(world):
    with pytest.raises(NotFound):
        services.source_of(actor=world.other_coach.user, help_log_id=world.log.id)
    assert services.source_of(actor=world.desk, help_log_id=world.log.id).help_log is not None
    with pytest.raises(NotFound):
        services.source_of(actor=world.coach.user, location_id=world.krook.id)
    with pytest.raises(PermissionDenied):
        services.source_of(actor=world.ocmw_staff, help_log_id=world.log.id)


def test_the_receiving_organisation_accepts_contacts_and_closes_once(world):
    referral = refer(world)
    later = NOW + timedelta(hours=3)
    with pytest.raises(PermissionDenied):
        services.accept(actor=world.library_staff, referral=referral, now=later)
    services.accept(actor=world.ocmw_staff, referral=referral, now=later)
    with pytest.raises(services.MovedOn):
        services.accept(actor=world.ocmw_staff, referral=referral, now=later)
    services.mark_contacted(actor=world.ocmw_staff, referral=referral, now=later)
    with pytest.raises(ValidationFailed):
        services.close(actor=world.ocmw_staff, referral=referral, outcome="maybe", now=later)
    services.close(actor=world.ocmw_staff, referral=referral, outcome="helped", now=later)
    db.session.commit()
    assert (referral.status, referral.outcome) == ("closed", "helped")
    assert referral.accepted_at == later and referral.closed_by_id == world.ocmw_staff.id
    with pytest.raises(services.MovedOn):
        services.close(actor=world.ocmw_staff, referral=referral, outcome="declined", now=later)
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [a for a in actions if a.startswith("referrals.")] == [
        "referrals.referral.send",
        "referrals.referral.accept",
        "referrals.referral.contact",
        "referrals.referral.close",
    ]


def test_the_audit_log_names_fields_never_the_citizens_data(world):
    refer(world)
    for event in db.session.scalars(select(AuditEvent)):
        text = repr((event.action, event.object_type, event.object_id, event.fields))
        assert "Marcel" not in text and "470" not in text and "tarief" not in text


def test_an_open_referral_reminds_the_organisation_after_the_set_days_and_then_again(world):
    referral = refer(world)
    assert notices.queue_open_reminders(now=NOW + timedelta(days=4, hours=23), every_days=5) == 0
    assert notices.queue_open_reminders(now=NOW + timedelta(days=5), every_days=5) == 1
    # The same run again queues nothing: one reminder per round.
    assert notices.queue_open_reminders(now=NOW + timedelta(days=6), every_days=5) == 0
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.recipient == world.ocmw_staff.email
    assert "Marcel" not in message.body_text and "470" not in message.body_text
    assert notices.queue_open_reminders(now=NOW + timedelta(days=10), every_days=5) == 1
    services.close(
        actor=world.ocmw_staff,
        referral=referral,
        outcome="unreachable",
        now=NOW + timedelta(days=10),
    )
    db.session.commit()
    statuses = db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()
    assert statuses[-1] == Status.SKIPPED
    assert notices.queue_open_reminders(now=NOW + timedelta(days=20), every_days=5) == 0


def test_the_reminder_job_reads_the_setting(world, app):
    refer(world)
    app.config["REFERRAL_REMINDER_DAYS"] = 2
    job = next(job for job in scheduler.JOBS if job.name == "referrals.queue_reminders")
    scheduler.run_job(app, job, NOW + timedelta(days=2))
    assert db.session.scalar(select(OutboxMessage.kind)) == notices.OPEN_REMINDER
    app.config["REFERRAL_REMINDER_DAYS"] = 0
    assert notices.reminder_round(NOW, NOW + timedelta(days=30), 0) == 0


def test_contact_data_goes_after_the_retention_period_and_the_referral_stays(world, app):
    referral = refer(world)
    open_one = refer(world, first_name="Germaine", phone="0471 11 22 33")
    closed_at = NOW + timedelta(days=3)
    services.close(actor=world.ocmw_staff, referral=referral, outcome="helped", now=closed_at)
    db.session.commit()
    assert retention.purge_contact_data(now=closed_at + timedelta(days=29), retention_days=30) == 0
    app.config["REFERRAL_RETENTION_DAYS"] = 30
    job = next(job for job in scheduler.JOBS if job.name == "referrals.purge_contact_data")
    assert scheduler.run_daily_job(app, job, job.trigger, closed_at + timedelta(days=30, hours=18))
    db.session.rollback()
    erased = db.session.get(Referral, referral.id)
    assert (erased.first_name, erased.phone, erased.email, erased.reason) == ("", None, None, "")
    assert erased.contact_erased_at is not None and erased.outcome == "helped"
    assert erased.citizen_key is not None
    assert db.session.get(Referral, open_one.id).first_name == "Germaine"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "referrals.referral.erase_contact")
    ).one()
    assert event.fields == "count=1"
