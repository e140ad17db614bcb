"""Users, their roles and scope, server-side sessions, throttling and one-time links."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask import current_app, has_app_context
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.core import clock
from digicoach.core.db import UTCDateTime
from digicoach.extensions import db


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    DESK = "desk"
    COACH = "coach"
    # Staff of one partner organisation (digicoach.partners), not of a municipality.
    PARTNER = "partner"


STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.DESK, Role.PARTNER})
# Every staff role signs in with two-step verification; an installation may relax it for the
# front desk only (DESK_TWO_FACTOR_REQUIRED=false, see the README's warning).
TWO_FACTOR_ROLES = STAFF_ROLES
SCOPED_ROLES = frozenset({Role.COORDINATOR, Role.DESK})


def two_factor_roles(*, desk_required: bool) -> frozenset[Role]:
    """The roles that must sign in with two-step verification: every staff role, or every staff
    role but the front desk when the installation relaxes it."""
    return TWO_FACTOR_ROLES if desk_required else TWO_FACTOR_ROLES - {Role.DESK}


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    # Lower-cased copy: e-mail addresses are unique whatever their case.
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="nl")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last TOTP time step accepted, so a code cannot be replayed within its window.
    totp_last_step: Mapped[int | None] = mapped_column()
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    scope_rows: Mapped[list[UserMunicipality]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    organisation_rows: Mapped[list[UserOrganisation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login protocol. Sessions are checked on the server (see accounts.sessions).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def needs_two_factor(self) -> bool:
        """Whether this user must sign in with two-step verification (see two_factor_roles)."""
        desk_required = (
            bool(current_app.config.get("DESK_TWO_FACTOR_REQUIRED", True))
            if has_app_context()
            else True
        )
        return bool(self.roles & two_factor_roles(desk_required=desk_required))

    @property
    def municipality_ids(self) -> frozenset[int]:
        """The municipalities this user may act in (admins: see `is_admin`, they have all)."""
        return frozenset(row.municipality_id for row in self.scope_rows)

    @property
    def organisation_ids(self) -> frozenset[int]:
        """The partner organisations this user acts for (role partner)."""
        if Role.PARTNER not in self.roles:
            return frozenset()
        return frozenset(row.organisation_id for row in self.organisation_rows)


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserMunicipality(db.Model):
    __tablename__ = "user_municipality"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    user: Mapped[User] = relationship(back_populates="scope_rows")


class UserOrganisation(db.Model):
    """Partner staff's scope: the organisation (digicoach.partners) they work for."""

    __tablename__ = "user_organisation"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class UserSession(db.Model):
    """A signed-in session, held on the server so that logging out really ends it."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailure(db.Model):
    """A failed sign-in, counted per account and per IP address within a time window."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(String(320))
    ip_address: Mapped[str] = mapped_column(String(45))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        Index("ix_login_failure_email_time", "email_key", "failed_at"),
        Index("ix_login_failure_ip_time", "ip_address", "failed_at"),
    )


class LoginKnownAddress(db.Model):
    """An address an account signed in from successfully: its owner's, most likely.

    Sign-ins from a known address skip the per-address limit (a digipunt's shared connection)
    and the slow-down of an account attacked from many addresses. Kept for a few weeks.
    """

    __tablename__ = "login_known_address"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(String(320))
    ip_address: Mapped[str] = mapped_column(String(45))
    last_success_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)

    __table_args__ = (UniqueConstraint("email_key", "ip_address"),)


class OneTimeToken(db.Model):
    """A single-use, expiring link: password reset, e-mail verification, invitation.

    Only the SHA-256 of the token is stored; the token itself travels only in the e-mail.
    """

    __tablename__ = "one_time_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[str | None] = mapped_column(Text)


class RecoveryCode(db.Model):
    """A two-factor recovery code, stored hashed, usable once."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def email_key(email: str) -> str:
    return email.strip().lower()


__all__ = [
    "LoginFailure",
    "LoginKnownAddress",
    "OneTimeToken",
    "RecoveryCode",
    "Role",
    "User",
    "UserMunicipality",
    "UserOrganisation",
    "UserRole",
    "UserSession",
    "email_key",
]
