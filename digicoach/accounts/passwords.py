"""Password hashing (argon2id) and the password policy.

Policy (NIST SP 800-63B): at least 12 characters, long passwords and pasting welcome, no
composition rules, refused when it is on a list of commonly used passwords.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 1024


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("PASSWORD_HASH_TIME_COST", 3),
        memory_cost=config.get("PASSWORD_HASH_MEMORY_KIB", 65536),
        parallelism=config.get("PASSWORD_HASH_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches. A missing hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash("no account has this password")


def verify_against_dummy(password: str) -> bool:
    """Spend the same work as a real check, for an unknown address; always False.

    Without it, "unknown address" answers measurably faster than "wrong password".
    """
    hasher = _hasher()
    dummy = _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    verify_password(dummy, password)
    return False


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("digicoach.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def is_common(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def policy_errors(password: str) -> list[str]:
    """What is wrong with a new password, as translated sentences (empty when acceptable)."""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(count)d characters.", count=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(count)d characters.", count=MAX_LENGTH)]
    if is_common(password):
        return [_("Many people use this password. Choose another one.")]
    return []
