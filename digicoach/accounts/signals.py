"""Signals other features may listen to, so accounts never imports them (it is the lower layer).

    # in a feature's receivers.py, connected by the app factory:
    email_verified.connect(on_email_verified)
    def on_email_verified(user, *, now): ...

One convention for every signal: the sender is the object the event is about. Receivers run
inside the caller's unit of work: they may change the database, not commit.
"""

from blinker import Namespace

_signals = Namespace()

email_verified = _signals.signal(
    "accounts.email-verified",
    doc="""Sent by `services.verify_email` after an address is confirmed. sender: the User.
    Keyword argument: `now`.

    The coaches feature subscribes to tell coordinators that an application waits.
    """,
)
