"""Who may do what with help sessions and shifts. Each predicate takes the acting user first.

Admins plan sessions everywhere; coordinators at the locations of their municipalities. A coach
changes only their own shifts; coordinators assign and remove coaches of their municipalities
on sessions in their scope. Predicates with one argument guard routes (`@require`); the others
take the objects and serve templates (`can(...)`) and services (`ensure(...)`).
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import in_scope


def can_plan_help_sessions(actor: User) -> bool:
    """The staff pages: the staffing board and planning sessions (their contents are scoped)."""
    return actor.is_admin or actor.has_role(Role.COORDINATOR)


def can_manage_help_session(actor: User, session: Any) -> bool:
    """Change, cancel and staff one session: admins, or a coordinator of its municipality."""
    return can_plan_help_sessions(actor) and in_scope(actor, session.location.municipality_id)


def can_plan_at_location(actor: User, location: Any) -> bool:
    return can_plan_help_sessions(actor) and in_scope(actor, location.municipality_id)


def can_take_shifts(actor: User) -> bool:
    """The coach's side: find a shift, my shifts, the calendar address, invitations."""
    return actor.has_role(Role.COACH)


def can_assign_shift(actor: User, coach: Any, session: Any) -> bool:
    """A coach signs themselves up; a coordinator who manages the session signs up a coach of
    a municipality in their scope."""
    if coach.user_id == actor.id:
        return True
    return can_manage_help_session(actor, session) and in_scope(actor, coach.municipality_id)


def can_change_shift(actor: User, shift: Any) -> bool:
    """Cancel a shift: the coach it belongs to, or whoever manages the session."""
    return shift.coach.user_id == actor.id or can_manage_help_session(actor, shift.session)
