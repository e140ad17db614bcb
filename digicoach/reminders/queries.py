"""Read models for the outbox page: failed and pending messages, filtered, newest trouble first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.reminders import rules

# The statuses the page lists by default: what needs attention or is still to come.
OPEN_STATUSES = (Status.FAILED, Status.PENDING, Status.SENDING)
PAGE_SIZE = 100


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    channel: str
    recipient: str  # masked
    status: str
    due_at: datetime
    next_attempt_at: datetime
    send_not_after: datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class OutboxPage:
    rows: list[OutboxRow]
    counts: dict[str, int]
    total: int


def outbox_page(*, status: str | None, kind: str | None, limit: int = PAGE_SIZE) -> OutboxPage:
    """Messages with `status` (default: failed, pending and sending) and `kind` (default: all)."""
    statuses = [status] if status in {s.value for s in Status} else [s.value for s in OPEN_STATUSES]
    query = select(OutboxMessage).where(OutboxMessage.status.in_(statuses))
    count_query = select(func.count(OutboxMessage.id)).where(OutboxMessage.status.in_(statuses))
    if kind:
        query = query.where(OutboxMessage.kind == kind)
        count_query = count_query.where(OutboxMessage.kind == kind)
    rows = []
    # Failed first (they need a person), then by when they are due.
    for row in db.session.execute(
        query.with_only_columns(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.channel,
            OutboxMessage.recipient,
            OutboxMessage.status,
            OutboxMessage.due_at,
            OutboxMessage.next_attempt_at,
            OutboxMessage.send_not_after,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
        )
        .order_by(
            (OutboxMessage.status != Status.FAILED.value),
            OutboxMessage.next_attempt_at,
            OutboxMessage.id,
        )
        .limit(limit)
    ):
        rows.append(
            OutboxRow(
                id=row.id,
                kind=row.kind,
                channel=row.channel,
                recipient=rules.mask_recipient(row.channel, row.recipient),
                status=row.status,
                due_at=row.due_at,
                next_attempt_at=row.next_attempt_at,
                send_not_after=row.send_not_after,
                attempts=row.attempts,
                last_error=row.last_error,
            )
        )
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        )
        .tuples()
        .all()
    )
    return OutboxPage(rows=rows, counts=counts, total=db.session.scalar(count_query) or 0)


def kinds() -> list[str]:
    """Every kind in the outbox, for the filter."""
    return list(
        db.session.scalars(select(OutboxMessage.kind).distinct().order_by(OutboxMessage.kind))
    )
