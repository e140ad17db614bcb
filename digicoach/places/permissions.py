"""Who may see and change municipalities, neighbourhoods, locations and programmes."""

from __future__ import annotations

from digicoach.accounts.models import User
from digicoach.accounts.permissions import in_scope, is_coordinator


def can_manage_places(actor: User) -> bool:
    """Admins manage every place; coordinators manage the places of their municipalities."""
    return is_coordinator(actor)


def can_manage_programmes(actor: User) -> bool:
    return actor.is_admin


def can_create_municipality(actor: User) -> bool:
    return actor.is_admin


def can_edit_municipality(actor: User, municipality_id: int) -> bool:
    return is_coordinator(actor) and in_scope(actor, municipality_id)
