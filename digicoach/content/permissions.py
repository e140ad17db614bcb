"""Who may edit the public texts."""

from __future__ import annotations

from digicoach.accounts.models import User


def can_edit_pages(actor: User) -> bool:
    return actor.is_admin
