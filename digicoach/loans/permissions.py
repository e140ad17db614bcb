"""Who may manage devices and loans. Each predicate takes the acting user first.

The front desk of a digipunt's municipality (desk staff and coordinators) keeps its inventory
and lends its devices; admins everywhere. Coaches and citizens do not see loans.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import in_scope


def can_manage_loans(actor: User) -> bool:
    """The pages under /loans: desk staff, coordinators and admins (contents are scoped)."""
    return actor.is_admin or bool(actor.roles & {Role.COORDINATOR, Role.DESK})


def can_lend_at(actor: User, location: Any) -> bool:
    """Keep the inventory of this digipunt and lend its devices."""
    return can_manage_loans(actor) and in_scope(actor, location.municipality_id)


def can_handle_device(actor: User, device: Any) -> bool:
    return can_lend_at(actor, device.location)


def can_handle_loan(actor: User, loan: Any) -> bool:
    return can_lend_at(actor, loan.location)
