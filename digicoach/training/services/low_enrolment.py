"""The low-enrolment warning: coordinators hear, once per cohort, that it is below its minimum."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.core import messages
from digicoach.extensions import db
from digicoach.training import rules
from digicoach.training.models import Cohort, TrainingSession


def flag_low_enrolment(*, now: datetime) -> int:
    """Tell coordinators, once per cohort, that a planned or open cohort is below its minimum
    COHORT_LOW_ENROLMENT_WARNING_DAYS before its first session. Returns how many cohorts."""
    days = int(current_app.config["COHORT_LOW_ENROLMENT_WARNING_DAYS"])
    first_session = (
        select(func.min(TrainingSession.starts_at))
        .where(
            TrainingSession.cohort_id == Cohort.id,
            TrainingSession.status != rules.SESSION_CANCELLED,
        )
        .scalar_subquery()
    )
    candidates = db.session.execute(
        select(Cohort, first_session).where(
            Cohort.status.in_([rules.PLANNED, rules.OPEN]),
            Cohort.low_enrolment_flagged_at.is_(None),
            Cohort.enrolled_count < Cohort.minimum,
        )
    ).all()
    flagged = 0
    for cohort, first_at in candidates:
        if not rules.needs_low_enrolment_warning(
            cohort_status=cohort.status,
            enrolled=cohort.enrolled_count,
            minimum=cohort.minimum,
            first_session_at=first_at,
            now=now,
            warning_days=days,
        ):
            continue
        cohort.low_enrolment_flagged_at = now
        for coordinator in coordinators_of(cohort):
            messages.queue_user_email(
                coordinator,
                kind="training.low_enrolment",
                dedupe_key=f"training.low_enrolment:{cohort.id}:{coordinator.id}",
                template="training/email/low_enrolment",
                subject=lambda c=cohort: _("Few enrolments for %(name)s", name=c.name),
                cohort=cohort,
                first_session_at=first_at,
                cohort_url=messages.absolute_url("training.cohort", cohort_id=cohort.id),
            )
        flagged += 1
    db.session.flush()
    return flagged


def coordinators_of(cohort: Cohort) -> list[User]:
    """Active coordinators of at least one of the cohort's municipalities."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.COORDINATOR.value,
                User.active.is_(True),
                User.id.in_(
                    select(UserMunicipality.user_id).where(
                        UserMunicipality.municipality_id.in_(sorted(cohort.municipality_ids))
                    )
                ),
            )
            .order_by(User.id)
        )
    )
