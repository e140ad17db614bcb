"""Who has a workspace home: everyone with a role (admin, coordinator, front desk, digicoach).

The sections on it follow the features' own predicates (a coordinator's to-do list needs
`can_review_coaches`, the day at the digipunten `can_use_front_desk`, and so on).
"""

from __future__ import annotations

from digicoach.accounts.models import User


def can_use_workspace(actor: User) -> bool:
    return bool(actor.roles)
