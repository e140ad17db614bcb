"""The API narrows topics and locations to what can be booked, and says when it is first free.

Over the demo data (whatever it holds: only what the API answers is compared with what
GET /slots answers), and over a small world for the parameters and their refusals.
"""

from __future__ import annotations

from typing import Any

import pytest

from digicoach.core import vocabulary
from digicoach.extensions import db
from tests.api.test_api import _matches
from tests.bookings.factories import in_days, make_appointment, make_bookable_session

TOPICS = [term.code for term in vocabulary.TOPICS]
LANGUAGES = ("nl", "fr", "en", "ar")


def _get(client: Any, path: str, **query: Any) -> Any:
    response = client.get("/api/v1" + path, query_string=query)
    assert response.status_code == 200, (path, query, response.json)
    assert not _matches(client, path, "get", response)
    return response.json


def _first_slot(client: Any, location_id: int, **narrow: str) -> str | None:
    slots = _get(client, "/slots", location_id=location_id, **narrow)
    return slots[0]["start"] if slots else None


@pytest.fixture
def demo(app: Any) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    return app.test_client().get("/api/v1/locations").json


def test_over_the_demo_data_every_topic_offered_has_a_free_slot_from_first_free_on(client, demo):
    assert demo, "the demo has digipunten"
    offered_anywhere = set()
    for location in demo:
        rows = _get(client, "/topics", location_id=location["id"])
        offered = {row["code"]: row["first_free"] for row in rows}
        offered_anywhere |= set(offered)
        for code in TOPICS:
            # Offered with the first free slot of /slots, or not offered and nothing free.
            assert offered.get(code) == _first_slot(client, location["id"], topic=code), (
                location["name"],
                code,
            )
        if offered:
            assert "other" in offered  # "Something else" wherever any slot is free
            assert offered["other"] == _first_slot(client, location["id"])
    assert offered_anywhere, "the demo has a free slot somewhere"


def test_over_the_demo_data_topics_narrow_by_language(client, demo):
    for location in demo:
        for language in LANGUAGES:
            rows = _get(client, "/topics", location_id=location["id"], language=language)
            offered = {row["code"]: row["first_free"] for row in rows}
            for code in TOPICS:
                expected = _first_slot(client, location["id"], topic=code, language=language)
                assert offered.get(code) == expected, (location["name"], language, code)


def test_over_the_demo_data_locations_narrow_by_topic_and_language(client, demo):
    everywhere = {row["id"] for row in demo}
    for code in TOPICS:
        for language in (None, "nl", "fr"):
            narrow = {"topic": code, **({"language": language} if language else {})}
            rows = _get(client, "/locations", **narrow)
            found = {row["id"]: row["first_free"] for row in rows}
            assert set(found) <= everywhere
            for location_id in everywhere:
                assert found.get(location_id) == _first_slot(client, location_id, **narrow)
    by_language = _get(client, "/locations", language="nl")
    for row in by_language:
        assert row["first_free"] == _first_slot(client, row["id"], language="nl")


def test_without_the_new_parameters_the_answers_are_as_before(client, world):
    topics = _get(client, "/topics")
    assert [row["code"] for row in topics] == TOPICS
    assert all(set(row) == {"code", "label"} for row in topics)
    assert _get(client, "/topics", unknown="1") == topics  # unknown parameters: ignored
    locations = _get(client, "/locations")
    assert len(locations) == 3
    assert all("first_free" not in row for row in locations)


def test_narrowed_answers_follow_the_free_places(client, world):
    session = make_bookable_session(
        world.location, [world.coach()], starts_at=in_days(2), hours=0.5, topics=("email",)
    )
    later = make_bookable_session(
        world.other_location, [world.coach()], starts_at=in_days(4), languages=("fr",)
    )
    db.session.commit()
    rows = _get(client, "/topics", location_id=world.location.id)
    assert [row["code"] for row in rows] == ["email", "other"]
    assert rows[0]["first_free"].endswith(("+01:00", "+02:00"))
    assert _get(client, "/topics", location_id=world.kortrijk_location.id) == []
    assert _get(client, "/topics", location_id=world.location.id, language="fr") == []
    located = _get(client, "/locations", topic="job_search")
    assert [row["id"] for row in located] == [world.other_location.id]
    assert located[0]["first_free"] == _first_slot(client, world.other_location.id)
    make_appointment(session, topic="other")  # the only place at Ledeberg is taken
    db.session.commit()
    assert _get(client, "/topics", location_id=world.location.id) == []
    assert [row["id"] for row in _get(client, "/locations", topic="other")] == [later.location_id]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/topics", {"location_id": "abc"}, "location_id"),
        ("/topics", {"location_id": "0"}, "location_id"),
        ("/topics", {"location_id": "99999"}, "location_id"),
        ("/topics", {"location_id": "1" * 30}, "location_id"),
        ("/topics", {"location_id": ""}, "location_id"),
        ("/topics", {"location_id": "{loc}", "language": "xx"}, "language"),
        ("/topics", {"language": "nl"}, "location_id"),
        ("/topics", {"location_id": "{inactive}"}, "location_id"),
        ("/locations", {"topic": "cooking"}, "topic"),
        ("/locations", {"topic": ""}, "topic"),
        ("/locations", {"language": "zz"}, "language"),
        ("/locations", {"topic": "email", "language": "nl;drop"}, "language"),
    ],
)
def test_bad_parameters_answer_422_with_messages_per_field(client, world, path, query, field):
    world.kortrijk_location.active = False
    db.session.commit()
    ids = {"{loc}": str(world.location.id), "{inactive}": str(world.kortrijk_location.id)}
    query = {name: ids.get(value, value) for name, value in query.items()}
    response = client.get("/api/v1" + path, query_string=query)
    assert response.status_code == 422, response.json
    assert set(response.json) == {"errors"}
    assert list(response.json["errors"]) == [field]
    assert all(isinstance(m, str) and m for m in response.json["errors"][field])
    assert not _matches(client, path, "get", response)
