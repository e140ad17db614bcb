"""Server-side sessions: the cookie carries only a random token; the row decides.

Logging out ends the row, so a copied cookie stops working; deactivating a user ends all their
rows. Staff sessions end after STAFF_IDLE_TIMEOUT_MINUTES without a request; every session ends
at `expires_at` (12 hours, or 14 days with "remember me").
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, session
from flask_login import LoginManager
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from digicoach.accounts.models import User, UserSession
from digicoach.core import clock, i18n
from digicoach.core.db import parse_id, sqlite_transaction_is_read_only
from digicoach.extensions import db

SESSION_KEY = "sid"
# Writing last_seen_at on every request would turn every page view into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, remember: bool, now: datetime) -> str:
    """Open a session row for `user` and return the raw token for the cookie."""
    config = current_app.config
    lifetime = (
        config["PERMANENT_SESSION_LIFETIME"]
        if remember
        else timedelta(hours=config["SESSION_MAX_HOURS_WITHOUT_REMEMBER"])
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            remember=remember,
        )
    )
    db.session.flush()
    return token


def end_session(token: str, *, now: datetime) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == hash_token(token), UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all_sessions(user_id: int, *, now: datetime) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_other_sessions(user_id: int, keep_token: str | None, *, now: datetime) -> None:
    """End every session of a user but the one carrying `keep_token` (after a password change)."""
    statement = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None)
    )
    if keep_token:
        statement = statement.where(UserSession.token_hash != hash_token(keep_token))
    db.session.execute(statement.values(ended_at=now))


def session_is_live(row: UserSession, user: User, now: datetime) -> bool:
    """A session is live until it ends, expires, or (for staff) sits idle too long."""
    if row.ended_at is not None or now >= row.expires_at or not user.active:
        return False
    if user.is_staff:
        idle = timedelta(minutes=current_app.config["STAFF_IDLE_TIMEOUT_MINUTES"])
        if now - row.last_seen_at > idle:
            return False
    return True


def load_user_for_request(user_id: str) -> User | None:
    token = session.get(SESSION_KEY)
    wanted = parse_id(user_id)
    if not token or wanted is None:
        return None
    # The session row and its user in one statement: this runs on every signed-in request.
    # No autoflush (the query, nor the lazy loads of the liveness check): loading the user
    # must not write what the request has pending.
    with db.session.no_autoflush:
        found = db.session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == hash_token(token))
        ).one_or_none()
        if found is None or found[0].user_id != wanted:
            return None
        row, user = found
        now = clock.now()
        if not session_is_live(row, user, now):
            session.pop(SESSION_KEY, None)
            return None
    i18n.note_reader_language(user, user.language)
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        _touch(row, now)
    return user


def _touch(row: UserSession, now: datetime) -> None:
    """Record that the session was seen, over its own connection and transaction.

    Committing the request's session here would commit whatever the request has pending
    (only unit_of_work commits it). The loaded row learns the new time without becoming dirty.

    SQLite has one writer at a time, and a reader whose snapshot is older than another
    connection's commit may no longer write. So there the request's session first ends its
    transaction when that has changed nothing and holds nothing pending (a rollback loses
    nothing); when the request has work of its own under way, the touch waits for the next
    request (it is kept to the minute, and the loader normally runs before any work)."""
    touch = update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
    bind = db.session.get_bind()
    if bind.dialect.name == "sqlite":
        request_session = db.session()
        if request_session.new or request_session.dirty or request_session.deleted:
            return
        if request_session.in_transaction():
            if not sqlite_transaction_is_read_only(request_session.connection()):
                return
            request_session.rollback()
    with bind.begin() as connection:
        connection.execute(touch)
    set_committed_value(row, "last_seen_at", now)


def configure_login_manager(login_manager: LoginManager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page itself says what to do
    # Flask-Login's "strong" protection would end sessions when a phone changes network.
    login_manager.session_protection = None
    login_manager.user_loader(load_user_for_request)
