"""What the booking feature does when another feature tells it something happened.

Connected once by the app factory (`connect`), never as a side effect of an import."""

from __future__ import annotations

from typing import Any

from digicoach.bookings import services, session_changes
from digicoach.helpdesk import signals as helpdesk_signals
from digicoach.helpdesk.models import HelpSession


def on_help_session_cancelled(session: HelpSession, **extra: Any) -> None:
    """The organiser cancelled a session: its appointments are cancelled and citizens told."""
    services.cancel_by_organiser(session, actor=extra.get("actor"), now=extra["now"])


def connect() -> None:
    helpdesk_signals.help_session_cancelled.connect(on_help_session_cancelled)
    helpdesk_signals.help_session_change_proposed.connect(
        session_changes.on_help_session_change_proposed
    )
    helpdesk_signals.help_session_changed.connect(session_changes.on_help_session_changed)
