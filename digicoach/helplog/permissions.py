"""Who may log help and correct logs. Each predicate takes the acting user first.

A coach logs the help they gave on their own shifts and appointments; desk staff and
coordinators log it for a coach at their request, in their municipalities (audited).
Coordinators correct the logs of their municipalities; admins everywhere.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import in_scope


def can_log_help(actor: User) -> bool:
    return actor.has_role(Role.COACH)


def can_log_help_for_coaches(actor: User) -> bool:
    """Log help for a coach who asks (the desk on the phone, a coordinator afterwards)."""
    return actor.is_admin or bool(actor.roles & {Role.COORDINATOR, Role.DESK})


def can_log_help_for_coach(actor: User, municipality_id: int | None) -> bool:
    """For a coach's help at a digipunt of `municipality_id`: staff of that municipality."""
    return can_log_help_for_coaches(actor) and in_scope(actor, municipality_id)


def can_open_help_log_form(actor: User) -> bool:
    return can_log_help(actor) or can_log_help_for_coaches(actor)


def can_correct_help_logs(actor: User) -> bool:
    """The list of logs to correct (its contents are scoped)."""
    return actor.is_admin or actor.has_role(Role.COORDINATOR)


def can_correct_help_log(actor: User, log: Any) -> bool:
    return can_correct_help_logs(actor) and in_scope(actor, log.municipality_id)
