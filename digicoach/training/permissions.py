"""Who may do what in training. Each predicate takes the acting user first.

Admins manage every curriculum and cohort. Coordinators manage the cohorts that include one of
their municipalities. A cohort's trainer (any user) records attendance for its sessions.
Coaches enrol themselves, see their own training and check in. Predicates with one argument
guard routes (`@require`); the others take the object and serve templates and services.
"""

from __future__ import annotations

from typing import Any

from digicoach.accounts.models import Role, User


def _is_coordinator(actor: User) -> bool:
    return actor.has_role(Role.COORDINATOR)


def can_manage_training(actor: User) -> bool:
    """The staff training pages (cohort list, planning): admins and coordinators."""
    return actor.is_admin or _is_coordinator(actor)


def can_manage_curriculum(actor: User) -> bool:
    """Modules and the certification threshold of a programme: admins."""
    return actor.is_admin


def can_manage_cohort(actor: User, cohort: Any) -> bool:
    """Admins; coordinators when the cohort includes one of their municipalities."""
    if actor.is_admin:
        return True
    return _is_coordinator(actor) and bool(cohort.municipality_ids & actor.municipality_ids)


def can_record_attendance(actor: User, cohort: Any) -> bool:
    """The cohort's trainer and whoever manages the cohort."""
    return cohort.trainer_id == actor.id or can_manage_cohort(actor, cohort)


def can_follow_training(actor: User) -> bool:
    """The coach's side: the cohort list with the enrol button, my training, check-in."""
    return actor.has_role(Role.COACH)


def can_enrol_coach(actor: User, cohort: Any, coach: Any) -> bool:
    """A coach enrols themselves; staff who manage the cohort enrol a coach of its
    municipalities."""
    if coach.user_id == actor.id:
        return True
    return can_manage_cohort(actor, cohort) and coach.municipality_id in cohort.municipality_ids


def can_view_certificate(actor: User, certification: Any) -> bool:
    """The coach it belongs to, and staff who manage the cohort it was issued for (admins:
    every certificate)."""
    if certification.coach.user_id == actor.id or actor.is_admin:
        return True
    cohort = certification.cohort
    return cohort is not None and can_manage_cohort(actor, cohort)
