"""Retention: a home visit's name, phone, address and accessibility notes are erased some days
after the visit ended (or would have, if it was cancelled).

The visit and its help session stay (time, digipunt, coaches, citizen key), so the figures
still count it. The nightly job records one audit event with the count, never who.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from digicoach.core import audit
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from digicoach.homevisits.models import HomeVisit

ERASED_FIELDS = ("first_name", "phone", "street", "postcode", "city", "accessibility_notes")


def purge_addresses(*, now: datetime, retention_days: int) -> int:
    """Erase the citizen's details of visits that ended `retention_days` or more before `now`.
    Returns how many visits were erased; safe to run as often as wanted."""
    limit = now - timedelta(days=retention_days)
    ids = list(
        db.session.scalars(
            select(HomeVisit.id)
            .join(HelpSession, HelpSession.id == HomeVisit.help_session_id)
            .where(HomeVisit.address_erased_at.is_(None), HelpSession.ends_at <= limit)
        )
    )
    for start in range(0, len(ids), 500):
        db.session.execute(
            update(HomeVisit)
            .where(HomeVisit.id.in_(ids[start : start + 500]))
            .values(
                first_name="",
                phone=None,
                street="",
                postcode="",
                city="",
                accessibility_notes="",
                address_erased_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    if ids:
        audit.record(
            None,
            "homevisits.visit.erase_address",
            object_type="HomeVisit",
            object_id="*",
            fields=[f"count={len(ids)}"],
        )
    db.session.flush()
    db.session.expire_all()
    return len(ids)
