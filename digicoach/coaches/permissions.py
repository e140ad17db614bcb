"""Who may see and change digicoaches. Each predicate takes the acting user first.

Coordinators act on the coaches of their municipalities; admins on all. A coach sees and
changes only their own data. Desk staff do not screen volunteers.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import in_scope, is_coordinator


def can_review_coaches(actor: User) -> bool:
    """The review queue and the directory (their contents are limited to the actor's scope)."""
    return is_coordinator(actor)


def can_manage_coach(actor: User, coach: Any) -> bool:
    """Add notes, plan intakes, screen, decide, erase on request: coordinators of the coach's
    home municipality."""
    return is_coordinator(actor) and in_scope(actor, coach.municipality_id)


def can_view_coach(actor: User, coach: Any) -> bool:
    """See the file: coordinators of any municipality the coach serves (home, or chosen in a
    shared programme: the coach pool), so they can staff and invite them."""
    return is_coordinator(actor) and any(
        in_scope(actor, municipality_id) for municipality_id in coach.served_municipality_ids
    )


def can_use_coach_space(actor: User) -> bool:
    """The coach's own space at /me."""
    return actor.has_role(Role.COACH)


def can_edit_own_profile(actor: User, coach: Any) -> bool:
    return coach.user_id == actor.id and coach.erased_at is None


def can_erase_coach(actor: User, coach: Any) -> bool:
    """The coach themselves, or a coordinator in scope acting on their request."""
    return can_edit_own_profile(actor, coach) or can_manage_coach(actor, coach)


def can_change_coach_status(actor: User | None, coach: Any, target: str) -> bool:
    """Staff in scope move coaches along; a coach may only leave; None is the system itself."""
    if actor is None:
        return True
    if can_manage_coach(actor, coach):
        return True
    return target == "left" and coach.user_id == actor.id
