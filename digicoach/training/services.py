"""Training use cases: the curriculum, cohorts and sessions, enrolment with a waitlist,
attendance and self check-in, certificates, and the low-enrolment warning.

Every function takes the acting user (or none, for jobs), checks permission and scope, checks
the rules in rules.py, changes, flushes and audits field names. The caller's unit of work
commits; mail leaves through the outbox after that. Validation problems raise ValidationFailed
with messages per field, named like the form fields; refusals raise Conflict.

Capacity (DESIGN §4): every change to a cohort's enrolments first locks the cohort row
(`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the unit of work already holds the write lock
from BEGIN IMMEDIATE). Under that lock the enrolled counter moves by a conditional update
(`take_place`), waitlist positions are assigned and closed up, and the CHECK and UNIQUE
constraints stand behind it as the second line.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.accounts.permissions import in_scope
from digicoach.coaches import permissions as coach_permissions
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import audit, clock, messages, timeslots
from digicoach.core.db import assign, release_place, take_place
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.places import queries as place_queries
from digicoach.places.models import Location, Municipality, Programme
from digicoach.training import permissions, queries, rules
from digicoach.training.models import (
    Attendance,
    Certification,
    CertificationRule,
    Cohort,
    Enrolment,
    TrainingModule,
    TrainingSession,
)

NAME_MAX_LENGTH = 160
DESCRIPTION_MAX_LENGTH = 5000
MAX_CAPACITY = 500
MAX_MODULE_MINUTES = 100 * 60
# Waitlist positions move up in two steps through this offset, so that no intermediate row
# collides with the UNIQUE (cohort, position) constraint, which engines check row by row.
_POSITION_OFFSET = 1_000_000


class _Errors:
    """Collects field errors, so one submission reports every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[Any]] = {}

    def add(self, field_name: str, message: Any) -> None:
        self.by_field.setdefault(field_name, []).append(message)

    def __contains__(self, field_name: str) -> bool:
        return field_name in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationFailed(self.by_field)


def _pipeline_actor(actor: User | None, coach: Coach) -> User | None:
    """Who moves the coach along the pipeline: the acting user when they manage the coach,
    otherwise the system (the move follows from an action the actor may take, such as a
    coach enrolling themselves, but the coaches feature reserves status changes to staff)."""
    if actor is not None and coach_permissions.can_manage_coach(actor, coach):
        return actor
    return None


# --- the curriculum ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleInput:
    title: str
    description: str = ""
    required: bool = True
    expected_minutes: int | None = 0
    position: int | None = 0


def _validate_module(programme_id: int, data: ModuleInput, *, module_id: int | None) -> str:
    errors = _Errors()
    title = (data.title or "").strip()
    if not title:
        errors.add("title", _("Enter a title."))
    elif len(title) > NAME_MAX_LENGTH:
        errors.add("title", _("Use at most %(count)d characters.", count=NAME_MAX_LENGTH))
    else:
        clash = db.session.scalar(
            select(TrainingModule.id).where(
                TrainingModule.programme_id == programme_id,
                TrainingModule.title == title,
                TrainingModule.id != (module_id or 0),
            )
        )
        if clash is not None:
            errors.add("title", _("This programme already has a module with this title."))
    if len(data.description or "") > DESCRIPTION_MAX_LENGTH:
        errors.add(
            "description", _("Use at most %(count)d characters.", count=DESCRIPTION_MAX_LENGTH)
        )
    if data.expected_minutes is None or not 0 <= data.expected_minutes <= MAX_MODULE_MINUTES:
        errors.add("expected_hours", _("Enter the hours as a number from 0 to 100."))
    if data.position is None or not 0 <= data.position <= 999:
        errors.add("position", _("Enter a number from 0 to 999."))
    errors.raise_if_any()
    return title


def add_module(*, actor: User, programme: Programme, data: ModuleInput) -> TrainingModule:
    """Add a curriculum module to a programme. Raises ValidationFailed per field."""
    ensure(permissions.can_manage_curriculum(actor))
    title = _validate_module(programme.id, data, module_id=None)
    module = TrainingModule(
        programme_id=programme.id,
        title=title,
        description=(data.description or "").strip(),
        required=bool(data.required),
        expected_minutes=data.expected_minutes or 0,
        position=data.position or 0,
    )
    db.session.add(module)
    db.session.flush()
    audit.record(actor, "training.module.add", module, ["title", "required"])
    return module


def update_module(*, actor: User, module: TrainingModule, data: ModuleInput) -> TrainingModule:
    ensure(permissions.can_manage_curriculum(actor))
    title = _validate_module(module.programme_id, data, module_id=module.id)
    changed = assign(
        module,
        title=title,
        description=(data.description or "").strip(),
        required=bool(data.required),
        expected_minutes=data.expected_minutes or 0,
        position=data.position or 0,
    )
    db.session.flush()
    if changed:
        audit.record(actor, "training.module.update", module, changed)
    return module


def remove_module(*, actor: User, module: TrainingModule) -> None:
    """Remove a module no session covers yet. Raises Conflict otherwise."""
    ensure(permissions.can_manage_curriculum(actor))
    used = db.session.scalar(
        select(func.count())
        .select_from(TrainingSession)
        .where(TrainingSession.modules.any(TrainingModule.id == module.id))
    )
    if used:
        raise Conflict(
            _("Training sessions cover this module, so it stays. Make it optional instead.")
        )
    audit.record(actor, "training.module.remove", module, ["title"])
    db.session.delete(module)
    db.session.flush()


def set_threshold(*, actor: User, programme: Programme, percent: int | None) -> None:
    """Set a programme's own threshold (1..100), or None to follow the default setting."""
    ensure(permissions.can_manage_curriculum(actor))
    own = db.session.get(CertificationRule, programme.id)
    if percent is None:
        if own is not None:
            db.session.delete(own)
    else:
        if not 1 <= percent <= 100:
            raise ValidationFailed({"threshold_percent": [_("Enter a percentage from 1 to 100.")]})
        if own is None:
            db.session.add(CertificationRule(programme_id=programme.id, threshold_percent=percent))
        else:
            own.threshold_percent = percent
    db.session.flush()
    audit.record(actor, "training.threshold.set", programme, ["threshold_percent"])


# --- cohorts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortInput:
    programme_id: int | None
    name: str
    capacity: int | None
    minimum: int | None
    enrolment_deadline: date | None
    municipality_ids: tuple[int, ...] = ()
    trainer_id: int | None = None
    location_id: int | None = None
    online_link: str = ""


def default_minimum() -> int:
    """The minimum a new cohort starts with (COHORT_MINIMUM_ENROLMENTS)."""
    return int(current_app.config["COHORT_MINIMUM_ENROLMENTS"])


def deadline_moment(day: date) -> datetime:
    """Enrolment 'until 14 March' closes at the end of that day in Brussels."""
    return timeslots.local_moment(day + timedelta(days=1), time(0, 0))


def deadline_day(moment: datetime) -> date:
    """The last local day on which enrolment is open (the inverse of `deadline_moment`)."""
    return clock.local(moment - timedelta(microseconds=1)).date()


def trainer_candidates(actor: User) -> list[User]:
    """Who the actor may choose as a trainer: themselves, staff (admins, coordinators) who
    share a municipality with them, and certified or active coaches of their municipalities.
    Admins choose among all staff and all working coaches."""
    staff = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_([Role.ADMIN.value, Role.COORDINATOR.value]))
    )
    coaches = select(Coach.user_id).where(Coach.status.in_(sorted(rules.WORKING_STATUSES)))
    if not actor.is_admin:
        shared = select(UserMunicipality.user_id).where(
            UserMunicipality.municipality_id.in_(sorted(actor.municipality_ids))
        )
        staff = staff.where(User.id.in_(shared))
        coaches = coaches.where(Coach.municipality_id.in_(sorted(actor.municipality_ids)))
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                or_(User.id == actor.id, User.id.in_(staff), User.id.in_(coaches)),
            )
            .order_by(User.name, User.id)
        )
    )


def _valid_link(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in link


def _validate_cohort(
    actor: User, data: CohortInput, *, cohort: Cohort | None, now: datetime
) -> tuple[Programme | None, list[Municipality], Location | None, str]:
    errors = _Errors()
    programme: Programme | None = None
    if cohort is not None:
        programme = cohort.programme
    elif data.programme_id is None:
        errors.add("programme_id", _("Choose a programme."))
    else:
        try:
            programme = place_queries.get_programme(actor, data.programme_id)
        except NotFound:
            errors.add("programme_id", _("Choose a programme from the list."))

    name = (data.name or "").strip()
    if not name:
        errors.add("name", _("Enter a name for the training group."))
    elif len(name) > NAME_MAX_LENGTH:
        errors.add("name", _("Use at most %(count)d characters.", count=NAME_MAX_LENGTH))

    municipalities: list[Municipality] = []
    chosen = sorted(set(data.municipality_ids))
    if not chosen:
        errors.add("municipality_ids", _("Choose at least one municipality."))
    else:
        municipalities = list(
            db.session.scalars(select(Municipality).where(Municipality.id.in_(chosen)))
        )
        programme_ids = {m.id for m in programme.municipalities} if programme else set()
        if len(municipalities) != len(chosen) or any(
            not in_scope(actor, m.id) or (programme is not None and m.id not in programme_ids)
            for m in municipalities
        ):
            errors.add(
                "municipality_ids", _("Choose municipalities of the programme that you manage.")
            )
        if cohort is not None:
            # Coaches of a municipality that would leave the group keep their place, so it stays.
            enrolled_from = set(
                db.session.scalars(
                    select(Coach.municipality_id)
                    .join(Enrolment, Enrolment.coach_id == Coach.id)
                    .where(
                        Enrolment.cohort_id == cohort.id,
                        Enrolment.status.in_(
                            sorted(rules.ACTIVE_ENROLMENT_STATUSES | {rules.COMPLETED})
                        ),
                    )
                )
            )
            if not enrolled_from <= set(chosen):
                errors.add(
                    "municipality_ids",
                    _("Keep the municipalities of the digicoaches who are already enrolled."),
                )
            if not actor.is_admin and not set(chosen) & actor.municipality_ids:
                errors.add("municipality_ids", _("Keep at least one municipality that you manage."))

    if data.trainer_id is not None and data.trainer_id not in {
        user.id for user in trainer_candidates(actor)
    } | ({cohort.trainer_id} if cohort is not None else set()):
        errors.add("trainer_id", _("Choose a trainer from the list."))

    capacity, minimum = data.capacity, data.minimum
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors.add("capacity", _("Enter a number from 1 to %(max)d.", max=MAX_CAPACITY))
    elif cohort is not None and capacity < cohort.enrolled_count:
        errors.add(
            "capacity",
            _(
                "%(count)d digicoaches are already enrolled. The capacity cannot be lower.",
                count=cohort.enrolled_count,
            ),
        )
    if minimum is None or not 0 <= minimum <= MAX_CAPACITY:
        errors.add("minimum", _("Enter a number from 0 to %(max)d.", max=MAX_CAPACITY))
    elif capacity is not None and minimum > capacity:
        errors.add("minimum", _("The minimum cannot be higher than the capacity."))

    if data.enrolment_deadline is None:
        errors.add("enrolment_deadline", _("Enter the last day to enrol."))
    else:
        unchanged = cohort is not None and deadline_day(cohort.enrolment_deadline) == (
            data.enrolment_deadline
        )
        if not unchanged and deadline_moment(data.enrolment_deadline) <= now:
            errors.add("enrolment_deadline", _("Choose today or a day in the future."))

    location: Location | None = None
    if data.location_id is not None:
        location = db.session.get(Location, data.location_id)
        if location is None or not in_scope(actor, location.municipality_id):
            errors.add("location_id", _("Choose a digital help point from the list."))
            location = None
    link = (data.online_link or "").strip()
    if link and (len(link) > 500 or not _valid_link(link)):
        errors.add("online_link", _("Enter a full web address, starting with https://."))
    if data.location_id is None and not link:
        errors.add("location_id", _("Choose a place, or enter an online link below."))

    errors.raise_if_any()
    return programme, municipalities, location, link


def create_cohort(*, actor: User, data: CohortInput, now: datetime) -> Cohort:
    """Plan a cohort (status planned). Raises ValidationFailed per field."""
    ensure(permissions.can_manage_training(actor))
    programme, municipalities, location, link = _validate_cohort(actor, data, cohort=None, now=now)
    assert programme is not None and data.enrolment_deadline is not None
    cohort = Cohort(
        programme_id=programme.id,
        name=data.name.strip(),
        trainer_id=data.trainer_id,
        capacity=data.capacity,
        minimum=data.minimum,
        enrolled_count=0,
        enrolment_deadline=deadline_moment(data.enrolment_deadline),
        location_id=location.id if location else None,
        online_link=link,
        status=rules.PLANNED,
        created_at=now,
        status_changed_at=now,
    )
    cohort.municipalities = municipalities
    db.session.add(cohort)
    db.session.flush()
    audit.record(
        actor,
        "training.cohort.create",
        cohort,
        ["programme", "name", "trainer", "capacity", "minimum", "deadline", "place"],
    )
    return cohort


def update_cohort(*, actor: User, cohort: Cohort, data: CohortInput, now: datetime) -> Cohort:
    """Change a planned, open or running cohort. A higher capacity lets waitlisted coaches in.

    Raises ValidationFailed per field (e.g. a capacity below the number enrolled) and Conflict
    for a finished or cancelled cohort.
    """
    ensure(permissions.can_manage_cohort(actor, cohort))
    cohort = _lock_cohort(cohort.id)
    if cohort.status not in rules.EDITABLE_STATUSES:
        raise Conflict(_("A finished or cancelled training group cannot change."))
    _programme, municipalities, location, link = _validate_cohort(
        actor, data, cohort=cohort, now=now
    )
    assert data.enrolment_deadline is not None
    changed = assign(
        cohort,
        name=data.name.strip(),
        trainer_id=data.trainer_id,
        capacity=data.capacity,
        minimum=data.minimum,
        location_id=location.id if location else None,
        online_link=link,
    )
    if deadline_day(cohort.enrolment_deadline) != data.enrolment_deadline:
        cohort.enrolment_deadline = deadline_moment(data.enrolment_deadline)
        changed.append("deadline")
    if {m.id for m in municipalities} != set(cohort.municipality_ids):
        cohort.municipalities = municipalities
        changed.append("municipalities")
    db.session.flush()
    if changed:
        audit.record(actor, "training.cohort.update", cohort, changed)
    if "capacity" in changed:
        _promote_from_waitlist(actor, cohort, now)
    return cohort


def change_cohort_status(*, actor: User, cohort: Cohort, target: str, now: datetime) -> Cohort:
    """Open, start, finish or cancel a cohort (rules.COHORT_TRANSITIONS). Raises Conflict."""
    ensure(permissions.can_manage_cohort(actor, cohort))
    cohort = _lock_cohort(cohort.id)
    if not rules.may_change_cohort_status(cohort.status, target):
        raise Conflict(_("This training group cannot move to that status."))
    if target == rules.OPEN and not cohort.sessions:
        raise Conflict(_("Plan at least one training session before you open enrolment."))
    cohort.status = target
    cohort.status_changed_at = now
    if target == rules.CANCELLED:
        for session in cohort.sessions:
            if session.status == rules.SCHEDULED:
                session.status = rules.SESSION_CANCELLED
                session.revision += 1
    db.session.flush()
    audit.record(actor, f"training.cohort.{target}", cohort, ["status"])
    return cohort


# --- training sessions ------------------------------------------------------------------------


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
    cohort: Cohort, module_ids: Iterable[int], errors: _Errors
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
    day: date | None, start: time | None, end: time | None, errors: _Errors, *, day_field: str
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
    errors = _Errors()
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
    errors = _Errors()
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
    errors = _Errors()
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


# --- enrolment and the waitlist ---------------------------------------------------------------


def _lock_cohort(cohort_id: int) -> Cohort:
    """Load the cohort with its row locked until the transaction ends, and fresh values.

    PostgreSQL: SELECT … FOR UPDATE. SQLite drops FOR UPDATE, but every unit of work there
    starts with BEGIN IMMEDIATE, which already holds the database's write lock.
    """
    cohort = db.session.scalar(
        select(Cohort)
        .where(Cohort.id == cohort_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if cohort is None:
        raise NotFound(cohort_id)
    return cohort


def active_enrolment(coach_id: int, cohort_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.coach_id == coach_id, Enrolment.cohort_id == cohort_id)
    )


def enrol(*, actor: User, cohort: Cohort, coach: Coach, now: datetime) -> Enrolment:
    """Enrol a coach: a place if one is left, otherwise the next waitlist position.

    The coach enrols themselves, or staff who manage the cohort enrol a coach of one of its
    municipalities. An approved coach moves to in_training once they hold a place.
    Raises Conflict when enrolment is closed (status or deadline), when the coach may not
    enrol (status, municipality, another running enrolment) or is already in this cohort.
    """
    ensure(permissions.can_enrol_coach(actor, cohort, coach))
    cohort = _lock_cohort(cohort.id)
    if not rules.coach_may_enrol(coach.status):
        raise Conflict(_("Only approved digicoaches, or digicoaches in training, can enrol."))
    if coach.municipality_id not in cohort.municipality_ids:
        raise Conflict(_("This training group is for other municipalities."))
    if not rules.enrolment_is_open(
        cohort_status=cohort.status, deadline=cohort.enrolment_deadline, now=now
    ):
        if cohort.status in rules.ENROLLABLE_STATUSES:
            raise Conflict(_("Enrolment for this training group closed at the deadline."))
        raise Conflict(_("This training group does not take enrolments."))
    elsewhere = db.session.scalar(
        select(Enrolment.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(
            Enrolment.coach_id == coach.id,
            Enrolment.cohort_id != cohort.id,
            Enrolment.status.in_(sorted(rules.ACTIVE_ENROLMENT_STATUSES)),
            Cohort.status.in_([rules.PLANNED, rules.OPEN, rules.RUNNING]),
        )
    )
    if elsewhere is not None:
        raise Conflict(_("Withdraw from your other training group first."))
    enrolment = active_enrolment(coach.id, cohort.id)
    if enrolment is not None and enrolment.status != rules.WITHDRAWN:
        raise Conflict(_("This digicoach is already in this training group."))
    # Decide first, then write the row: the counter update must not flush a half-made row.
    got_place = take_place(Cohort, cohort.id, "enrolled_count", "capacity")
    if got_place:
        db.session.expire(cohort, ["enrolled_count"])
        status, position, enrolled_at = rules.ENROLLED, None, now
    else:
        last = db.session.scalar(
            select(func.max(Enrolment.waitlist_position)).where(
                Enrolment.cohort_id == cohort.id, Enrolment.status == rules.WAITLISTED
            )
        )
        status, position, enrolled_at = rules.WAITLISTED, (last or 0) + 1, None
    if enrolment is None:
        enrolment = Enrolment(cohort_id=cohort.id, coach_id=coach.id, created_at=now)
        db.session.add(enrolment)
    enrolment.status = status
    enrolment.waitlist_position = position
    enrolment.enrolled_at = enrolled_at
    enrolment.enrolled_by_id = actor.id
    enrolment.withdrawn_at = None
    db.session.flush()
    if got_place:
        _start_training(actor, coach, now)
    audit.record(actor, f"training.enrolment.{enrolment.status}", enrolment, ["status"])
    return enrolment


def _start_training(actor: User | None, coach: Coach, now: datetime) -> None:
    if coach.status == rules.COACH_APPROVED:
        coach_services.start_training(actor=_pipeline_actor(actor, coach), coach=coach, now=now)


def withdraw(*, actor: User, enrolment: Enrolment, now: datetime) -> Enrolment | None:
    """Withdraw an enrolled or waitlisted coach.

    A freed place goes to the first waitlisted coach at once (they get an e-mail); a
    waitlisted coach who withdraws closes the gap behind them. Returns the promoted enrolment,
    if any. Raises Conflict when the enrolment is not active or the cohort is over.
    """
    cohort = enrolment.cohort
    ensure(permissions.can_enrol_coach(actor, cohort, enrolment.coach))
    cohort = _lock_cohort(cohort.id)
    db.session.refresh(enrolment)
    if enrolment.status not in rules.ACTIVE_ENROLMENT_STATUSES:
        raise Conflict(_("This digicoach is not enrolled in this training group."))
    if cohort.status not in rules.EDITABLE_STATUSES:
        raise Conflict(_("This training group is over; its enrolments stay as they are."))
    was, position = enrolment.status, enrolment.waitlist_position
    enrolment.status = rules.WITHDRAWN
    enrolment.waitlist_position = None
    enrolment.withdrawn_at = now
    db.session.flush()
    audit.record(actor, "training.enrolment.withdrawn", enrolment, ["status"])
    if was == rules.WAITLISTED:
        assert position is not None
        _close_gap(cohort.id, position)
        return None
    release_place(Cohort, cohort.id, "enrolled_count")
    db.session.expire(cohort, ["enrolled_count"])
    promoted = _promote_from_waitlist(actor, cohort, now)
    return promoted[0] if promoted else None


def _close_gap(cohort_id: int, removed: int) -> None:
    """Everyone behind `removed` moves up one (rules.close_gap), in two UNIQUE-safe steps."""
    db.session.execute(
        update(Enrolment)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.status == rules.WAITLISTED,
            Enrolment.waitlist_position > removed,
        )
        .values(waitlist_position=Enrolment.waitlist_position + _POSITION_OFFSET)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Enrolment)
        .where(
            Enrolment.cohort_id == cohort_id,
            Enrolment.waitlist_position > _POSITION_OFFSET,
        )
        .values(waitlist_position=Enrolment.waitlist_position - _POSITION_OFFSET - 1)
        .execution_options(synchronize_session=False)
    )
    for instance in db.session.identity_map.values():
        if isinstance(instance, Enrolment) and instance.cohort_id == cohort_id:
            db.session.expire(instance, ["waitlist_position"])


def _promote_from_waitlist(actor: User | None, cohort: Cohort, now: datetime) -> list[Enrolment]:
    """Give free places to the first waitlisted coaches, in order; each gets an e-mail.

    The caller holds the cohort's row lock."""
    promoted: list[Enrolment] = []
    while True:
        first = db.session.scalar(
            select(Enrolment).where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.status == rules.WAITLISTED,
                Enrolment.waitlist_position == 1,
            )
        )
        if first is None or not take_place(Cohort, cohort.id, "enrolled_count", "capacity"):
            break
        db.session.expire(cohort, ["enrolled_count"])
        first.status = rules.ENROLLED
        first.waitlist_position = None
        first.enrolled_at = now
        db.session.flush()
        _close_gap(cohort.id, 1)
        audit.record(actor, "training.enrolment.promoted", first, ["status"])
        _start_training(actor, first.coach, now)
        _mail(
            first.coach.user,
            kind="training.promoted",
            dedupe_key=f"training.promoted:{first.id}:{now.isoformat()}",
            template="promoted",
            subject=lambda: _("A place for you in the training"),
            cohort=cohort,
            mine_url=messages.absolute_url("training.mine"),
        )
        promoted.append(first)
    return promoted


# --- attendance and check-in ------------------------------------------------------------------


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
        raise Conflict(_("This training session was cancelled."))
    if session.cohort.status == rules.CANCELLED:
        raise Conflict(_("This training group was cancelled."))
    if now < session.starts_at - rules.CHECK_IN_MARGIN:
        raise Conflict(_("Attendance can be recorded once the session starts."))


def record_attendance(
    *, actor: User, session: TrainingSession, marks: Mapping[int, str], now: datetime
) -> int:
    """Record present, excused or absent per coach (by coach id); the session counts as held.

    Coaches left out keep what they had. Raises PermissionDenied for anyone but the trainer
    and the cohort's managers, ValidationFailed for an unknown coach or mark, Conflict for a
    cancelled or future session. Returns how many marks changed.
    """
    ensure(permissions.can_record_attendance(actor, session.cohort))
    _lock_cohort(session.cohort_id)
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
    _lock_cohort(session.cohort_id)
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


# --- certification ----------------------------------------------------------------------------


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
        raise Conflict(_("This digicoach is not enrolled in this training group."))
    if cohort.status == rules.CANCELLED:
        raise Conflict(_("This training group was cancelled."))
    assessment = queries.assessments(cohort, [coach.id])[coach.id]
    if not assessment.eligible:
        raise Conflict(_("%(name)s does not meet the rule yet.", name=coach.user.name))
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
        coach_services.certify(actor=_pipeline_actor(actor, coach), coach=coach, now=now)
    _mail(
        coach.user,
        kind="training.certified",
        dedupe_key=f"training.certified:{certification.id}",
        template="certified",
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


# --- the low-enrolment warning ----------------------------------------------------------------


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
            _mail(
                coordinator,
                kind="training.low_enrolment",
                dedupe_key=f"training.low_enrolment:{cohort.id}:{coordinator.id}",
                template="low_enrolment",
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


# --- helpers ----------------------------------------------------------------------------------


def _mail(
    user: User, *, kind: str, dedupe_key: str, template: str, subject: Any, **context: Any
) -> None:
    """Queue an e-mail rendered in the recipient's language."""
    messages.queue_email(
        recipient=user.email,
        language=user.language,
        kind=kind,
        dedupe_key=dedupe_key,
        template=f"training/email/{template}",
        subject=subject,
        user=user,
        **context,
    )
