"""Sending what is due: claims, batches, outcomes, and the scheduler's Dispatcher (see the
package docstring)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    select,
    update,
)
from sqlalchemy.orm import Session

from digicoach.core import clock, mail, sms
from digicoach.core.outbox.models import (
    BATCH_SIZE,
    BATCH_WALL_SECONDS,
    MAX_ATTEMPTS,
    WAKE_CHANNEL,
    Channel,
    OutboxMessage,
    Status,
    deliverable_attachment,
)
from digicoach.core.outbox.queue import release_abandoned, skip_expired
from digicoach.extensions import db


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
