"""Cancelling a help session."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from digicoach.accounts.models import User
from digicoach.core import audit
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import permissions, queries, signals
from digicoach.helpdesk.models import HelpSession, SessionStatus, ShiftStatus
from digicoach.helpdesk.services.common import REASON_MAX_LENGTH, lock_sessions, mail_coach


def cancel_session(*, actor: User, session: HelpSession, reason: str, now: datetime) -> HelpSession:
    """Cancel one help session: it is marked cancelled, its shifts are cancelled, every coach
    on it gets an e-mail, `signals.shift_cancelled` is sent for each shift and
    `signals.help_session_cancelled` tells the features above
    (bookings cancel the appointments "by the organiser").

    Raises ValidationFailed without a reason, Conflict when it is cancelled or over already.
    Whoever books home visits at its digipunt cancels a home visit too.
    """
    ensure(
        permissions.can_manage_help_session(actor, session)
        or permissions.can_staff_home_visit(actor, session)
    )
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": [_("Say why the help session is cancelled.")]})
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {"reason": [_("Use at most %(count)d characters.", count=REASON_MAX_LENGTH)]}
        )
    locked = lock_sessions([session.id])
    if not locked or locked[0].is_cancelled:
        raise Conflict(
            _("This help session is cancelled already."), code="session.cancelled_already"
        )
    if session.ends_at <= now:
        raise Conflict(_("This help session is over and cannot be cancelled."), code="session.over")
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancel_reason = text
    session.coaches_taken = 0
    session.revision += 1
    shifts = queries.active_shifts(session)
    for shift in shifts:
        shift.status = ShiftStatus.CANCELLED
        shift.cancelled_at = now
        shift.cancelled_by_id = actor.id
    db.session.flush()
    audit.record(actor, "helpdesk.session.cancel", session, ["status", "cancel_reason"])
    for shift in shifts:
        audit.record(actor, "helpdesk.shift.cancel", shift, ["status"])
        # Every path that cancels a shift says so, whatever cancelled it.
        signals.shift_cancelled.send(shift, actor=actor)
        mail_coach(
            shift.coach,
            kind="helpdesk.session_cancelled",
            dedupe_key=f"helpdesk.session_cancelled:{shift.id}:{session.revision}",
            template="session_cancelled",
            subject=lambda: _("A help session is cancelled"),
            session=session,
            reason=text,
        )
    signals.help_session_cancelled.send(session, actor=actor, reason=text, now=now)
    return session
