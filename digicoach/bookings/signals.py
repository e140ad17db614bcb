"""Signals of the booking feature, so higher features react without bookings importing them.

    from digicoach.bookings.signals import appointment_cancelled

    # in a feature's receivers.py, connected by the app factory (digicoach.app):
    appointment_cancelled.connect(on_cancelled)
    def on_cancelled(appointment, *, now): ...

Receivers run inside the caller's unit of work: they may change the database, never commit.
An exception in a receiver rolls the change back.
"""

from blinker import Namespace

_signals = Namespace()

appointment_cancelled = _signals.signal(
    "bookings.appointment-cancelled",
    doc="""Sent by `services.cancel` after an appointment was marked cancelled (by the citizen
    or the front desk). sender: the Appointment. Keyword argument: `now`.

    The reminders feature subscribes to skip the appointment's pending reminders at once.
    """,
)

appointment_moved = _signals.signal(
    "bookings.appointment-moved",
    doc="""Sent by `services.move` after an appointment got another slot. sender: the
    Appointment (already at its new time). Keyword argument: `now`.

    The reminders feature subscribes to skip the reminders pending for the old time.
    """,
)
