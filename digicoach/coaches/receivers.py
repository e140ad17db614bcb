"""What the coaches feature does when another feature tells it something happened.

Connected once by the app factory (`connect`), never as a side effect of an import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from digicoach.accounts import signals as account_signals
from digicoach.accounts.models import User
from digicoach.coaches import services


def on_email_verified(user: User, *, now: datetime, **_extra: Any) -> None:
    """An applicant confirmed their address: the coordinators hear an application waits."""
    services.tell_coordinators_of_application(user, now=now)


def connect() -> None:
    account_signals.email_verified.connect(on_email_verified)
