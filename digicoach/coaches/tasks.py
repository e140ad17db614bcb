"""Scheduler entry points for coaches: thin wrappers over the services, taking `now`."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from digicoach.coaches import retention, services
from digicoach.core.db import unit_of_work


def mark_dormant(now: datetime) -> int:
    """Mark active coaches without a shift for COACH_DORMANT_AFTER_DAYS days dormant.

    Returns how many were marked. Safe to run as often as wanted: it only asks what is due.
    """
    with unit_of_work():
        return services.mark_dormant(
            now=now, after_days=int(current_app.config["COACH_DORMANT_AFTER_DAYS"])
        )


def apply_retention(now: datetime) -> retention.RetentionResult:
    """Erase declined applicants and anonymise coaches who left, once their retention period
    (RETENTION_REJECTED_APPLICANT_DAYS, RETENTION_COACH_LEFT_MONTHS) is over."""
    config = current_app.config
    with unit_of_work():
        return retention.erase_due(
            now=now,
            rejected_after_days=int(config["RETENTION_REJECTED_APPLICANT_DAYS"]),
            left_after_months=int(config["RETENTION_COACH_LEFT_MONTHS"]),
        )
