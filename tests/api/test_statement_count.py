"""The booking write path stays lean: a pinned number of SQL statements per request (issue 17).

Counted through the test client with a `before_cursor_execute` listener, so everything the
request does is in: the input guard, the rate limit's lookups, the booking, its outbox rows and
audit row, the commit. A change that adds a query to the hot path changes these numbers; update
them only with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from digicoach.core import clock
from digicoach.extensions import db
from tests.bookings.factories import in_days, make_bookable_session

TOKEN = "X-Manage-Token"


def _sending(statement: str) -> bool:
    """The outbox sender's own statements (claim, mark sent), not the request's work: whether
    the request also sends is the outbox's business (issue 17 moves it out of the request)."""
    words = " ".join(statement.split()).lower()
    return "outbox_message" in words and not words.startswith("insert")


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # BEGIN (SQLite's BEGIN IMMEDIATE) is transaction control, not the request's work.
        if not _sending(statement) and not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _body(session: Any) -> dict[str, Any]:
    return {
        "help_session_id": session.id,
        "start": clock.local(session.starts_at).isoformat(),
        "first_name": "Fatima",
        "phone": "0470 12 34 56",
        "email": "fatima@example.be",
        "topic": "email",
        "language": "nl",
        "consent": True,
    }


def book_and_cancel(client: Any, session: Any) -> None:
    """Book a place in `session` through the API and cancel it (a warm-up for the counts)."""
    booked = client.post("/api/v1/bookings", json=_body(session)).json
    headers = {TOKEN: booked["manage_token"]}
    client.delete(f"/api/v1/bookings/{booked['reference']}", headers=headers)


def test_booking_and_cancelling_through_the_api_take_a_pinned_number_of_statements(
    client: Any, world: Any
) -> None:
    coach = world.coach()
    warm_up = make_bookable_session(world.location, [coach], starts_at=in_days(4))
    session = make_bookable_session(world.location, [coach])
    db.session.commit()
    # Once first, so what is cached per process (the branding, the phone) is cached, as in
    # production after the first request.
    book_and_cancel(client, warm_up)
    with counting() as booked:
        created = client.post("/api/v1/bookings", json=_body(session))
    assert created.status_code == 201, created.json
    path = f"/api/v1/bookings/{created.json['reference']}"
    with counting() as cancelled:
        response = client.delete(path, headers={TOKEN: created.json["manage_token"]})
    assert response.status_code == 200, response.json
    # Before issue 17: 25 and 12 on PostgreSQL (37). SQLite takes no advisory lock. The manage
    # token lookup no longer loads the session's topics and languages: cancel 10 -> 8; the slot
    # upsert returns its id and one update takes the place with the fresh capacity: book 22 -> 20.
    # Branch leanbook: the citizen's two checks in one statement, the slot row made and the
    # place taken in one upsert, the coaches (capacity and assignment) in one union: 20 -> 15;
    # the reference no longer looked up first (the unique index refuses a taken one): 15 -> 14;
    # the API's cancel reads the appointment with its row lock (no second read): 8 -> 7. (The
    # session's topics and languages are joined to it in production, two statements fewer; here
    # the test's own session already holds the help session, so they load as before.)
    expected = {"postgresql": (14, 7), "sqlite": (13, 7)}[db.engine.dialect.name]
    listing = "\n".join(" ".join(statement.split())[:120] for statement in booked + cancelled)
    assert (len(booked), len(cancelled)) == expected, listing
