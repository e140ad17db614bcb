"""The download of everything held about a coach: for the coach, or a coordinator in scope."""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import User
from digicoach.coaches import permissions
from digicoach.coaches.models import Coach
from digicoach.core import audit
from digicoach.core.permissions import ensure
from digicoach.rights import coach_data, files

FORMATS = ("json", "xlsx", "csv")


def coach_export(*, actor: User, coach: Coach, fmt: str) -> bytes:
    """The coach's data as `fmt` (json, xlsx or csv). Audited, because a download is the one
    read that carries every value out of the system. Raises PermissionDenied."""
    ensure(permissions.can_erase_coach(actor, coach))
    audit.record(actor, "coach.export", coach)
    data: dict[str, Any] = coach_data.coach_data(coach)
    if fmt == "xlsx":
        return files.as_xlsx(data)
    if fmt == "csv":
        return files.as_csv(data)
    return files.as_json(data)
