"""Putting messages in the outbox and changing what waits there; the caller's transaction
commits them (see the package docstring)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    bindparam,
    case,
    func,
    select,
    text,
    update,
)

from digicoach.core import clock
from digicoach.core.outbox.models import (
    LEASE,
    MAX_ATTEMPTS,
    WAKE_CHANNEL,
    Attachment,
    Channel,
    OutboxMessage,
    Status,
)
from digicoach.extensions import db


def enqueue(
    *,
    dedupe_key: str,
    kind: str,
    channel: Channel,
    recipient: str,
    body_text: str,
    subject: str = "",
    body_html: str | None = None,
    language: str = "nl",
    due_at: datetime | None = None,
    send_not_after: datetime | None = None,
    attachment: Attachment | None = None,
) -> OutboxMessage | None:
    """Queue a message in the caller's transaction. A second call with the same key is a no-op.

    Returns the new row, or None when a message with this key was queued before.
    """
    moment = due_at or clock.now()
    values = {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "channel": channel.value,
        "recipient": recipient,
        "language": language,
        "subject": subject,
        "body_text": body_text,
        "body_html": body_html,
        "due_at": moment,
        "next_attempt_at": moment,
        "send_not_after": send_not_after,
        "attachment_name": attachment.filename if attachment else None,
        "attachment_type": attachment.content_type if attachment else None,
        "attachment": attachment.data if attachment else None,
        "status": Status.PENDING.value,
        "attempts": 0,
        "created_at": clock.now(),
    }
    # One statement: two schedulers may queue the same reminder at the same moment, and the
    # unique key lets exactly one insert win; the other gets no row back and goes on.
    statement = _ENQUEUE_POSTGRESQL if _is_postgresql() else _ENQUEUE_SQLITE
    return db.session.scalars(statement, values).one_or_none()


_QUEUED_COLUMNS = (
    "dedupe_key",
    "kind",
    "channel",
    "recipient",
    "language",
    "subject",
    "body_text",
    "body_html",
    "due_at",
    "next_attempt_at",
    "send_not_after",
    "attachment_name",
    "attachment_type",
    "attachment",
    "status",
    "attempts",
    "created_at",
)


def _enqueue_statement(*, notify: bool) -> Any:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING the row, as a text statement
    that SQLAlchemy compiles once: the dialects' own `insert().on_conflict_do_nothing()` has no
    cache key in SQLAlchemy 2.0 and was compiled anew for every message (issue 17).

    With `notify` (PostgreSQL) the wake-up rides on the insert (no extra round trip) and only
    for a row that was inserted; PostgreSQL delivers it at commit, folds repeats into one, and
    drops it on rollback, so the dispatcher never wakes for a message that does not exist."""
    table = OutboxMessage.__table__
    returned = ", ".join(f'outbox_message."{column.name}"' for column in table.c)
    wake = f", pg_notify('{WAKE_CHANNEL}', '') AS woken" if notify else ""
    # Built from the table's own column names at import, never from input.
    sql = (
        f"INSERT INTO outbox_message ({', '.join(_QUEUED_COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(':' + name for name in _QUEUED_COLUMNS)}) "
        f"ON CONFLICT (dedupe_key) DO NOTHING RETURNING {returned}{wake}"
    )
    textual = (
        text(sql)
        .bindparams(*(bindparam(name, type_=table.c[name].type) for name in _QUEUED_COLUMNS))
        .columns(*table.c)
    )
    return select(OutboxMessage).from_statement(textual)


_ENQUEUE_POSTGRESQL = _enqueue_statement(notify=True)
_ENQUEUE_SQLITE = _enqueue_statement(notify=False)


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def requeue(message_id: int, now: datetime) -> bool:
    """A failed message goes back to pending, due now (the dispatcher sends it within a second
    or two of the commit, like a fresh one). Returns False when it is not failed (any more)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == Status.FAILED)
        .values(status=Status.PENDING, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    if _is_postgresql():
        db.session.execute(select(func.pg_notify(WAKE_CHANNEL, "")))
    return True


def release_abandoned(moment: datetime) -> int:
    """Rows left in `sending` by a dead sender go back to pending (or to failed when their
    attempts are used up). Returns how many. See the module docstring: at most one duplicate."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == Status.SENDING,
            OutboxMessage.claimed_at < moment - LEASE,
        )
        .values(
            status=case(
                (OutboxMessage.attempts >= MAX_ATTEMPTS, Status.FAILED.value),
                else_=Status.PENDING.value,
            ),
            next_attempt_at=moment,
            last_error="interrupted while sending; sent again",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def skip_expired(moment: datetime) -> int:
    """Pending rows past their `send_not_after` will never go out: mark them skipped."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == Status.PENDING,
            OutboxMessage.send_not_after.is_not(None),
            OutboxMessage.send_not_after < moment,
        )
        .values(status=Status.SKIPPED, last_error="too late to send")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def skip_pending(key_prefix: str, *, keep_containing: str | None = None) -> int:
    """Mark the pending messages whose key starts with `key_prefix` skipped (a reminder that no
    longer applies), except those whose key contains `keep_containing`. The caller commits."""
    query = update(OutboxMessage).where(
        OutboxMessage.dedupe_key.like(f"{key_prefix}%"), OutboxMessage.status == Status.PENDING
    )
    if keep_containing is not None:
        query = query.where(~OutboxMessage.dedupe_key.contains(keep_containing))
    result = db.session.execute(
        query.values(status=Status.SKIPPED).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def erase_messages(key_prefix: str) -> None:
    """Blank the recipient and the text of every message whose key starts with `key_prefix`
    (retention: the row stays, with its kind, channel and dates). The caller commits."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.dedupe_key.like(f"{key_prefix}%"))
        .values(recipient="", subject="", body_text="", body_html=None, attachment=None)
        .execution_options(synchronize_session=False)
    )
