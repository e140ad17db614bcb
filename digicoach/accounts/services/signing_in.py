"""Signing in and out: password, two-factor codes (setup, recovery codes), throttling.

The outcome of each step tells the view where the person goes next (SignInOutcome, Step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select

from digicoach.accounts import (
    passwords,
    rules,
    sessions,
    throttle,
    twofactor,
    unlock,
)
from digicoach.accounts.models import (
    RecoveryCode,
    User,
    email_key,
)
from digicoach.accounts.services import (
    _check_current_password,
    find_by_email,
    load_pending_user,
    may_sign_in,
)
from digicoach.core import audit, phones
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db

# --- signing in --------------------------------------------------------------------------


class Step(StrEnum):
    SIGNED_IN = "signed_in"
    CODE = "code"  # password accepted; the second factor is next
    SETUP = "setup"  # password accepted; two-factor must be set up first
    REFUSED = "refused"


@dataclass(frozen=True)
class SignInOutcome:
    step: Step
    user_id: int | None = None
    # The raw token for the Flask session, when signed in.
    session_token: str | None = None
    # A translated sentence, when refused.
    error: str | None = None
    throttled: bool = False
    # Shown once, right after two-factor was set up.
    recovery_codes: list[str] = field(default_factory=list)


def _throttled(wait: timedelta) -> SignInOutcome:
    if wait < timedelta(minutes=1):
        seconds = rules.whole_seconds(wait)
        message = ngettext(
            "Too many attempts to sign in. Try again in %(num)d second, "
            "or call the front desk: %(phone)s.",
            "Too many attempts to sign in. Try again in %(num)d seconds, "
            "or call the front desk: %(phone)s.",
            seconds,
            phone=phones.front_desk_phone(),
        )
        return SignInOutcome(Step.REFUSED, error=message, throttled=True)
    minutes = rules.whole_minutes(wait)
    message = ngettext(
        "Too many attempts to sign in. Wait %(num)d minute and try again, "
        "or call the front desk: %(phone)s.",
        "Too many attempts to sign in. Wait %(num)d minutes and try again, "
        "or call the front desk: %(phone)s.",
        minutes,
        phone=phones.front_desk_phone(),
    )
    return SignInOutcome(Step.REFUSED, error=message, throttled=True)


def _count_failure(key: str, user: User | None, ip: str | None, now: datetime) -> None:
    counted = throttle.record_failure(email_key=key, ip=ip, now=now)
    if counted.pair_locked:
        audit.record(None, "login.lockout", user, object_type="User")
    if counted.ip_locked:
        audit.record(None, "login.ip_lockout", object_type="ip")
    if counted.under_attack:
        unlock.warn_owner(user, now=now)


def _signed_in(
    user: User, *, remember: bool, ip: str | None, now: datetime, **extra: Any
) -> SignInOutcome:
    token = sessions.start_session(user, remember=remember, now=now)
    user.last_login_at = now
    throttle.record_success(email_key=user.email_key, ip=ip, now=now)
    audit.record(user, "user.login", user)
    return SignInOutcome(Step.SIGNED_IN, user_id=user.id, session_token=token, **extra)


def sign_in_with_password(
    *, email: str, password: str, remember: bool, ip: str | None, now: datetime
) -> SignInOutcome:
    """First step of signing in.

    Unknown address, wrong password, no password yet, or a deactivated account: one answer,
    after the same hashing work. While throttled (accounts.throttle: this address guessing this
    account, this address failing across accounts, or this account failing from many
    addresses) even the right password is refused and not checked, again the same for every
    address. Staff who need (or chose)
    two-factor are not signed in yet: the outcome says which step comes next.
    """
    key = email_key(email)
    wait = throttle.wait(email_key=key, ip=ip, now=now)
    if wait > timedelta(0):
        # No hashing at all: the refusal is the same for every address, and a flood of
        # refused guesses must not cost a password hash each.
        return _throttled(wait)
    user = find_by_email(email)
    if may_sign_in(user):
        assert user is not None and user.password_hash is not None
        accepted = passwords.verify_password(user.password_hash, password)
    else:
        accepted = passwords.verify_against_dummy(password)
    if not accepted:
        _count_failure(key, user, ip, now)
        return SignInOutcome(
            Step.REFUSED,
            error=_("The e-mail address or the password is not right. Check both and try again."),
        )
    assert user is not None and user.password_hash is not None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.totp_enabled_at is not None:
        return SignInOutcome(Step.CODE, user_id=user.id)
    if user.needs_two_factor:
        return SignInOutcome(Step.SETUP, user_id=user.id)
    return _signed_in(user, remember=remember, ip=ip, now=now)


def _wrong_code() -> str:
    return _(
        "This code is not right. Type the 6-digit code your app shows now, "
        "or one of your recovery codes."
    )


def _accept_code(user: User, code: str, now: datetime) -> bool:
    """A current TOTP code (not replayed) or an unused recovery code, which is then spent."""
    if user.totp_secret is None:
        return False
    if twofactor.is_totp_shaped(code):
        step = twofactor.matching_step(
            user.totp_secret, code, now=now, last_step=user.totp_last_step
        )
        if step is None:
            return False
        user.totp_last_step = step
        return True
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == twofactor.hash_recovery_code(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = now
    audit.record(user, "user.recovery_code_use", user)
    return True


def sign_in_with_code(
    *, user_id: int, code: str, remember: bool, ip: str | None, now: datetime
) -> SignInOutcome:
    """Second step: a TOTP code or a recovery code. Wrong codes count toward the throttle."""
    user = load_pending_user(user_id)
    if user is None or user.totp_enabled_at is None:
        return SignInOutcome(Step.REFUSED, error=_wrong_code())
    wait = throttle.wait(email_key=user.email_key, ip=ip, now=now)
    if wait > timedelta(0):
        return _throttled(wait)
    if not _accept_code(user, code, now):
        _count_failure(user.email_key, user, ip, now)
        return SignInOutcome(Step.REFUSED, user_id=user.id, error=_wrong_code())
    return _signed_in(user, remember=remember, ip=ip, now=now)


def begin_two_factor_setup(user: User, *, now: datetime) -> str:
    """The secret to show while setting up two-factor; made once, kept until confirmed.

    Keeping it means a page reload does not invalidate a QR code already scanned.
    Raises Conflict when two-factor is already on.
    """
    if user.totp_enabled_at is not None:
        raise Conflict(_("Two-step verification is already on."))
    if user.totp_secret is None:
        user.totp_secret = twofactor.new_secret()
        db.session.flush()
    return user.totp_secret


def _enable_two_factor(user: User, code: str, now: datetime) -> list[str] | None:
    if user.totp_enabled_at is not None or user.totp_secret is None:
        return None
    step = twofactor.matching_step(user.totp_secret, code, now=now, last_step=user.totp_last_step)
    if step is None:
        return None
    user.totp_last_step = step
    user.totp_enabled_at = now
    codes = _replace_recovery_codes(user)
    audit.record(user, "user.two_factor_enable", user, ["totp"])
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = twofactor.new_recovery_codes()
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=twofactor.hash_recovery_code(user.id, code))
        for code in codes
    )
    db.session.flush()
    return codes


def sign_in_after_setup(
    *, user_id: int, code: str, remember: bool, ip: str | None, now: datetime
) -> SignInOutcome:
    """Confirm a new two-factor set-up with a first code, then sign in.

    The outcome carries the ten recovery codes, to be shown once.
    """
    user = load_pending_user(user_id)
    if user is None:
        return SignInOutcome(Step.REFUSED, error=_wrong_code())
    wait = throttle.wait(email_key=user.email_key, ip=ip, now=now)
    if wait > timedelta(0):
        return _throttled(wait)
    codes = _enable_two_factor(user, code, now)
    if codes is None:
        _count_failure(user.email_key, user, ip, now)
        return SignInOutcome(
            Step.REFUSED,
            user_id=user.id,
            error=_("This code is not right. Type the 6-digit code your app shows now."),
        )
    return _signed_in(user, remember=remember, ip=ip, now=now, recovery_codes=codes)


def enable_two_factor(*, actor: User, code: str, now: datetime) -> list[str]:
    """A signed-in user turns two-factor on. Returns the recovery codes, to be shown once.

    Raises ValidationFailed (field "code") when the code is wrong.
    """
    codes = _enable_two_factor(actor, code, now)
    if codes is None:
        raise ValidationFailed(
            {"code": [_("This code is not right. Type the 6-digit code your app shows now.")]}
        )
    return codes


def disable_two_factor(*, actor: User, password: str, now: datetime) -> None:
    """Turn two-factor off; only for users whose role does not require it.

    Raises PermissionDenied for staff who must keep it (see User.needs_two_factor),
    ValidationFailed for a wrong password.
    """
    ensure(not actor.needs_two_factor)
    _check_current_password(actor, password, "password")
    actor.totp_secret = None
    actor.totp_enabled_at = None
    actor.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == actor.id))
    audit.record(actor, "user.two_factor_disable", actor, ["totp"])


def regenerate_recovery_codes(*, actor: User, password: str, now: datetime) -> list[str]:
    """New recovery codes (the old ones stop working). Needs the current password."""
    if actor.totp_enabled_at is None:
        raise Conflict(_("Turn on two-step verification first."))
    _check_current_password(actor, password, "password")
    codes = _replace_recovery_codes(actor)
    audit.record(actor, "user.recovery_codes_regenerate", actor, ["recovery_codes"])
    return codes


def unused_recovery_codes(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def sign_out(*, user: User | None, token: str | None, now: datetime) -> None:
    """End this session on the server, so a copy of the cookie stops working too."""
    if token:
        sessions.end_session(token, now=now)
    if user is not None:
        audit.record(user, "user.logout", user)
