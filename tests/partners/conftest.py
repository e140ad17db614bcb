"""Two municipalities, each with a library that runs a digipunt and has an offer, a second
organisation in Gent, a coordinator of Gent and the staff of Gent's library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from digicoach.extensions import db
from tests.factories import (
    make_admin,
    make_coordinator,
    make_desk,
    make_location,
    make_municipality,
    make_neighbourhood,
)
from tests.partners.factories import make_offer, make_organisation, make_partner_staff


@dataclass
class World:
    gent: Any
    kortrijk: Any
    wijk: Any
    krook: Any
    other_location: Any
    kortrijk_location: Any
    library: Any
    ocmw: Any
    kortrijk_library: Any
    laptop: Any
    ocmw_offer: Any
    kortrijk_offer: Any
    admin: Any
    coordinator: Any
    kortrijk_coordinator: Any
    desk: Any
    library_staff: Any
    kortrijk_staff: Any


@pytest.fixture
def world(app) -> World:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    wijk = make_neighbourhood(gent, name="Sluizeken")
    krook = make_location(gent, name="Bibliotheek De Krook", neighbourhood_id=wijk.id)
    other_location = make_location(gent, name="Buurtcentrum Brugse Poort")
    kortrijk_location = make_location(kortrijk, name="Bibliotheek Kortrijk", postcode="8500")
    library = make_organisation(gent, name="Bibliotheek Gent", locations=[krook])
    ocmw = make_organisation(gent, name="OCMW Gent", kind="social_services")
    kortrijk_library = make_organisation(
        kortrijk, name="Bibliotheek Kortrijk vzw", locations=[kortrijk_location]
    )
    world = World(
        gent=gent,
        kortrijk=kortrijk,
        wijk=wijk,
        krook=krook,
        other_location=other_location,
        kortrijk_location=kortrijk_location,
        library=library,
        ocmw=ocmw,
        kortrijk_library=kortrijk_library,
        laptop=make_offer(library, title="Laptop lenen", location_id=krook.id),
        ocmw_offer=make_offer(ocmw, title="Hulp bij het sociaal tarief", kind="social_tariff"),
        kortrijk_offer=make_offer(kortrijk_library, title="Tablet lenen in Kortrijk"),
        admin=make_admin(),
        coordinator=make_coordinator([gent]),
        kortrijk_coordinator=make_coordinator([kortrijk]),
        desk=make_desk([gent]),
        library_staff=make_partner_staff(library),
        kortrijk_staff=make_partner_staff(kortrijk_library),
    )
    db.session.commit()
    return world
