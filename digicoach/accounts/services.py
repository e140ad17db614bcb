"""Account use cases. Services flush; the caller's unit of work commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from digicoach.accounts import passwords
from digicoach.accounts.models import Role, User, UserMunicipality, UserRole, email_key
from digicoach.core import audit
from digicoach.core.errors import Conflict
from digicoach.extensions import db


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_key == email_key(email)))


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
