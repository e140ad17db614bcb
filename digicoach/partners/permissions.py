"""Who may see and change partner organisations and their offers.

Coordinators manage the organisations of their municipalities (create, edit, link digipunten,
invite partner staff); admins everywhere. Partner staff act for their own organisation only:
they see it, manage its offers (and, through places and helpdesk, its digipunten and help
sessions) and nothing else. The object-level rule is `accounts.permissions.acts_for`; its SQL
twin, `places.queries.organisation_scope_condition`, filters every query in `queries`.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import acts_for, in_scope, is_partner_staff


def can_manage_organisations(actor: User) -> bool:
    """The organisation list, and creating one: admins and coordinators."""
    return actor.is_admin or actor.has_role(Role.COORDINATOR)


def can_work_for_organisations(actor: User) -> bool:
    """The organisation and offer pages (their contents are scoped): who manages them, and
    partner staff."""
    return can_manage_organisations(actor) or is_partner_staff(actor)


def can_create_organisation(actor: User, municipality_id: int) -> bool:
    return can_manage_organisations(actor) and in_scope(actor, municipality_id)


def can_edit_organisation(actor: User, organisation: Any) -> bool:
    """Name, kind, contact, neighbourhoods, digipunten and staff: a coordinator of its
    municipality (partner staff do not change their own organisation's record)."""
    return can_create_organisation(actor, organisation.municipality_id)


def can_view_organisation(actor: User, organisation: Any) -> bool:
    return acts_for(
        actor, municipality_id=organisation.municipality_id, organisation_id=organisation.id
    )


def can_manage_offers(actor: User, organisation: Any) -> bool:
    """Add, change and stop the offers of an organisation: whoever acts for it."""
    return can_view_organisation(actor, organisation)


def can_edit_offer(actor: User, offer: Any) -> bool:
    return can_manage_offers(actor, offer.organisation)
