"""Scheduler entry points for training: thin wrappers over the services, taking `now`."""

from __future__ import annotations

from datetime import datetime

from digicoach.core.db import unit_of_work
from digicoach.training.services import low_enrolment


def flag_low_enrolment(now: datetime) -> int:
    """Warn coordinators (one e-mail each, once per cohort) about cohorts below their minimum
    COHORT_LOW_ENROLMENT_WARNING_DAYS before the first session. Returns how many cohorts.

    Safe to run as often as wanted: it only asks what is due and not yet flagged.
    """
    with unit_of_work():
        return low_enrolment.flag_low_enrolment(now=now)
