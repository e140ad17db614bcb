"""Pure account decisions: no database, no Flask. Each rule says its boundaries."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from digicoach.accounts.models import SCOPED_ROLES, Role

# A half-finished sign-in (password given, second factor not yet) lives this long.
PENDING_SIGN_IN_SECONDS = 10 * 60


def safe_next_path(target: str | None) -> str | None:
    """A same-site path to go to after signing in, or None when `target` could leave the site.

    Refused: absolute URLs, scheme-relative `//host`, `/\\host` (browsers read it as `//host`),
    anything not starting with `/`, and control characters (header splitting).
    """
    if not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def throttle_wait(
    failure_times: list[datetime], *, limit: int, window: timedelta, now: datetime
) -> timedelta:
    """How long sign-in stays refused, given the recent failures (newest first).

    A sliding window: with `limit` or more failures inside `window`, sign-in is refused until
    the `limit`-th most recent failure leaves the window. Zero means "not throttled".
    """
    recent = sorted((moment for moment in failure_times if moment > now - window), reverse=True)
    if limit <= 0 or len(recent) < limit:
        return timedelta(0)
    return max(recent[limit - 1] + window - now, timedelta(0))


def doubling_wait(
    newest: datetime, *, excess: int, base_seconds: float, max_seconds: float, now: datetime
) -> timedelta:
    """A slow-down: `base_seconds` after the newest failure, doubled for every failure past the
    first that counts (`excess` 0 waits the base), never more than `max_seconds`."""
    if excess < 0 or base_seconds <= 0:
        return timedelta(0)
    seconds = min(base_seconds * 2 ** min(excess, 32), max_seconds)
    return max(newest + timedelta(seconds=seconds) - now, timedelta(0))


def pair_wait(
    failure_times: list[datetime],
    *,
    slow_after: int,
    base_seconds: float,
    limit: int,
    window: timedelta,
    now: datetime,
) -> timedelta:
    """How long one address waits before guessing one account's password again.

    From `slow_after` failures within `window` each try waits `base_seconds` after the newest
    failure, doubled per further failure; from `limit` failures the address is refused until
    the `limit`-th most recent one leaves the window (`throttle_wait`).
    """
    refused = throttle_wait(failure_times, limit=limit, window=window, now=now)
    if refused > timedelta(0):
        return refused
    recent = sorted((moment for moment in failure_times if moment > now - window), reverse=True)
    if slow_after <= 0 or len(recent) < slow_after:
        return timedelta(0)
    return doubling_wait(
        recent[0],
        excess=len(recent) - slow_after,
        base_seconds=base_seconds,
        max_seconds=window.total_seconds(),
        now=now,
    )


def is_under_attack(failures: int, addresses: int, *, min_addresses: int, after: int) -> bool:
    """An account fails from many places: at least `min_addresses` distinct addresses and at
    least `after` failures within the window. Typos from the owner's one or two devices never
    make an attack."""
    return min_addresses > 0 and addresses >= min_addresses and failures >= max(after, 1)


def attack_wait(
    failures: int,
    addresses: int,
    newest: datetime | None,
    *,
    min_addresses: int,
    after: int,
    base_seconds: float,
    max_seconds: float,
    now: datetime,
) -> timedelta:
    """How long an account attacked from many addresses waits before any password is checked.

    `base_seconds` after the newest failure, doubled per failure past `after`, at most
    `max_seconds`: a growing delay, never a lock. Zero when the account is not under attack.
    """
    if newest is None or not is_under_attack(
        failures, addresses, min_addresses=min_addresses, after=after
    ):
        return timedelta(0)
    return doubling_wait(
        newest,
        excess=failures - after,
        base_seconds=base_seconds,
        max_seconds=max_seconds,
        now=now,
    )


def whole_seconds(wait: timedelta) -> int:
    """A wait as whole seconds to tell a person, rounded up and never below one."""
    return max(1, math.ceil(wait.total_seconds()))


def whole_minutes(wait: timedelta) -> int:
    """A wait as whole minutes to tell a person, rounded up and never below one."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def pending_sign_in_is_fresh(started_at: float, now: datetime) -> bool:
    """A half-finished sign-in expires after ten minutes (and never counts from the future)."""
    age = now.timestamp() - started_at
    return 0 <= age <= PENDING_SIGN_IN_SECONDS


def scope_problem(roles: Iterable[Role], municipality_ids: Iterable[int]) -> str | None:
    """Why a combination of roles and municipalities is not allowed, or None when it is.

    Returns "no_role" without any role, "no_municipality" when a coordinator or desk role has
    no municipality. Admins act everywhere and need none.
    """
    role_set = set(roles)
    if not role_set:
        return "no_role"
    if role_set & SCOPED_ROLES and not set(municipality_ids):
        return "no_municipality"
    return None


def is_self_demotion(actor_id: int, user_id: int, old: Iterable[Role], new: Iterable[Role]) -> bool:
    """An admin may not take the admin role away from themselves (someone must stay admin)."""
    return actor_id == user_id and Role.ADMIN in set(old) and Role.ADMIN not in set(new)


def group_secret(secret: str, size: int = 4) -> str:
    """A TOTP secret in groups, easier to type: 'JBSW Y3DP EHPK 3PXP'."""
    return " ".join(secret[index : index + size] for index in range(0, len(secret), size))


def normalise_code(code: str) -> str:
    """What a person typed as a code, without spaces or hyphens, lower-case."""
    return "".join(character for character in code.lower() if character.isalnum())
