"""Retention: a citizen's contact data on a referral is erased some days after it closed.

The first name, phone number, e-mail address and the reason go; the referral stays
(organisation, offer, dates, outcome, citizen key) so the figures still count it. The reminders
to staff never held contact data. The nightly job records one audit event with the count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from digicoach.core.retention import erase_contact_data
from digicoach.extensions import db
from digicoach.referrals.models import Referral, ReferralStatus

ERASED_FIELDS = ("first_name", "phone", "email", "reason")


def purge_contact_data(*, now: datetime, retention_days: int) -> int:
    """Erase the contact data of referrals closed `retention_days` or more before `now`.
    Returns how many were erased; safe to run as often as wanted."""
    limit = now - timedelta(days=retention_days)
    ids = db.session.scalars(
        select(Referral.id).where(
            Referral.contact_erased_at.is_(None),
            Referral.status == ReferralStatus.CLOSED,
            Referral.closed_at <= limit,
        )
    ).all()
    return erase_contact_data(
        Referral,
        ids,
        dict(first_name="", phone=None, email=None, reason="", contact_erased_at=now),
        action="referrals.referral.erase_contact",
    )
