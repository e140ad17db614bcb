"""Account use cases: users, password reset, verification, invitations, one's own account,
administration (signing in and two-factor: services.signing_in). Services flush; the
caller's unit of work commits.

Sign-in answers with an outcome instead of raising, because a refused attempt must still be
committed (the throttle counts it). Every other refusal is a DomainError with a message a
person can act on. Nothing here reads the request or the Flask session: the view passes the
IP address and keeps the session token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import column, func, select, table

from digicoach.accounts import (
    passwords,
    permissions,
    rules,
    sessions,
    throttle,
    tokens,
)
from digicoach.accounts.models import (
    OneTimeToken,
    Role,
    User,
    UserMunicipality,
    UserOrganisation,
    UserRole,
    email_key,
)
from digicoach.accounts.signals import email_verified
from digicoach.core import audit, messages
from digicoach.core.db import serialize_on
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.i18n import LANGUAGES
from digicoach.core.permissions import ensure
from digicoach.extensions import db

PASSWORD_RESET = "password_reset"
EMAIL_VERIFICATION = "email_verification"
INVITATION = "invitation"
# At most this many reset mails per account per hour: the form must not become a mail cannon.
RESET_MAILS_PER_HOUR = 3

# The municipality table belongs to `places`, a higher layer: refer to it by name only.
_municipality = table("municipality", column("id"))


# --- looking users up --------------------------------------------------------------------


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_key == email_key(email)))


def get_user(*, actor: User, user_id: int) -> User:
    """A user an admin may manage. Raises NotFound otherwise (also for non-admins)."""
    user = db.session.get(User, user_id)
    if user is None or not permissions.can_manage_users(actor):
        raise NotFound(_("This user does not exist."))
    return user


def may_sign_in(user: User | None) -> bool:
    return (
        user is not None
        and user.active
        and user.anonymised_at is None
        and user.password_hash is not None
    )


def load_pending_user(user_id: int | None) -> User | None:
    """The user of a half-finished sign-in, if they may still sign in."""
    user = db.session.get(User, user_id) if user_id else None
    return user if may_sign_in(user) else None


# --- creating users ----------------------------------------------------------------------


def create_user(
    *,
    actor: User | None,
    email: str,
    name: str,
    roles: Iterable[Role],
    municipality_ids: Iterable[int] = (),
    password: str | None = None,
    language: str = "nl",
    verified_at: datetime | None = None,
    now: datetime,
) -> User:
    """Create a user. `actor` is None for the command line and for self-service sign-up.

    Raises Conflict when the e-mail address is taken (callers that must not reveal that,
    such as invitations and applications, check with `find_by_email` first).
    """
    if find_by_email(email) is not None:
        raise Conflict("email_taken", field="email")
    user = User(
        email=email.strip(),
        email_key=email_key(email),
        name=name.strip(),
        password_hash=passwords.hash_password(password) if password else None,
        language=language,
        active=True,
        created_at=now,
        email_verified_at=verified_at,
    )
    user.role_rows = [UserRole(role=Role(role).value) for role in sorted(set(roles))]
    user.scope_rows = [
        UserMunicipality(municipality_id=municipality_id)
        for municipality_id in sorted(set(municipality_ids))
    ]
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, ["email", "name", "roles", "municipalities"])
    return user


def _check_current_password(user: User, password: str, field_name: str) -> None:
    if not passwords.verify_password(user.password_hash, password):
        raise ValidationFailed({field_name: [_("This is not your current password.")]})


# --- e-mail ------------------------------------------------------------------------------


def _mail(user: User, *, template: str, **parts: Any) -> None:
    """Queue an account e-mail (templates/accounts/email/<template>) in the user's language;
    nothing for an account that was deactivated or erased (core.messages.queue_user_email)."""
    messages.queue_user_email(user, template=f"accounts/email/{template}", **parts)


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


# --- password reset ----------------------------------------------------------------------


def request_password_reset(email: str, *, now: datetime) -> None:
    """Mail a reset link when the address belongs to an active account; otherwise nothing.

    The caller answers the same either way. A few mails an hour per account at most.
    """
    user = find_by_email(email)
    if user is None or not user.active or user.anonymised_at is not None:
        return
    # Counted, then written: parallel requests for one account take turns (core.db).
    serialize_on("password-reset", str(user.id))
    recent = db.session.scalar(
        select(func.count())
        .select_from(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == PASSWORD_RESET,
            OneTimeToken.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= RESET_MAILS_PER_HOUR:
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    token = tokens.issue(PASSWORD_RESET, user=user, lifetime=timedelta(hours=hours), now=now)
    _mail(
        user,
        kind="accounts.password_reset",
        dedupe_key=f"password-reset:{_fingerprint(token)}",
        subject=_l("Choose a new password for digicoach"),
        template="password_reset",
        link=messages.absolute_url("accounts.reset_password", token=token),
        hours=hours,
    )
    audit.record(None, "user.password_reset_request", user)


def password_reset_user(token: str, *, now: datetime) -> User | None:
    """Whose valid reset link this is, without using it (to show the form)."""
    row = tokens.peek(PASSWORD_RESET, token, now=now)
    user = db.session.get(User, row.user_id) if row and row.user_id else None
    return user if user is not None and user.active else None


def _policy(password: str, field_name: str = "password") -> None:
    errors = passwords.policy_errors(password)
    if errors:
        raise ValidationFailed({field_name: errors})


def reset_password(token: str, *, password: str, now: datetime) -> User:
    """Set a new password with a reset link.

    The link is spent, and so are older reset links; every session of the user ends; the
    address counts as verified (the mail arrived) and sign-in failures are forgotten.
    Raises ValidationFailed for a weak password (the link stays usable) and NotFound for a
    used, expired or unknown link.
    """
    _policy(password)
    row = tokens.redeem(PASSWORD_RESET, token, now=now)
    user = db.session.get(User, row.user_id) if row and row.user_id else None
    if user is None or not user.active:
        raise NotFound(_("This link no longer works."))
    user.password_hash = passwords.hash_password(password)
    user.email_verified_at = user.email_verified_at or now
    tokens.revoke_all(PASSWORD_RESET, user.id, now=now)
    sessions.end_all_sessions(user.id, now=now)
    throttle.forget_account(user.email_key)
    audit.record(None, "user.password_reset", user, ["password"])
    return user


# --- e-mail verification -----------------------------------------------------------------


def request_email_verification(user: User, *, now: datetime) -> None:
    """Mail a link that confirms the user's address (nothing when it is confirmed already)."""
    if user.email_verified_at is not None:
        return
    hours = current_app.config["EMAIL_VERIFICATION_HOURS"]
    # The payload binds the link to this address: changing the address voids it.
    token = tokens.issue(
        EMAIL_VERIFICATION,
        user=user,
        lifetime=timedelta(hours=hours),
        now=now,
        payload=user.email_key,
    )
    _mail(
        user,
        kind="accounts.verify_email",
        dedupe_key=f"verify-email:{_fingerprint(token)}",
        subject=_l("Confirm your e-mail address for digicoach"),
        template="verify_email",
        link=messages.absolute_url("accounts.verify_email", token=token),
        hours=hours,
    )


def email_verification_is_valid(token: str, *, now: datetime) -> bool:
    return tokens.peek(EMAIL_VERIFICATION, token, now=now) is not None


def verify_email(token: str, *, now: datetime) -> User:
    """Confirm an address with its link; the link works once. Raises NotFound otherwise.

    Sends the `email_verified` signal, so other features (the coach application) can react.
    """
    row = tokens.redeem(EMAIL_VERIFICATION, token, now=now)
    user = db.session.get(User, row.user_id) if row and row.user_id else None
    if user is None or row is None or row.payload != user.email_key:
        raise NotFound(_("This link no longer works."))
    if user.email_verified_at is None:
        user.email_verified_at = now
        audit.record(user, "user.verify_email", user, ["email_verified_at"])
    db.session.flush()
    email_verified.send(user, now=now)
    return user


# --- invitations -------------------------------------------------------------------------


def _check_roles_and_scope(roles: set[Role], municipality_ids: set[int]) -> None:
    problem = rules.scope_problem(roles, municipality_ids)
    if problem == "no_role":
        raise ValidationFailed({"roles": [_("Choose at least one role.")]})
    if problem == "no_municipality":
        raise ValidationFailed(
            {
                "municipalities": [
                    _("Coordinators and front-desk staff need at least one municipality.")
                ]
            }
        )
    if municipality_ids:
        known = set(
            db.session.scalars(
                select(_municipality.c.id).where(_municipality.c.id.in_(municipality_ids))
            )
        )
        if known != municipality_ids:
            raise ValidationFailed({"municipalities": [_("Choose municipalities from the list.")]})


def _send_invitation(user: User, *, actor: User, now: datetime) -> None:
    days = current_app.config["INVITATION_DAYS"]
    token = tokens.issue(INVITATION, user=user, lifetime=timedelta(days=days), now=now)
    _mail(
        user,
        kind="accounts.invitation",
        dedupe_key=f"invitation:{_fingerprint(token)}",
        subject=_l("You are invited to digicoach"),
        template="invitation",
        inviter=actor.name or actor.email,
        link=messages.absolute_url("accounts.accept_invitation", token=token),
        days=days,
    )


def invite_user(
    *,
    actor: User,
    email: str,
    name: str,
    roles: Iterable[Role],
    municipality_ids: Iterable[int],
    language: str,
    now: datetime,
) -> None:
    """Create a user without a password and mail them a link to choose one.

    When the address already has an account nothing is created and its owner gets a short
    note instead; the caller shows the same confirmation, so an invitation reveals nothing.
    Raises PermissionDenied for non-admins, ValidationFailed for roles without the scope
    they need (coordinators and desk staff need a municipality; admins none).
    """
    ensure(permissions.can_manage_users(actor))
    role_set = {Role(role) for role in roles}
    scope = set(municipality_ids)
    _check_roles_and_scope(role_set, scope)
    language = language if language in LANGUAGES else "nl"
    existing = find_by_email(email)
    if existing is not None:
        _note_existing_account(existing, actor=actor, now=now)
        return
    user = create_user(
        actor=actor,
        email=email,
        name=name,
        roles=role_set,
        municipality_ids=scope,
        language=language,
        now=now,
    )
    _send_invitation(user, actor=actor, now=now)
    audit.record(actor, "user.invite", user)


def _note_existing_account(existing: User, *, actor: User, now: datetime) -> None:
    """An invitation to an address that has an account: its owner gets a short note (one a day
    at most, however often someone tries) and the inviter learns nothing."""
    _mail(
        existing,
        kind="accounts.invitation_existing",
        dedupe_key=f"invitation-existing:{existing.id}:{now.date().isoformat()}",
        subject=_l("You already have a digicoach account"),
        template="invitation_existing",
        link=messages.absolute_url("accounts.login"),
        reset_link=messages.absolute_url("accounts.forgot_password"),
    )
    audit.record(actor, "user.invite_existing", existing)


def invite_organisation_staff(
    *, actor: User, email: str, name: str, organisation_id: int, language: str, now: datetime
) -> User | None:
    """Invite a partner organisation's staff member (role partner, scoped to that organisation
    only), like `invite_user`. The caller, `partners.services.invite_staff`, decides who may;
    this one only makes the account. Returns the new user, or None when the address already
    has an account (its owner gets the same short note as from `invite_user`; the caller shows
    the same confirmation)."""
    language = language if language in LANGUAGES else "nl"
    existing = find_by_email(email)
    if existing is not None:
        _note_existing_account(existing, actor=actor, now=now)
        return None
    user = create_user(
        actor=actor, email=email, name=name, roles={Role.PARTNER}, language=language, now=now
    )
    user.organisation_rows = [UserOrganisation(organisation_id=organisation_id)]
    db.session.flush()
    _send_invitation(user, actor=actor, now=now)
    audit.record(actor, "user.invite", user)
    return user


# Roles that already give a scope of their own: a coordinator of one municipality may not widen
# or mix another staff member's rights; an administrator changes those accounts' roles.
_OTHER_STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.DESK})


def link_organisation_staff(
    *, actor: User, email: str, organisation_id: int, organisation_name: str, now: datetime
) -> User:
    """Make the existing account with this address staff of the organisation (role partner,
    this organisation only), next to the digicoach role it may have. The caller,
    `partners.services.link_staff`, decides who may. Refused, on the `email` field, for an
    address without an active account, for an account with another staff role (admin,
    coordinator, desk) and for staff of another organisation (partner staff work for one).
    Gaining the role ends the account's sessions when it has no two-step verification yet,
    so it sets that up at the next sign-in; an e-mail tells the person what changed. Two
    coordinators linking at once take turns."""
    user = find_by_email(email)
    if user is None or not user.active or user.anonymised_at is not None:
        raise ValidationFailed(
            {"email": [_("No active account uses this address. Invite the person instead.")]}
        )
    serialize_on("user-organisation", str(user.id))
    db.session.expire(user)  # read the roles and organisations again, after our turn came
    if user.roles & _OTHER_STAFF_ROLES:
        raise ValidationFailed(
            {
                "email": [
                    _(
                        "This account already has another staff role. An administrator "
                        "changes its roles."
                    )
                ]
            }
        )
    linked = {row.organisation_id for row in user.organisation_rows}
    if user.has_role(Role.PARTNER) and linked == {organisation_id}:
        raise ValidationFailed({"email": [_("This account already works for this organisation.")]})
    if user.has_role(Role.PARTNER) and linked:
        raise ValidationFailed(
            {"email": [_("This account already works for another partner organisation.")]}
        )
    if not user.has_role(Role.PARTNER):
        user.role_rows.append(UserRole(role=Role.PARTNER.value))
    user.organisation_rows = [UserOrganisation(organisation_id=organisation_id)]
    db.session.flush()
    setting_up_two_factor = user.needs_two_factor and user.totp_enabled_at is None
    if setting_up_two_factor:
        sessions.end_all_sessions(user.id, now=now)
    _mail(
        user,
        kind="accounts.organisation_link",
        dedupe_key=f"user:{user.id}:organisation-link:{organisation_id}:{now.isoformat()}",
        subject=_l(
            "You now work for %(organisation)s in digicoach", organisation=organisation_name
        ),
        template="organisation_link",
        organisation=organisation_name,
        setting_up_two_factor=setting_up_two_factor,
        link=messages.absolute_url("accounts.login"),
    )
    audit.record(actor, "user.roles_change", user, ["roles", "organisations"])
    return user


def invitation_is_pending(user: User) -> bool:
    return user.password_hash is None and user.active and user.anonymised_at is None


def resend_invitation(*, actor: User, user: User, now: datetime) -> None:
    """A new invitation link; earlier links stop working. Only before the user accepted."""
    ensure(permissions.can_manage_users(actor))
    if not invitation_is_pending(user):
        raise Conflict(_("This person has already chosen a password."))
    tokens.revoke_all(INVITATION, user.id, now=now)
    _send_invitation(user, actor=actor, now=now)
    audit.record(actor, "user.invite_resend", user)


def invitation_user(token: str, *, now: datetime) -> User | None:
    """Whose valid invitation link this is, without using it (to show the form)."""
    row = tokens.peek(INVITATION, token, now=now)
    user = db.session.get(User, row.user_id) if row and row.user_id else None
    return user if user is not None and invitation_is_pending(user) else None


def accept_invitation(token: str, *, name: str, password: str, now: datetime) -> User:
    """Choose a name and password with an invitation link; the link works once.

    Raises ValidationFailed for a weak password (the link stays usable), NotFound for a
    used, expired or unknown link.
    """
    _policy(password)
    if not name.strip():
        raise ValidationFailed({"name": [_("Enter your name.")]})
    row = tokens.redeem(INVITATION, token, now=now)
    user = db.session.get(User, row.user_id) if row and row.user_id else None
    if user is None or not invitation_is_pending(user):
        raise NotFound(_("This link no longer works."))
    user.name = name.strip()
    user.password_hash = passwords.hash_password(password)
    user.email_verified_at = user.email_verified_at or now
    audit.record(user, "user.invitation_accept", user, ["name", "password"])
    return user


# --- one's own account -------------------------------------------------------------------


def update_profile(*, actor: User, name: str, language: str) -> None:
    """Change one's own name and language. Raises ValidationFailed for an empty name."""
    if not name.strip():
        raise ValidationFailed({"name": [_("Enter your name.")]})
    if language not in LANGUAGES:
        raise ValidationFailed({"language": [_("Choose a language from the list.")]})
    changed = [
        field_name
        for field_name, new in (("name", name.strip()), ("language", language))
        if getattr(actor, field_name) != new
    ]
    actor.name = name.strip()
    actor.language = language
    if changed:
        audit.record(actor, "user.profile_update", actor, changed)


def change_password(
    *,
    actor: User,
    current_password: str,
    new_password: str,
    keep_session_token: str | None,
    now: datetime,
) -> None:
    """Change one's own password; every other session of the user ends.

    Raises ValidationFailed (field "current_password" or "new_password").
    """
    _check_current_password(actor, current_password, "current_password")
    _policy(new_password, "new_password")
    actor.password_hash = passwords.hash_password(new_password)
    sessions.end_other_sessions(actor.id, keep_session_token, now=now)
    tokens.revoke_all(PASSWORD_RESET, actor.id, now=now)
    audit.record(actor, "user.password_change", actor, ["password"])


# --- administration ----------------------------------------------------------------------


def change_roles(
    *,
    actor: User,
    user: User,
    roles: Iterable[Role],
    municipality_ids: Iterable[int],
    now: datetime,
) -> None:
    """Set a user's roles and municipalities.

    An admin cannot take the admin role from themselves. Coordinators and desk staff need a
    municipality. Gaining a role that needs two-factor without having it ends the user's
    sessions, so they set it up at their next sign-in. Raises PermissionDenied,
    ValidationFailed.
    """
    ensure(permissions.can_manage_users(actor))
    role_set = {Role(role) for role in roles}
    scope = set(municipality_ids)
    _check_roles_and_scope(role_set, scope)
    if rules.is_self_demotion(actor.id, user.id, user.roles, role_set):
        raise ValidationFailed({"roles": [_("You cannot take the admin role from yourself.")]})
    changed = []
    if role_set != set(user.roles):
        changed.append("roles")
        user.role_rows = [UserRole(role=role.value) for role in sorted(role_set)]
    if scope != set(user.municipality_ids):
        changed.append("municipalities")
        user.scope_rows = [UserMunicipality(municipality_id=m) for m in sorted(scope)]
    db.session.flush()
    if not changed:
        return
    if user.needs_two_factor and user.totp_enabled_at is None:
        sessions.end_all_sessions(user.id, now=now)
    audit.record(actor, "user.roles_change", user, changed)


def set_active(*, actor: User, user: User, active: bool, now: datetime) -> None:
    """Deactivate (every session ends at once) or reactivate a user.

    An admin cannot deactivate themselves. Raises PermissionDenied, Conflict.
    """
    ensure(permissions.can_manage_users(actor))
    if user.active == active:
        return
    if not active and user.id == actor.id:
        raise Conflict(_("You cannot deactivate your own account."))
    user.active = active
    if not active:
        sessions.end_all_sessions(user.id, now=now)
        tokens.revoke_all(PASSWORD_RESET, user.id, now=now)
    audit.record(actor, "user.reactivate" if active else "user.deactivate", user, ["active"])
