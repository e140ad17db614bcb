"""Who may see the outbox and the scheduler's state: administrators only (the page shows
whom we write to, masked, and why sending failed)."""

from __future__ import annotations

from digicoach.accounts.models import User


def can_manage_outbox(actor: User) -> bool:
    return actor.is_admin


def can_see_scheduler_warning(actor: User) -> bool:
    return actor.is_admin
