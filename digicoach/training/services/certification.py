"""Certificates: the only path to a coach's `certified` status (issue, certify all, verify)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import audit, clock, messages
from digicoach.core.errors import Conflict, NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.training import permissions, queries, rules
from digicoach.training.models import Certification, Cohort, Enrolment
from digicoach.training.services.enrolment import active_enrolment, pipeline_actor


def certificate_of(coach_id: int, programme_id: int) -> Certification | None:
    return db.session.scalar(
        select(Certification).where(
            Certification.coach_id == coach_id, Certification.programme_id == programme_id
        )
    )


def certify(*, actor: User, cohort: Cohort, coach: Coach, now: datetime) -> Certification:
    """Issue the coach's certificate for the cohort's programme; the coach becomes certified.

    Idempotent: a coach who already holds the programme's certificate gets that one back, and
    the UNIQUE (coach, programme) constraint settles two coordinators clicking at once.
    Raises Conflict when the coach is not enrolled in the cohort or not eligible yet.
    """
    ensure(permissions.can_manage_cohort(actor, cohort))
    existing = certificate_of(coach.id, cohort.programme_id)
    if existing is not None:
        return existing
    enrolment = active_enrolment(coach.id, cohort.id)
    if enrolment is None or enrolment.status not in (rules.ENROLLED, rules.COMPLETED):
        raise Conflict(
            _("This digicoach is not enrolled in this training group."),
            code="certification.not_enrolled",
        )
    if cohort.status == rules.CANCELLED:
        raise Conflict(
            _("This training group was cancelled."), code="certification.cohort_cancelled"
        )
    assessment = queries.assessments(cohort, [coach.id])[coach.id]
    if not assessment.eligible:
        raise Conflict(
            _("%(name)s does not meet the rule yet.", name=coach.user.name),
            code="certification.not_eligible",
        )
    certification = Certification(
        coach_id=coach.id,
        programme_id=cohort.programme_id,
        cohort_id=cohort.id,
        verification_code=secrets.token_urlsafe(18),
        issued_at=now,
        issued_by_id=actor.id,
    )
    savepoint = db.session.begin_nested()
    try:
        db.session.add(certification)
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        winner = certificate_of(coach.id, cohort.programme_id)
        if winner is None:
            raise
        return winner
    savepoint.commit()
    certification.number = rules.certificate_number(clock.local(now).year, certification.id)
    enrolment.status = rules.COMPLETED
    db.session.flush()
    audit.record(actor, "training.certify", certification, ["number"])
    if coach.status == rules.COACH_IN_TRAINING:
        coach_services.certify_on_certificate(
            actor=pipeline_actor(actor, coach), coach=coach, now=now
        )
    messages.queue_user_email(
        coach.user,
        kind="training.certified",
        dedupe_key=f"training.certified:{certification.id}",
        template="training/email/certified",
        subject=lambda: _("Your digicoach certificate"),
        certification=certification,
        certificate_url=messages.absolute_url(
            "training.certificate", certification_id=certification.id
        ),
    )
    return certification


@dataclass
class CertifyOutcome:
    issued: list[Certification] = field(default_factory=list)
    not_eligible: list[Coach] = field(default_factory=list)


def certify_all(*, actor: User, cohort: Cohort, now: datetime) -> CertifyOutcome:
    """Certify every eligible enrolled coach of the cohort who has no certificate yet."""
    ensure(permissions.can_manage_cohort(actor, cohort))
    outcome = CertifyOutcome()
    enrolments = db.session.scalars(
        select(Enrolment).where(
            Enrolment.cohort_id == cohort.id, Enrolment.status == rules.ENROLLED
        )
    ).all()
    standing = queries.assessments(cohort, [e.coach_id for e in enrolments])
    for enrolment in enrolments:
        if standing[enrolment.coach_id].eligible:
            outcome.issued.append(
                certify(actor=actor, cohort=cohort, coach=enrolment.coach, now=now)
            )
        else:
            outcome.not_eligible.append(enrolment.coach)
    return outcome


def find_certificate(code: str) -> Certification:
    """The certificate with this verification code. Raises NotFound for any other code."""
    if not code or len(code) > 64:
        raise NotFound("certificate")
    found = db.session.scalar(select(Certification).where(Certification.verification_code == code))
    if found is None or found.number is None:
        raise NotFound("certificate")
    return found
