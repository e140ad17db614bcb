"""The outbox: every e-mail and SMS is a row first, sent only after its transaction commits.

The row is the truth. It is enqueued once (a unique key per subject, kind and channel), claimed
with a conditional update before it is sent (so two dispatchers never send the same row), never
sent after `send_not_after`, retried with back-off, and its outcome is recorded.

Batches: a dispatcher claims up to BATCH_SIZE due rows in one statement (pending → sending,
`FOR UPDATE SKIP LOCKED` on PostgreSQL, under SQLite's write lock elsewhere), sends them over one
SMTP connection and records each outcome as soon as it is known (one commit per message, so a
crash loses at most the message in flight). OUTBOX_SENDERS batches go out side by side, each
over its own connection: one by default; more pays off when the mail server is a relay some
round trips away (a message costs four of them), at the price stated below.

Delivery is never the request's work: a request commits its rows and returns. The scheduler
process runs `Dispatcher` beside its jobs: on PostgreSQL it LISTENs on WAKE_CHANNEL, and
`enqueue` (and `requeue`) NOTIFY it in the same statement as the insert, so the wake-up is
delivered when, and only if, the transaction commits; elsewhere (SQLite) it looks for due rows
every OUTBOX_POLL_SECONDS. Either way a message queued for now goes out within a second or two.

Lease: a row stays `sending` only while a dispatcher works on it. A dispatcher that was killed
halfway leaves rows in `sending`; once their claim is older than LEASE, the next dispatch puts
them back to `pending` and they are sent again. The price is AT MOST ONE DUPLICATE: the message
that the mail server had accepted just before the process died, whose outcome was never
written (one per sender with OUTBOX_SENDERS above 1: each may have one in flight). Nothing is
lost. A batch stops claiming time well before the lease runs out (and after a connection-level
failure): its unsent rows go straight back to `pending`, so a slow or dead server never makes a
second dispatcher send them while the first still holds them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import Flask, current_app
from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    bindparam,
    case,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from digicoach.core import clock, ics, mail, sms
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


def dispatch_due(now: datetime | None = None, limit: int = 5000) -> int:
    """Send what is due and not yet done, batch by batch, up to `limit` messages.

    First frees rows abandoned in `sending` (see LEASE) and skips rows past `send_not_after`.
    Returns how many were sent by this call. Many dispatchers may run at once: each row is
    claimed by exactly one of them. With OUTBOX_SENDERS above 1, that many batches go out at
    the same time, each over its own SMTP connection (see `_senders`). It commits the session
    it runs in (the scheduler's own, or a test's); the claims use a connection of their own.
    """
    moment = now or clock.now()
    release_abandoned(moment)
    skip_expired(moment)
    senders = max(1, int(current_app.config["OUTBOX_SENDERS"]))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sent = 0
    handled = 0
    claiming = True
    running: set[Future[tuple[int, bool]]] = set()
    with ThreadPoolExecutor(max_workers=senders, thread_name_prefix="outbox") as pool:
        while True:
            while claiming and len(running) < senders:
                batch = _claim_batch(moment, min(BATCH_SIZE, limit - handled))
                handled += len(batch)
                claiming = bool(batch) and handled < limit
                if batch:
                    running.add(pool.submit(_send_batch_in, app, batch, now))
            if not running:
                return sent
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for outcome in finished:
                batch_sent, server_down = outcome.result()
                sent += batch_sent
                if server_down:
                    claiming = False


class Dispatcher:
    """The scheduler process's sender: sends what is due, then waits to be woken, until `stop`.

    PostgreSQL: it LISTENs on WAKE_CHANNEL on a connection of its own (taken from the pool and
    discarded afterwards, so no pooled connection keeps listening) and wakes on the NOTIFY that
    `enqueue` sends at commit, or after LISTEN_SECONDS (a message queued for later, a missed
    wake-up). Elsewhere it looks every OUTBOX_POLL_SECONDS (one cheap indexed query when idle).
    It listens before its first dispatch, so nothing committed in between is missed.
    """

    LISTEN_SECONDS = 30.0

    def __init__(self, app: Flask, stop: threading.Event) -> None:
        self.app = app
        self.stop = stop

    def run(self) -> None:
        with self.app.app_context():
            engine = db.engine
            poll = float(self.app.config["OUTBOX_POLL_SECONDS"])
        listener = _listen(engine) if engine.dialect.name == "postgresql" else None
        try:
            while not self.stop.is_set():
                self.dispatch_once()
                if listener is None:
                    self.stop.wait(poll)
                else:
                    _wait_for_wake(listener.driver_connection, self.LISTEN_SECONDS, self.stop)
        finally:
            if listener is not None:
                listener.invalidate()

    def dispatch_once(self) -> int:
        with self.app.app_context():
            try:
                return dispatch_due()
            except Exception:
                # A database or mail server that is down now may be back at the next wake-up.
                current_app.logger.exception("outbox dispatch failed")
                db.session.rollback()
                return 0
            finally:
                db.session.remove()


def _listen(engine: Engine) -> Any:
    raw = engine.raw_connection()
    connection = raw.driver_connection
    connection.rollback()
    connection.autocommit = True
    connection.execute(f"LISTEN {WAKE_CHANNEL}")
    return raw


def _wait_for_wake(connection: Any, timeout: float, stop: threading.Event) -> None:
    """Block until a NOTIFY arrives, `timeout` passes or `stop` is set (looked at twice a
    second); every wake-up that is waiting is taken at once, so a burst means one dispatch."""
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        if list(connection.notifies(timeout=0.5, stop_after=1)):
            list(connection.notifies(timeout=0))
            return


def _send_batch_in(
    app: Flask, batch: list[OutboxMessage], now: datetime | None
) -> tuple[int, bool]:
    """A sender thread: `_send_batch` in an app context of its own. It writes outcomes on its
    own connection and never touches the dispatcher's session."""
    with app.app_context():
        return _send_batch(batch, now)


def dispatch(*, ids: list[int], now: datetime | None = None) -> int:
    """Send these messages if they are still pending (claimed first, like dispatch_due).

    Like dispatch_due it commits the session it runs in first: on SQLite the claim, on a
    connection of its own, would otherwise wait for that session's write lock."""
    db.session.commit()
    sent = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = _claim_batch(now or clock.now(), BATCH_SIZE, ids=ids[start : start + BATCH_SIZE])
        batch_sent, server_down = _send_batch(batch, now)
        sent += batch_sent
        if server_down:
            break
    return sent


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


def _claim_batch(
    moment: datetime, size: int, *, ids: Sequence[int] | None = None
) -> list[OutboxMessage]:
    """Move up to `size` pending rows to `sending` in one statement; only one dispatcher can
    win each row, because the update re-checks `status = 'pending'` under the row lock.

    The candidates are a materialised CTE: as a plain `IN (subquery)`, PostgreSQL may run the
    LIMIT … SKIP LOCKED subquery again for every row it updates and claim far more than `size`.
    """
    candidates = select(OutboxMessage.id).where(OutboxMessage.status == Status.PENDING)
    if ids is None:
        candidates = candidates.where(OutboxMessage.next_attempt_at <= moment).order_by(
            OutboxMessage.next_attempt_at, OutboxMessage.id
        )
    else:
        candidates = candidates.where(OutboxMessage.id.in_(list(ids)))
    chosen = (
        candidates.limit(size)
        .with_for_update(skip_locked=True)
        .cte("chosen")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    # A connection of its own: the claim commits, and it must never commit the caller's work.
    with db.engine.connect() as connection:
        claimed = connection.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(select(chosen.c.id)))
            .where(OutboxMessage.status == Status.PENDING)
            .values(status=Status.SENDING, claimed_at=moment, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id)
        ).all()
        connection.commit()
        if not claimed:
            return []
        with Session(bind=connection) as session:
            messages = list(
                session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(claimed))
                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                )
            )
            session.expunge_all()
        connection.rollback()
    return messages


def _send_batch(batch: list[OutboxMessage], now: datetime | None) -> tuple[int, bool]:
    """Send a claimed batch; returns how many were sent and whether the mail server is down
    (then the caller stops: the next run tries again)."""
    sent = 0
    began = time.monotonic()
    with mail.connection() as connection, _outcomes() as outcomes:
        for position, message in enumerate(batch):
            if time.monotonic() - began > BATCH_WALL_SECONDS:
                _give_back(outcomes, batch[position:])
                break
            moment = now or clock.now()
            if message.send_not_after is not None and moment > message.send_not_after:
                _finish(outcomes, message.id, Status.SKIPPED, error="too late to send")
                continue
            try:
                _deliver(message, connection)
            except Exception as error:
                _retry_or_fail(outcomes, message.id, message.attempts, moment, error)
                if isinstance(error, mail.CONNECTION_ERRORS) and message.channel == Channel.EMAIL:
                    # The mail server is unreachable: the rest of the batch would only wait
                    # for the same time-out. Give it back untouched for a later run.
                    _give_back(outcomes, batch[position + 1 :])
                    return sent, True
            else:
                _finish(outcomes, message.id, Status.SENT, sent_at=moment)
                sent += 1
    return sent, False


@contextmanager
def _outcomes() -> Iterator[Connection]:
    """A connection of its own for a batch's outcomes, each written and committed at once.

    On PostgreSQL it runs in autocommit: an outcome is one single-row UPDATE, atomic by itself,
    so one round trip instead of BEGIN, UPDATE, COMMIT (with the ORM session this bookkeeping
    cost more than building the message). SQLite keeps explicit transactions: its connections
    start theirs with BEGIN IMMEDIATE (core.db), which autocommit would bypass.
    """
    options = {"isolation_level": "AUTOCOMMIT"} if db.engine.dialect.name == "postgresql" else {}
    with db.engine.connect().execution_options(**options) as connection:
        yield connection


def _record(outcomes: Connection, statement: Any) -> None:
    outcomes.execute(statement)
    outcomes.commit()


def _give_back(outcomes: Connection, messages: list[OutboxMessage]) -> None:
    """Unclaim rows that this batch did not try: pending again, the attempt not counted."""
    if not messages:
        return
    _record(
        outcomes,
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([message.id for message in messages]),
            OutboxMessage.status == Status.SENDING,
        )
        .values(status=Status.PENDING, attempts=OutboxMessage.attempts - 1, claimed_at=None),
    )


def _deliver(message: OutboxMessage, connection: mail.Connection) -> None:
    if message.channel == Channel.EMAIL:
        attachment = deliverable_attachment(message)
        connection.send(
            recipient=message.recipient,
            subject=message.subject,
            body_text=message.body_text,
            body_html=message.body_html,
            language=message.language,
            attachment=attachment,
        )
    else:
        sms.send(recipient=message.recipient, body=message.body_text)


# Built once: an outcome is written per message, and building the statement anew each time
# cost as much as sending the message. Only a row this dispatcher still holds is touched:
# after a lease expired another one may own it.
_FINISH = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("message_id"), OutboxMessage.status == Status.SENDING)
    .values(status=bindparam("outcome"), sent_at=bindparam("sent"), last_error=bindparam("error"))
)


def _finish(
    outcomes: Connection,
    message_id: int,
    status: Status,
    *,
    sent_at: datetime | None = None,
    error: str | None = None,
) -> None:
    outcomes.execute(
        _FINISH,
        {"message_id": message_id, "outcome": status.value, "sent": sent_at, "error": error},
    )
    outcomes.commit()


def _retry_or_fail(
    outcomes: Connection, message_id: int, attempts: int, moment: datetime, error: Exception
) -> None:
    current_app.logger.warning("outbox message %s failed: %s", message_id, error)
    failed = attempts >= MAX_ATTEMPTS
    # Back-off: 1, 4, 9, 16 minutes.
    values = {
        "status": Status.FAILED if failed else Status.PENDING,
        "last_error": f"{type(error).__name__}: {error}"[:500],
        "next_attempt_at": moment + timedelta(minutes=attempts * attempts),
    }
    _record(
        outcomes,
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == Status.SENDING)
        .values(values),
    )
