"""What the reminders feature does when another feature tells it something happened: pending
reminders of what was cancelled or moved are skipped at once, not at the next run.

Connected once by the app factory (`connect`), never as a side effect of an import."""

from __future__ import annotations

from typing import Any

from digicoach.bookings import signals as booking_signals
from digicoach.bookings.models import Appointment
from digicoach.helpdesk import signals as helpdesk_signals
from digicoach.helpdesk.models import HelpSession, Shift
from digicoach.reminders.services import stale


def on_help_session_cancelled(session: HelpSession, **_extra: Any) -> None:
    stale.skip_reminders_of_help_session(session)


def on_help_session_changed(session: HelpSession, **extra: Any) -> None:
    # Reminders of a session that moved are due at the old time: the next run queues new ones.
    if extra["old"].starts_at != session.starts_at:
        stale.skip_reminders_of_help_session(session)


def on_shift_cancelled(shift: Shift, **_extra: Any) -> None:
    stale.skip_pending_reminders([f"shift:{shift.id}:"])


def on_appointment_cancelled_or_moved(appointment: Appointment, **_extra: Any) -> None:
    # A moved appointment is queued again for its new time by the next run (a new key).
    stale.skip_pending_reminders([f"appointment:{appointment.id}:"])


def connect() -> None:
    helpdesk_signals.help_session_cancelled.connect(on_help_session_cancelled)
    helpdesk_signals.help_session_changed.connect(on_help_session_changed)
    helpdesk_signals.shift_cancelled.connect(on_shift_cancelled)
    booking_signals.appointment_cancelled.connect(on_appointment_cancelled_or_moved)
    booking_signals.appointment_moved.connect(on_appointment_cancelled_or_moved)
