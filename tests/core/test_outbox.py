from datetime import timedelta

import pytest

from digicoach.core import clock, outbox
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db


def queue(key: str = "k1", **values):
    message = outbox.enqueue(
        dedupe_key=key,
        kind="test",
        channel=values.pop("channel", outbox.Channel.EMAIL),
        recipient=values.pop("recipient", "citizen@example.org"),
        subject="Herinnering",
        body_text="Tot morgen.",
        **values,
    )
    db.session.commit()
    return message


def test_the_same_key_is_queued_once(app):
    assert queue("same") is not None
    assert queue("same") is None
    assert db.session.query(OutboxMessage).count() == 1


def test_a_due_message_is_sent_once_even_when_dispatched_twice(app, mailbox):
    queue()
    assert outbox.dispatch_due() == 1
    assert outbox.dispatch_due() == 0
    assert len(mailbox.to("citizen@example.org")) == 1
    assert db.session.query(OutboxMessage).one().status == Status.SENT


def test_a_message_is_not_sent_before_it_is_due(app, mailbox):
    queue(due_at=clock.now() + timedelta(hours=1))
    assert outbox.dispatch_due() == 0
    assert mailbox.messages == []


def test_nothing_is_sent_after_send_not_after(app, mailbox):
    start = clock.now()
    queue(due_at=start - timedelta(hours=2), send_not_after=start - timedelta(minutes=1))
    assert outbox.dispatch_due(start) == 0
    assert mailbox.messages == []
    assert db.session.query(OutboxMessage).one().status == Status.SKIPPED


def test_a_failing_transport_is_retried_with_back_off_then_marked_failed(app):
    app.config["MAIL_PORT"] = 1  # nothing listens there
    queue()
    moment = clock.now()
    for _attempt in range(outbox.MAX_ATTEMPTS):
        outbox.dispatch_due(moment)
        message = db.session.query(OutboxMessage).one()
        db.session.rollback()
        moment = message.next_attempt_at
    message = db.session.query(OutboxMessage).one()
    assert message.status == Status.FAILED
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert "Error" in message.last_error


def test_an_sms_goes_to_the_development_log(app):
    queue("sms", channel=outbox.Channel.SMS, recipient="+32470123456")
    outbox.dispatch_due()
    log = app.instance_path + "/sms.log"
    with open(log, encoding="utf-8") as handle:
        assert "+32470123456\tTot morgen." in handle.read()


def test_naive_datetimes_are_refused(app):
    with pytest.raises(Exception, match="naive"):
        queue(due_at=clock.now().replace(tzinfo=None))
    db.session.rollback()
