"""Sign-in throttling kept in the database, so it holds across workers and restarts.

Failures are counted per account (the lower-cased e-mail address, whether or not an account
exists, so the answer never tells which addresses are registered) and per IP address.
Wrong passwords and wrong second-factor codes count alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from digicoach.accounts import rules
from digicoach.accounts.models import LoginFailure
from digicoach.extensions import db

UNKNOWN_IP = "-"


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])


def _limits() -> tuple[int, int]:
    config = current_app.config
    return config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], config["LOGIN_MAX_FAILURES_PER_IP"]


def _recent(column: object, value: str, *, limit: int, now: datetime) -> list[datetime]:
    return list(
        db.session.scalars(
            select(LoginFailure.failed_at)
            .where(column == value, LoginFailure.failed_at > now - _window())  # type: ignore[operator]
            .order_by(LoginFailure.failed_at.desc())
            .limit(max(limit, 1))
        )
    )


def wait(*, email_key: str, ip: str | None, now: datetime) -> timedelta:
    """How long sign-in for this address, from this IP, stays refused (zero: not throttled)."""
    account_limit, ip_limit = _limits()
    window = _window()
    waits = [
        rules.throttle_wait(
            _recent(LoginFailure.email_key, email_key, limit=account_limit, now=now),
            limit=account_limit,
            window=window,
            now=now,
        )
    ]
    if ip:
        waits.append(
            rules.throttle_wait(
                _recent(LoginFailure.ip_address, ip, limit=ip_limit, now=now),
                limit=ip_limit,
                window=window,
                now=now,
            )
        )
    return max(waits)


def record_failure(*, email_key: str, ip: str | None, now: datetime) -> tuple[bool, bool]:
    """Count one failure. Returns (account just locked, IP just locked) for the audit log."""
    ip_value = ip or UNKNOWN_IP
    cutoff = now - _window()
    # Rows older than the window never count again; dropping them keeps the table small.
    db.session.execute(
        delete(LoginFailure).where(
            (LoginFailure.email_key == email_key) | (LoginFailure.ip_address == ip_value),
            LoginFailure.failed_at <= cutoff,
        )
    )
    db.session.add(LoginFailure(email_key=email_key, ip_address=ip_value, failed_at=now))
    db.session.flush()
    account_limit, ip_limit = _limits()
    return (
        _count(LoginFailure.email_key == email_key, cutoff) == account_limit,
        ip is not None and _count(LoginFailure.ip_address == ip_value, cutoff) == ip_limit,
    )


def _count(condition: object, cutoff: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(condition, LoginFailure.failed_at > cutoff)  # type: ignore[arg-type]
        )
        or 0
    )


def forget_account(email_key: str) -> None:
    """Clear an account's failures after it proved itself (a full sign-in or a reset link)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.email_key == email_key))


def purge(*, now: datetime) -> int:
    """Drop every failure older than the window (they never count again). Returns how many."""
    result = db.session.execute(
        delete(LoginFailure).where(LoginFailure.failed_at <= now - _window())
    )
    return result.rowcount or 0
