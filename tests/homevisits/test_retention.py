"""A home visit's name, phone, address and notes are erased HOME_VISIT_RETENTION_DAYS after the
visit, by the nightly job, audited as a count; the visit and its session stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from digicoach import scheduler
from digicoach.core.audit import AuditEvent
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.homevisits import retention, tasks
from digicoach.homevisits.models import HomeVisit
from tests.homevisits.conftest import book


def test_the_address_goes_thirty_days_after_the_visit_and_the_visit_stays(world):
    visit = book(world)
    key, ends_at = visit.citizen_key, visit.session.ends_at

    assert retention.purge_addresses(now=ends_at + timedelta(days=29), retention_days=30) == 0
    assert retention.purge_addresses(now=ends_at + timedelta(days=30), retention_days=30) == 1
    db.session.commit()

    erased = db.session.get(HomeVisit, visit.id)
    assert (erased.first_name, erased.phone, erased.street, erased.postcode, erased.city) == (
        "",
        None,
        "",
        "",
        "",
    )
    assert erased.accessibility_notes == ""
    assert erased.address_erased_at == ends_at + timedelta(days=30)
    assert erased.citizen_key == key
    assert erased.session.ends_at == ends_at
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "homevisits.visit.erase_address")
    )
    assert event.fields == "count=1"
    # Nothing left to erase: a second run changes nothing.
    assert retention.purge_addresses(now=ends_at + timedelta(days=60), retention_days=30) == 0


def test_the_nightly_job_erases_with_the_configured_retention(world, app):
    visit = book(world)
    app.config["HOME_VISIT_RETENTION_DAYS"] = 7
    assert tasks.purge_addresses(visit.session.ends_at + timedelta(days=7)) == 1
    db.session.expire_all()
    assert db.session.get(HomeVisit, visit.id).street == ""
    assert "homevisits.purge_addresses" in {job.name for job in scheduler.JOBS}


def test_the_text_messages_to_the_citizen_lose_their_number_and_text_with_the_address(world):
    visit = book(world)
    phone, ends_at = visit.phone, visit.session.ends_at
    db.session.commit()
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == phone)).all()
    assert [message.kind for message in sent] == ["homevisits.booked"]
    assert visit.first_name in sent[0].body_text

    retention.purge_addresses(now=ends_at + timedelta(days=30), retention_days=30)
    db.session.commit()

    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id == sent[0].id))
    assert (message.recipient, message.body_text, message.subject) == ("", "", "")
    assert message.kind == "homevisits.booked"
    assert not db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == phone)
    ).all()
