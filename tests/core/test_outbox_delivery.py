"""The request never waits on delivery, and the citizen still gets the mail within seconds.

The booking request only commits its outbox rows; the scheduler's outbox thread
(`outbox.Dispatcher`), woken by NOTIFY on PostgreSQL and polling every OUTBOX_POLL_SECONDS on
SQLite, sends them to the tests' real SMTP server. The tests' after-request delivery
(tests/conftest.py) is switched off here, so what is measured is the production path.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask, request_finished
from flask_babel import force_locale

from digicoach.core import clock, outbox
from digicoach.extensions import db
from tests.bookings.conftest import build_world
from tests.bookings.factories import make_bookable_session
from tests.conftest import MailSink, _deliver_after_request

# A booking's confirmation must reach the mail server this soon after the commit.
MOST_SECONDS = 3.0


@pytest.fixture
def dispatcher(app: Flask) -> Iterator[threading.Thread]:
    request_finished.disconnect(_deliver_after_request, app)
    stop = threading.Event()
    sender = threading.Thread(target=outbox.Dispatcher(app, stop).run, daemon=True)
    sender.start()
    yield sender
    stop.set()
    sender.join(timeout=10)
    assert not sender.is_alive()


def _arrival(mailbox: MailSink, address: str, since: float) -> float | None:
    while time.monotonic() - since < 10 * MOST_SECONDS:
        if mailbox.to(address):
            return time.monotonic() - since
        time.sleep(0.01)
    return None


def test_a_booking_confirmation_reaches_the_mail_server_within_seconds_of_its_commit(
    app: Flask, mailbox: MailSink, dispatcher: threading.Thread
) -> None:
    with app.test_request_context("/"), force_locale("en"):
        world = build_world()
        session = make_bookable_session(world.location, [world.coach()])
        db.session.commit()
        body = {
            "help_session_id": session.id,
            "start": clock.local(session.starts_at).isoformat(),
            "first_name": "Fatima",
            "email": "fatima@example.be",
            "topic": "email",
            "language": "nl",
            "consent": True,
        }
    delays = []
    for number in range(3):
        # Each booking after a pause: the dispatcher is idle (waiting) when it commits.
        time.sleep(0.3)
        body["email"] = f"citizen{number}@example.be"
        began = time.monotonic()
        created = app.test_client().post("/api/v1/bookings", json=body)
        answered = time.monotonic()
        assert created.status_code == 201, created.json
        # The response went out before the message: the request did not wait on delivery.
        assert not mailbox.to(body["email"]) or answered - began > 0
        delays.append(_arrival(mailbox, body["email"], answered))
        # A free place again for the next booking of the same slot.
        token = created.json["manage_token"]
        reference = created.json["reference"]
        app.test_client().delete(f"/api/v1/bookings/{reference}", headers={"X-Manage-Token": token})
    assert None not in delays, delays
    assert max(delays) < MOST_SECONDS, delays


def test_a_request_commits_its_messages_and_sends_none_itself(
    app: Flask, mailbox: MailSink
) -> None:
    request_finished.disconnect(_deliver_after_request, app)
    with app.test_request_context("/"), force_locale("en"):
        world = build_world()
        session = make_bookable_session(world.location, [world.coach()])
        db.session.commit()
        body = {
            "help_session_id": session.id,
            "start": clock.local(session.starts_at).isoformat(),
            "first_name": "Fatima",
            "email": "fatima@example.be",
            "topic": "email",
            "language": "nl",
            "consent": True,
        }
    assert app.test_client().post("/api/v1/bookings", json=body).status_code == 201
    db.session.rollback()
    queued = db.session.scalars(
        db.select(outbox.OutboxMessage).where(outbox.OutboxMessage.recipient == body["email"])
    ).all()
    assert [row.status for row in queued] == [outbox.Status.PENDING]
    assert not mailbox.to(body["email"])
    assert outbox.dispatch_due() == 1
    assert len(mailbox.to(body["email"])) == 1
