"""Scheduler entry points for reminders: thin wrappers over the services, taking `now`."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from digicoach.core.db import unit_of_work
from digicoach.reminders.services import coordinators, run
from digicoach.reminders.services.settings import Settings


def queue_due_reminders(now: datetime) -> dict[str, int]:
    """Queue every reminder due by `now` and not queued yet (and skip the stale ones).

    Safe to run as often as wanted; a missed run is made up by the next one."""
    if not current_app.config["REMINDERS_ENABLED"]:
        return {}
    with unit_of_work():
        return run.queue_due(now=now, settings=Settings.from_config(current_app.config))


def send_weekly_digest(now: datetime) -> int:
    """The coordinators' Monday digest (the scheduler runs it once per Monday, 08:00 local).

    REMINDER_WEEKLY_DIGEST is the default switch; a programme may switch it on or off."""
    if not current_app.config["REMINDERS_ENABLED"]:
        return 0
    with unit_of_work():
        return coordinators.queue_weekly_digest(
            now=now, settings=Settings.from_config(current_app.config)
        )
