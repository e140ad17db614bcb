"""Who may log help and correct logs. Each predicate takes the acting user first.

A coach logs the help they gave on their own shifts and appointments. Coordinators correct the
logs of their municipalities; admins everywhere.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import in_scope


def can_log_help(actor: User) -> bool:
    return actor.has_role(Role.COACH)


def can_correct_help_logs(actor: User) -> bool:
    """The list of logs to correct (its contents are scoped)."""
    return actor.is_admin or actor.has_role(Role.COORDINATOR)


def can_correct_help_log(actor: User, log: Any) -> bool:
    return can_correct_help_logs(actor) and in_scope(actor, log.municipality_id)
