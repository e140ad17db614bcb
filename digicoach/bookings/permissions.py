"""Who may do what with appointments and walk-ins. Each predicate takes the acting user first.

Citizens need no account: they reach their appointment through the manage link alone. The front
desk (desk staff and coordinators, for the locations of their municipalities; admins
everywhere) books for callers, checks in, registers walk-ins and works the call list. Coaches
see the walk-ins of the digipunten where they are on shift today.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import in_scope


def can_use_front_desk(actor: User) -> bool:
    """The console at /desk: desk staff, coordinators and admins (contents are scoped)."""
    return actor.is_admin or bool(actor.roles & {Role.COORDINATOR, Role.DESK})


def can_work_at_location(actor: User, location: Any) -> bool:
    return can_use_front_desk(actor) and in_scope(actor, location.municipality_id)


def can_handle_appointment(actor: User, appointment: Any) -> bool:
    """Check in, mark no-show, move or cancel an appointment at a location in scope."""
    return can_work_at_location(actor, appointment.location)


def can_see_walk_ins(actor: User) -> bool:
    """The walk-in queue: the front desk, and coaches (for the digipunten of today's shifts)."""
    return can_use_front_desk(actor) or actor.has_role(Role.COACH)


def is_exempt_from_booking_limit(actor: Any) -> bool:
    """Front-desk staff book many times an hour from one address: no public rate limit."""
    return bool(getattr(actor, "is_authenticated", False)) and can_use_front_desk(actor)
