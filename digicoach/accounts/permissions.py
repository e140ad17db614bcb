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
