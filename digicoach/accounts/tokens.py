"""Single-use, expiring links (password reset, e-mail verification, invitation, ...).

The raw token (32 random bytes) travels only in the link; the database keeps its SHA-256.
Redeeming is a conditional update, so a link works once even when clicked twice at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from digicoach.accounts.models import OneTimeToken, User
from digicoach.extensions import db

# What token_urlsafe makes; anything else (a NUL from a mangled link) is not worth a query.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    purpose: str,
    *,
    user: User | None,
    lifetime: timedelta,
    now: datetime,
    payload: str | None = None,
) -> str:
    """Create a link token for `purpose` and return the raw token (to put in the e-mail)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        OneTimeToken(
            purpose=purpose,
            token_hash=_hash(token),
            user_id=user.id if user is not None else None,
            created_at=now,
            expires_at=now + lifetime,
            payload=payload,
        )
    )
    db.session.flush()
    return token


def peek(purpose: str, token: str, *, now: datetime) -> OneTimeToken | None:
    """The token's row if it is valid (right purpose, unused, unexpired), without using it."""
    if not token or len(token) > 200 or not _TOKEN_SHAPE.fullmatch(token):
        return None
    row = db.session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == _hash(token)))
    if row is None or row.purpose != purpose or row.used_at is not None or now >= row.expires_at:
        return None
    return row


def redeem(purpose: str, token: str, *, now: datetime) -> OneTimeToken | None:
    """Use the token once. Returns its row, or None when it is unknown, used or expired."""
    row = peek(purpose, token, now=now)
    if row is None:
        return None
    result = db.session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    db.session.refresh(row)
    return row


def revoke_all(purpose: str, user_id: int, *, now: datetime) -> None:
    """Spend every open token of this purpose for a user (e.g. older reset links)."""
    db.session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.purpose == purpose,
            OneTimeToken.user_id == user_id,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
