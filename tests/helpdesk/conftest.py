"""A small helpdesk world: Gent (with a digipunt in Ledeberg) and Kortrijk, their
coordinators, an admin, and a helper to make coaches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask_babel import force_locale

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Neighbourhood
from tests.factories import (
    make_admin,
    make_coordinator,
    make_location,
    make_municipality,
    make_neighbourhood,
)
from tests.helpdesk.factories import make_working_coach


@dataclass
class HelpdeskWorld:
    admin: User
    coordinator: User
    other_coordinator: User
    gent: Municipality
    kortrijk: Municipality
    ledeberg: Neighbourhood
    rabot: Neighbourhood
    location: Location
    other_location: Location
    kortrijk_location: Location

    def coach(self, status: str = CoachStatus.ACTIVE, **values: Any) -> Coach:
        return make_working_coach(
            values.pop("municipality", self.gent), status=CoachStatus(status), **values
        )


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    """Services translate their messages and build mail links, which need a request."""
    with app.test_request_context("/"), force_locale("en"):
        yield


@pytest.fixture
def world(app: Any, in_request: None) -> HelpdeskWorld:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    ledeberg = make_neighbourhood(gent, name="Ledeberg")
    rabot = make_neighbourhood(gent, name="Rabot")
    built = HelpdeskWorld(
        admin=make_admin(name="Anna Admin", language="en"),
        coordinator=make_coordinator([gent], name="Koen Gent", language="en"),
        other_coordinator=make_coordinator([kortrijk], name="Karin Kortrijk", language="en"),
        gent=gent,
        kortrijk=kortrijk,
        ledeberg=ledeberg,
        rabot=rabot,
        location=make_location(
            gent,
            name="Dienstencentrum Ledeberg",
            neighbourhood=ledeberg,
            front_desk_phone="09 235 37 50",
        ),
        other_location=make_location(gent, name="Bibliotheek Rabot", neighbourhood=rabot),
        kortrijk_location=make_location(kortrijk, name="Bib Kortrijk"),
    )
    db.session.commit()
    return built
