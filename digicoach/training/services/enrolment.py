"""Enrolment and the waitlist.

Capacity (DESIGN §4): every change to a cohort's enrolments first locks the cohort row
(`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the unit of work already holds the write lock
from BEGIN IMMEDIATE). Under that lock the enrolled counter moves by a conditional update
(`take_place`), waitlist positions are assigned and closed up, and the CHECK and UNIQUE
constraints stand behind it as the second line.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from digicoach.accounts.models import User
from digicoach.coaches import permissions as coach_permissions
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach
from digicoach.core import audit, messages
from digicoach.core.db import release_place, take_place
from digicoach.core.errors import Conflict, NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.training import permissions, rules
from digicoach.training.models import Cohort, Enrolment

# Waitlist positions move up in two steps through this offset, so that no intermediate row
# collides with the UNIQUE (cohort, position) constraint, which engines check row by row.
_POSITION_OFFSET = 1_000_000


def pipeline_actor(actor: User | None, coach: Coach) -> User | None:
    """Who moves the coach along the pipeline: the acting user when they manage the coach,
    otherwise the system (the move follows from an action the actor may take, such as a
    coach enrolling themselves, but the coaches feature reserves status changes to staff)."""
    if actor is not None and coach_permissions.can_manage_coach(actor, coach):
        return actor
    return None


def lock_cohort(cohort_id: int) -> Cohort:
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
    cohort = lock_cohort(cohort.id)
    if not rules.coach_may_enrol(coach.status):
        raise Conflict(
            _("Only approved digicoaches, or digicoaches in training, can enrol."),
            code="enrolment.coach_status",
        )
    if coach.municipality_id not in cohort.municipality_ids:
        raise Conflict(
            _("This training group is for other municipalities."),
            code="enrolment.other_municipality",
        )
    if not rules.enrolment_is_open(
        cohort_status=cohort.status, deadline=cohort.enrolment_deadline, now=now
    ):
        if cohort.status in rules.ENROLLABLE_STATUSES:
            raise Conflict(
                _("Enrolment for this training group closed at the deadline."),
                code="enrolment.deadline_passed",
            )
        raise Conflict(_("This training group does not take enrolments."), code="enrolment.closed")
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
        raise Conflict(
            _("Withdraw from your other training group first."),
            code="enrolment.enrolled_elsewhere",
        )
    enrolment = active_enrolment(coach.id, cohort.id)
    if enrolment is not None and enrolment.status != rules.WITHDRAWN:
        raise Conflict(
            _("This digicoach is already in this training group."),
            code="enrolment.already_enrolled",
        )
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
        start_training(actor, coach, now)
    audit.record(actor, f"training.enrolment.{enrolment.status}", enrolment, ["status"])
    return enrolment


def start_training(actor: User | None, coach: Coach, now: datetime) -> None:
    if coach.status == rules.COACH_APPROVED:
        coach_services.start_training(actor=pipeline_actor(actor, coach), coach=coach, now=now)


def withdraw(*, actor: User, enrolment: Enrolment, now: datetime) -> Enrolment | None:
    """Withdraw an enrolled or waitlisted coach.

    A freed place goes to the first waitlisted coach at once (they get an e-mail); a
    waitlisted coach who withdraws closes the gap behind them. Returns the promoted enrolment,
    if any. Raises Conflict when the enrolment is not active or the cohort is over.
    """
    cohort = enrolment.cohort
    ensure(permissions.can_enrol_coach(actor, cohort, enrolment.coach))
    cohort = lock_cohort(cohort.id)
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
    promoted = promote_from_waitlist(actor, cohort, now)
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


def promote_from_waitlist(actor: User | None, cohort: Cohort, now: datetime) -> list[Enrolment]:
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
        start_training(actor, first.coach, now)
        messages.queue_user_email(
            first.coach.user,
            kind="training.promoted",
            dedupe_key=f"training.promoted:{first.id}:{now.isoformat()}",
            template="training/email/promoted",
            subject=lambda: _("A place for you in the training"),
            cohort=cohort,
            mine_url=messages.absolute_url("training.mine"),
        )
        promoted.append(first)
    return promoted
