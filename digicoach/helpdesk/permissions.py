"""Who may do what with help sessions and shifts. Each predicate takes the acting user first.

Admins plan sessions everywhere; coordinators at the locations of their municipalities. A coach
changes only their own shifts; coordinators assign and remove coaches of their municipalities
on sessions in their scope; partner staff assign and remove coaches on the sessions at their
organisation's digipunten. Predicates with one argument guard routes (`@require`); the others
take the objects and serve templates (`can(...)`) and services (`ensure(...)`).
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import acts_for, in_scope, is_partner_staff


def can_plan_help_sessions(actor: User) -> bool:
    """The staff pages: the staffing board and planning sessions (their contents are scoped).
    Partner staff plan at the digipunten their organisation runs."""
    return actor.is_admin or actor.has_role(Role.COORDINATOR) or is_partner_staff(actor)


def can_manage_help_session(actor: User, session: Any) -> bool:
    """Change, cancel and staff one session: admins, a coordinator of its municipality, or the
    staff of the organisation that runs its digipunt."""
    return can_plan_at_location(actor, session.location)


def can_plan_at_location(actor: User, location: Any) -> bool:
    if actor.is_admin or actor.has_role(Role.COORDINATOR):
        return in_scope(actor, location.municipality_id)
    return is_partner_staff(actor) and acts_for(
        actor, municipality_id=None, organisation_id=location.organisation_id
    )


def can_take_shifts(actor: User) -> bool:
    """The coach's side: find a shift, my shifts, the calendar address, invitations."""
    return actor.has_role(Role.COACH)


def can_staff_home_visit(actor: User, session: Any) -> bool:
    """Whoever books home visits at the session's digipunt chooses who goes on a visit: the
    front desk and coordinators of its municipality, admins, and the staff of the organisation
    that runs it (the same people as homevisits.permissions.can_book_at)."""
    if not session.is_home_visit:
        return False
    location = session.location
    desk = actor.is_admin or bool(actor.roles & {Role.COORDINATOR, Role.DESK})
    return (desk and in_scope(actor, location.municipality_id)) or can_plan_at_location(
        actor, location
    )


def can_assign_shift(actor: User, coach: Any, session: Any) -> bool:
    """A coach signs themselves up; a coordinator who manages the session signs up a coach who
    serves a municipality in their scope (home, or chosen in the coach pool); partner staff
    sign up, on a session at their organisation's digipunt, a coach who serves that
    digipunt's municipality; whoever books a home visit puts a coach who serves the visit's
    municipality on it."""
    if coach.user_id == actor.id:
        return True
    if can_staff_home_visit(actor, session):
        return session.location.municipality_id in coach.served_municipality_ids
    if not can_manage_help_session(actor, session):
        return False
    if actor.is_admin or actor.has_role(Role.COORDINATOR):
        return any(
            in_scope(actor, municipality_id) for municipality_id in coach.served_municipality_ids
        )
    return session.location.municipality_id in coach.served_municipality_ids


def can_change_shift(actor: User, shift: Any) -> bool:
    """Cancel a shift: the coach it belongs to, whoever manages the session, and for a home
    visit whoever books visits there."""
    return (
        shift.coach.user_id == actor.id
        or can_manage_help_session(actor, shift.session)
        or can_staff_home_visit(actor, shift.session)
    )
