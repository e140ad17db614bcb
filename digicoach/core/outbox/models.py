"""The outbox row and what travels with it (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from digicoach.core import clock, ics
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
# How many rows one claim takes; they are sent over one SMTP connection.
BATCH_SIZE = 100
# A row in `sending` whose claim is older than this is taken to be abandoned by a dead sender.
LEASE = timedelta(minutes=10)
# A batch gives its unsent rows back when it has worked this long (well within the lease).
BATCH_WALL_SECONDS = LEASE.total_seconds() / 4
# The PostgreSQL channel that wakes the dispatcher when a message was queued.
WAKE_CHANNEL = "digicoach_outbox"


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


def calendar_attachment(filename: str, event: ics.CalendarEvent) -> Attachment:
    """A calendar file with one event, its words already in the recipient's language, stored
    as the event's facts: the sender makes the .ics (`deliverable_attachment`), stamped with
    the row's creation time. Building the file (icalendar's time zone and serialisation) was
    the costliest Python of a booking with an e-mail address (issue 17), and nobody reads it
    before it is sent."""
    return Attachment(filename, ics.EVENT_FACTS_TYPE, ics.event_facts(event))


def deliverable_attachment(message: OutboxMessage) -> Attachment | None:
    """The message's attachment as it is sent: a deferred calendar event made into its .ics."""
    name, kind, data = message.attachment_name, message.attachment_type, message.attachment
    if not (name and kind and data):
        return None
    if kind != ics.EVENT_FACTS_TYPE:
        return Attachment(name, kind, data)
    return Attachment(name, "text/calendar", ics.calendar_from_facts(data, now=message.created_at))
