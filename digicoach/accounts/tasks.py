"""Scheduler entry points for accounts: thin wrappers over services, taking `now`."""

from __future__ import annotations

from datetime import datetime

from digicoach.accounts import throttle
from digicoach.core.db import unit_of_work


def purge_login_failures(now: datetime) -> int:
    """Old sign-in failures never count again; addresses tried once would otherwise stay.
    Known sign-in addresses unused for LOGIN_KNOWN_ADDRESS_DAYS go too."""
    with unit_of_work():
        return throttle.purge(now=now)
