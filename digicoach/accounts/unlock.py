"""When sign-in is slowed: the owner's e-mail with an unlock link, the link itself, and the
admin's view and clearing of it. Services flush; the caller's unit of work commits.

An account attacked from many addresses gets a growing delay (accounts.throttle). Its owner
hears of it once per throttle window, in their own language, with a one-time link that lifts
the delay and, if they like, leads straight on to choosing a new password (the reset flow of
accounts.services, with a fresh reset link). The link proves the mailbox, as a reset link does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from digicoach.accounts import permissions, throttle, tokens
from digicoach.accounts.models import OneTimeToken, User
from digicoach.core import audit, messages
from digicoach.core.errors import NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db

SIGN_IN_UNLOCK = "sign_in_unlock"
# accounts.services.PASSWORD_RESET (services imports this module, so not the other way round).
PASSWORD_RESET = "password_reset"


def _may_sign_in(user: User | None) -> bool:
    return (
        user is not None
        and user.active
        and user.anonymised_at is None
        and user.password_hash is not None
    )


def warn_owner(user: User | None, *, now: datetime) -> bool:
    """Mail the owner of an attacked account an unlock link, once per throttle window.

    Nothing for an unknown address or an account that cannot sign in anyway. Two workers
    counting the same attack at once queue one e-mail (the outbox key is per window).
    Returns whether a mail was queued.
    """
    if user is None or not _may_sign_in(user):
        return False
    config = throttle.settings()
    recent = db.session.scalar(
        select(OneTimeToken.id).where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == SIGN_IN_UNLOCK,
            OneTimeToken.created_at > now - config.window,
        )
    )
    if recent is not None:
        return False
    token = tokens.issue(
        SIGN_IN_UNLOCK, user=user, lifetime=timedelta(hours=config.unlock_hours), now=now
    )
    window_number = int(now.timestamp() // max(config.window.total_seconds(), 1))
    queued = messages.queue_user_email(
        user,
        kind="accounts.sign_in_unlock",
        dedupe_key=f"user:{user.id}:sign-in-unlock:{window_number}",
        subject=_l("Someone is trying to sign in to your digicoach account"),
        template="accounts/email/sign_in_unlock",
        link=messages.absolute_url("accounts.unlock_sign_in", token=token),
        hours=config.unlock_hours,
    )
    if queued is None:
        return False
    audit.record(None, "login.attack", user)
    return True


def unlock_link_user(token: str, *, now: datetime) -> User | None:
    """Whose valid unlock link this is, without using it (to show the page)."""
    row = tokens.peek(SIGN_IN_UNLOCK, token, now=now)
    user = db.session.get(User, row.user_id) if row and row.user_id else None
    return user if _may_sign_in(user) else None


def unlock(token: str, *, choose_password: bool, now: datetime) -> str | None:
    """Use an unlock link: the account's sign-in failures are forgotten, everywhere.

    With `choose_password`, returns a fresh password-reset token to continue with
    (accounts.reset_password), so a person who did not try to sign in can change the password
    that was being guessed. Raises NotFound for a used, expired or unknown link.
    """
    row = tokens.redeem(SIGN_IN_UNLOCK, token, now=now)
    user = db.session.get(User, row.user_id) if row and row.user_id else None
    if user is None or not _may_sign_in(user):
        raise NotFound(_("This link no longer works."))
    throttle.forget_account(user.email_key)
    audit.record(None, "login.unlock", user)
    if not choose_password:
        return None
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    return tokens.issue(PASSWORD_RESET, user=user, lifetime=timedelta(hours=hours), now=now)


def slowdown(user: User, *, now: datetime) -> throttle.Slowdown | None:
    """Is this user's sign-in slowed, and how much (for the admin pages)."""
    return throttle.slowdown(user.email_key, now=now)


def slowdowns(users: list[User], *, now: datetime) -> dict[int, throttle.Slowdown]:
    """The slowed users among `users`, by id, in one query."""
    found = throttle.slowdowns((user.email_key for user in users), now=now)
    return {user.id: found[user.email_key] for user in users if user.email_key in found}


def clear(*, actor: User, user: User, now: datetime) -> bool:
    """An admin lifts the slow-down of a user's sign-in (every address's failures go).

    Audited. Raises PermissionDenied for non-admins. Returns False when nothing was slowed.
    """
    ensure(permissions.can_manage_users(actor))
    if throttle.slowdown(user.email_key, now=now) is None:
        return False
    throttle.forget_account(user.email_key)
    audit.record(actor, "login.throttle_clear", user)
    return True
