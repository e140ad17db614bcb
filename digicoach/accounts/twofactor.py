"""Two-factor authentication: TOTP codes (RFC 6238) and single-use recovery codes.

A TOTP code is accepted for the previous, current and next 30-second step (clock drift), and
only for a step later than the last one accepted, so an overheard code cannot be replayed.
Recovery codes carry about 79 random bits, so a plain SHA-256 per code is safe to store.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
from markupsafe import Markup

from digicoach.accounts import rules

ISSUER = "digicoach"
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/i/l: codes are copied from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS = 4
RECOVERY_GROUP_SIZE = 4
TOTP_PATTERN = re.compile(r"\d{6}")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code as inline SVG, drawn on the server: no script and no external image."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, title=title, svgclass="qr-code")
    return Markup(svg)  # noqa: S704 - segno's own SVG; the title is escaped by segno


def is_totp_shaped(code: str) -> bool:
    return bool(TOTP_PATTERN.fullmatch(rules.normalise_code(code)))


def matching_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, or None when it is wrong or replays an accepted step."""
    code = rules.normalise_code(code)
    if not TOTP_PATTERN.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        try:
            expected = totp.generate_otp(step)
        except ValueError:
            # pyotp refuses secrets under 112 bits; ours have 160, so this is foreign data.
            return None
        if hmac.compare_digest(expected, code):
            return step
    return None


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator app shows at `now` (for tests and the command line)."""
    return pyotp.TOTP(secret).at(now)


def new_recovery_codes() -> list[str]:
    return [
        "-".join(
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_SIZE))
            for _ in range(RECOVERY_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def hash_recovery_code(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{rules.normalise_code(code)}".encode()).hexdigest()
