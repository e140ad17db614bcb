"""Scheduler entry points for referrals: thin wrappers over the services, taking `now`."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from digicoach.core.db import unit_of_work
from digicoach.referrals import notices, retention


def queue_reminders(now: datetime) -> int:
    """Remind the receiving organisations of referrals open REFERRAL_REMINDER_DAYS or more."""
    if not current_app.config["REMINDERS_ENABLED"]:
        return 0
    with unit_of_work():
        return notices.queue_open_reminders(
            now=now, every_days=int(current_app.config["REFERRAL_REMINDER_DAYS"])
        )


def purge_contact_data(now: datetime) -> int:
    """Erase referrals' contact data REFERRAL_RETENTION_DAYS after they closed."""
    with unit_of_work():
        return retention.purge_contact_data(
            now=now, retention_days=int(current_app.config["REFERRAL_RETENTION_DAYS"])
        )
