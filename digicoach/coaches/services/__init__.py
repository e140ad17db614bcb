"""Coach use cases: decide on applicants and move coaches through the pipeline. Around it:
`applications` (applying, the profile edit), `screening` (notes, intake, screening facts),
`erasure` (the directory download, erasure) and `mail` (mail to a coach or applicant).

Every status change goes through `change_status`, which checks the transition table in
rules.py and the actor's permission, writes the history row and the audit event. Services
flush; the caller's unit of work commits, and mail leaves through the outbox after that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.coaches import permissions, rules
from digicoach.coaches.models import (
    SCREENING_LABELS,
    STATUS_LABELS,
    Coach,
    CoachStatus,
    CoachStatusChange,
    ScreeningItem,
)
from digicoach.coaches.services.mail import mail_coach
from digicoach.core import audit, messages
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db

NAME_MAX_LENGTH = 100
REASON_MAX_LENGTH = 2000


# --- input ------------------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    approved: list[Coach] = field(default_factory=list)
    # (coach id, name or None when unknown, the reason it failed)
    failed: list[tuple[int, str | None, str]] = field(default_factory=list)


# --- lookups ----------------------------------------------------------------------------------


def coach_of(user: User) -> Coach | None:
    return db.session.scalar(select(Coach).where(Coach.user_id == user.id))


def get_coach(actor: User, coach_id: int, *, to_manage: bool = False) -> Coach:
    """The coach, if the actor may see their file (`to_manage`: act on it). Raises NotFound
    otherwise, so guessing ids reveals nothing about other municipalities."""
    coach = db.session.get(Coach, coach_id)
    allowed = permissions.can_manage_coach if to_manage else permissions.can_view_coach
    if coach is None or not allowed(actor, coach):
        raise NotFound("coach")
    return coach


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
    mail_coach(
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
    mail_coach(
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
        mail_coach(
            coordinator,
            kind="coaches.new_application",
            dedupe_key=f"coaches.new_application:{coach.id}:{coordinator.id}",
            template="new_application",
            subject=lambda: _("A new digicoach application is waiting"),
            municipality=coach.municipality,
            queue_url=messages.absolute_url("coaches.queue"),
        )
