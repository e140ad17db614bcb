"""Two municipalities with one of everything each, and a user of every role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import url_for
from flask_babel import force_locale
from sqlalchemy import select

from digicoach.accounts.models import Role, User
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from digicoach.places.models import (
    Location,
    Municipality,
    Neighbourhood,
    Programme,
    programme_municipality,
)
from tests.factories import (
    make_admin,
    make_coordinator,
    make_desk,
    make_location,
    make_municipality,
    make_neighbourhood,
    make_programme,
    make_user,
)


@dataclass
class World:
    admin: User
    coordinator_a: User
    coordinator_b: User
    desk: User
    coach: User
    gent: Municipality
    kortrijk: Municipality
    gent_neighbourhood: Neighbourhood
    kortrijk_neighbourhood: Neighbourhood
    gent_location: Location
    kortrijk_location: Location
    gent_programme: Programme
    kortrijk_programme: Programme


@pytest.fixture
def world(app: Any) -> World:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    gent_neighbourhood = make_neighbourhood(gent, name="Ledeberg")
    kortrijk_neighbourhood = make_neighbourhood(kortrijk, name="Overleie")
    built = World(
        admin=make_admin(),
        coordinator_a=make_coordinator([gent]),
        coordinator_b=make_coordinator([kortrijk]),
        desk=make_desk([gent]),
        coach=make_user(roles=(Role.COACH,)),
        gent=gent,
        kortrijk=kortrijk,
        gent_neighbourhood=gent_neighbourhood,
        kortrijk_neighbourhood=kortrijk_neighbourhood,
        gent_location=make_location(gent, name="De Krook", neighbourhood=gent_neighbourhood),
        kortrijk_location=make_location(
            kortrijk,
            name="Bibliotheek Kortrijk",
            postcode="8500",
            neighbourhood=kortrijk_neighbourhood,
        ),
        gent_programme=make_programme([gent], name="Gent Digitaal"),
        kortrijk_programme=make_programme([kortrijk], name="Kortrijk Digitaal"),
    )
    db.session.commit()
    return built


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the places tables and the audit log, to prove that nothing changed.

    Reads in the current transaction; commit earlier work first if the test rolls back.
    """
    db.session.expire_all()
    tables = {
        "municipality": select(Municipality.id, Municipality.name, Municipality.nis_code),
        "neighbourhood": select(
            Neighbourhood.id, Neighbourhood.municipality_id, Neighbourhood.name
        ),
        "location": select(
            Location.id,
            Location.municipality_id,
            Location.neighbourhood_id,
            Location.name,
            Location.street,
            Location.postcode,
            Location.city,
            Location.front_desk_phone,
            Location.opening_notes,
            Location.accessibility_notes,
            Location.active,
        ),
        "programme": select(
            Programme.id,
            Programme.name,
            Programme.starts_on,
            Programme.ends_on,
            Programme.coach_target,
            Programme.citizen_target,
            Programme.description,
            Programme.front_desk_phone,
        ),
        "programme_municipality": select(
            programme_municipality.c.programme_id, programme_municipality.c.municipality_id
        ),
        "audit": select(AuditEvent.id),
    }
    return {name: sorted(db.session.execute(query).all()) for name, query in tables.items()}


@pytest.fixture
def in_english(app: Any) -> Any:
    """Services translate their messages; outside a request the CLI forces a language too."""
    with force_locale("en"):
        yield


def places_rules(app: Any) -> list[Any]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("places.")),
        key=lambda rule: rule.rule,
    )


def places_urls(app: Any, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every places route, with ids taken from `ids`."""
    found = []
    for rule in places_rules(app):
        values = {name: ids[name] for name in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def ids_in(world: World, side: str) -> dict[str, int]:
    """The ids of Gent's (side 'a') or Kortrijk's (side 'b') objects, by URL argument."""
    return {
        "a": {
            "municipality_id": world.gent.id,
            "neighbourhood_id": world.gent_neighbourhood.id,
            "location_id": world.gent_location.id,
            "programme_id": world.gent_programme.id,
        },
        "b": {
            "municipality_id": world.kortrijk.id,
            "neighbourhood_id": world.kortrijk_neighbourhood.id,
            "location_id": world.kortrijk_location.id,
            "programme_id": world.kortrijk_programme.id,
        },
    }[side]


# A valid submission for every form, so a leak in scope would really write something.
VALID_POSTS: dict[str, dict[str, Any]] = {
    "places.new_municipality": {"name": "Antwerpen", "nis_code": "11002"},
    "places.edit_municipality": {"name": "Gekaapt", "nis_code": "11002"},
    "places.add_neighbourhood": {"name": "Gekaapt"},
    "places.rename_neighbourhood": {"name": "Gekaapt"},
    "places.delete_neighbourhood": {},
    "places.new_location": {
        "name": "Gekaapt",
        "street": "Kerkstraat 1",
        "postcode": "8500",
        "city": "Kortrijk",
        "front_desk_phone": "056 27 75 00",
    },
    "places.edit_location": {
        "name": "Gekaapt",
        "street": "Kerkstraat 1",
        "postcode": "8500",
        "city": "Kortrijk",
        "front_desk_phone": "056 27 75 00",
    },
    "places.deactivate_location": {},
    "places.activate_location": {},
    "places.new_programme": {
        "name": "Gekaapt",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "coach_target": "1",
        "citizen_target": "1",
    },
    "places.edit_programme": {
        "name": "Gekaapt",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "coach_target": "1",
        "citizen_target": "1",
    },
    "places.programme_phone": {"front_desk_phone": "056 27 75 00"},
}
