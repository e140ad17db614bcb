"""The two lists every booking client reads first are kept, not rebuilt (api.lists, issue 17
item 5), and a change to what they show is there at the next request."""

from __future__ import annotations

from typing import Any

from digicoach.extensions import db
from digicoach.places.models import Location, Neighbourhood
from tests.api.test_statement_count import counting


def _names(client: Any) -> set[str]:
    response = client.get("/api/v1/locations")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return {row["name"] for row in response.json}


def test_the_locations_are_read_once_then_kept(client: Any, world: Any) -> None:
    first = client.get("/api/v1/locations")
    with counting() as statements:
        again = client.get("/api/v1/locations")
    assert again.get_data() == first.get_data()
    assert not [s for s in statements if "location" in s.lower()], statements


def test_a_saved_location_shows_at_the_next_request(client: Any, world: Any) -> None:
    before = _names(client)
    location = db.session.get(Location, world.location.id)
    old_name = location.name
    location.name = "Buurthuis Ledeberg"
    db.session.commit()
    assert _names(client) == before - {old_name} | {"Buurthuis Ledeberg"}
    location.active = False
    db.session.commit()
    assert "Buurthuis Ledeberg" not in _names(client)


def test_a_renamed_neighbourhood_shows_at_the_next_request(client: Any, world: Any) -> None:
    neighbourhood = Neighbourhood(municipality=world.location.municipality, name="Rabot")
    db.session.add(neighbourhood)
    db.session.get(Location, world.location.id).neighbourhood = neighbourhood
    db.session.commit()
    rows = client.get("/api/v1/locations").json
    assert {row["neighbourhood"] for row in rows} >= {"Rabot"}
    neighbourhood.name = "Rabot-Blaisantvest"
    db.session.commit()
    rows = client.get("/api/v1/locations").json
    assert "Rabot-Blaisantvest" in {row["neighbourhood"] for row in rows}


def test_a_change_rolled_back_keeps_the_list(client: Any, world: Any) -> None:
    before = client.get("/api/v1/locations").get_data()
    db.session.get(Location, world.location.id).name = "Never saved"
    db.session.flush()
    db.session.rollback()
    with counting() as statements:
        assert client.get("/api/v1/locations").get_data() == before
    assert not [s for s in statements if "location" in s.lower()], statements


def test_the_topics_are_built_once_per_language(client: Any, app: Any) -> None:
    dutch = client.get("/api/v1/topics", headers={"Accept-Language": "nl"})
    french = client.get("/api/v1/topics", headers={"Accept-Language": "fr"})
    assert dutch.json[1]["code"] == french.json[1]["code"] == "online_banking"
    assert dutch.json[1]["label"] != french.json[1]["label"]
    assert set(app.extensions["digicoach_api_topics"]) == {"nl", "fr"}
    again = client.get("/api/v1/topics", headers={"Accept-Language": "nl-BE"})
    assert again.get_data() == dutch.get_data()
