"""Deterministic demo data for partner organisations: per demo municipality five or six
organisations of different kinds, the digipunten they run, their offers and opening hours.

An offer held at a digipunt opens exactly in that digipunt's weekly blocks (`places.demo`'s
hours, today's block included), so the page "Waar kan ik terecht?" and the opening notes agree
and the demo shows something open now whenever it is seeded. Offers elsewhere (an OCMW office, a
school) have office hours of their own. Every offer is closed on Christmas Day and New Year's
Day. The data are fixed: `rng` is not drawn from, so the other seeders' streams do not change.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from digicoach.accounts.models import User, UserOrganisation
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.partners.models import (
    Offer,
    OfferException,
    OfferHours,
    OfferLanguage,
    OfferTopic,
    Organisation,
)
from digicoach.places import rules as place_rules
from digicoach.places.models import Location

# (weekday, "09:00", "12:00") office hours.
MORNINGS = tuple((day, "09:00", "12:00") for day in range(1, 6))
LIBRARY = "library"
LAPTOP = {
    "title": "Laptop lenen",
    "kind": "device_loan",
    "description": "Leen een laptop voor drie weken. Neem uw identiteitskaart mee.",
    "audience": "Inwoners met een bibliotheekkaart",
    "how_to_get": "walk_in",
    "topics": ("smartphone_tablet", "email", "job_search"),
    "languages": ("nl", "fr", "en"),
}
WIFI = {
    "title": "Gratis wifi en pc's",
    "kind": "free_access",
    "description": "Gebruik gratis een computer, de printer en de wifi.",
    "how_to_get": "walk_in",
    "topics": ("email", "government_services"),
    "languages": ("nl", "fr", "en"),
}
SOCIAL_TARIFF = {
    "title": "Hulp bij het sociaal tarief voor internet",
    "kind": "social_tariff",
    "description": "Wij kijken of u recht hebt op een lager tarief en vragen het samen aan.",
    "audience": "Inwoners met een laag inkomen",
    "how_to_get": "call",
    "topics": ("government_services", "eid_itsme"),
    "languages": ("nl", "fr", "ar"),
}
FORMS = {
    "title": "Hulp bij digitale post en formulieren",
    "kind": "advice",
    "description": "Een hulpverlener helpt u met brieven, mails en formulieren van de overheid.",
    "audience": "Mensen die het moeilijk hebben, na een doorverwijzing",
    "how_to_get": "referral",
    "topics": ("government_services", "eid_itsme", "online_banking"),
    "languages": ("nl", "fr", "en"),
}
SMARTPHONE_COURSE = {
    "title": "Cursus smartphone voor beginners",
    "kind": "course",
    "description": "Vier lessen in een kleine groep: bellen, foto's, WhatsApp en veilig online.",
    "how_to_get": "book",
    "free": False,
    "price": "3 euro per les",
    "topics": ("smartphone_tablet", "video_calling", "safety_phishing"),
    "languages": ("nl",),
}
AT_HOME = {
    "title": "Digitale hulp aan huis",
    "kind": "help_at_home",
    "description": "Kunt u moeilijk weg? Een vrijwilliger komt bij u thuis helpen.",
    "audience": "Ouderen en mensen die moeilijk weg kunnen",
    "how_to_get": "call",
    "address": "Bij u thuis",
    "topics": ("smartphone_tablet", "email", "health_apps"),
    "languages": ("nl",),
}


def _course(title: str, price: str, hours: tuple) -> dict[str, Any]:
    return {
        "title": title,
        "kind": "course",
        "description": "Tien avondlessen: de computer, e-mail, zoeken op internet, veilig online.",
        "how_to_get": "book",
        "free": False,
        "price": price,
        "topics": ("email", "safety_phishing", "job_search"),
        "languages": ("nl",),
        "hours": hours,
    }


ORGANISATIONS: dict[str, list[dict[str, Any]]] = {
    "Gent": [
        {
            "name": "Bibliotheek Gent",
            "kind": LIBRARY,
            "runs": ["Bibliotheek De Krook"],
            "phone": "09 323 68 00",
            "email": "bibliotheek@stad.gent",
            "website": "https://stad.gent/bibliotheek",
            "offers": [
                {**LAPTOP, "at": "Bibliotheek De Krook"},
                {**WIFI, "at": "Bibliotheek De Krook"},
            ],
        },
        {
            "name": "OCMW Gent",
            "kind": "social_services",
            "phone": "09 266 99 00",
            "email": "welzijn@stad.gent",
            "offers": [
                {**SOCIAL_TARIFF, "address": "Onderbergen 86, 9000 Gent", "hours": MORNINGS}
            ],
        },
        {
            "name": "CAW Oost-Vlaanderen",
            "kind": "caw",
            "phone": "09 265 04 04",
            "offers": [
                {
                    **FORMS,
                    "address": "Visserij 153, 9000 Gent",
                    "hours": ((2, "13:30", "16:30"), (4, "13:30", "16:30")),
                }
            ],
        },
        {
            "name": "Lokaal dienstencentrum Ledeberg",
            "kind": "community_centre",
            "runs": ["Lokaal dienstencentrum Ledeberg"],
            "neighbourhoods": ["Ledeberg"],
            "phone": "09 235 37 50",
            "offers": [{**SMARTPHONE_COURSE, "at": "Lokaal dienstencentrum Ledeberg"}],
        },
        {
            "name": "Buurtwerk Brugse Poort vzw",
            "kind": "non_profit",
            "runs": ["Buurtcentrum Brugse Poort"],
            "neighbourhoods": ["Brugse Poort-Rooigem", "Rabot-Blaisantvest"],
            "phone": "09 266 70 10",
            "offers": [{**AT_HOME, "hours": ((1, "09:00", "12:00"), (3, "13:00", "16:00"))}],
        },
        {
            "name": "CVO Gent",
            "kind": "school",
            "phone": "09 225 00 00",
            "offers": [
                {
                    **_course(
                        "Cursus computer voor beginners",
                        "25 euro voor tien lessen",
                        ((4, "18:30", "21:00"),),
                    ),
                    "address": "Oktrooiplein 1, 9000 Gent",
                }
            ],
        },
    ],
    "Antwerpen": [
        {
            "name": "Bibliotheek Permeke",
            "kind": LIBRARY,
            "runs": ["Bibliotheek Permeke"],
            "phone": "03 338 38 00",
            "offers": [
                {**LAPTOP, "at": "Bibliotheek Permeke"},
                {**WIFI, "at": "Bibliotheek Permeke"},
            ],
        },
        {
            "name": "OCMW Antwerpen",
            "kind": "social_services",
            "phone": "03 431 20 00",
            "offers": [
                {
                    **SOCIAL_TARIFF,
                    "address": "Lange Gasthuisstraat 39, 2000 Antwerpen",
                    "hours": MORNINGS,
                }
            ],
        },
        {
            "name": "CAW Antwerpen",
            "kind": "caw",
            "phone": "03 213 20 00",
            "offers": [
                {
                    **FORMS,
                    "address": "Van Immerseelstraat 27, 2018 Antwerpen",
                    "hours": ((1, "13:00", "16:00"), (3, "13:00", "16:00")),
                }
            ],
        },
        {
            "name": "Lokaal dienstencentrum Het Kiel",
            "kind": "community_centre",
            "runs": ["Lokaal dienstencentrum Het Kiel"],
            "neighbourhoods": ["Kiel"],
            "phone": "03 431 45 00",
            "offers": [{**SMARTPHONE_COURSE, "at": "Lokaal dienstencentrum Het Kiel"}],
        },
        {
            "name": "District Deurne",
            "kind": "other",
            "runs": ["Districtshuis Deurne"],
            "neighbourhoods": ["Deurne Noord"],
            "phone": "03 338 10 00",
            "offers": [
                {
                    **FORMS,
                    "title": "Hulp met itsme en het e-loket",
                    "kind": "advice",
                    "audience": "",
                    "how_to_get": "book",
                    "at": "Districtshuis Deurne",
                }
            ],
        },
    ],
    "Kortrijk": [
        {
            "name": "Stadsbibliotheek Kortrijk",
            "kind": LIBRARY,
            "runs": ["Stadsbibliotheek Kortrijk"],
            "phone": "056 27 75 00",
            "offers": [{**LAPTOP, "at": "Stadsbibliotheek Kortrijk"}],
        },
        {
            "name": "OCMW Kortrijk",
            "kind": "social_services",
            "phone": "056 24 48 00",
            "offers": [
                {**SOCIAL_TARIFF, "address": "Budastraat 27, 8500 Kortrijk", "hours": MORNINGS}
            ],
        },
        {
            "name": "Dienstencentrum Overleie",
            "kind": "community_centre",
            "runs": ["Dienstencentrum Overleie"],
            "neighbourhoods": ["Overleie", "Heule"],
            "phone": "056 24 41 70",
            "offers": [
                {**AT_HOME, "hours": ((2, "09:00", "12:00"), (4, "09:00", "12:00"))},
                {**WIFI, "at": "Dienstencentrum Overleie"},
            ],
        },
        {
            "name": "CVO Miras",
            "kind": "school",
            "phone": "056 26 02 40",
            "offers": [
                {
                    **_course(
                        "Cursus computer voor beginners",
                        "20 euro voor tien lessen",
                        ((2, "18:30", "21:00"),),
                    ),
                    "address": "Doorniksesteenweg 33, 8500 Kortrijk",
                }
            ],
        },
    ],
}
# The partner staff demo account works for this organisation.
DEMO_PARTNER_ORGANISATION = ("Gent", "Bibliotheek Gent")


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def block_hours(blocks: list[Any]) -> list[tuple[int, time, time]]:
    """A digipunt's weekly blocks (places.demo.Hours) as (weekday, opens, closes); a block
    that runs to midnight closes at 23:59 (a time of day cannot be 24:00)."""
    found = []
    for block in blocks:
        end = min(block.end_minute, 24 * 60 - 1)
        for weekday in block.weekdays:
            found.append((weekday, block.start, time(end // 60, end % 60)))
    return sorted(found)


def _holidays(now: datetime) -> list[date]:
    today = clock.local(now).date()
    christmas = date(today.year, 12, 25)
    if christmas < today:
        christmas = date(today.year + 1, 12, 25)
    new_year = date(today.year + 1, 1, 1) if today.month > 1 or today.day > 1 else today
    return sorted({christmas, new_year})


def seed_organisations(
    *, places: dict[str, Any], now: datetime, partner_user: User | None = None
) -> dict[str, list[Organisation]]:
    """Create the organisations and offers, link their digipunten; flush only."""
    by_name: dict[str, Location] = {location.name: location for location in places["locations"]}
    hours_of: dict[int, list[Any]] = places["hours"]
    holidays = _holidays(now)
    made: dict[str, list[Organisation]] = {}
    for municipality_name, specs in ORGANISATIONS.items():
        municipality = places["municipalities"][municipality_name]
        neighbourhoods = places["neighbourhoods"][municipality_name]
        made[municipality_name] = []
        for spec in specs:
            organisation = Organisation(
                municipality=municipality,
                name=spec["name"],
                kind=spec["kind"],
                phone=_phone(spec["phone"], spec["name"]),
                email=spec.get("email", ""),
                website=spec.get("website", ""),
                created_at=now,
            )
            organisation.neighbourhoods = [
                neighbourhoods[n] for n in spec.get("neighbourhoods", ())
            ]
            db.session.add(organisation)
            db.session.flush()
            for location_name in spec.get("runs", ()):
                by_name[location_name].organisation_id = organisation.id
            for offer_spec in spec["offers"]:
                db.session.add(
                    _offer(organisation, dict(offer_spec), by_name, hours_of, holidays, now)
                )
            made[municipality_name].append(organisation)
            if partner_user is not None and (municipality_name, spec["name"]) == (
                DEMO_PARTNER_ORGANISATION
            ):
                partner_user.organisation_rows = [UserOrganisation(organisation_id=organisation.id)]
    db.session.flush()
    return made


def _offer(
    organisation: Organisation,
    spec: dict[str, Any],
    locations: dict[str, Location],
    hours_of: dict[int, list[Any]],
    holidays: list[date],
    now: datetime,
) -> Offer:
    location = locations[spec.pop("at")] if "at" in spec else None
    if location is not None:
        hours = block_hours(hours_of[location.id])
    else:
        hours = [(day, _clock(opens), _clock(closes)) for day, opens, closes in spec["hours"]]
    offer = Offer(
        organisation=organisation,
        title=spec["title"],
        kind=spec["kind"],
        description=spec.get("description", ""),
        audience=spec.get("audience", ""),
        free=spec.get("free", True),
        price=spec.get("price", ""),
        how_to_get=spec["how_to_get"],
        location_id=location.id if location else None,
        address=spec.get("address", ""),
        phone=organisation.phone,
        created_at=now,
        updated_at=now,
    )
    offer.topic_rows = [OfferTopic(code=code) for code in sorted(set(spec["topics"]))]
    offer.language_rows = [OfferLanguage(code=code) for code in sorted(set(spec["languages"]))]
    offer.hours = [OfferHours(weekday=d, opens=o, closes=c) for d, o, c in hours]
    offer.exceptions = [
        OfferException(day=day, label="Kerstmis" if day.month == 12 else "Nieuwjaar")
        for day in holidays
    ]
    return offer


def _phone(text: str, owner: str) -> str:
    phone = place_rules.normalise_phone(text)
    if phone is None:
        raise ValueError(f"invalid demo phone for {owner}")
    return phone
