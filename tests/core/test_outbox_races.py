"""Two or more dispatchers over the same due messages deliver each exactly once."""

import pytest

from digicoach.core import outbox
from digicoach.extensions import db

pytestmark = pytest.mark.concurrency

MESSAGES = 60


def dispatch_everything(_index: int) -> str:
    return str(outbox.dispatch_due(limit=MESSAGES))


def test_four_dispatchers_deliver_every_message_exactly_once(app, mailbox, racing_processes):
    for number in range(MESSAGES):
        outbox.enqueue(
            dedupe_key=f"race-{number}",
            kind="test",
            channel=outbox.Channel.EMAIL,
            recipient=f"citizen{number}@example.org",
            subject=f"Bericht {number}",
            body_text="Tot morgen.",
        )
    db.session.commit()

    outcomes = racing_processes(4, dispatch_everything)

    assert all(outcome.isdigit() for outcome in outcomes), outcomes
    assert sum(int(outcome) for outcome in outcomes) == MESSAGES
    subjects = sorted(message["Subject"] for message in mailbox.messages)
    assert subjects == sorted(f"Bericht {number}" for number in range(MESSAGES))
