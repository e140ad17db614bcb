"""Who may set the caps, record allowances and see the nominative list.

Admins enter the caps of each year and the insurance of a programme; coordinators record
allowances for the coaches of their municipalities and see the list of those municipalities.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import in_scope, is_coordinator


def can_set_allowance_caps(actor: User) -> bool:
    return actor.is_admin


def can_set_insurance(actor: User) -> bool:
    return actor.is_admin


def can_record_allowances(actor: User) -> bool:
    """The list and the form (their contents are limited to the actor's municipalities)."""
    return is_coordinator(actor)


def can_record_allowance_for(actor: User, coach: Any, municipality_id: int) -> bool:
    return is_coordinator(actor) and in_scope(actor, municipality_id) and coach.erased_at is None


def can_remove_allowance(actor: User, allowance: Any) -> bool:
    return is_coordinator(actor) and in_scope(actor, allowance.municipality_id)


def can_see_own_allowances(actor: User) -> bool:
    """A coach's own allowances at /me/allowances."""
    return actor.has_role(Role.COACH)
