"""Everything we hold about a coach (GDPR art. 15 and 20): the read model behind their export.

The coach's own tables (account, profile, consents, status history, screening, intakes, notes,
sign-in sessions) come from coaches/export.personal_data, which walks every column. This module
adds what other features hold about them, each in one statement whatever the number of rows:
training (enrolments, attendance, certificates), shifts, the help logs they wrote (without
anything about the citizen: no citizen key, no appointment or walk-in), one-time links sent to
them (invitations, password resets: purpose and dates, never the token), the messages sent to
them (kind, channel, when, status: never the text) and the audit events about them (who did
what when, never values).

It lives in `digicoach.rights`, a layer above helplog, helpdesk and training (pyproject.toml's
layers contract), because the coach's own package sits below the features that refer to it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from digicoach.accounts.models import OneTimeToken, User
from digicoach.allowances.forms import KIND_LABELS as ALLOWANCE_KIND_LABELS
from digicoach.allowances.models import Allowance
from digicoach.allowances.rules import Kind as AllowanceKind
from digicoach.bookings.models import STATUS_LABELS as APPOINTMENT_STATUS_LABELS
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.coaches import export
from digicoach.coaches.models import Coach
from digicoach.core import audit_labels, outbox, vocabulary
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from digicoach.helpdesk.models import MODE_LABELS, CalendarFeed, HelpSession, SessionMode, Shift
from digicoach.helplog.models import OUTCOME_LABELS, REFERRAL_LABELS, HelpLog, Outcome, Referral
from digicoach.partners.models import Organisation
from digicoach.places.models import Location, Municipality, Programme
from digicoach.referrals.models import OUTCOME_LABELS as REFERRAL_OUTCOME_LABELS
from digicoach.referrals.models import STATUS_LABELS as REFERRAL_STATUS_LABELS
from digicoach.referrals.models import Referral as WarmReferral
from digicoach.referrals.models import ReferralOutcome, ReferralStatus
from digicoach.training.models import (
    Attendance,
    Certification,
    Cohort,
    Enrolment,
    TrainingSession,
)

# The sections this module adds, in the order of the export.
SECTIONS = (
    "enrolments",
    "attendance",
    "certificates",
    "shifts",
    "help_logs",
    "appointments",
    "allowances",
    "referrals",
    "calendar_feed",
    "links",
    "messages",
    "audit_events",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _label(labels: dict[Any, Any], enum: Any, code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return str(labels[enum(code)])
    except (KeyError, ValueError):
        return code


def enrolments(coach_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Enrolment, Cohort.name, Programme.name)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(Enrolment.coach_id == coach_id)
        .order_by(Enrolment.created_at, Enrolment.id)
    )
    return [
        {
            "training_group": cohort,
            "programme": programme,
            "status": enrolment.status,
            "waitlist_position": enrolment.waitlist_position,
            "created_at": _plain(enrolment.created_at),
            "enrolled_at": _plain(enrolment.enrolled_at),
            "withdrawn_at": _plain(enrolment.withdrawn_at),
        }
        for enrolment, cohort, programme in rows
    ]


def attendance(coach_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Attendance, TrainingSession.starts_at, TrainingSession.ends_at, Cohort.name)
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .join(Cohort, Cohort.id == TrainingSession.cohort_id)
        .where(Attendance.coach_id == coach_id)
        .order_by(TrainingSession.starts_at, Attendance.id)
    )
    return [
        {
            "training_group": cohort,
            "starts_at": _plain(starts_at),
            "ends_at": _plain(ends_at),
            "mark": row.mark,
            "self_checked_in": row.self_checked_in,
            "recorded_at": _plain(row.recorded_at),
        }
        for row, starts_at, ends_at, cohort in rows
    ]


def certificates(coach_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Certification, Programme.name)
        .join(Programme, Programme.id == Certification.programme_id)
        .where(Certification.coach_id == coach_id)
        .order_by(Certification.issued_at, Certification.id)
    )
    return [
        {
            "number": row.number,
            "programme": programme,
            "issued_at": _plain(row.issued_at),
            "verification_code": row.verification_code,
        }
        for row, programme in rows
    ]


def shifts(coach_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Shift, HelpSession.starts_at, HelpSession.ends_at, HelpSession.mode, Location.name)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .join(Location, Location.id == HelpSession.location_id)
        .where(Shift.coach_id == coach_id)
        .order_by(HelpSession.starts_at, Shift.id)
    )
    return [
        {
            "starts_at": _plain(starts_at),
            "ends_at": _plain(ends_at),
            "digipunt": location,
            "kind": _label(MODE_LABELS, SessionMode, mode),
            "status": shift.status,
            "as_shadow": shift.as_shadow,
            "signed_up_at": _plain(shift.signed_up_at),
            "cancelled_at": _plain(shift.cancelled_at),
        }
        for shift, starts_at, ends_at, mode, location in rows
    ]


def help_logs(coach_id: int) -> list[dict[str, Any]]:
    """The help they logged: when, how long, how it went. Nothing about who was helped."""
    rows = db.session.execute(
        select(HelpLog, Location.name)
        .outerjoin(Location, Location.id == HelpLog.location_id)
        .where(HelpLog.coach_id == coach_id)
        .order_by(HelpLog.helped_on, HelpLog.id)
    ).all()
    # topic_rows load with selectin: one more statement for all logs together.
    return [
        {
            "helped_on": _plain(log.helped_on),
            "digipunt": location,
            "minutes": log.minutes,
            "citizens": log.citizens,
            "first_visit": log.first_visit,
            "outcome": _label(OUTCOME_LABELS, Outcome, log.outcome),
            "referred_to": _label(REFERRAL_LABELS, Referral, log.referred_to),
            "did_it_themselves": log.did_it_themselves,
            "follow_up": log.follow_up,
            "language": vocabulary.label(vocabulary.SPOKEN_LANGUAGES, log.language),
            "topics": vocabulary.labels(vocabulary.TOPICS, log.topics),
            "logged_at": _plain(log.logged_at),
        }
        for log, location in rows
    ]


def appointments(coach_id: int) -> list[dict[str, Any]]:
    """Appointments a coordinator gave them: when, where, how it went. Nothing about the
    citizen."""
    rows = db.session.execute(
        select(Appointment.start, Appointment.end, Appointment.status, Location.name)
        .join(Location, Location.id == Appointment.location_id)
        .where(Appointment.assigned_coach_id == coach_id)
        .order_by(Appointment.start, Appointment.id)
    )
    return [
        {
            "starts_at": _plain(start),
            "ends_at": _plain(end),
            "digipunt": location,
            "status": _label(APPOINTMENT_STATUS_LABELS, AppointmentStatus, status),
        }
        for start, end, status, location in rows
    ]


def allowances(coach_id: int) -> list[dict[str, Any]]:
    """The nominative list's lines about them: day, kind, kilometres, amount (in euros)."""
    rows = db.session.execute(
        select(Allowance, Municipality.name)
        .join(Municipality, Municipality.id == Allowance.municipality_id)
        .where(Allowance.coach_id == coach_id)
        .order_by(Allowance.day, Allowance.id)
    )
    return [
        {
            "day": _plain(allowance.day),
            "kind": _label(ALLOWANCE_KIND_LABELS, AllowanceKind, allowance.kind),
            "km": allowance.km,
            "amount_euros": round(allowance.amount_cents / 100, 2),
            "municipality": municipality,
            "note": allowance.note,
            "recorded_at": _plain(allowance.recorded_at),
        }
        for allowance, municipality in rows
    ]


def referrals(user_id: int) -> list[dict[str, Any]]:
    """Referrals they sent: to whom, when, how it went. Nothing about the citizen."""
    rows = db.session.execute(
        select(WarmReferral, func.coalesce(Organisation.name, Location.name))
        .outerjoin(Organisation, Organisation.id == WarmReferral.organisation_id)
        .outerjoin(Location, Location.id == WarmReferral.location_id)
        .where(WarmReferral.from_user_id == user_id)
        .order_by(WarmReferral.sent_at, WarmReferral.id)
    )
    return [
        {
            "sent_at": _plain(referral.sent_at),
            "organisation": organisation,
            "status": _label(REFERRAL_STATUS_LABELS, ReferralStatus, referral.status),
            "outcome": _label(REFERRAL_OUTCOME_LABELS, ReferralOutcome, referral.outcome),
            "closed_at": _plain(referral.closed_at),
        }
        for referral, organisation in rows
    ]


def calendar_feed(coach_id: int) -> list[dict[str, Any]]:
    """Whether they have a calendar address and since when; never its token."""
    created = db.session.scalars(
        select(CalendarFeed.created_at).where(CalendarFeed.coach_id == coach_id)
    )
    return [{"created_at": _plain(moment)} for moment in created]


def links(user_id: int) -> list[dict[str, Any]]:
    """One-time links sent to them (invitation, password reset, e-mail check): never the token."""
    rows = db.session.execute(
        select(
            OneTimeToken.purpose,
            OneTimeToken.created_at,
            OneTimeToken.expires_at,
            OneTimeToken.used_at,
        )
        .where(OneTimeToken.user_id == user_id)
        .order_by(OneTimeToken.created_at)
    )
    return [
        {
            "purpose": purpose,
            "created_at": _plain(created),
            "expires_at": _plain(expires),
            "used_at": _plain(used),
        }
        for purpose, created, expires, used in rows
    ]


def messages(recipients: list[str]) -> list[dict[str, Any]]:
    """Messages queued or sent to them: kind, channel, when and status; never the text."""
    message = outbox.OutboxMessage
    rows = db.session.execute(
        select(message.kind, message.channel, message.created_at, message.status, message.sent_at)
        .where(func.lower(message.recipient).in_([r.lower() for r in recipients if r]))
        .order_by(message.created_at, message.id)
    )
    return [
        {
            "kind": kind,
            "channel": channel,
            "created_at": _plain(created),
            "status": status,
            "sent_at": _plain(sent),
        }
        for kind, channel, created, status, sent in rows
    ]


def audit_events(user_id: int, coach_id: int) -> list[dict[str, Any]]:
    """Events about them (their account or their coach record) and events they caused
    themselves: who did what when."""
    actor = aliased(User)
    rows = db.session.execute(
        select(AuditEvent.occurred_at, AuditEvent.action, AuditEvent.actor_id, actor.name)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(
            or_(
                and_(AuditEvent.object_type == "User", AuditEvent.object_id == str(user_id)),
                and_(AuditEvent.object_type == "Coach", AuditEvent.object_id == str(coach_id)),
                AuditEvent.actor_id == user_id,
            )
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return [
        {
            "at": _plain(occurred),
            "what": audit_labels.action_label(action),
            "action": action,
            "by": name,
        }
        for occurred, action, actor_id, name in rows
    ]


def coach_data(coach: Coach) -> dict[str, Any]:
    """Everything we hold about this coach, as plain JSON-ready data."""
    data = export.personal_data(coach)
    data.pop("messages", None)
    user = coach.user
    data["enrolments"] = enrolments(coach.id)
    data["attendance"] = attendance(coach.id)
    data["certificates"] = certificates(coach.id)
    data["shifts"] = shifts(coach.id)
    data["help_logs"] = help_logs(coach.id)
    data["appointments"] = appointments(coach.id)
    data["allowances"] = allowances(coach.id)
    data["referrals"] = referrals(user.id)
    data["calendar_feed"] = calendar_feed(coach.id)
    data["links"] = links(user.id)
    data["messages"] = messages([user.email, coach.phone or ""])
    data["audit_events"] = audit_events(user.id, coach.id)
    return data
