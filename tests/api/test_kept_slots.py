"""GET /api/v1/slots is kept a few seconds per query (api.lists, issue 17), and a booking, a
cancel or a saved shift at that location is there at the next request."""

from __future__ import annotations

from typing import Any

import pytest

from digicoach.bookings import free_places
from digicoach.core import clock
from digicoach.extensions import db
from tests.api.test_statement_count import counting
from tests.bookings.factories import make_bookable_session
from tests.helpdesk.factories import make_shift

TOKEN = "X-Manage-Token"


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "API_SLOTS_CACHE_SECONDS": 10}


def _remaining(client: Any, location_id: int, **query: str) -> list[int]:
    arguments = "".join(f"&{name}={value}" for name, value in query.items())
    response = client.get(f"/api/v1/slots?location_id={location_id}{arguments}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return [row["remaining"] for row in response.json]


def _book(client: Any, session: Any) -> Any:
    response = client.post(
        "/api/v1/bookings",
        json={
            "help_session_id": session.id,
            "start": clock.local(session.starts_at).isoformat(),
            "first_name": "Fatima",
            "phone": "0470 12 34 56",
            "topic": "email",
            "language": "nl",
            "consent": True,
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def test_slots_are_read_once_then_kept_per_query(client: Any, world: Any) -> None:
    make_bookable_session(world.location, [world.coach(), world.coach()])
    db.session.commit()
    first = client.get(f"/api/v1/slots?location_id={world.location.id}")
    with counting() as statements:
        again = client.get(f"/api/v1/slots?location_id={world.location.id}")
    assert again.get_data() == first.get_data()
    assert statements == []
    # Another query is another answer, with its own validation.
    assert _remaining(client, world.location.id, topic="email")[0] == 2
    assert client.get(f"/api/v1/slots?location_id={world.location.id}&topic=x").status_code == 422


def test_a_booking_and_its_cancel_show_at_the_next_request(client: Any, world: Any) -> None:
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    db.session.commit()
    before = _remaining(client, world.location.id)
    booked = _book(client, session)
    after = _remaining(client, world.location.id)
    assert sum(after) == sum(before) - 1
    cancelled = client.delete(
        f"/api/v1/bookings/{booked['reference']}", headers={TOKEN: booked["manage_token"]}
    )
    assert cancelled.status_code == 200
    assert _remaining(client, world.location.id) == before


def test_a_coach_signing_up_shows_at_the_next_request(client: Any, world: Any) -> None:
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    before = _remaining(client, world.location.id)
    make_shift(session, world.coach())
    db.session.commit()
    assert sum(_remaining(client, world.location.id)) > sum(before)


def test_a_booking_rolled_back_keeps_the_answer(client: Any, world: Any) -> None:
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    path = f"/api/v1/slots?location_id={world.location.id}"
    before = client.get(path).get_data()
    free_places.changed(session.location_id)
    db.session.rollback()
    with counting() as statements:
        assert client.get(path).get_data() == before
    assert statements == []
