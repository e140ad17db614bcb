"""Scheduler entry points for bookings: thin wrappers over the services, taking `now`."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from digicoach.bookings import services
from digicoach.core.db import unit_of_work


def purge_contact_data(now: datetime) -> int:
    """Erase citizens' contact data APPOINTMENT_RETENTION_DAYS after their appointment.

    Returns how many appointments were erased; safe to run as often as wanted.
    """
    with unit_of_work():
        return services.purge_contact_data(
            now=now, retention_days=int(current_app.config["APPOINTMENT_RETENTION_DAYS"])
        )


def mark_no_shows(now: datetime) -> int:
    """Booked appointments not checked in after their session become no-shows (when
    MARK_NO_SHOWS_AUTOMATICALLY is on). Returns how many."""
    if not current_app.config["MARK_NO_SHOWS_AUTOMATICALLY"]:
        return 0
    with unit_of_work():
        return services.mark_no_shows(now=now)
