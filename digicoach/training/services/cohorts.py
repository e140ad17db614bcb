"""Cohorts (training groups): planning, changing and moving them through their statuses.

A higher capacity lets waitlisted coaches in (enrolment.promote_from_waitlist)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from digicoach.accounts.models import Role, User, UserMunicipality, UserRole
from digicoach.accounts.permissions import in_scope
from digicoach.coaches.models import Coach
from digicoach.core import audit, clock, timeslots
from digicoach.core.db import assign
from digicoach.core.errors import Conflict, FieldErrors, NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.places import queries as place_queries
from digicoach.places.models import Location, Municipality, Programme
from digicoach.training import permissions, rules
from digicoach.training.models import Cohort, Enrolment
from digicoach.training.services.curriculum import NAME_MAX_LENGTH
from digicoach.training.services.enrolment import lock_cohort, promote_from_waitlist

MAX_CAPACITY = 500


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
    errors = FieldErrors()
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
    cohort = lock_cohort(cohort.id)
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
        promote_from_waitlist(actor, cohort, now)
    return cohort


def change_cohort_status(*, actor: User, cohort: Cohort, target: str, now: datetime) -> Cohort:
    """Open, start, finish or cancel a cohort (rules.COHORT_TRANSITIONS). Raises Conflict."""
    ensure(permissions.can_manage_cohort(actor, cohort))
    cohort = lock_cohort(cohort.id)
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
