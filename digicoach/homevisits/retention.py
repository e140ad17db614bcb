"""Retention: a home visit's name, phone, address and accessibility notes are erased some days
after the visit ended (or would have, if it was cancelled).

The visit and its help session stay (time, digipunt, coaches, citizen key), so the figures
still count it; the text messages sent to the citizen lose their number and text. The nightly
job records one audit event with the count, never who.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from digicoach.core.retention import erase_contact_data
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from digicoach.homevisits.models import HomeVisit
from digicoach.homevisits.notices import citizen_message_prefix

ERASED_FIELDS = ("first_name", "phone", "street", "postcode", "city", "accessibility_notes")


def purge_addresses(*, now: datetime, retention_days: int) -> int:
    """Erase the citizen's details of visits that ended `retention_days` or more before `now`.
    Returns how many visits were erased; safe to run as often as wanted."""
    limit = now - timedelta(days=retention_days)
    rows = db.session.execute(
        select(HomeVisit.id, HomeVisit.help_session_id)
        .join(HelpSession, HelpSession.id == HomeVisit.help_session_id)
        .where(HomeVisit.address_erased_at.is_(None), HelpSession.ends_at <= limit)
    ).all()
    session_of = dict(rows)
    return erase_contact_data(
        HomeVisit,
        list(session_of),
        dict(
            first_name="",
            phone=None,
            street="",
            postcode="",
            city="",
            accessibility_notes="",
            address_erased_at=now,
        ),
        action="homevisits.visit.erase_address",
        message_prefix=lambda visit_id: citizen_message_prefix(session_of[visit_id]),
    )
