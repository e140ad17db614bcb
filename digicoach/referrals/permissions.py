"""Who may refer a citizen and who may see and handle a referral.

Coaches, desk staff and coordinators refer (admins too). The receiving organisation's partner
staff, and only they, see the citizen's contact data and move the referral on (accept, note the
contact, close). The referrer follows the status of their own referrals, with the first name
only. Coordinators see the figures (progress), never a referral's contact data.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import is_partner_staff


def can_refer(actor: User) -> bool:
    """The referral form and "my referrals": coaches, the desk, coordinators and admins."""
    return actor.is_admin or bool(actor.roles & {Role.COACH, Role.DESK, Role.COORDINATOR})


def can_receive_referrals(actor: User) -> bool:
    """The inbox of incoming referrals (its contents are those of their organisation)."""
    return is_partner_staff(actor)


def can_handle_referral(actor: User, referral: Any) -> bool:
    """See the contact data and accept, contact or close: the receiving organisation's staff."""
    return can_receive_referrals(actor) and referral.organisation_id in actor.organisation_ids


def can_follow_referral(actor: User, referral: Any) -> bool:
    """See the status of a referral one made (without the contact data)."""
    return referral.from_user_id is not None and referral.from_user_id == actor.id
