"""The outbox: every e-mail and SMS is a row first, sent only after its transaction commits.

The row is the truth. It is enqueued once (a unique key per subject, kind and channel), claimed
with a conditional update before it is sent (so two dispatchers never send the same row), never
sent after `send_not_after`, retried with back-off, and its outcome is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app, g, has_request_context
from sqlalchemy import Index, Integer, LargeBinary, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from digicoach.core import clock, mail, sms
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


MAX_ATTEMPTS = 5


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    send_not_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


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
    existing = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if existing is not None:
        return None
    moment = due_at or clock.now()
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        kind=kind,
        channel=channel.value,
        recipient=recipient,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        due_at=moment,
        next_attempt_at=moment,
        send_not_after=send_not_after,
        attachment_name=attachment.filename if attachment else None,
        attachment_type=attachment.content_type if attachment else None,
        attachment=attachment.data if attachment else None,
        status=Status.PENDING,
        attempts=0,
    )
    db.session.add(message)
    db.session.flush()
    if has_request_context() and message.due_at <= clock.now():
        g.setdefault("outbox_send_now", []).append(message.id)
    return message


def send_queued_by_this_request() -> None:
    """Send, right after the request committed, the messages it queued for now.

    A message whose transaction rolled back does not exist, so nothing is sent for it;
    a message that fails here stays pending for the scheduler to retry.
    """
    ids = g.pop("outbox_send_now", None)
    if ids and current_app.config["OUTBOX_SEND_IMMEDIATELY"]:
        dispatch(ids=ids)


def dispatch_due(now: datetime | None = None, limit: int = 500) -> int:
    """Send every message that is due and not yet done. Returns how many were sent."""
    moment = now or clock.now()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == Status.PENDING,
            OutboxMessage.next_attempt_at <= moment,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    return dispatch(ids=list(ids), now=moment)


def dispatch(*, ids: list[int], now: datetime | None = None) -> int:
    sent = 0
    for message_id in ids:
        moment = now or clock.now()
        message = _claim(message_id, moment)
        if message is None:
            continue
        if message.send_not_after is not None and moment > message.send_not_after:
            _finish(message_id, Status.SKIPPED, error="too late to send")
            continue
        try:
            _deliver(message)
        except Exception as error:
            _retry_or_fail(message_id, message.attempts, moment, error)
        else:
            _finish(message_id, Status.SENT, sent_at=moment)
            sent += 1
    return sent


def _claim(message_id: int, moment: datetime) -> OutboxMessage | None:
    """Move one pending row to `sending`; only one dispatcher can win that update."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == Status.PENDING)
        .values(status=Status.SENDING, claimed_at=moment, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    db.session.expunge(message)
    db.session.rollback()
    return message


def _deliver(message: OutboxMessage) -> None:
    if message.channel == Channel.EMAIL:
        attachment = (
            Attachment(message.attachment_name, message.attachment_type, message.attachment)
            if message.attachment_name and message.attachment_type and message.attachment
            else None
        )
        mail.send(
            recipient=message.recipient,
            subject=message.subject,
            body_text=message.body_text,
            body_html=message.body_html,
            language=message.language,
            attachment=attachment,
        )
    else:
        sms.send(recipient=message.recipient, body=message.body_text)


def _finish(
    message_id: int, status: Status, *, sent_at: datetime | None = None, error: str | None = None
) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=status, sent_at=sent_at, last_error=error)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _retry_or_fail(message_id: int, attempts: int, moment: datetime, error: Exception) -> None:
    current_app.logger.warning("outbox message %s failed: %s", message_id, error)
    failed = attempts >= MAX_ATTEMPTS
    # Back-off: 1, 4, 9, 16 minutes.
    values = {
        "status": Status.FAILED if failed else Status.PENDING,
        "last_error": f"{type(error).__name__}: {error}"[:500],
        "next_attempt_at": moment + timedelta(minutes=attempts * attempts),
    }
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
