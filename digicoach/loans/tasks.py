"""Scheduler entry points for loans: thin wrappers over the services, taking `now`."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from digicoach.core.db import unit_of_work
from digicoach.loans import notices, retention


def queue_reminders(now: datetime) -> int:
    """Queue the loan reminders and overdue notices due by `now` and not queued yet. Safe to
    run as often as wanted; a missed run is made up by the next (only the latest notice)."""
    with unit_of_work():
        return notices.queue_due_notices(
            now=now, settings=notices.Settings.from_config(current_app.config)
        )


def purge_contact_data(now: datetime) -> int:
    """Erase loans' contact data LOAN_RETENTION_DAYS after they closed. Returns how many."""
    with unit_of_work():
        return retention.purge_contact_data(
            now=now, retention_days=int(current_app.config["LOAN_RETENTION_DAYS"])
        )
