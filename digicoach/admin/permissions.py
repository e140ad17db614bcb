"""Who may administer users and read the audit log (the rules are the accounts' own), and
who sets the installation's name, logo and colour."""

from __future__ import annotations

from typing import Any

from digicoach.accounts.permissions import can_manage_users, can_view_audit_log

__all__ = ["can_manage_installation", "can_manage_users", "can_view_audit_log"]


def can_manage_installation(actor: Any) -> bool:
    """The installation's identity is the whole installation's: administrators only."""
    return bool(actor.is_admin)
