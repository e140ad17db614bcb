"""While the database is unreachable, requests answer 503 with Retry-After (a plain page for
people, JSON for the API), nothing is half written, the log has one line per outage instead of a
traceback per request, and the app answers again by itself once the database is back.

PostgreSQL: the app's connections are terminated (`pg_terminate_backend`) and new ones refused
for the outage. SQLite: another connection holds the write lock past the busy timeout.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from digicoach.bookings.models import Appointment
from digicoach.core import clock
from digicoach.extensions import db
from tests.bookings.conftest import build_world
from tests.bookings.factories import make_bookable_session


@pytest.fixture
def app_config(app_config: dict) -> dict:
    # A writer gives up on SQLite's lock after 0.2 s instead of 30 s.
    return {**app_config, "SQLITE_BUSY_TIMEOUT_MS": 200}


@contextmanager
def database_unreachable(url: str) -> Iterator[None]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(
            parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=None
        )
        name = parsed.database
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        try:
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
    else:
        holder = sqlite3.connect(parsed.database, isolation_level=None, timeout=0.1)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()


def _body(session) -> dict:
    return {
        "help_session_id": session.id,
        "start": clock.local(session.starts_at).isoformat(),
        "first_name": "Fatima",
        "phone": "0470 12 34 56",
        "topic": "email",
        "language": "nl",
        "consent": True,
    }


def test_an_outage_answers_503_with_retry_after_writes_nothing_and_heals(
    app, app_config, client, caplog
):
    with app.test_request_context("/"):
        world = build_world()
        session = make_bookable_session(world.location, [world.coach()])
        db.session.commit()
        body = _body(session)
        later = {
            **body,
            "start": clock.local(session.starts_at + timedelta(minutes=30)).isoformat(),
            "phone": "0470 65 43 21",
        }
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    first = client.post("/api/v1/bookings", json=body)
    assert first.status_code == 201, first.json

    caplog.set_level(logging.WARNING, logger="digicoach.outage")
    with database_unreachable(url):
        booked = client.post("/api/v1/bookings", json=body)
        assert booked.status_code == 503, booked.get_data(as_text=True)[:300]
        assert booked.json == {"error": "unavailable"}
        assert booked.headers["Retry-After"] == str(app.config["DATABASE_RETRY_AFTER_SECONDS"])
        page = client.post("/login", data={"email": "a@example.be", "password": "x"})
        assert page.status_code == 503
        assert page.headers["Retry-After"]
        html = page.get_data(as_text=True)
        assert "Nothing was saved" in html
        assert "Traceback" not in html
        assert client.post("/api/v1/bookings", json=body).status_code == 503
    db.session.remove()

    healed = client.post("/api/v1/bookings", json=later)
    assert healed.status_code == 201, healed.json  # back by itself, no restart
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2
    outage_lines = [r for r in caplog.records if r.name == "digicoach.outage"]
    assert [r.getMessage().split(":")[0] for r in outage_lines][:1] == ["database unreachable"]
    assert len(outage_lines) == 2, [r.getMessage() for r in outage_lines]
    assert "reachable again" in outage_lines[1].getMessage()
    assert not [r for r in caplog.records if r.exc_info], "no traceback per request"
