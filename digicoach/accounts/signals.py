"""Signals other features may listen to, so accounts never imports them (it is the lower layer).

    from digicoach.accounts.signals import email_verified

    @email_verified.connect
    def _on_verified(app, *, user, now): ...

Receivers run inside the caller's unit of work: they may change the database, not commit.
"""

from blinker import Namespace

_signals = Namespace()

# Sent by services.verify_email(user=..., now=...) after an address is confirmed.
email_verified = _signals.signal("accounts.email-verified")
