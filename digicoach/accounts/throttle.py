"""Sign-in throttling kept in the database, so it holds across workers, instances and restarts.

Guessing is stopped without locking the owner out. Failures (wrong passwords and wrong
second-factor codes alike) are counted within a window, three ways:

- per account *and* address: the guessing address is slowed (a doubling wait), then refused
  until the window passes. The owner at any other address is not affected;
- per address, across accounts: an address failing very often is refused, but not for the
  accounts that signed in from it before (`LoginKnownAddress`): the regulars of a digipunt's
  shared connection keep signing in while a stranger there guesses;
- per account, across addresses: an account failing from many addresses waits a growing delay
  ("try again in N seconds", the password not checked), never a lock, and its owner gets an
  e-mail with an unlock link (accounts.unlock). Its known addresses are not slowed.

The account is the lower-cased e-mail address, whether or not an account exists, so the
answer never tells which addresses are registered. Waiting is a refusal, never a sleeping
worker. Refused attempts are not counted, so they never lengthen the wait.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select

from digicoach.accounts import rules
from digicoach.accounts.models import LoginFailure, LoginKnownAddress
from digicoach.core.db import insert_for_dialect
from digicoach.extensions import db

UNKNOWN_IP = "-"


@dataclass(frozen=True)
class Settings:
    window: timedelta
    pair_limit: int
    ip_limit: int
    slow_after: int
    slow_seconds: float
    attack_addresses: int
    attack_after: int
    attack_seconds: float
    attack_max_seconds: float
    known_for: timedelta
    unlock_hours: int


def settings() -> Settings:
    config = current_app.config
    return Settings(
        window=timedelta(minutes=config["LOGIN_THROTTLE_WINDOW_MINUTES"]),
        pair_limit=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        ip_limit=config["LOGIN_MAX_FAILURES_PER_IP"],
        slow_after=config["LOGIN_SLOW_DOWN_AFTER_FAILURES"],
        slow_seconds=config["LOGIN_SLOW_DOWN_SECONDS"],
        attack_addresses=config["LOGIN_ATTACK_MIN_ADDRESSES"],
        attack_after=config["LOGIN_ATTACK_AFTER_FAILURES"],
        attack_seconds=config["LOGIN_ATTACK_DELAY_SECONDS"],
        attack_max_seconds=config["LOGIN_ATTACK_MAX_DELAY_SECONDS"],
        known_for=timedelta(days=config["LOGIN_KNOWN_ADDRESS_DAYS"]),
        unlock_hours=config["LOGIN_UNLOCK_LINK_HOURS"],
    )


@dataclass(frozen=True)
class AccountFailures:
    """An account's failures within the window, across addresses."""

    failures: int
    addresses: int
    newest: datetime | None
    # The most failures from any one address.
    most_from_one_address: int = 0


def _account_failures(email_key: str, cutoff: datetime) -> AccountFailures:
    per_address = (
        select(LoginFailure.ip_address, func.count().label("n"), func.max(LoginFailure.failed_at))
        .where(LoginFailure.email_key == email_key, LoginFailure.failed_at > cutoff)
        .group_by(LoginFailure.ip_address)
    )
    rows = db.session.execute(per_address).all()
    return _summarise(rows)


def _summarise(rows: Iterable[Any]) -> AccountFailures:
    counts = [(row[1], row[2]) for row in rows]
    if not counts:
        return AccountFailures(0, 0, None)
    return AccountFailures(
        failures=sum(n for n, _newest in counts),
        addresses=len(counts),
        newest=max(newest for _n, newest in counts),
        most_from_one_address=max(n for n, _newest in counts),
    )


def _recent(*conditions: Any, limit: int, cutoff: datetime) -> list[datetime]:
    return list(
        db.session.scalars(
            select(LoginFailure.failed_at)
            .where(*conditions, LoginFailure.failed_at > cutoff)
            .order_by(LoginFailure.failed_at.desc())
            .limit(max(limit, 1))
        )
    )


def is_known_address(email_key: str, ip: str | None, *, now: datetime) -> bool:
    """Has this account signed in successfully from this address lately?"""
    if not ip:
        return False
    found = db.session.scalar(
        select(LoginKnownAddress.id).where(
            LoginKnownAddress.email_key == email_key,
            LoginKnownAddress.ip_address == ip,
            LoginKnownAddress.last_success_at > now - settings().known_for,
        )
    )
    return found is not None


def wait(*, email_key: str, ip: str | None, now: datetime) -> timedelta:
    """How long sign-in for this account, from this address, stays refused (zero: go ahead)."""
    config = settings()
    cutoff = now - config.window
    ip_value = ip or UNKNOWN_IP
    pair = _recent(
        LoginFailure.email_key == email_key,
        LoginFailure.ip_address == ip_value,
        limit=max(config.pair_limit, config.slow_after),
        cutoff=cutoff,
    )
    waits = [
        rules.pair_wait(
            pair,
            slow_after=config.slow_after,
            base_seconds=config.slow_seconds,
            limit=config.pair_limit,
            window=config.window,
            now=now,
        )
    ]
    known = is_known_address(email_key, ip, now=now)
    if ip and not known:
        from_ip = _recent(LoginFailure.ip_address == ip, limit=config.ip_limit, cutoff=cutoff)
        waits.append(
            rules.throttle_wait(from_ip, limit=config.ip_limit, window=config.window, now=now)
        )
    if not known:
        account = _account_failures(email_key, cutoff)
        waits.append(
            rules.attack_wait(
                account.failures,
                account.addresses,
                account.newest,
                min_addresses=config.attack_addresses,
                after=config.attack_after,
                base_seconds=config.attack_seconds,
                max_seconds=config.attack_max_seconds,
                now=now,
            )
        )
    return max(waits)


@dataclass(frozen=True)
class Counted:
    """What one more failure changed, for the audit log and the owner's e-mail."""

    # This address just reached the per-account limit for this account.
    pair_locked: bool
    # This address just reached the per-address limit.
    ip_locked: bool
    # The account fails from many addresses (its owner should hear of it).
    under_attack: bool


def record_failure(*, email_key: str, ip: str | None, now: datetime) -> Counted:
    """Count one failure of `email_key` from `ip`."""
    config = settings()
    ip_value = ip or UNKNOWN_IP
    cutoff = now - config.window
    # Rows older than the window never count again; dropping them keeps the table small.
    db.session.execute(
        delete(LoginFailure).where(
            (LoginFailure.email_key == email_key) | (LoginFailure.ip_address == ip_value),
            LoginFailure.failed_at <= cutoff,
        )
    )
    db.session.add(LoginFailure(email_key=email_key, ip_address=ip_value, failed_at=now))
    db.session.flush()
    account = _account_failures(email_key, cutoff)
    from_pair = _count(
        (LoginFailure.email_key == email_key) & (LoginFailure.ip_address == ip_value), cutoff
    )
    from_ip = _count(LoginFailure.ip_address == ip_value, cutoff) if ip else 0
    return Counted(
        pair_locked=from_pair == config.pair_limit,
        ip_locked=ip is not None and from_ip == config.ip_limit,
        under_attack=rules.is_under_attack(
            account.failures,
            account.addresses,
            min_addresses=config.attack_addresses,
            after=config.attack_after,
        ),
    )


def _count(condition: Any, cutoff: datetime) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(condition, LoginFailure.failed_at > cutoff)
        )
        or 0
    )


def record_success(*, email_key: str, ip: str | None, now: datetime) -> None:
    """A full sign-in: this address's failures for the account are forgotten (the owner's own
    typos) and the address becomes known. Failures from other addresses keep counting: the
    owner signing in does not end an attack."""
    ip_value = ip or UNKNOWN_IP
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.email_key == email_key, LoginFailure.ip_address == ip_value
        )
    )
    if not ip:
        return
    # One statement: two workers may sign the same person in at once.
    statement = insert_for_dialect(LoginKnownAddress).values(
        email_key=email_key, ip_address=ip, last_success_at=now
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["email_key", "ip_address"],
            set_={"last_success_at": statement.excluded.last_success_at},
        )
    )


def forget_account(email_key: str) -> None:
    """Clear all of an account's failures: its owner proved themselves by e-mail (a reset or
    unlock link), or an admin cleared them."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.email_key == email_key))


def purge(*, now: datetime) -> int:
    """Drop every failure older than the window (they never count again) and every known
    address not used for LOGIN_KNOWN_ADDRESS_DAYS. Returns how many failures went."""
    config = settings()
    result = db.session.execute(
        delete(LoginFailure).where(LoginFailure.failed_at <= now - config.window)
    )
    db.session.execute(
        delete(LoginKnownAddress).where(LoginKnownAddress.last_success_at <= now - config.known_for)
    )
    return result.rowcount or 0


# --- what admins see ---------------------------------------------------------------------


@dataclass(frozen=True)
class Slowdown:
    """An account whose sign-in is slowed: N failures from M addresses in the last X minutes."""

    failures: int
    addresses: int
    minutes: int
    under_attack: bool


def _slowdown(account: AccountFailures, config: Settings) -> Slowdown | None:
    under_attack = rules.is_under_attack(
        account.failures,
        account.addresses,
        min_addresses=config.attack_addresses,
        after=config.attack_after,
    )
    slowed_pair = config.slow_after > 0 and account.most_from_one_address >= config.slow_after
    locked_pair = account.most_from_one_address >= config.pair_limit
    if not (under_attack or slowed_pair or locked_pair):
        return None
    return Slowdown(
        failures=account.failures,
        addresses=account.addresses,
        minutes=int(config.window.total_seconds() // 60),
        under_attack=under_attack,
    )


def slowdowns(email_keys: Iterable[str], *, now: datetime) -> dict[str, Slowdown]:
    """The slowed accounts among `email_keys`, in one query."""
    keys = sorted(set(email_keys))
    if not keys:
        return {}
    config = settings()
    rows = db.session.execute(
        select(
            LoginFailure.email_key,
            LoginFailure.ip_address,
            func.count(),
            func.max(LoginFailure.failed_at),
        )
        .where(LoginFailure.email_key.in_(keys), LoginFailure.failed_at > now - config.window)
        .group_by(LoginFailure.email_key, LoginFailure.ip_address)
    ).all()
    by_key: dict[str, list[Any]] = {}
    for key, ip_address, count, newest in rows:
        by_key.setdefault(key, []).append((ip_address, count, newest))
    found = {key: _slowdown(_summarise(value), config) for key, value in by_key.items()}
    return {key: slowdown for key, slowdown in found.items() if slowdown is not None}


def slowdown(email_key: str, *, now: datetime) -> Slowdown | None:
    return slowdowns([email_key], now=now).get(email_key)
