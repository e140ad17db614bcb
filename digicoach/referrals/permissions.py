"""Who may refer a citizen and who may see and handle a referral.

Coaches, desk staff and coordinators refer (admins too). The receiving organisation's partner
staff, and only they, see the citizen's contact data and move the referral on (accept, note the
contact, close). A referral to a digipunt no partner organisation runs goes to the coordinators
and desk staff of that digipunt's municipality instead, and only to them. The referrer follows
the status of their own referrals, with the first name only. Coordinators see the figures
(progress), never the contact data of a referral to an organisation.

The SQL twin of `can_handle_referral` is `queries.receivable_condition`.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import is_partner_staff


def can_refer(actor: User) -> bool:
    """The referral form and "my referrals": coaches, the desk, coordinators and admins."""
    return actor.is_admin or bool(actor.roles & {Role.COACH, Role.DESK, Role.COORDINATOR})


def receives_for_municipalities(actor: User) -> bool:
    """Coordinators and desk staff receive the referrals to their municipalities' digipunten
    that no partner organisation runs (an admin only with one of these roles)."""
    return bool(actor.roles & {Role.COORDINATOR, Role.DESK}) and bool(actor.municipality_ids)


def can_receive_referrals(actor: User) -> bool:
    """The inbox of incoming referrals (its contents are those of their organisation, or of
    their municipalities' own digipunten)."""
    return is_partner_staff(actor) or receives_for_municipalities(actor)


def can_handle_referral(actor: User, referral: Any) -> bool:
    """See the contact data and accept, contact or close: the receiving organisation's staff;
    for a digipunt without organisation, its municipality's coordinators and desk staff."""
    if referral.organisation_id is None:
        return (
            receives_for_municipalities(actor)
            and referral.municipality_id in actor.municipality_ids
        )
    return is_partner_staff(actor) and referral.organisation_id in actor.organisation_ids


def can_follow_referral(actor: User, referral: Any) -> bool:
    """See the status of a referral one made (without the contact data)."""
    return referral.from_user_id is not None and referral.from_user_id == actor.id
