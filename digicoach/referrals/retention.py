"""Retention: a citizen's contact data on a referral is erased some days after it closed.

The first name, phone number, e-mail address and the reason go; the referral stays
(organisation, offer, dates, outcome, citizen key) so the figures still count it. The reminders
to staff never held contact data. The nightly job records one audit event with the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from digicoach.core import audit
from digicoach.extensions import db
from digicoach.referrals.models import Referral, ReferralStatus

ERASED_FIELDS = ("first_name", "phone", "email", "reason")


def purge_contact_data(*, now: datetime, retention_days: int) -> int:
    """Erase the contact data of referrals closed `retention_days` or more before `now`.
    Returns how many were erased; safe to run as often as wanted."""
    limit = now - timedelta(days=retention_days)
    ids = list(
        db.session.scalars(
            select(Referral.id).where(
                Referral.contact_erased_at.is_(None),
                Referral.status == ReferralStatus.CLOSED,
                Referral.closed_at <= limit,
            )
        )
    )
    for start in range(0, len(ids), 500):
        db.session.execute(
            update(Referral)
            .where(Referral.id.in_(ids[start : start + 500]))
            .values(first_name="", phone=None, email=None, reason="", contact_erased_at=now)
            .execution_options(synchronize_session=False)
        )
    if ids:
        audit.record(
            None,
            "referrals.referral.erase_contact",
            object_type="Referral",
            object_id="*",
            fields=[f"count={len(ids)}"],
        )
    db.session.flush()
    db.session.expire_all()
    return len(ids)
