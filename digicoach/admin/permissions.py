"""Who may administer users and read the audit log (the rules are the accounts' own)."""

from __future__ import annotations

from digicoach.accounts.permissions import can_manage_users, can_view_audit_log

__all__ = ["can_manage_users", "can_view_audit_log"]
