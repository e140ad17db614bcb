"""What the helpdesk use cases share: their refusals, the session row lock and the e-mail to a
coach."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from digicoach.coaches.models import Coach
from digicoach.core import messages
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession

NOTES_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 500


class SessionFull(Conflict):
    """Every coach place of the session is taken."""

    code = "full"


class TooLateToCancel(Conflict):
    """The cut-off before the start has passed: the coach calls the digipunt instead."""

    code = "too_late"


class SignUpRefused(Conflict):
    """A sign-up the rules refuse; `code` says which rule (the API and the tests read it)."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(message)
        self.code = code


class CoachesBusy(ValidationFailed):
    """The changed period would overlap another shift of a coach on the session."""

    code = "coach_busy"


class AppointmentsAffected(ValidationFailed):
    """Booked appointments would lose their place, and the coordinator chose nothing for them
    yet. `affected` says how many, so the form can offer the choice."""

    code = "appointments_affected"

    def __init__(self, errors: dict[str, list[Any]], *, affected: int) -> None:
        super().__init__(errors)
        self.affected = affected


class NoRoomToMove(AppointmentsAffected):
    """The coordinator chose to move the affected appointments, but not all of them fit."""

    code = "no_room"


def lock_sessions(ids: Iterable[int]) -> list[HelpSession]:
    """Load sessions with their rows locked until the transaction ends, with fresh values.

    PostgreSQL: SELECT … FOR UPDATE. SQLite drops FOR UPDATE, but every unit of work there
    starts with BEGIN IMMEDIATE, which already holds the database's write lock.
    """
    return list(
        db.session.scalars(
            select(HelpSession)
            .where(HelpSession.id.in_(sorted(set(ids))))
            .order_by(HelpSession.starts_at, HelpSession.id)
            .with_for_update(of=HelpSession)
            .execution_options(populate_existing=True)
        )
    )


def mail_coach(
    coach: Coach, *, kind: str, dedupe_key: str, template: str, subject: Any, **context: Any
) -> None:
    """Queue an e-mail to a coach, rendered in their language (core.messages.queue_user_email
    skips deactivated and erased accounts). A coach record erased on its own keeps an active
    account, so its `erased_at` is checked here too."""
    if coach.erased_at is not None:
        return
    messages.queue_user_email(
        coach.user,
        kind=kind,
        dedupe_key=dedupe_key,
        template=f"helpdesk/email/{template}",
        subject=subject,
        my_shifts=messages.absolute_url("helpdesk.my_shifts"),
        **context,
    )
