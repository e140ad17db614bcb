"""Attendance: the trainer's marks, "all present", and the coach's self check-in."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import audit
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.training import permissions, rules
from digicoach.training.models import Attendance, Enrolment, TrainingSession
from digicoach.training.services.enrolment import lock_cohort


def attending_coach_ids(cohort_id: int) -> list[int]:
    """Coaches whose attendance counts: enrolled, or completed (certified from this cohort)."""
    return list(
        db.session.scalars(
            select(Enrolment.coach_id).where(
                Enrolment.cohort_id == cohort_id,
                Enrolment.status.in_([rules.ENROLLED, rules.COMPLETED]),
            )
        )
    )


def _ensure_attendance_possible(session: TrainingSession, now: datetime) -> None:
    if session.status == rules.SESSION_CANCELLED:
        raise Conflict(
            _("This training session was cancelled."), code="attendance.session_cancelled"
        )
    if session.cohort.status == rules.CANCELLED:
        raise Conflict(_("This training group was cancelled."), code="attendance.cohort_cancelled")
    if now < session.starts_at - rules.CHECK_IN_MARGIN:
        raise Conflict(
            _("Attendance can be recorded once the session starts."),
            code="attendance.not_started",
        )


def record_attendance(
    *, actor: User, session: TrainingSession, marks: Mapping[int, str], now: datetime
) -> int:
    """Record present, excused or absent per coach (by coach id); the session counts as held.

    Coaches left out keep what they had. Raises PermissionDenied for anyone but the trainer
    and the cohort's managers, ValidationFailed for an unknown coach or mark, Conflict for a
    cancelled or future session. Returns how many marks changed.
    """
    ensure(permissions.can_record_attendance(actor, session.cohort))
    lock_cohort(session.cohort_id)
    _ensure_attendance_possible(session, now)
    allowed = set(attending_coach_ids(session.cohort_id))
    if any(coach_id not in allowed for coach_id in marks) or any(
        mark not in rules.ATTENDANCE_MARKS for mark in marks.values()
    ):
        raise ValidationFailed({"marks": [_("Choose present, excused or absent per person.")]})
    existing = {
        row.coach_id: row
        for row in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))
    }
    changed = 0
    for coach_id, mark in sorted(marks.items()):
        row = existing.get(coach_id)
        if row is None:
            db.session.add(
                Attendance(
                    session_id=session.id,
                    coach_id=coach_id,
                    mark=mark,
                    recorded_at=now,
                    recorded_by_id=actor.id,
                )
            )
            changed += 1
        elif row.mark != mark:
            row.mark = mark
            row.self_checked_in = False
            row.recorded_at = now
            row.recorded_by_id = actor.id
            changed += 1
    if marks and session.status != rules.HELD:
        session.status = rules.HELD
    db.session.flush()
    audit.record(actor, "training.attendance.record", session, ["attendance"])
    return changed


def mark_all_present(*, actor: User, session: TrainingSession, now: datetime) -> int:
    """The "all present" button: every enrolled coach present."""
    ensure(permissions.can_record_attendance(actor, session.cohort))
    marks = dict.fromkeys(attending_coach_ids(session.cohort_id), rules.PRESENT)
    return record_attendance(actor=actor, session=session, marks=marks, now=now)


def open_check_in(*, actor: User, session: TrainingSession, now: datetime) -> str:
    """The trainer's code for self check-in (made once per session, then shown again).

    Coaches can use it from 30 minutes before the start until 30 minutes after the end.
    """
    ensure(permissions.can_record_attendance(actor, session.cohort))
    _ensure_attendance_possible(session, now)
    if not session.check_in_code:
        session.check_in_code = "".join(
            secrets.choice(rules.CHECK_IN_ALPHABET) for _ in range(rules.CHECK_IN_CODE_LENGTH)
        )
        db.session.flush()
        audit.record(actor, "training.check_in.open", session, ["check_in_code"])
    return session.check_in_code


def check_in(*, actor: User, coach: Coach, code: str, now: datetime) -> TrainingSession:
    """A coach checks in with the trainer's code: present at that session.

    Raises ValidationFailed (field `code`) when the code matches no session of theirs that
    is open for check-in now; the message does not say which part was wrong.
    """
    ensure(coach.user_id == actor.id)
    normalised = rules.normalise_check_in_code(code)
    invalid = ValidationFailed(
        {"code": [_("This code does not work now. Check it, or ask your trainer.")]}
    )
    if len(normalised) != rules.CHECK_IN_CODE_LENGTH:
        raise invalid
    candidates = db.session.scalars(
        select(TrainingSession)
        .join(Enrolment, Enrolment.cohort_id == TrainingSession.cohort_id)
        .where(
            TrainingSession.check_in_code == normalised,
            TrainingSession.status != rules.SESSION_CANCELLED,
            Enrolment.coach_id == coach.id,
            Enrolment.status == rules.ENROLLED,
        )
    ).all()
    session = next(
        (
            s
            for s in candidates
            if rules.check_in_is_open(starts_at=s.starts_at, ends_at=s.ends_at, now=now)
        ),
        None,
    )
    if session is None:
        raise invalid
    lock_cohort(session.cohort_id)
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.session_id == session.id, Attendance.coach_id == coach.id
        )
    )
    if row is None:
        db.session.add(
            Attendance(
                session_id=session.id,
                coach_id=coach.id,
                mark=rules.PRESENT,
                self_checked_in=True,
                recorded_at=now,
                recorded_by_id=actor.id,
            )
        )
    elif row.mark != rules.PRESENT:
        row.mark = rules.PRESENT
        row.self_checked_in = True
        row.recorded_at = now
        row.recorded_by_id = actor.id
    session.status = rules.HELD
    db.session.flush()
    audit.record(actor, "training.check_in", session, ["attendance"])
    return session
