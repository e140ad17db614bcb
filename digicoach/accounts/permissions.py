"""Who may do what with accounts. Each predicate takes the acting user first."""

from __future__ import annotations

from digicoach.accounts.models import Role, User


def can_manage_users(actor: User) -> bool:
    return actor.is_admin


def can_view_audit_log(actor: User) -> bool:
    return actor.is_admin


def is_staff(actor: User) -> bool:
    return actor.is_staff


def is_coordinator(actor: User) -> bool:
    return actor.is_admin or actor.has_role(Role.COORDINATOR)


def is_desk(actor: User) -> bool:
    """Front-desk work: desk staff, coordinators and admins."""
    return actor.is_admin or bool(actor.roles & {Role.COORDINATOR, Role.DESK})


def in_scope(actor: User, municipality_id: int | None) -> bool:
    """Admins act everywhere; coordinators and desk staff only in their municipalities."""
    if actor.is_admin:
        return True
    return municipality_id is not None and municipality_id in actor.municipality_ids


def acts_for(actor: User, *, municipality_id: int | None, organisation_id: int | None) -> bool:
    """The scope rule of everything a partner organisation owns (its digipunten, offers, help
    sessions): admins everywhere, coordinators in their municipalities, partner staff for
    their own organisation only. Desk staff and coaches never. Its SQL twin is
    `places.queries.organisation_scope_condition`."""
    if actor.is_admin:
        return True
    if actor.has_role(Role.COORDINATOR) and in_scope(actor, municipality_id):
        return True
    return organisation_id is not None and organisation_id in actor.organisation_ids


def is_partner_staff(actor: User) -> bool:
    return actor.has_role(Role.PARTNER) and bool(actor.organisation_ids)
