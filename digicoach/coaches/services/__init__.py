"""Coach use cases: screen, decide, move through the pipeline, erase (applying and the
profile edit: services.applications).

Every status change goes through `change_status`, which checks the transition table in
rules.py and the actor's permission, writes the history row and the audit event. Services
flush; the caller's unit of work commits, and mail leaves through the outbox after that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from digicoach.accounts import sessions as account_sessions
from digicoach.accounts.models import (
    LoginFailure,
    OneTimeToken,
    Role,
    User,
    UserMunicipality,
    UserRole,
    email_key,
)
from digicoach.coaches import export, permissions, rules
from digicoach.coaches.models import (
    SCREENING_LABELS,
    STATUS_LABELS,
    Coach,
    CoachNote,
    CoachStatus,
    CoachStatusChange,
    Intake,
    ScreeningCheck,
    ScreeningItem,
)
from digicoach.core import audit, ics, messages, outbox
from digicoach.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.core.spreadsheets import Sheet
from digicoach.extensions import db
from digicoach.places.models import Location

NAME_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000
ERASED_NAME = "Former coach"


# --- input ------------------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    approved: list[Coach] = field(default_factory=list)
    # (coach id, name or None when unknown, the reason it failed)
    failed: list[tuple[int, str | None, str]] = field(default_factory=list)


# --- lookups ----------------------------------------------------------------------------------


def coach_of(user: User) -> Coach | None:
    return db.session.scalar(select(Coach).where(Coach.user_id == user.id))


def get_coach(actor: User, coach_id: int) -> Coach:
    """The coach, if the actor may manage them. Raises NotFound otherwise, so guessing ids
    reveals nothing about other municipalities."""
    coach = db.session.get(Coach, coach_id)
    if coach is None or not permissions.can_manage_coach(actor, coach):
        raise NotFound("coach")
    return coach


# --- staff: notes, intake, screening ----------------------------------------------------------


def add_note(*, actor: User, coach: Coach, body: str, now: datetime) -> CoachNote:
    """Append an internal note. Notes are never edited: a correction is a new note."""
    ensure(permissions.can_manage_coach(actor, coach))
    text = body.strip()
    if not text:
        raise ValidationFailed({"body": [_("Write the note.")]})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            {"body": [_("Use at most %(count)d characters.", count=NOTE_MAX_LENGTH)]}
        )
    note = CoachNote(coach_id=coach.id, author_id=actor.id, created_at=now, body=text)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "coach.add_note", coach, ["notes"])
    return note


def plan_intake(
    *,
    actor: User,
    coach: Coach,
    starts_at: datetime,
    minutes: int,
    location_id: int | None,
    place: str,
    now: datetime,
) -> Intake:
    """Plan an intake conversation and send the applicant an invitation with a calendar file.

    Raises ValidationFailed for a moment in the past, an unreasonable length, a location of
    another municipality, or no place at all.
    """
    ensure(permissions.can_manage_coach(actor, coach))
    errors = FieldErrors()
    if starts_at <= now:
        errors.add("starts_at", _("Choose a moment in the future."))
    if not 15 <= minutes <= 240:
        errors.add("minutes", _("Choose a length between 15 and 240 minutes."))
    location = db.session.get(Location, location_id) if location_id is not None else None
    if location_id is not None and (
        location is None or location.municipality_id != coach.municipality_id
    ):
        errors.add("location", _("Choose a digipunt from the list."))
    if location_id is None and not place.strip():
        errors.add("place", _("Choose a digipunt or describe the place."))
    if len(place) > 200:
        errors.add("place", _("Use at most %(count)d characters.", count=200))
    errors.raise_if_any()
    intake = Intake(
        coach_id=coach.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        location=location,
        place=place.strip(),
        planned_by_id=actor.id,
        planned_at=now,
    )
    db.session.add(intake)
    db.session.flush()
    audit.record(actor, "coach.plan_intake", coach, ["intake"])
    _send_intake(coach, intake)
    return intake


def _send_intake(coach: Coach, intake: Intake) -> None:
    user = coach.user
    with force_locale(user.language):
        event = ics.CalendarEvent(
            uid=f"intake-{intake.id}@{current_app.config['MAIL_MESSAGE_ID_DOMAIN']}",
            start=intake.starts_at,
            end=intake.ends_at,
            summary=_("Intake conversation digicoach"),
            location=intake.where,
            description=_("A conversation to get to know each other before you start."),
        )
    attachment = outbox.Attachment("intake.ics", ics.CONTENT_TYPE, ics.calendar_for([event]))
    _mail(
        user,
        kind="coaches.intake",
        dedupe_key=f"coaches.intake:{intake.id}",
        template="intake",
        subject=lambda: _("Invitation: getting to know each other"),
        attachment=attachment,
        intake=intake,
    )


def record_screening(
    *,
    actor: User,
    coach: Coach,
    checks: Mapping[str, date | None],
    insurance_reference: str | None,
    today: date,
    now: datetime,
) -> list[str]:
    """Record screening facts: item → the day it was checked (None leaves it as it is).

    Only the fact, the day and who checked are kept. A day in the future is refused.
    Returns the names of what changed.
    """
    ensure(permissions.can_manage_coach(actor, coach))
    errors = FieldErrors()
    for item, checked_on in checks.items():
        if item not in set(ScreeningItem):
            errors.add(item, _("Unknown check."))
        elif checked_on is not None and checked_on > today:
            errors.add(item, _("Choose today or a day in the past."))
    if insurance_reference is not None and len(insurance_reference) > 100:
        errors.add("insurance_reference", _("Use at most %(count)d characters.", count=100))
    errors.raise_if_any()
    changed = []
    for item, checked_on in checks.items():
        if checked_on is None:
            continue
        existing = coach.screening(ScreeningItem(item))
        if existing is None:
            coach.screening_checks.append(
                ScreeningCheck(
                    item=item, checked_on=checked_on, checked_by_id=actor.id, recorded_at=now
                )
            )
            changed.append(item)
        elif existing.checked_on != checked_on:
            existing.checked_on, existing.checked_by_id, existing.recorded_at = (
                checked_on,
                actor.id,
                now,
            )
            changed.append(item)
    if insurance_reference is not None and insurance_reference.strip() != (
        coach.insurance_reference or ""
    ):
        coach.insurance_reference = insurance_reference.strip()
        changed.append("insurance_reference")
    db.session.flush()
    if changed:
        audit.record(actor, "coach.screening", coach, changed)
    return changed


# --- the pipeline -----------------------------------------------------------------------------


class SystemOnlyStatus(Conflict):
    """A person chose a status only the system reaches (rules.SYSTEM_TARGETS)."""

    code = "coaches.status.system_only"


def change_status(
    *,
    actor: User | None,
    coach: Coach,
    target: str,
    reason: str = "",
    now: datetime,
    by_system: bool = False,
) -> CoachStatusChange:
    """Move a coach along the pipeline (rules.TRANSITIONS), with history and audit.

    `actor` None is the system (the dormancy job, shift activity). `by_system` is the explicit
    system path, the only one that may reach rules.SYSTEM_TARGETS (certified, active, dormant):
    use certify_on_certificate, record_shift_activity or mark_dormant rather than setting it.
    Raises PermissionDenied, SystemOnlyStatus (a Conflict) for a system target chosen by a
    person, Conflict for a transition the table does not allow, ValidationFailed for a
    missing reason.
    """
    ensure(permissions.can_change_coach_status(actor, coach, target))
    current = coach.status
    if not rules.may_choose(target, by_system=by_system):
        raise SystemOnlyStatus(
            _(
                "Only the system sets the status “%(target)s”: a certificate, a shift or "
                "a long time without shifts does.",
                target=_status_label(target),
            ),
            field="status",
        )
    if not rules.may_transition(current, target):
        raise Conflict(
            _(
                "A digicoach with status “%(current)s” cannot become “%(target)s”.",
                current=_status_label(current),
                target=_status_label(target),
            ),
            field="status",
            code="coaches.status.not_allowed",
        )
    reason = reason.strip()
    if target in rules.REASON_REQUIRED and not reason:
        raise ValidationFailed({"reason": [_("Write the reason.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {"reason": [_("Use at most %(count)d characters.", count=REASON_MAX_LENGTH)]}
        )
    change = CoachStatusChange(
        from_status=current,
        to_status=target,
        changed_at=now,
        changed_by_id=actor.id if actor is not None else None,
        reason=reason,
    )
    coach.history.append(change)
    coach.status = target
    coach.status_changed_at = now
    if target == CoachStatus.ACTIVE:
        # Dormancy counts from here when no shift follows.
        coach.activated_at = now
    db.session.flush()
    audit.record(actor, f"coach.status.{target}", coach, ["status"])
    return change


def _status_label(status: str) -> str:
    try:
        return str(STATUS_LABELS[CoachStatus(status)])
    except ValueError:
        return status


def approve(*, actor: User, coach: Coach, reason: str = "", now: datetime) -> CoachStatusChange:
    """Approve an applicant whose screening is complete; they get a welcome e-mail.

    Raises Conflict when a screening item is missing or the coach is not `applied`.
    """
    ensure(permissions.can_manage_coach(actor, coach))
    if coach.status == CoachStatus.APPLIED:
        missing = rules.missing_screening(check.item for check in coach.screening_checks)
        if missing:
            raise Conflict(
                _(
                    "Screening is not complete: %(missing)s.",
                    missing=", ".join(str(SCREENING_LABELS[ScreeningItem(m)]) for m in missing),
                ),
                field="status",
                code="coaches.screening_incomplete",
            )
    change = change_status(
        actor=actor, coach=coach, target=CoachStatus.APPROVED, reason=reason, now=now
    )
    _mail(
        coach.user,
        kind="coaches.approved",
        dedupe_key=f"coaches.approved:{change.id}",
        template="approved",
        subject=lambda: _("Welcome as a digicoach"),
        coach=coach,
    )
    return change


def reject(*, actor: User, coach: Coach, reason: str, now: datetime) -> CoachStatusChange:
    """Decline an application with a reason; the applicant gets a kind e-mail with it."""
    ensure(permissions.can_manage_coach(actor, coach))
    change = change_status(
        actor=actor, coach=coach, target=CoachStatus.REJECTED, reason=reason, now=now
    )
    _mail(
        coach.user,
        kind="coaches.rejected",
        dedupe_key=f"coaches.rejected:{change.id}",
        template="rejected",
        subject=lambda: _("About your application as a digicoach"),
        coach=coach,
        reason=change.reason,
    )
    return change


def bulk_approve(*, actor: User, coach_ids: Iterable[int], now: datetime) -> BulkOutcome:
    """Approve several applicants; each is checked on its own and one failure stops no other.

    Coaches outside the actor's scope count as failures without revealing their name.
    """
    outcome = BulkOutcome()
    for coach_id in sorted(set(coach_ids)):
        coach = db.session.get(Coach, coach_id)
        if coach is None or not permissions.can_manage_coach(actor, coach):
            outcome.failed.append((coach_id, None, _("Not found.")))
            continue
        savepoint = db.session.begin_nested()
        try:
            approve(actor=actor, coach=coach, now=now)
        except (Conflict, ValidationFailed) as error:
            savepoint.rollback()
            outcome.failed.append((coach_id, coach.user.name, str(error.message)))
        else:
            savepoint.commit()
            outcome.approved.append(coach)
    return outcome


def move(
    *, actor: User, coach: Coach, target: str, reason: str = "", now: datetime
) -> CoachStatusChange:
    """A coordinator moves a coach to `target`: approval and decline send their e-mails,
    other steps only move. Raises what `change_status` raises."""
    ensure(permissions.can_manage_coach(actor, coach))
    if target not in set(CoachStatus):
        raise ValidationFailed({"status": [_("Choose a status from the list.")]})
    if target == CoachStatus.APPROVED:
        return approve(actor=actor, coach=coach, reason=reason, now=now)
    if target == CoachStatus.REJECTED:
        return reject(actor=actor, coach=coach, reason=reason, now=now)
    return change_status(actor=actor, coach=coach, target=target, reason=reason, now=now)


def start_training(*, actor: User | None, coach: Coach, now: datetime) -> CoachStatusChange:
    """Called by the training feature when an approved coach joins a training group."""
    return change_status(actor=actor, coach=coach, target=CoachStatus.IN_TRAINING, now=now)


def certify_on_certificate(*, actor: User | None, coach: Coach, now: datetime) -> CoachStatusChange:
    """The system path to `certified`: only training.certify calls this, once the certificate
    exists. `actor` is who issued it (for the history), None for the system itself."""
    return change_status(
        actor=actor, coach=coach, target=CoachStatus.CERTIFIED, now=now, by_system=True
    )


def leave(*, actor: User | None, coach: Coach, reason: str = "", now: datetime) -> None:
    """The coach stops (or withdraws their application). Final."""
    change_status(actor=actor, coach=coach, target=CoachStatus.LEFT, reason=reason, now=now)


def mark_dormant(*, now: datetime, after_days: int) -> int:
    """Mark every active coach without a shift for `after_days` days dormant. Returns how many.

    Idempotent: a second run finds nobody new, so a missed run heals itself.
    """
    horizon = now - timedelta(days=after_days)
    candidates = db.session.scalars(
        select(Coach).where(
            Coach.status == CoachStatus.ACTIVE,
            or_(
                Coach.last_shift_at < horizon,
                Coach.last_shift_at.is_(None)
                & or_(Coach.activated_at < horizon, Coach.activated_at.is_(None)),
            ),
        )
    ).all()
    marked = 0
    for coach in candidates:
        if rules.is_dormant(
            status=coach.status,
            last_shift_at=coach.last_shift_at,
            activated_at=coach.activated_at,
            status_changed_at=coach.status_changed_at,
            now=now,
            after_days=after_days,
        ):
            change_status(
                actor=None, coach=coach, target=CoachStatus.DORMANT, now=now, by_system=True
            )
            marked += 1
    return marked


def record_shift_activity(coach: Coach, now: datetime) -> Coach:
    """The shifts feature calls this when a coach does a shift: the dormancy clock restarts,
    and a certified or dormant coach becomes active (the system path to `active`)."""
    if coach.last_shift_at is None or now > coach.last_shift_at:
        coach.last_shift_at = now
    if coach.status in (CoachStatus.CERTIFIED, CoachStatus.DORMANT):
        change_status(actor=None, coach=coach, target=CoachStatus.ACTIVE, now=now, by_system=True)
    db.session.flush()
    return coach


# --- coordinators hear of new applications ----------------------------------------------------


def tell_coordinators_of_application(user: User, *, now: datetime) -> None:
    """Once an applicant confirmed their address, the coordinators of their municipality hear
    that an application waits. The mail names no one: it would outlive an erasure."""
    coach = coach_of(user)
    if coach is None or coach.status != CoachStatus.APPLIED:
        return
    coordinators = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            User.scope_rows.any(UserMunicipality.municipality_id == coach.municipality_id),
            User.role_rows.any(UserRole.role == Role.COORDINATOR.value),
        )
        .order_by(User.id)
    )
    for coordinator in coordinators:
        _mail(
            coordinator,
            kind="coaches.new_application",
            dedupe_key=f"coaches.new_application:{coach.id}:{coordinator.id}",
            template="new_application",
            subject=lambda: _("A new digicoach application is waiting"),
            municipality=coach.municipality,
            queue_url=messages.absolute_url("coaches.queue"),
        )


# --- access to personal data ------------------------------------------------------------------


def personal_export(*, actor: User, coach: Coach, as_csv: bool = False) -> str:
    """Everything held about a coach (GDPR art. 15), for the coach or a coordinator in scope.

    Audited, because a download is the one read that carries every value out of the system.
    """
    ensure(permissions.can_erase_coach(actor, coach))
    audit.record(actor, "coach.export", coach)
    return export.personal_data_csv(coach) if as_csv else export.personal_data_json(coach)


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


# --- mail -------------------------------------------------------------------------------------


def _mail(
    user: User,
    *,
    kind: str,
    dedupe_key: str,
    template: str,
    subject: Any,
    attachment: outbox.Attachment | None = None,
    **context: Any,
) -> None:
    """Queue an e-mail to a coach or applicant, in their language, with absolute links; nothing
    for an account that was deactivated or erased (core.messages.queue_user_email)."""
    messages.queue_user_email(
        user,
        kind=kind,
        dedupe_key=dedupe_key,
        template=f"coaches/email/{template}",
        subject=subject,
        attachment=attachment,
        me_url=messages.absolute_url("coaches.me"),
        **context,
    )
