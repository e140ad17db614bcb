"""The user loader records 'last seen' over its own connection (issue 20 item 4).

Only unit_of_work commits the request's session: the loader runs in the middle of any request,
so committing there would commit whatever the request had pending.
"""

from __future__ import annotations

import pytest
from flask import session
from sqlalchemy import select

from digicoach.accounts import sessions
from digicoach.accounts.models import User, UserSession
from digicoach.core import clock
from digicoach.extensions import db
from tests.factories import make_user


def _stored_last_seen(session_id: int):
    with db.engine.connect() as connection:
        return connection.execute(
            select(UserSession.last_seen_at).where(UserSession.id == session_id)
        ).scalar_one()


@pytest.mark.parametrize("flushed", [False, True], ids=["pending", "flushed"])
def test_the_loader_commits_nothing_the_request_has_pending(app, frozen_clock, flushed):
    user = make_user(email="seen@example.org", name="Before")
    db.session.commit()
    token = sessions.start_session(user, remember=False, now=clock.now())
    db.session.commit()
    row_id = db.session.scalars(select(UserSession.id)).one()
    signed_in = _stored_last_seen(row_id)
    frozen_clock.advance(minutes=5)
    user_id = str(user.id)
    db.session.refresh(user)  # loaded, so the change below stays pending (no autoflush)
    with app.test_request_context("/"):
        session[sessions.SESSION_KEY] = token
        user.name = "Pending, never committed"  # the request's own unfinished work
        if flushed:
            db.session.flush()  # written in the request's transaction, not committed
        assert sessions.load_user_for_request(user_id) is user
        if db.engine.dialect.name == "sqlite":
            # One writer at a time: with work of its own begun, the touch waits a request.
            assert _stored_last_seen(row_id) == signed_in
        else:
            assert _stored_last_seen(row_id) != signed_in, "last seen is written at once"
        db.session.rollback()  # the request fails: its work must vanish
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Before"


def test_last_seen_is_written_once_a_minute_over_its_own_connection(app, frozen_clock):
    user = make_user(email="recent@example.org")
    db.session.commit()
    token = sessions.start_session(user, remember=False, now=clock.now())
    db.session.commit()
    row_id = db.session.scalars(select(UserSession.id)).one()
    first = _stored_last_seen(row_id)
    user_id = user.id
    frozen_clock.advance(seconds=20)
    db.session.close()  # each request starts with a fresh session
    with app.test_request_context("/"):
        session[sessions.SESSION_KEY] = token
        assert sessions.load_user_for_request(str(user_id)).id == user_id
    assert _stored_last_seen(row_id) == first
    frozen_clock.advance(minutes=2)
    db.session.close()
    with app.test_request_context("/"):
        session[sessions.SESSION_KEY] = token
        assert sessions.load_user_for_request(str(user_id)).id == user_id
        assert not db.session.dirty, "the row learns the time without a pending write"
        assert sessions.load_user_for_request("²") is None  # no crash on an odd id
    assert _stored_last_seen(row_id) != first
