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

help_session_change_proposed = _signals.signal(
    "helpdesk.help-session-change-proposed",
    doc="""Sent by `services.editing.update_session` BEFORE it changes a session, to ask the
    features above what the change would break. sender: the HelpSession (old values, row
    locked). Keyword arguments: `shape` (helpdesk.rules.SessionShape, the new values) and
    `now`.

    Each receiver returns a helpdesk.rules.ChangeImpact (or None); the edit sums them and
    refuses while appointments lose their place and the coordinator has not chosen to move or
    cancel them. A receiver changes nothing.

    The booking feature answers for the session's booked appointments.
    """,
)

help_session_changed = _signals.signal(
    "helpdesk.help-session-changed",
    doc="""Sent by `services.editing.update_session` after a session's period, mode, slot
    length or citizens per slot changed (flushed, revision raised, coaches told).
    sender: the HelpSession (new values). Keyword arguments: `old` (helpdesk.rules.SessionShape
    of the values before), `affected` (the coordinator's choice for appointments that lose
    their place: rules.MOVE_AFFECTED, rules.CANCEL_AFFECTED or None), `actor` and `now`.

    The booking feature moves the appointments with the session (same offset) or as chosen,
    and tells the citizens; the reminders feature skips the reminders pending for old times.
    """,
)
