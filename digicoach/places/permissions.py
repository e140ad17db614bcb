"""Who may see and change municipalities, neighbourhoods, locations and programmes.

Admins manage everything. Coordinators manage the neighbourhoods and locations of their own
municipalities and see the programmes that include one of them. Desk staff and coaches do not
manage places. Predicates with one argument guard routes (`@require`); the others take the
object (or its municipality id) and are used by templates (`can(...)`) and services (`ensure`).
"""

from __future__ import annotations

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import acts_for, in_scope, is_partner_staff
from digicoach.places.models import Location, Neighbourhood, Programme


def _is_coordinator(actor: User) -> bool:
    return actor.has_role(Role.COORDINATOR)


def can_manage_places(actor: User) -> bool:
    """The places pages: admins, and coordinators for their own municipalities."""
    return actor.is_admin or _is_coordinator(actor)


def can_create_municipality(actor: User) -> bool:
    return actor.is_admin


def can_manage_municipalities(actor: User) -> bool:
    """Create municipalities and change their name or NIS code: admins only."""
    return actor.is_admin


def can_edit_municipality(actor: User, municipality_id: int) -> bool:
    """Rename a municipality or change its NIS code: admins only (the id is for symmetry)."""
    return actor.is_admin and municipality_id is not None


def can_view_municipality(actor: User, municipality_id: int) -> bool:
    return can_manage_places(actor) and in_scope(actor, municipality_id)


def can_manage_neighbourhoods(actor: User, municipality_id: int) -> bool:
    return can_manage_places(actor) and in_scope(actor, municipality_id)


def can_edit_neighbourhood(actor: User, neighbourhood: Neighbourhood) -> bool:
    return can_manage_neighbourhoods(actor, neighbourhood.municipality_id)


def can_manage_locations(actor: User, municipality_id: int) -> bool:
    return can_manage_places(actor) and in_scope(actor, municipality_id)


def can_edit_locations(actor: User) -> bool:
    """The digipunt pages: who manages places, and partner staff for their own digipunten."""
    return can_manage_places(actor) or is_partner_staff(actor)


def can_edit_location(actor: User, location: Location) -> bool:
    """Admins; coordinators of its municipality; the staff of the organisation that runs it."""
    return can_manage_locations(actor, location.municipality_id) or (
        is_partner_staff(actor)
        and acts_for(actor, municipality_id=None, organisation_id=location.organisation_id)
    )


def can_view_programmes(actor: User) -> bool:
    return actor.is_admin or _is_coordinator(actor)


def can_manage_programmes(actor: User) -> bool:
    return actor.is_admin


def can_view_programme(actor: User, programme: Programme) -> bool:
    """Admins see every programme; coordinators those that include one of their municipalities."""
    if actor.is_admin:
        return True
    if not _is_coordinator(actor):
        return False
    return any(m.id in actor.municipality_ids for m in programme.municipalities)


def can_set_programme_phone(actor: User, programme: Programme) -> bool:
    """Admins, for every programme. A coordinator, for a programme whose municipalities they
    all coordinate: the number shows at every digipunt of the programme without its own."""
    if actor.is_admin:
        return True
    if not _is_coordinator(actor):
        return False
    covered = {municipality.id for municipality in programme.municipalities}
    return bool(covered) and covered <= actor.municipality_ids
