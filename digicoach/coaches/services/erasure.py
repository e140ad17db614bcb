"""A coach's personal data leaving or going: the directory download for staff, and erasure
(GDPR art. 17) by the coach, a coordinator or the retention job."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func

from digicoach.accounts import sessions as account_sessions
from digicoach.accounts.models import (
    LoginFailure,
    OneTimeToken,
    User,
    email_key,
)
from digicoach.coaches import export, permissions, rules
from digicoach.coaches.models import (
    Coach,
    CoachStatus,
)
from digicoach.coaches.services import change_status
from digicoach.core import audit, outbox
from digicoach.core.permissions import ensure
from digicoach.core.spreadsheets import Sheet
from digicoach.extensions import db

ERASED_NAME = "Former coach"


# --- access to personal data ------------------------------------------------------------------


def directory_export(*, actor: User, coaches: Iterable[Coach]) -> Sheet:
    """The directory as a sheet for core.spreadsheets (XLSX or CSV), audited; `coaches` comes
    from the scoped query."""
    ensure(permissions.can_review_coaches(actor))
    body = export.directory_sheet(coaches)
    audit.record(actor, "coach.directory_export", object_type="Coach", object_id="*")
    return body


# --- erasure ----------------------------------------------------------------------------------


def erase(*, actor: User, coach: Coach, now: datetime) -> None:
    """Erase a coach's personal data (GDPR art. 17), in place.

    The rows stay (status history, shifts and help logs later remain as anonymous figures),
    but nothing about the person does: name, e-mail, phone, motivation, notes, reasons,
    intake details, login traces and every queued or sent message to them. The user is
    deactivated and every session ends. Raises PermissionDenied; erasing twice is a no-op.
    """
    ensure(permissions.can_erase_coach(actor, coach))
    erase_personal_data(actor=actor, coach=coach, now=now)


def erase_personal_data(*, actor: User | None, coach: Coach, now: datetime) -> None:
    """The erasure itself, without the permission check: for `erase` and the retention job
    (coaches/retention.py), which acts for the installation (`actor` None)."""
    if coach.erased_at is not None:
        return
    user = coach.user
    old_key, old_phone = user.email_key, coach.phone
    if coach.status not in rules.FINAL_STATUSES:
        change_status(actor=actor, coach=coach, target=CoachStatus.LEFT, now=now)

    placeholder = rules.erased_email(user.id)
    user.name = ERASED_NAME
    user.email = placeholder
    user.email_key = email_key(placeholder)
    user.password_hash = None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.active = False
    user.anonymised_at = now

    coach.first_name = ""
    coach.last_name = ""
    coach.phone = None
    coach.motivation = ""
    coach.heard_from_other = ""
    coach.insurance_reference = ""
    coach.notify_email = False
    coach.notify_sms = False
    coach.erased_at = now
    coach.notes.clear()
    coach.intakes.clear()
    for change in coach.history:
        change.reason = ""

    account_sessions.end_all_sessions(user.id, now=now)
    db.session.execute(delete(OneTimeToken).where(OneTimeToken.user_id == user.id))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email_key == old_key))
    recipients = [value for value in (old_key, old_phone) if value]
    db.session.execute(
        delete(outbox.OutboxMessage).where(
            func.lower(outbox.OutboxMessage.recipient).in_(recipients)
        )
    )
    db.session.flush()
    audit.record(actor, "coach.erase", coach, ["name", "email", "phone", "motivation", "notes"])
