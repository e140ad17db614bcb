"""A small booking world: Gent with two digipunten, Kortrijk with one, desk staff of each, an
admin, and coaches with languages and topics."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask_babel import force_locale

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality
from tests.factories import (
    make_admin,
    make_coordinator,
    make_desk,
    make_location,
    make_municipality,
    make_neighbourhood,
)
from tests.helpdesk.factories import make_working_coach


@dataclass
class BookingWorld:
    admin: User
    coordinator: User
    desk: User
    other_desk: User
    gent: Municipality
    kortrijk: Municipality
    location: Location
    other_location: Location
    kortrijk_location: Location

    def coach(self, **values: Any) -> Coach:
        return make_working_coach(
            values.pop("municipality", self.gent),
            status=CoachStatus(values.pop("status", CoachStatus.ACTIVE)),
            **values,
        )


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    """Services translate their messages, which needs a request."""
    with app.test_request_context("/"), force_locale("en"):
        yield


def build_world() -> BookingWorld:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    ledeberg = make_neighbourhood(gent, name="Ledeberg")
    world = BookingWorld(
        admin=make_admin(name="Anna Admin", language="en"),
        coordinator=make_coordinator([gent], name="Koen Gent", language="en"),
        desk=make_desk([gent], name="Dirk Desk", language="en"),
        other_desk=make_desk([kortrijk], name="Karin Desk", language="en"),
        gent=gent,
        kortrijk=kortrijk,
        location=make_location(
            gent,
            name="Dienstencentrum Ledeberg",
            neighbourhood=ledeberg,
            front_desk_phone="09 235 37 50",
        ),
        other_location=make_location(gent, name="Bibliotheek Rabot"),
        kortrijk_location=make_location(kortrijk, name="Bib Kortrijk"),
    )
    db.session.commit()
    return world


@pytest.fixture
def world(app: Any, in_request: None) -> BookingWorld:
    return build_world()
