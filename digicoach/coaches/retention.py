"""Retention: what the nightly job erases without anyone asking (issue 15).

A declined applicant is erased RETENTION_REJECTED_APPLICANT_DAYS after the decision; a coach who
left is anonymised RETENTION_COACH_LEFT_MONTHS after leaving. Both go through the same erasure as
a request (erasure.erase_personal_data): the rows stay as anonymous figures (hours, help
contacts), nothing about the person does. Each run is audited as a count, besides the erasure's
own event per coach. The audit log's own retention is core/audit.purge_before.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from digicoach.coaches.models import Coach, CoachStatus
from digicoach.coaches.services import erasure
from digicoach.core import audit
from digicoach.extensions import db


def months_earlier(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (31 March less one month is
    28 or 29 February)."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionResult:
    rejected_erased: int
    left_anonymised: int


def _due(status: CoachStatus, before: datetime) -> list[Coach]:
    return list(
        db.session.scalars(
            select(Coach)
            .where(
                Coach.status == status.value,
                Coach.status_changed_at < before,
                Coach.erased_at.is_(None),
            )
            .order_by(Coach.id)
        )
    )


def erase_due(
    *, now: datetime, rejected_after_days: int, left_after_months: int
) -> RetentionResult:
    """Erase declined applicants and anonymise coaches who left, once their period is over.

    A coach whose decision (or leaving) is exactly one period ago is kept until the next night.
    """
    rejected = _erase(_due(CoachStatus.REJECTED, now - timedelta(days=rejected_after_days)), now)
    audit.record(
        None,
        "retention.erase_rejected",
        object_type="Coach",
        object_id="*",
        fields=[f"count={rejected}"],
    )
    left = _erase(_due(CoachStatus.LEFT, months_earlier(now, left_after_months)), now)
    audit.record(
        None,
        "retention.anonymise_left",
        object_type="Coach",
        object_id="*",
        fields=[f"count={left}"],
    )
    db.session.flush()
    return RetentionResult(rejected_erased=rejected, left_anonymised=left)


def _erase(coaches: list[Coach], now: datetime) -> int:
    for coach in coaches:
        erasure.erase_personal_data(actor=None, coach=coach, now=now)
    return len(coaches)
