"""Signals of the helpdesk feature, so higher features react without helpdesk importing them.

    from digicoach.helpdesk.signals import help_session_cancelled

    # in a feature's receivers.py, connected by the app factory (digicoach.app):
    help_session_cancelled.connect(on_cancelled)
    def on_cancelled(session, *, actor, reason, now): ...

Receivers run inside the caller's unit of work: they may change the database and queue
messages in the outbox, never commit. An exception in a receiver rolls the cancellation back.
"""

from blinker import Namespace

_signals = Namespace()

help_session_cancelled = _signals.signal(
    "helpdesk.help-session-cancelled",
    doc="""Sent by `services.cancel_session` after a help session was marked cancelled.

    sender: the HelpSession (status already "cancelled", its shifts cancelled and the coaches
    notified). Keyword arguments: `actor` (the User who cancelled, or None for the system),
    `reason` (the text the coordinator gave, in their words) and `now` (an aware UTC datetime).

    The booking feature subscribes to cancel the session's appointments "by the organiser",
    to tell the citizens, and to put those without e-mail on the front desk's call list.
    """,
)

shift_cancelled = _signals.signal(
    "helpdesk.shift-cancelled",
    doc="""Sent when a shift was cancelled: by its coach, by a coordinator, with its whole help
    session (`services.cancelling.cancel_session`), or because its
    mentor left. sender: the Shift (status already "cancelled"). Keyword argument: `actor`
    (the User, or None for the system).

    The reminders feature subscribes to skip the shift's pending reminders at once.
    """,
)
