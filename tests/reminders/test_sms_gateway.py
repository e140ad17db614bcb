"""The HTTP JSON SMS gateway, against a real HTTP server on 127.0.0.1: what we post, the bearer
token, and what happens when the gateway fails (500s, time-outs): retries, then "failed",
visible to administrators on the outbox page."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from digicoach.core import clock, outbox
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from tests.conftest import sign_in


class Gateway:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.delay = 0.0


@pytest.fixture
def gateway(app) -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers["Authorization"],
                    "content_type": self.headers["Content-Type"],
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            if state.delay:
                time.sleep(state.delay)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "abc"}')

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(
        SMS_BACKEND="http",
        SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/v1/messages",
        SMS_GATEWAY_TOKEN="gateway-secret",
        SMS_SENDER="Digipunt",
        SMS_GATEWAY_TIMEOUT_SECONDS=0.5,
    )
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def queue_sms(key: str = "sms-1") -> OutboxMessage:
    message = outbox.enqueue(
        dedupe_key=key,
        kind="reminders.appointment_day_before",
        channel=outbox.Channel.SMS,
        recipient="+32470123456",
        body_text="Herinnering: morgen om 10.00 uur heeft u een afspraak.",
        language="nl",
    )
    db.session.commit()
    return message


def test_an_sms_is_posted_as_json_with_the_bearer_token(app, gateway):
    queue_sms()
    assert outbox.dispatch_due() == 1
    [request] = gateway.requests
    assert request["path"] == "/v1/messages"
    assert request["authorization"] == "Bearer gateway-secret"
    assert request["content_type"] == "application/json"
    assert request["body"] == {
        "to": "+32470123456",
        "from": "Digipunt",
        "text": "Herinnering: morgen om 10.00 uur heeft u een afspraak.",
    }
    assert db.session.query(OutboxMessage).one().status == Status.SENT


def dispatch_until_done(moment) -> OutboxMessage:
    for _attempt in range(outbox.MAX_ATTEMPTS):
        outbox.dispatch_due(moment)
        message = db.session.query(OutboxMessage).one()
        db.session.rollback()
        moment = message.next_attempt_at
    return db.session.query(OutboxMessage).one()


def test_a_gateway_answering_500_is_retried_with_back_off_then_the_message_fails(app, gateway):
    gateway.status = 500
    queue_sms()
    moment = clock.now()
    outbox.dispatch_due(moment)
    message = db.session.query(OutboxMessage).one()
    assert message.status == Status.PENDING
    assert message.next_attempt_at == moment + timedelta(minutes=1)
    assert "500" in message.last_error
    db.session.rollback()

    message = dispatch_until_done(moment)
    assert message.status == Status.FAILED
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert len(gateway.requests) == outbox.MAX_ATTEMPTS


def test_a_gateway_that_does_not_answer_in_time_counts_as_a_failed_attempt(app, gateway):
    gateway.delay = 1.5
    queue_sms()
    outbox.dispatch_due()
    message = db.session.query(OutboxMessage).one()
    assert message.status == Status.PENDING
    assert message.attempts == 1
    assert "timed out" in message.last_error.lower() or "timeout" in message.last_error.lower()


def test_a_gateway_that_recovers_delivers_on_the_retry(app, gateway):
    gateway.status = 503
    queue_sms()
    moment = clock.now()
    outbox.dispatch_due(moment)
    gateway.status = 200
    assert outbox.dispatch_due(moment + timedelta(minutes=1)) == 1
    assert len(gateway.requests) == 2


def test_administrators_see_the_failed_sms_masked_and_can_send_it_again(app, gateway, client):
    from tests.factories import make_admin

    gateway.status = 500
    queue_sms()
    dispatch_until_done(clock.now())
    admin = make_admin()
    db.session.commit()
    sign_in(client, admin)

    page = client.get("/admin/outbox/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "+32 470 ** ** 56" in html
    assert "+32470123456" not in html
    assert "HTTPError" in html
    assert "Retry now" in html

    gateway.status = 200
    message = db.session.query(OutboxMessage).one()
    response = client.post(f"/admin/outbox/{message.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == Status.SENT
    assert len(gateway.requests) == outbox.MAX_ATTEMPTS + 1
