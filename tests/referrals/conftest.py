"""A small referrals world: Gent with its OCMW (social tariff help), its library and a digipunt
the municipality runs itself (Dampoort, no organisation), Kortrijk with a library of its own, a
coach who logged help at a Gent digipunt, the desk and a coordinator of Gent, a coordinator of
Kortrijk and the staff of each organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from digicoach.coaches.models import CoachStatus
from digicoach.extensions import db
from digicoach.referrals import services
from tests.coaches.factories import make_coach
from tests.factories import (
    make_admin,
    make_coordinator,
    make_desk,
    make_location,
    make_municipality,
    make_neighbourhood,
)
from tests.partners.factories import make_offer, make_organisation, make_partner_staff
from tests.progress.factories import make_help_log

# A Tuesday morning in Brussels (09:00 CET).
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass
class World:
    gent: Any
    kortrijk: Any
    wijk: Any
    krook: Any
    dampoort: Any
    ocmw: Any
    library: Any
    kortrijk_library: Any
    tariff: Any
    laptop: Any
    kortrijk_offer: Any
    coach: Any
    other_coach: Any
    log: Any
    desk: Any
    coordinator: Any
    kortrijk_coordinator: Any
    admin: Any
    ocmw_staff: Any
    library_staff: Any
    kortrijk_staff: Any


@pytest.fixture
def world(app) -> World:
    return build_world()


def build_world() -> World:
    """The world, committed (the browser journey builds it too)."""
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    wijk = make_neighbourhood(gent, name="Sluizeken")
    krook = make_location(gent, name="Bibliotheek De Krook", neighbourhood_id=wijk.id)
    ocmw = make_organisation(gent, name="OCMW Gent", kind="social_services")
    library = make_organisation(gent, name="Bibliotheek Gent", locations=[krook])
    kortrijk_library = make_organisation(kortrijk, name="Bibliotheek Kortrijk")
    coach = make_coach(gent, status=CoachStatus.ACTIVE, first_name="Ria")
    other_coach = make_coach(gent, status=CoachStatus.ACTIVE, first_name="Jan")
    world = World(
        gent=gent,
        kortrijk=kortrijk,
        wijk=wijk,
        krook=krook,
        dampoort=make_location(gent, name="Digipunt Dampoort"),
        ocmw=ocmw,
        library=library,
        kortrijk_library=kortrijk_library,
        tariff=make_offer(ocmw, title="Hulp bij het sociaal tarief", kind="social_tariff"),
        laptop=make_offer(library, title="Laptop lenen", location_id=krook.id),
        kortrijk_offer=make_offer(kortrijk_library, title="Tablet lenen in Kortrijk"),
        coach=coach,
        other_coach=other_coach,
        log=make_help_log(
            coach, location_id=krook.id, neighbourhood_id=wijk.id, outcome="referred"
        ),
        desk=make_desk([gent]),
        coordinator=make_coordinator([gent]),
        kortrijk_coordinator=make_coordinator([kortrijk], name="Kor Kortrijk"),
        admin=make_admin(),
        ocmw_staff=make_partner_staff(ocmw, name="Els OCMW"),
        library_staff=make_partner_staff(library, name="Tom Bib"),
        kortrijk_staff=make_partner_staff(kortrijk_library, name="Lies Kortrijk"),
    )
    db.session.commit()
    return world


def refer(world: World, *, target: str | None = None, now: datetime = NOW, **values: Any):
    """The coach refers Marcel from their help log to the OCMW's social tariff help."""
    source = services.source_of(actor=world.coach.user, help_log_id=world.log.id)
    referral = services.refer(
        actor=world.coach.user,
        source=source,
        data=services.ReferralInput(
            target=target or f"offer:{world.tariff.id}",
            consent=values.pop("consent", True),
            reason=values.pop("reason", "Sociaal tarief internet aanvragen"),
            first_name=values.pop("first_name", "Marcel"),
            phone=values.pop("phone", "0470 12 34 56"),
            email=values.pop("email", ""),
        ),
        now=now,
    )
    db.session.commit()
    return referral
