"""The outbox loses nothing and sends at most one duplicate when a sender dies; a batch goes
over one SMTP connection; nothing goes out after `send_not_after`."""

import smtplib
from datetime import timedelta

from digicoach.core import clock, mail, outbox
from digicoach.core.outbox import OutboxMessage, Status, sending
from digicoach.extensions import db


def queue(number: int, **values) -> OutboxMessage:
    message = outbox.enqueue(
        dedupe_key=f"robust-{number}",
        kind="test.robust",
        channel=outbox.Channel.EMAIL,
        recipient=f"citizen{number}@example.org",
        subject=f"Bericht {number}",
        body_text="Tot morgen.",
        **values,
    )
    db.session.commit()
    return message


def kill_halfway(message_ids: list[int], moment) -> None:
    """What a sender killed after claiming (and perhaps sending) leaves behind."""
    db.session.query(OutboxMessage).filter(OutboxMessage.id.in_(message_ids)).update(
        {"status": Status.SENDING, "claimed_at": moment, "attempts": 1},
        synchronize_session=False,
    )
    db.session.commit()


def test_a_message_stuck_in_sending_past_the_lease_is_sent_on_the_next_run(app, mailbox):
    now = clock.now()
    stuck = queue(1)
    recent = queue(2)
    kill_halfway([stuck.id], now - outbox.LEASE - timedelta(seconds=1))
    kill_halfway([recent.id], now - timedelta(minutes=1))

    assert outbox.dispatch_due(now) == 1

    assert [m["To"] for m in mailbox.messages] == ["citizen1@example.org"]
    stuck_row = db.session.get(OutboxMessage, stuck.id)
    assert stuck_row.status == Status.SENT
    assert stuck_row.attempts == 2
    # Still inside its lease: its sender may be alive and sending it right now.
    assert db.session.get(OutboxMessage, recent.id).status == Status.SENDING


def test_a_sender_killed_halfway_loses_nothing_and_duplicates_at_most_the_one_in_flight(
    app, mailbox
):
    now = clock.now()
    rows = [queue(number) for number in range(10)]
    # The dead sender had delivered 0-4, but died before it recorded 4; 5-9 it had claimed.
    outbox.dispatch(ids=[row.id for row in rows[:5]], now=now)
    kill_halfway([row.id for row in rows[4:]], now)
    assert outbox.dispatch_due(now + timedelta(minutes=5)) == 0  # inside the lease
    assert outbox.dispatch_due(now + outbox.LEASE + timedelta(minutes=1)) == 6

    received = sorted(m["To"] for m in mailbox.messages)
    assert received == sorted(
        [f"citizen{n}@example.org" for n in range(10)] + ["citizen4@example.org"]
    )
    assert {row.status for row in db.session.query(OutboxMessage)} == {Status.SENT}


def test_a_message_that_used_all_its_attempts_fails_instead_of_looping(app):
    now = clock.now()
    row = queue(1)
    kill_halfway([row.id], now - outbox.LEASE - timedelta(minutes=1))
    db.session.query(OutboxMessage).update({"attempts": outbox.MAX_ATTEMPTS})
    db.session.commit()
    outbox.release_abandoned(now)
    assert db.session.get(OutboxMessage, row.id).status == Status.FAILED


class CountingSMTP(smtplib.SMTP):
    opened = 0

    def __init__(self, *args, **kwargs):
        type(self).opened += 1
        super().__init__(*args, **kwargs)


def test_a_batch_goes_over_one_smtp_connection(app, mailbox, monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP", CountingSMTP)
    CountingSMTP.opened = 0
    for number in range(25):
        queue(number)
    assert outbox.dispatch_due() == 25
    assert len(mailbox.messages) == 25
    assert CountingSMTP.opened == 1


def test_when_the_mail_server_is_down_the_rest_of_the_batch_waits_without_losing_an_attempt(app):
    app.config["MAIL_PORT"] = 1  # nothing listens there
    for number in range(5):
        queue(number)
    assert outbox.dispatch_due() == 0
    rows = db.session.query(OutboxMessage).order_by(OutboxMessage.id).all()
    assert [row.status for row in rows] == [Status.PENDING] * 5
    assert [row.attempts for row in rows] == [1, 0, 0, 0, 0]
    assert "Error" in rows[0].last_error


def test_a_message_whose_moment_passed_while_waiting_is_skipped_not_sent(app, mailbox):
    now = clock.now()
    queue(1, due_at=now - timedelta(hours=3), send_not_after=now - timedelta(seconds=1))
    queue(2, due_at=now - timedelta(hours=3), send_not_after=now + timedelta(hours=1))
    assert outbox.dispatch_due(now) == 1
    assert [m["To"] for m in mailbox.messages] == ["citizen2@example.org"]
    skipped = db.session.query(OutboxMessage).filter_by(dedupe_key="robust-1").one()
    assert skipped.status == Status.SKIPPED
    assert skipped.sent_at is None


def test_several_senders_side_by_side_send_every_message_once(app, mailbox):
    app.config["OUTBOX_SENDERS"] = 3
    count = 2 * outbox.BATCH_SIZE + 50  # three batches, one per sender
    for number in range(count):
        queue(number)
    now = clock.now()

    assert outbox.dispatch_due(now, limit=count) == count

    received = sorted(m["To"] for m in mailbox.messages)
    assert received == sorted(f"citizen{n}@example.org" for n in range(count))
    rows = db.session.query(OutboxMessage).all()
    assert {row.status for row in rows} == {Status.SENT}
    assert {row.attempts for row in rows} == {1}


def test_dispatch_stops_at_its_limit_with_several_senders(app, mailbox):
    app.config["OUTBOX_SENDERS"] = 2
    for number in range(150):
        queue(number)
    now = clock.now()

    assert outbox.dispatch_due(now, limit=120) == 120
    assert len(mailbox.messages) == 120
    pending = db.session.query(OutboxMessage).filter_by(status=Status.PENDING).count()
    assert pending == 30


def test_a_claim_takes_no_more_rows_than_its_batch_size(app):
    for number in range(150):
        queue(number)
    now = clock.now()

    assert len(sending._claim_batch(now, 100)) == 100
    assert len(sending._claim_batch(now, 20)) == 20
    assert db.session.query(OutboxMessage).filter_by(status=Status.PENDING).count() == 30
