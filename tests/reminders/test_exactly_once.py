"""Two scheduler processes running `run-once` at the same moment over 1,000 due reminders:
each reminder is queued once and delivered once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app

from digicoach import scheduler
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from tests.reminders.factories import make_appointment, make_slot

pytestmark = pytest.mark.concurrency

REMINDERS = 1000
START = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday 10:00 CEST
NOW = datetime(2026, 3, 29, 8, 1, tzinfo=UTC)  # a minute after the reminders became due


def run_scheduler_once(_index: int, moment: str) -> str:
    scheduler.run_once(current_app._get_current_object(), datetime.fromisoformat(moment))
    return "done"


def test_two_schedulers_deliver_each_of_a_thousand_reminders_exactly_once(
    app, world, mailbox, racing_processes
):
    session = db.session.get(HelpSession, _session(world).id)
    slot = make_slot(session, START)
    for number in range(REMINDERS):
        make_appointment(
            session,
            slot=slot,
            phone=None,
            email=f"citizen{number}@example.org",
            contact_language=("nl", "fr", "en")[number % 3],
            created_at=START - timedelta(days=5),
        )
    db.session.commit()

    outcomes = racing_processes(2, run_scheduler_once, NOW.isoformat())

    assert outcomes == ["done", "done"]
    received = Counter(message["To"] for message in mailbox.messages)
    assert len(received) == REMINDERS
    assert set(received.values()) == {1}
    statuses = Counter(status for (status,) in db.session.query(OutboxMessage.status))
    assert statuses == {Status.SENT: REMINDERS}


def _session(world):
    from tests.helpdesk.factories import make_help_session

    return make_help_session(world.location, starts_at=START, hours=2, mode="appointment")
