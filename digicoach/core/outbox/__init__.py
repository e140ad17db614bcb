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

from digicoach.core.outbox.models import (
    BATCH_SIZE,
    BATCH_WALL_SECONDS,
    LEASE,
    MAX_ATTEMPTS,
    WAKE_CHANNEL,
    Attachment,
    Channel,
    OutboxMessage,
    Status,
    calendar_attachment,
    deliverable_attachment,
)
from digicoach.core.outbox.queue import (
    enqueue,
    erase_messages,
    release_abandoned,
    requeue,
    skip_expired,
    skip_pending,
)
from digicoach.core.outbox.sending import Dispatcher, dispatch, dispatch_due

__all__ = [
    "BATCH_SIZE",
    "BATCH_WALL_SECONDS",
    "LEASE",
    "MAX_ATTEMPTS",
    "WAKE_CHANNEL",
    "Attachment",
    "Channel",
    "Dispatcher",
    "OutboxMessage",
    "Status",
    "calendar_attachment",
    "deliverable_attachment",
    "dispatch",
    "dispatch_due",
    "enqueue",
    "erase_messages",
    "release_abandoned",
    "requeue",
    "skip_expired",
    "skip_pending",
]
