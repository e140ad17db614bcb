"""Who may book and see home visits. Each predicate takes the acting user first.

Only staff book a home visit, never a citizen: the front desk and coordinators for the
digipunten of their municipalities, partner staff for their organisation's digipunten, admins
everywhere. Coaches see the visits they are on (the address is for them).
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import User
from digicoach.accounts.permissions import is_partner_staff
from digicoach.bookings import permissions as booking_permissions
from digicoach.helpdesk import permissions as helpdesk_permissions


def can_book_home_visits(actor: User) -> bool:
    """The pages under /home-visits (their contents are scoped)."""
    return booking_permissions.can_use_front_desk(actor) or is_partner_staff(actor)


def can_book_at(actor: User, location: Any) -> bool:
    """Book a home visit run from this digipunt."""
    return booking_permissions.can_work_at_location(actor, location) or (
        is_partner_staff(actor) and helpdesk_permissions.can_plan_at_location(actor, location)
    )


def can_see_home_visit(actor: User, visit: Any, *, on_visit: bool = False) -> bool:
    """Staff who may book at the visit's digipunt, and the coaches on it."""
    return on_visit or can_book_at(actor, visit.session.location)
