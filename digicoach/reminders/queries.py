"""Read models for the outbox page: failed and pending messages in words, filtered, failed
first, a page at a time; one message for its detail page; the kinds of reminder whose last
planning failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from digicoach import object_names
from digicoach.core import paging
from digicoach.core.message_kinds import KINDS, kind_label, subject_of
from digicoach.core.outbox import OutboxMessage, Status
from digicoach.extensions import db
from digicoach.reminders import rules
from digicoach.reminders.models import PlanningFailure

# The statuses the page lists by default: what needs attention or is still to come.
OPEN_STATUSES = (Status.FAILED, Status.PENDING, Status.SENDING)
PER_PAGE = 25


@dataclass(frozen=True)
class OutboxRow:
    """A message in words: its kind ("Herinnering vóór de afspraak"), what it is about ("Afspraak
    6KD-GVV bij Bibliotheek De Krook"), and whom, masked. Never its body."""

    id: int
    kind: str
    kind_label: str
    about: str  # '' when the message is about no record we can name
    channel: str
    recipient: str  # masked
    status: str
    due_at: datetime
    next_attempt_at: datetime
    send_not_after: datetime | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class OutboxMessageDetail:
    """One message for its detail page: the row, plus what the list leaves out (still no body)."""

    row: OutboxRow
    dedupe_key: str
    language: str
    subject_line: str
    created_at: datetime
    claimed_at: datetime | None
    sent_at: datetime | None
    attachment_name: str | None


@dataclass(frozen=True)
class OutboxPage:
    page: paging.Page[OutboxRow]
    counts: dict[str, int]

    @property
    def rows(self) -> list[OutboxRow]:
        return self.page.items

    @property
    def total(self) -> int:
        return self.page.total


_LISTED = (
    OutboxMessage.id,
    OutboxMessage.kind,
    OutboxMessage.dedupe_key,
    OutboxMessage.channel,
    OutboxMessage.recipient,
    OutboxMessage.status,
    OutboxMessage.due_at,
    OutboxMessage.next_attempt_at,
    OutboxMessage.send_not_after,
    OutboxMessage.attempts,
    OutboxMessage.last_error,
)


def _in_words(rows: list[Any]) -> list[OutboxRow]:
    """Rows named in bulk: one query per kind of record the page's messages are about."""
    subjects = {row.id: subject_of(row.kind, row.dedupe_key) for row in rows}
    names = object_names.names_of(subject for subject in subjects.values() if subject)
    return [
        OutboxRow(
            id=row.id,
            kind=row.kind,
            kind_label=kind_label(row.kind),
            about=object_names.describe(*subjects[row.id], names) if subjects[row.id] else "",
            channel=row.channel,
            recipient=rules.mask_recipient(row.channel, row.recipient),
            status=row.status,
            due_at=row.due_at,
            next_attempt_at=row.next_attempt_at,
            send_not_after=row.send_not_after,
            attempts=row.attempts,
            last_error=row.last_error,
        )
        for row in rows
    ]


def outbox_page(
    *, status: str | None, kind: str | None, page: int = 1, per_page: int = PER_PAGE
) -> OutboxPage:
    """Messages with `status` (default: failed, pending and sending) and `kind` (default: all),
    failed first (they need a person), then by when they are due; cut in SQL, a constant
    number of statements whatever the page holds."""
    statuses = [status] if status in {s.value for s in Status} else [s.value for s in OPEN_STATUSES]
    query = select(*_LISTED).where(OutboxMessage.status.in_(statuses))
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    query = query.order_by(
        (OutboxMessage.status != Status.FAILED.value),
        OutboxMessage.next_attempt_at,
        OutboxMessage.id,
    )
    rows = paging.paginate(query, page=page, per_page=per_page, rows=True)
    return OutboxPage(
        page=paging.Page(
            items=_in_words(rows.items), total=rows.total, number=rows.number, per_page=per_page
        ),
        counts=status_counts(),
    )


def outbox_message(message_id: int) -> OutboxMessageDetail | None:
    """One message in words, for its detail page, or None."""
    found = db.session.execute(
        select(
            *_LISTED,
            OutboxMessage.language,
            OutboxMessage.subject,
            OutboxMessage.created_at,
            OutboxMessage.claimed_at,
            OutboxMessage.sent_at,
            OutboxMessage.attachment_name,
        ).where(OutboxMessage.id == message_id)
    ).first()
    if found is None:
        return None
    return OutboxMessageDetail(
        row=_in_words([found])[0],
        dedupe_key=found.dedupe_key,
        language=found.language,
        subject_line=found.subject,
        created_at=found.created_at,
        claimed_at=found.claimed_at,
        sent_at=found.sent_at,
        attachment_name=found.attachment_name,
    )


def status_counts() -> dict[str, int]:
    """How many messages the outbox holds per status (the page's summary, and the failed
    count on the workspace home). One statement."""
    return dict(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        )
        .tuples()
        .all()
    )


def kinds(also: str | None = None) -> list[tuple[str, str]]:
    """Every kind in the outbox as (code, label), by label, for the filter; `also` adds a
    known kind with no message (a link to it is a valid filter with an empty result)."""
    codes = set(db.session.scalars(select(OutboxMessage.kind).distinct()))
    if also in KINDS:
        codes.add(also)
    return sorted(((code, kind_label(code)) for code in codes), key=lambda pair: pair[1])


def planning_failures() -> list[PlanningFailure]:
    """The kinds of reminder whose last planning failed (services.run), oldest first."""
    return list(
        db.session.scalars(
            select(PlanningFailure).order_by(PlanningFailure.failed_at, PlanningFailure.kind)
        )
    )
