"""Scheduler entry points for home visits: thin wrappers over the services, taking `now`."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from digicoach.core.db import unit_of_work
from digicoach.homevisits import retention


def purge_addresses(now: datetime) -> int:
    """Erase visits' names and addresses HOME_VISIT_RETENTION_DAYS after the visit."""
    with unit_of_work():
        return retention.purge_addresses(
            now=now, retention_days=int(current_app.config["HOME_VISIT_RETENTION_DAYS"])
        )
