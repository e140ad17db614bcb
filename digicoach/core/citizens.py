"""The citizen key: count distinct citizens without keeping who they are.

An HMAC-SHA256 of the normalised phone number (E.164) or, without a phone, the lower-cased
e-mail address, under CITIZEN_KEY_SECRET, a secret kept outside the database. The same citizen
gets the same key on every booking, so they count once; erasing their contact data keeps the key.

Rotating the secret starts a new count: keys made before and after no longer match. Rotate only
at the start of a programme period, or keep the old secret for the running programme.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def citizen_key(*, phone_e164: str | None = None, email: str | None = None) -> str | None:
    """The key for a citizen reachable by this phone (preferred) or e-mail; None without either."""
    if phone_e164:
        identity = "tel:" + phone_e164.strip()
    elif email:
        identity = "mail:" + email.strip().lower()
    else:
        return None
    secret = current_app.config["CITIZEN_KEY_SECRET"].encode()
    return hmac.new(secret, identity.encode(), hashlib.sha256).hexdigest()
