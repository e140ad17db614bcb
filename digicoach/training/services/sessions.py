"""A cohort's training sessions: one at a time or a weekly series, moved or cancelled."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.core import audit, timeslots
from digicoach.core.db import assign
from digicoach.core.errors import Conflict, FieldErrors
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.training import permissions, rules
from digicoach.training.models import Cohort, TrainingModule, TrainingSession


@dataclass(frozen=True)
class SessionInput:
    day: date | None
    start_time: time | None
    end_time: time | None
    module_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SeriesInput:
    first_day: date | None
    weekdays: tuple[int, ...]
    start_time: time | None
    end_time: time | None
    every_weeks: int | None = 1
    until: date | None = None
    count: int | None = None
    module_ids: tuple[int, ...] = ()


def _validate_modules(
    cohort: Cohort, module_ids: Iterable[int], errors: FieldErrors
) -> list[TrainingModule]:
    chosen = sorted(set(module_ids))
    if not chosen:
        errors.add("module_ids", _("Choose at least one module."))
        return []
    modules = list(
        db.session.scalars(
            select(TrainingModule).where(
                TrainingModule.id.in_(chosen), TrainingModule.programme_id == cohort.programme_id
            )
        )
    )
    if len(modules) != len(chosen):
        errors.add("module_ids", _("Choose modules of this programme."))
    return modules


def _validate_times(
    day: date | None, start: time | None, end: time | None, errors: FieldErrors, *, day_field: str
) -> None:
    if day is None:
        errors.add(day_field, _("Enter the day."))
    if start is None:
        errors.add("start_time", _("Enter the start time, for example 14:00."))
    if end is None:
        errors.add("end_time", _("Enter the end time, for example 16:00."))
    elif start is not None and end <= start:
        errors.add("end_time", _("The end time must be later than the start time."))


def _ensure_sessions_editable(actor: User, cohort: Cohort) -> None:
    ensure(permissions.can_manage_cohort(actor, cohort))
    if cohort.status not in rules.EDITABLE_STATUSES:
        raise Conflict(_("A finished or cancelled training group cannot change."))


def add_session(
    *, actor: User, cohort: Cohort, data: SessionInput, now: datetime
) -> TrainingSession:
    """Plan one session in the future. Raises ValidationFailed per field."""
    _ensure_sessions_editable(actor, cohort)
    errors = FieldErrors()
    _validate_times(data.day, data.start_time, data.end_time, errors, day_field="day")
    modules = _validate_modules(cohort, data.module_ids, errors)
    errors.raise_if_any()
    assert data.day and data.start_time and data.end_time
    starts_at = timeslots.local_moment(data.day, data.start_time)
    if starts_at <= now:
        errors.add("day", _("Choose a moment in the future."))
        errors.raise_if_any()
    session = TrainingSession(
        cohort=cohort,
        starts_at=starts_at,
        ends_at=timeslots.local_moment(data.day, data.end_time),
        status=rules.SCHEDULED,
        created_at=now,
    )
    session.modules = modules
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "training.session.add", session, ["starts_at", "ends_at", "modules"])
    return session


def update_session(
    *, actor: User, session: TrainingSession, data: SessionInput, now: datetime
) -> TrainingSession:
    """Move a scheduled session or change its modules. Raises ValidationFailed or Conflict."""
    cohort = session.cohort
    _ensure_sessions_editable(actor, cohort)
    if session.status != rules.SCHEDULED:
        raise Conflict(_("Only a session that has not taken place can change."))
    errors = FieldErrors()
    _validate_times(data.day, data.start_time, data.end_time, errors, day_field="day")
    modules = _validate_modules(cohort, data.module_ids, errors)
    errors.raise_if_any()
    assert data.day and data.start_time and data.end_time
    starts_at = timeslots.local_moment(data.day, data.start_time)
    if starts_at != session.starts_at and starts_at <= now:
        errors.add("day", _("Choose a moment in the future."))
        errors.raise_if_any()
    changed = assign(
        session, starts_at=starts_at, ends_at=timeslots.local_moment(data.day, data.end_time)
    )
    if {m.id for m in modules} != set(session.module_ids):
        session.modules = modules
        changed.append("modules")
    if changed:
        session.revision += 1
    db.session.flush()
    if changed:
        audit.record(actor, "training.session.update", session, changed)
    return session


def cancel_session(*, actor: User, session: TrainingSession, now: datetime) -> TrainingSession:
    """Cancel a scheduled session: it no longer counts for anyone's attendance."""
    _ensure_sessions_editable(actor, session.cohort)
    if session.status != rules.SCHEDULED:
        raise Conflict(_("Only a session that has not taken place can be cancelled."))
    session.status = rules.SESSION_CANCELLED
    session.check_in_code = None
    session.revision += 1
    db.session.flush()
    audit.record(actor, "training.session.cancel", session, ["status"])
    return session


def add_weekly_series(
    *, actor: User, cohort: Cohort, data: SeriesInput, now: datetime
) -> list[TrainingSession]:
    """Plan a weekly (or every N weeks) series at a fixed local time, kept across daylight
    saving (core.timeslots). Give `until` or `count`. Raises ValidationFailed per field."""
    _ensure_sessions_editable(actor, cohort)
    errors = FieldErrors()
    _validate_times(data.first_day, data.start_time, data.end_time, errors, day_field="first_day")
    modules = _validate_modules(cohort, data.module_ids, errors)
    weekdays = sorted(set(data.weekdays))
    if not weekdays or any(not 1 <= day <= 7 for day in weekdays):
        errors.add("weekdays", _("Choose at least one weekday."))
    if data.every_weeks is None or not 1 <= data.every_weeks <= 8:
        errors.add("every_weeks", _("Enter a number from 1 to 8."))
    if data.until is None and data.count is None:
        errors.add("count", _("Enter how many sessions, or the last day."))
    if data.count is not None and not 1 <= data.count <= 52:
        errors.add("count", _("Enter a number from 1 to 52."))
    if data.until is not None and data.first_day is not None and data.until < data.first_day:
        errors.add("until", _("The last day cannot be before the first day."))
    errors.raise_if_any()
    assert data.first_day and data.start_time and data.end_time and data.every_weeks
    duration = datetime.combine(data.first_day, data.end_time) - datetime.combine(
        data.first_day, data.start_time
    )
    occurrences = timeslots.weekly_series(
        first_day=data.first_day,
        weekdays=weekdays,
        start_time=data.start_time,
        duration=duration,
        every_weeks=data.every_weeks,
        until=data.until,
        count=data.count,
    )
    if not occurrences:
        errors.add("weekdays", _("These choices give no session. Check the days."))
    elif occurrences[0].start <= now:
        errors.add("first_day", _("Choose a moment in the future."))
    elif len(occurrences) > 52:
        errors.add("until", _("A series has at most 52 sessions. Choose an earlier last day."))
    errors.raise_if_any()
    sessions = []
    for occurrence in occurrences:
        session = TrainingSession(
            cohort=cohort,
            starts_at=occurrence.start,
            ends_at=occurrence.end,
            status=rules.SCHEDULED,
            created_at=now,
        )
        session.modules = list(modules)
        db.session.add(session)
        sessions.append(session)
    db.session.flush()
    audit.record(actor, "training.session.series", cohort, ["sessions"], object_type="Cohort")
    return sessions
