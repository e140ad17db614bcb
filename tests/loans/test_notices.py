"""Reminders before the due date and overdue notices, on a frozen clock: each once, at its
moment, by SMS to a mobile number (else e-mail) in the citizen's language; nothing after the
return, and an extension plans for the new date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from digicoach import scheduler
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.loans import notices, rules, services
from tests.loans.conftest import NOW, lend

PLAN = notices.Settings(
    plan=rules.ReminderPlan(days_before=2, first_after_days=1, notices=3, at=time(10, 0))
)
DUE = date(2026, 12, 15)


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A Brussels wall-clock time in December (CET, UTC+1) as UTC."""
    return datetime(day.year, day.month, day.day, hour - 1, minute, tzinfo=UTC)


def _run(moment: datetime) -> int:
    queued = notices.queue_due_notices(now=moment, settings=PLAN)
    db.session.commit()
    return queued


def _messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_reminder_comes_two_days_before_at_ten_once(world):
    loan = lend(world, due_on=DUE)
    assert _run(_at(DUE - timedelta(days=2), 9, 59)) == 0
    assert _run(_at(DUE - timedelta(days=2), 10, 0)) == 1
    assert _run(_at(DUE - timedelta(days=2), 10, 5)) == 0  # exactly once
    assert _run(_at(DUE - timedelta(days=1), 10, 5)) == 0
    (message,) = _messages()
    assert message.kind == "loans.due_soon"
    assert message.channel == "sms" and message.recipient == "+32470123456"
    assert message.dedupe_key == f"loan:{loan.id}:due_soon:20261215:sms"
    assert message.language == "nl"
    assert "Laptop 1" in message.body_text and "Bibliotheek De Krook" in message.body_text
    assert "Hallo Marcel" in message.body_text  # Dutch, the citizen's language


def test_overdue_notices_come_the_day_after_then_weekly_up_to_the_limit(world):
    lend(world, due_on=DUE)
    moments = [DUE + timedelta(days=1), DUE + timedelta(days=8), DUE + timedelta(days=15)]
    _run(_at(DUE - timedelta(days=2)))
    assert _run(_at(DUE, 23, 0)) == 0  # the due date itself: not overdue yet
    for number, day in enumerate(moments, start=1):
        assert _run(_at(day, 9, 0)) == 0
        assert _run(_at(day)) == 1
        assert _run(_at(day, 18)) == 0
        assert _messages()[-1].dedupe_key.split(":")[2] == f"overdue_{number}"
    assert _run(_at(DUE + timedelta(days=22))) == 0  # three notices, then the desk calls
    assert [m.kind for m in _messages()] == ["loans.due_soon"] + ["loans.overdue"] * 3


def test_a_scheduler_that_was_down_sends_only_the_latest_notice(world):
    lend(world, due_on=DUE)
    assert _run(_at(DUE + timedelta(days=10))) == 1
    assert [m.dedupe_key.split(":")[2] for m in _messages()] == ["overdue_2"]


def test_e_mail_in_french_without_a_mobile_number(world, mailbox):
    lend(world, due_on=DUE, phone="09 210 10 10", email="marcel@example.be", language="fr")
    _run(_at(DUE + timedelta(days=1)))
    (message,) = _messages()
    assert message.channel == "email" and message.recipient == "marcel@example.be"
    assert message.language == "fr"
    assert "Bonjour Marcel" in message.body_text


def test_a_landline_alone_gets_no_message(world):
    lend(world, due_on=DUE, phone="09 210 10 10", email="")
    assert _run(_at(DUE + timedelta(days=1))) == 0


def test_nothing_after_the_return_and_pending_ones_are_skipped(world):
    loan = lend(world, due_on=DUE)
    _run(_at(DUE - timedelta(days=2), 10))
    services.return_loan(actor=world.desk, loan=loan, condition="good", now=NOW)
    db.session.commit()
    assert _messages()[0].status == "skipped"
    assert _run(_at(DUE + timedelta(days=1))) == 0


def test_an_extension_plans_for_the_new_date(world):
    loan = lend(world, due_on=DUE)
    services.extend(actor=world.desk, loan=loan, due_on=date(2026, 12, 29), now=NOW, max_days=90)
    db.session.commit()
    assert _run(_at(DUE + timedelta(days=1))) == 0
    assert _run(_at(date(2026, 12, 27))) == 1
    assert _messages()[0].dedupe_key.endswith(":20261229:sms")


def test_no_reminder_for_a_moment_before_the_loan_began(world):
    lend(world, due_on=date(2026, 12, 2))  # lent on 1 December, due the next day
    assert _run(_at(date(2026, 12, 1), 12)) == 0


@pytest.mark.parametrize("disabled", ["REMINDERS_ENABLED", "LOAN_REMINDERS_ENABLED"])
def test_the_switches_turn_them_off(world, app, disabled):
    lend(world, due_on=DUE)
    app.config[disabled] = False
    settings = notices.Settings.from_config(app.config)
    assert notices.queue_due_notices(now=_at(DUE + timedelta(days=1)), settings=settings) == 0


def test_the_scheduler_job_queues_them_too(world, app):
    lend(world, due_on=DUE)
    job = next(job for job in scheduler.JOBS if job.name == "loans.queue_reminders")
    scheduler.run_job(app, job, _at(DUE + timedelta(days=1)))
    db.session.rollback()
    assert [m.kind for m in _messages()] == ["loans.overdue"]
