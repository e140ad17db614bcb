"""A loan's contact data is erased on schedule: LOAN_RETENTION_DAYS after the return (or the
loss), by the nightly job, audited as a count; the loan stays for the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from digicoach import scheduler
from digicoach.core.audit import AuditEvent
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.loans import notices, retention, services
from digicoach.loans.models import Loan, LoanCall
from tests.loans.conftest import NOW, lend


def test_contact_data_goes_thirty_days_after_the_return_and_the_loan_stays(world):
    loan = lend(world, email="marcel@example.be")
    key = loan.citizen_key
    services.record_call(actor=world.desk, loan=loan, note="Brengt hem vrijdag", now=NOW)
    db.session.commit()
    notices.queue_due_notices(
        now=datetime(2026, 12, 30, 9, 0, tzinfo=UTC),
        settings=notices.Settings.from_config(
            {
                "LOAN_REMINDER_AT": "10:00",
                "LOAN_REMINDER_DAYS_BEFORE": 2,
                "LOAN_OVERDUE_FIRST_AFTER_DAYS": 1,
                "LOAN_OVERDUE_NOTICES": 3,
                "REMINDERS_ENABLED": True,
                "LOAN_REMINDERS_ENABLED": True,
            }
        ),
    )
    returned_at = NOW + timedelta(days=30)
    services.return_loan(
        actor=world.desk, loan=loan, condition="good", note="Alles ok", now=returned_at
    )
    db.session.commit()

    assert (
        retention.purge_contact_data(now=returned_at + timedelta(days=29), retention_days=30) == 0
    )
    assert (
        retention.purge_contact_data(now=returned_at + timedelta(days=30), retention_days=30) == 1
    )
    db.session.commit()

    erased = db.session.get(Loan, loan.id)
    assert (erased.first_name, erased.phone, erased.email, erased.return_note) == (
        "",
        None,
        None,
        "",
    )
    assert erased.contact_erased_at == returned_at + timedelta(days=30)
    assert erased.citizen_key == key and erased.status == "returned"
    assert db.session.scalar(select(LoanCall.note)) == ""
    assert all(
        m.recipient == "" and m.body_text == "" for m in db.session.scalars(select(OutboxMessage))
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "loans.loan.erase_contact")
    )
    assert event.fields == "count=1" and event.object_id == "*"
    # A second run finds nothing more.
    assert (
        retention.purge_contact_data(now=returned_at + timedelta(days=40), retention_days=30) == 0
    )


def test_open_loans_keep_their_contact_data_however_long(world):
    lend(world)
    assert retention.purge_contact_data(now=NOW + timedelta(days=400), retention_days=30) == 0


def test_the_nightly_job_erases_with_the_setting(world, app):
    loan = lend(world)
    services.mark_lost(actor=world.desk, loan=loan, now=NOW)
    db.session.commit()
    app.config["LOAN_RETENTION_DAYS"] = 7
    job = next(job for job in scheduler.JOBS if job.name == "loans.purge_contact_data")
    # 03:00 Brussels time, eight days later: the nightly tick.
    assert scheduler.run_daily_job(app, job, job.trigger, NOW + timedelta(days=8, hours=-6))
    db.session.rollback()
    assert db.session.get(Loan, loan.id).contact_erased_at is not None
