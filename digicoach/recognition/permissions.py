"""Who may download a coach's certificate and hours statement: the coach, and coordinators of
the coach's municipality (admins: everyone). Everyone else gets a 404, not a 403."""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User
from digicoach.accounts.permissions import in_scope, is_coordinator


def can_download_recognition(actor: User) -> bool:
    return actor.has_role(Role.COACH) or is_coordinator(actor)


def can_see_coach_recognition(actor: User, coach: Any) -> bool:
    if coach.user_id == actor.id:
        return True
    return is_coordinator(actor) and in_scope(actor, coach.municipality_id)
