"""A small help-at-home world: Gent with two digipunten (one run by a library), Kortrijk, their
staff (coordinator, front desk, library staff), and coaches who do home visits or not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import pytest
from flask_babel import force_locale

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.homevisits import services
from digicoach.homevisits.models import HomeVisit
from digicoach.places.models import Location, Municipality
from tests.factories import make_coordinator, make_desk, make_location, make_municipality
from tests.helpdesk.factories import make_working_coach
from tests.partners.factories import make_organisation, make_partner_staff


@dataclass
class HomeWorld:
    gent: Municipality
    kortrijk: Municipality
    location: Location
    library: Location
    kortrijk_location: Location
    coordinator: User
    desk: User
    partner: User
    kortrijk_desk: User

    def coach(self, *, home_visits: bool = True, **values: Any) -> Coach:
        return make_working_coach(
            values.pop("municipality", self.gent), **values, home_visits=home_visits
        )


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    # A GET context: a POST one would start every SQLite transaction with BEGIN IMMEDIATE and
    # hold the write lock the racing processes wait for.
    with app.test_request_context("/"), force_locale("en"):
        yield


@pytest.fixture
def world(app: Any, in_request: None) -> HomeWorld:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    location = make_location(gent, name="Dienstencentrum Ledeberg")
    library = make_location(gent, name="Bibliotheek De Krook")
    organisation = make_organisation(gent, name="Bibliotheek Gent", locations=[library])
    kortrijk_location = make_location(kortrijk, name="Bib Kortrijk")
    built = HomeWorld(
        gent=gent,
        kortrijk=kortrijk,
        location=location,
        library=library,
        kortrijk_location=kortrijk_location,
        coordinator=make_coordinator([gent], name="Koen Gent", language="en"),
        desk=make_desk([gent], name="Dirk Desk", language="en"),
        partner=make_partner_staff(organisation, name="Lies Bib", language="en"),
        kortrijk_desk=make_desk([kortrijk], name="Kris Desk", language="en"),
    )
    db.session.commit()
    return built


def visit_day(days: int = 3) -> date:
    return clock.local_today() + timedelta(days=days)


def visit_input(location: Location, **values: Any) -> services.VisitInput:
    fields: dict[str, Any] = {
        "location_id": location.id,
        "day": visit_day(),
        "start_time": time(10),
        "end_time": time(11, 30),
        "first_name": "Maria",
        "phone": "0470 12 34 56",
        "street": "Brusselsesteenweg 120",
        "postcode": "9050",
        "city": "Gent",
        "accessibility_notes": "Derde verdieping, geen lift.",
        "topic": "eid_itsme",
        "language": "nl",
    }
    fields.update(values)
    return services.VisitInput(**fields)


def book(world: HomeWorld, actor: User | None = None, **values: Any) -> HomeVisit:
    """Book a visit; without `coach_ids`, with fresh coaches who do home visits (two, or one
    when the staff member goes along)."""
    location = values.pop("location", world.location)
    if "coach_ids" not in values:
        wanted = 1 if values.get("companion") else 2
        municipality = location.municipality
        values["coach_ids"] = tuple(
            world.coach(municipality=municipality).id for _ in range(wanted)
        )
    visit = services.book_visit(
        actor=actor or world.desk, data=visit_input(location, **values), now=clock.now()
    )
    db.session.commit()
    return visit
