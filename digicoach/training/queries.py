"""Read models for the training pages, scoped inside the query.

A coordinator's queries only return cohorts that include one of their municipalities; a
scoped `get_*` raises NotFound for an id outside the scope exactly as for an id that does not
exist, so guessing ids reveals nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, exists, false, func, select, true
from sqlalchemy.orm import selectinload

from digicoach.accounts.models import User, UserMunicipality
from digicoach.coaches.models import Coach
from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.places.models import Municipality
from digicoach.places.queries import valid_id
from digicoach.training import permissions, rules
from digicoach.training.models import (
    Attendance,
    Certification,
    CertificationRule,
    Cohort,
    Enrolment,
    TrainingModule,
    TrainingSession,
    cohort_municipality,
    training_session_module,
)


def cohort_scope(actor: User) -> ColumnElement[bool]:
    """Cohorts the actor manages: all for admins, those sharing a municipality otherwise."""
    if not permissions.can_manage_training(actor):
        return false()
    if actor.is_admin:
        return true()
    return exists().where(
        cohort_municipality.c.cohort_id == Cohort.id,
        cohort_municipality.c.municipality_id.in_(
            select(UserMunicipality.municipality_id).where(UserMunicipality.user_id == actor.id)
        ),
    )


def get_cohort(actor: User, cohort_id: Any) -> Cohort:
    """A cohort the actor manages. Raises NotFound otherwise."""
    if not valid_id(cohort_id):
        raise NotFound(cohort_id)
    cohort = db.session.scalar(select(Cohort).where(Cohort.id == cohort_id, cohort_scope(actor)))
    if cohort is None:
        raise NotFound(cohort_id)
    return cohort


def get_session(actor: User, cohort: Cohort, session_id: Any) -> TrainingSession:
    """A session of this cohort (a session of another cohort is NotFound)."""
    if not valid_id(session_id):
        raise NotFound(session_id)
    session = db.session.get(TrainingSession, session_id)
    if session is None or session.cohort_id != cohort.id:
        raise NotFound(session_id)
    return session


def get_session_for_attendance(actor: User, session_id: Any) -> TrainingSession:
    """A session whose attendance the actor may record (trainer or manager). NotFound else."""
    if not valid_id(session_id):
        raise NotFound(session_id)
    session = db.session.get(TrainingSession, session_id)
    if session is None or not permissions.can_record_attendance(actor, session.cohort):
        raise NotFound(session_id)
    return session


def get_enrolment(cohort: Cohort, enrolment_id: Any) -> Enrolment:
    if not valid_id(enrolment_id):
        raise NotFound(enrolment_id)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort.id:
        raise NotFound(enrolment_id)
    return enrolment


def get_module(programme_id: int, module_id: Any) -> TrainingModule:
    if not valid_id(module_id):
        raise NotFound(module_id)
    module = db.session.get(TrainingModule, module_id)
    if module is None or module.programme_id != programme_id:
        raise NotFound(module_id)
    return module


def modules_of(programme_id: int) -> list[TrainingModule]:
    return list(
        db.session.scalars(
            select(TrainingModule)
            .where(TrainingModule.programme_id == programme_id)
            .order_by(TrainingModule.position, TrainingModule.id)
        )
    )


def _first_session_subquery() -> Any:
    return (
        select(func.min(TrainingSession.starts_at))
        .where(
            TrainingSession.cohort_id == Cohort.id,
            TrainingSession.status != rules.SESSION_CANCELLED,
        )
        .scalar_subquery()
    )


def _waitlisted_subquery() -> Any:
    return (
        select(func.count(Enrolment.id))
        .where(Enrolment.cohort_id == Cohort.id, Enrolment.status == rules.WAITLISTED)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    first_session_at: datetime | None
    waitlisted: int
    low_enrolment: bool


def cohorts_for_staff(actor: User, *, now: datetime) -> list[CohortRow]:
    """The cohorts the actor manages, newest first, with the low-enrolment flag, in one query
    (plus one for the municipalities)."""
    days = int(current_app.config["COHORT_LOW_ENROLMENT_WARNING_DAYS"])
    rows = db.session.execute(
        select(Cohort, _first_session_subquery(), _waitlisted_subquery())
        .options(selectinload(Cohort.municipalities), selectinload(Cohort.programme))
        .where(cohort_scope(actor))
        .order_by(Cohort.created_at.desc(), Cohort.id.desc())
    ).all()
    return [
        CohortRow(
            cohort=cohort,
            first_session_at=first_at,
            waitlisted=waitlisted,
            low_enrolment=rules.needs_low_enrolment_warning(
                cohort_status=cohort.status,
                enrolled=cohort.enrolled_count,
                minimum=cohort.minimum,
                first_session_at=first_at,
                now=now,
                warning_days=days,
            ),
        )
        for cohort, first_at, waitlisted in rows
    ]


@dataclass(frozen=True)
class OpenCohort:
    cohort: Cohort
    first_session_at: datetime | None
    enrolment: Enrolment | None


def cohorts_for_coach(coach: Coach, *, now: datetime) -> list[OpenCohort]:
    """Cohorts of the coach's municipality that take enrolments now, plus any cohort the coach
    is waitlisted or enrolled in that is not over yet."""
    mine = {
        e.cohort_id: e
        for e in db.session.scalars(select(Enrolment).where(Enrolment.coach_id == coach.id))
    }
    rows = db.session.execute(
        select(Cohort, _first_session_subquery())
        .options(selectinload(Cohort.location), selectinload(Cohort.sessions))
        .where(
            exists().where(
                cohort_municipality.c.cohort_id == Cohort.id,
                cohort_municipality.c.municipality_id == coach.municipality_id,
            ),
            Cohort.status.in_(sorted(rules.ENROLLABLE_STATUSES)),
        )
        .order_by(Cohort.enrolment_deadline, Cohort.id)
    ).all()
    found = []
    for cohort, first_at in rows:
        enrolment = mine.get(cohort.id)
        takes_enrolments = rules.enrolment_is_open(
            cohort_status=cohort.status, deadline=cohort.enrolment_deadline, now=now
        )
        active = enrolment is not None and enrolment.status in rules.ACTIVE_ENROLMENT_STATUSES
        if takes_enrolments or active:
            found.append(OpenCohort(cohort, first_at, enrolment))
    return found


@dataclass(frozen=True)
class EnrolmentRow:
    enrolment: Enrolment
    coach: Coach
    assessment: rules.Assessment | None
    certification: Certification | None


@dataclass
class CohortDetail:
    cohort: Cohort
    enrolled: list[EnrolmentRow] = field(default_factory=list)
    waitlisted: list[Enrolment] = field(default_factory=list)
    withdrawn: list[Enrolment] = field(default_factory=list)
    attendance_counts: dict[int, dict[str, int]] = field(default_factory=dict)


def cohort_detail(cohort: Cohort) -> CohortDetail:
    """The cohort page: who is enrolled (with their standing), the waitlist in order, and per
    session how many were present, excused and absent."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .options(selectinload(Enrolment.coach))
        .where(Enrolment.cohort_id == cohort.id)
        .order_by(Enrolment.waitlist_position, Enrolment.enrolled_at, Enrolment.id)
    ).all()
    certificates = {
        c.coach_id: c
        for c in db.session.scalars(
            select(Certification).where(Certification.programme_id == cohort.programme_id)
        )
    }
    standing = assessments(
        cohort,
        [e.coach_id for e in enrolments if e.status in (rules.ENROLLED, rules.COMPLETED)],
    )
    detail = CohortDetail(cohort)
    for enrolment in enrolments:
        if enrolment.status in (rules.ENROLLED, rules.COMPLETED):
            detail.enrolled.append(
                EnrolmentRow(
                    enrolment,
                    enrolment.coach,
                    standing.get(enrolment.coach_id),
                    certificates.get(enrolment.coach_id),
                )
            )
        elif enrolment.status == rules.WAITLISTED:
            detail.waitlisted.append(enrolment)
        else:
            detail.withdrawn.append(enrolment)
    detail.enrolled.sort(key=lambda row: row.coach.user.name.lower())
    for session_id, mark, count in db.session.execute(
        select(Attendance.session_id, Attendance.mark, func.count())
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.cohort_id == cohort.id)
        .group_by(Attendance.session_id, Attendance.mark)
    ):
        detail.attendance_counts.setdefault(session_id, {})[mark] = count
    return detail


@dataclass(frozen=True)
class AttendanceLine:
    coach: Coach
    mark: str | None
    self_checked_in: bool


def attendance_grid(session: TrainingSession) -> list[AttendanceLine]:
    """One line per enrolled coach of the session's cohort, by name, with their mark."""
    coaches = db.session.scalars(
        select(Coach)
        .join(Enrolment, Enrolment.coach_id == Coach.id)
        .where(
            Enrolment.cohort_id == session.cohort_id,
            Enrolment.status.in_([rules.ENROLLED, rules.COMPLETED]),
        )
    ).all()
    marks = {
        row.coach_id: row
        for row in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))
    }
    lines = [
        AttendanceLine(
            coach,
            marks[coach.id].mark if coach.id in marks else None,
            marks[coach.id].self_checked_in if coach.id in marks else False,
        )
        for coach in coaches
    ]
    return sorted(lines, key=lambda line: line.coach.user.name.lower())


def enrollable_coaches(cohort: Cohort, actor: User) -> list[Coach]:
    """Coaches staff may enrol: approved or in training, of the cohort's municipalities that the
    actor manages, not already active in this cohort."""
    in_cohort = select(Enrolment.coach_id).where(
        Enrolment.cohort_id == cohort.id,
        Enrolment.status != rules.WITHDRAWN,
    )
    municipality_ids = cohort.municipality_ids
    if not actor.is_admin:
        municipality_ids = municipality_ids & actor.municipality_ids
    coaches = db.session.scalars(
        select(Coach)
        .where(
            Coach.status.in_(sorted(rules.MAY_ENROL_STATUSES)),
            Coach.municipality_id.in_(sorted(municipality_ids)),
            Coach.id.not_in(in_cohort),
        )
        .order_by(Coach.id)
    ).all()
    return sorted(coaches, key=lambda coach: coach.user.name.lower())


@dataclass(frozen=True)
class MySession:
    session: TrainingSession
    mark: str | None


@dataclass(frozen=True)
class MyTraining:
    enrolment: Enrolment
    cohort: Cohort
    sessions: list[MySession]
    assessment: rules.Assessment
    missing_modules: list[TrainingModule]
    certification: Certification | None


def my_trainings(coach: Coach) -> list[MyTraining]:
    """The coach's cohorts (not withdrawn), newest first, with sessions, their own marks, their
    standing and what is still missing."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.coach_id == coach.id, Enrolment.status != rules.WITHDRAWN)
        .order_by(Enrolment.created_at.desc(), Enrolment.id.desc())
    ).all()
    trainings = []
    for enrolment in enrolments:
        cohort = enrolment.cohort
        marks = {
            row.session_id: row.mark
            for row in db.session.scalars(
                select(Attendance)
                .join(TrainingSession, TrainingSession.id == Attendance.session_id)
                .where(Attendance.coach_id == coach.id, TrainingSession.cohort_id == cohort.id)
            )
        }
        assessment = assessments(cohort, [coach.id])[coach.id]
        missing = [
            module
            for module in modules_of(cohort.programme_id)
            if module.id in assessment.missing_module_ids
        ]
        certification = db.session.scalar(
            select(Certification).where(
                Certification.coach_id == coach.id,
                Certification.programme_id == cohort.programme_id,
            )
        )
        trainings.append(
            MyTraining(
                enrolment=enrolment,
                cohort=cohort,
                sessions=[MySession(s, marks.get(s.id)) for s in cohort.sessions],
                assessment=assessment,
                missing_modules=missing,
                certification=certification,
            )
        )
    return trainings


def next_session_of(coach: Coach, *, now: datetime) -> TrainingSession | None:
    """The first training session still to come of a cohort the coach is enrolled in (not
    cancelled): the next date on 'My training'. One statement."""
    return db.session.scalar(
        select(TrainingSession)
        .join(Enrolment, Enrolment.cohort_id == TrainingSession.cohort_id)
        .where(
            Enrolment.coach_id == coach.id,
            Enrolment.status == rules.ENROLLED,
            TrainingSession.status != rules.SESSION_CANCELLED,
            TrainingSession.ends_at > now,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(1)
    )


def cohorts_taught_by(actor: User) -> list[Cohort]:
    """The cohorts the actor trains that are not cancelled, newest first, with sessions."""
    return list(
        db.session.scalars(
            select(Cohort)
            .options(selectinload(Cohort.sessions))
            .where(Cohort.trainer_id == actor.id, Cohort.status != rules.CANCELLED)
            .order_by(Cohort.created_at.desc(), Cohort.id.desc())
        )
    )


def get_certificate(actor: User, certification_id: Any) -> Certification:
    if not valid_id(certification_id):
        raise NotFound(certification_id)
    certification = db.session.get(Certification, certification_id)
    if certification is None or not permissions.can_view_certificate(actor, certification):
        raise NotFound(certification_id)
    return certification


def session_of_coach(coach: Coach, session_id: Any) -> TrainingSession:
    """A session of a cohort the coach is (or was) enrolled in, for the calendar file."""
    if not valid_id(session_id):
        raise NotFound(session_id)
    session = db.session.scalar(
        select(TrainingSession)
        .join(Enrolment, Enrolment.cohort_id == TrainingSession.cohort_id)
        .where(
            TrainingSession.id == session_id,
            Enrolment.coach_id == coach.id,
            Enrolment.status.in_([rules.ENROLLED, rules.COMPLETED]),
        )
    )
    if session is None:
        raise NotFound(session_id)
    return session


def threshold_percent(programme_id: int) -> int:
    """The programme's attendance threshold in percent (its own, or the default setting)."""
    own = db.session.get(CertificationRule, programme_id)
    if own is not None:
        return own.threshold_percent
    return int(current_app.config["CERTIFICATION_THRESHOLD_PERCENT"])


def required_module_ids(programme_id: int) -> frozenset[int]:
    return frozenset(
        db.session.scalars(
            select(TrainingModule.id).where(
                TrainingModule.programme_id == programme_id, TrainingModule.required.is_(True)
            )
        )
    )


def assessments(cohort: Cohort, coach_ids: Iterable[int]) -> dict[int, rules.Assessment]:
    """Each coach's standing toward the certificate, in three queries for the whole cohort."""
    ids = sorted(set(coach_ids))
    marks: dict[tuple[int, int], str] = {}
    if ids:
        for session_id, coach_id, mark in db.session.execute(
            select(Attendance.session_id, Attendance.coach_id, Attendance.mark)
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .where(TrainingSession.cohort_id == cohort.id, Attendance.coach_id.in_(ids))
        ):
            marks[(session_id, coach_id)] = mark
    required = required_module_ids(cohort.programme_id)
    threshold = rules.threshold_fraction(threshold_percent(cohort.programme_id))
    return {
        coach_id: rules.assess(
            (
                rules.SessionFacts(
                    status=session.status,
                    module_ids=session.module_ids,
                    mark=marks.get((session.id, coach_id)),
                )
                for session in cohort.sessions
            ),
            required_module_ids=required,
            threshold=threshold,
        )
        for coach_id in ids
    }


def issuing_municipality(certification: Certification) -> Municipality:
    """The municipality that issued a certificate: where its training group met, else the
    group's first municipality, else the coach's own."""
    cohort = certification.cohort
    if cohort is not None:
        if cohort.location is not None:
            return cohort.location.municipality
        if cohort.municipalities:
            return cohort.municipalities[0]
    return certification.coach.municipality


def certificate_modules(certification: Certification) -> list[TrainingModule]:
    """The modules a certificate stands for: those of its training group's sessions that were
    not cancelled, else the programme's required modules; in curriculum order."""
    if certification.cohort_id is not None:
        modules = db.session.scalars(
            select(TrainingModule)
            .join(training_session_module, training_session_module.c.module_id == TrainingModule.id)
            .join(TrainingSession, TrainingSession.id == training_session_module.c.session_id)
            .where(
                TrainingSession.cohort_id == certification.cohort_id,
                TrainingSession.status != "cancelled",
            )
            .distinct()
        ).all()
        if modules:
            return sorted(modules, key=lambda m: (m.position, m.id))
    return list(
        db.session.scalars(
            select(TrainingModule)
            .where(
                TrainingModule.programme_id == certification.programme_id,
                TrainingModule.required.is_(True),
            )
            .order_by(TrainingModule.position, TrainingModule.id)
        )
    )
