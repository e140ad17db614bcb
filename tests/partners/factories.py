"""Factories for partner organisations, their offers and their staff."""

from __future__ import annotations

from datetime import time
from typing import Any

from digicoach.accounts.models import Role, User, UserOrganisation
from digicoach.extensions import db
from digicoach.partners.models import (
    Offer,
    OfferException,
    OfferHours,
    OfferLanguage,
    OfferTopic,
    Organisation,
)
from digicoach.places.models import Location, Municipality
from tests.factories import _next, make_user


def make_organisation(
    municipality: Municipality, *, locations: list[Location] = (), **values: Any
) -> Organisation:
    organisation = Organisation(
        municipality=municipality,
        name=values.pop("name", f"Organisatie {_next()}"),
        kind=values.pop("kind", "library"),
        **values,
    )
    db.session.add(organisation)
    db.session.flush()
    for location in locations:
        location.organisation_id = organisation.id
    db.session.flush()
    return organisation


def make_offer(
    organisation: Organisation,
    *,
    topics: tuple[str, ...] = ("smartphone_tablet",),
    languages: tuple[str, ...] = ("nl",),
    hours: tuple[tuple[int, time, time], ...] = ((2, time(9), time(12)),),
    exceptions: tuple[tuple[Any, time | None, time | None], ...] = (),
    **values: Any,
) -> Offer:
    offer = Offer(
        organisation=organisation,
        title=values.pop("title", f"Aanbod {_next()}"),
        kind=values.pop("kind", "device_loan"),
        how_to_get=values.pop("how_to_get", "walk_in"),
        **values,
    )
    if offer.location_id is None and not offer.address:
        offer.address = "Kerkstraat 1, 9000 Gent"
    offer.topic_rows = [OfferTopic(code=code) for code in topics]
    offer.language_rows = [OfferLanguage(code=code) for code in languages]
    offer.hours = [OfferHours(weekday=d, opens=o, closes=c) for d, o, c in hours]
    offer.exceptions = [OfferException(day=d, opens=o, closes=c) for d, o, c in exceptions]
    db.session.add(offer)
    db.session.flush()
    return offer


def make_partner_staff(organisation: Organisation, **values: Any) -> User:
    values.setdefault("two_factor", True)
    user = make_user(roles=(Role.PARTNER,), **values)
    user.organisation_rows = [UserOrganisation(organisation_id=organisation.id)]
    db.session.flush()
    return user
