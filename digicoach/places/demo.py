"""Deterministic demo data for places: the Cross & Learn programme over Gent, Antwerpen and
Kortrijk, with real neighbourhood names and plausible digipunt locations.

Call only on an empty database (the seed-demo command checks that first). The addresses are
plausible, not an official directory; phone numbers are normalised like user input is.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy import select

from digicoach.extensions import db
from digicoach.places import rules
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme

PROGRAMME = {
    "name": "Cross & Learn",
    "starts_on": date(2025, 1, 1),
    "ends_on": date(2027, 12, 31),
    "coach_target": 1000,
    "citizen_target": 30000,
    "description": (
        "Samen maken we Gent, Antwerpen en Kortrijk digitaal inclusief: 1000 vrijwillige "
        "digicoaches helpen 30.000 burgers op weg met hun smartphone, itsme, e-mail en "
        "online diensten.\n\n"
        "Digicoaches volgen een opleiding en helpen daarna in een digipunt bij hen in de buurt."
    ),
}

MUNICIPALITIES: dict[str, dict[str, Any]] = {
    "Gent": {
        "nis_code": "44021",
        "neighbourhoods": [
            "Binnenstad",
            "Sluizeken-Tolhuis-Ham",
            "Rabot-Blaisantvest",
            "Brugse Poort-Rooigem",
            "Nieuw Gent-UZ",
            "Ledeberg",
        ],
        "locations": [
            {
                "name": "Bibliotheek De Krook",
                "street": "Miriam Makebaplein 1",
                "postcode": "9000",
                "city": "Gent",
                "neighbourhood": "Binnenstad",
                "front_desk_phone": "09 323 68 00",
                "opening_notes": "Digipunt op dinsdag en donderdag van 9.30 tot 12.30 uur.",
                "accessibility_notes": "Drempelvrije ingang, liften naar alle verdiepingen, "
                "aangepast toilet op het gelijkvloers.",
            },
            {
                "name": "Lokaal dienstencentrum Ledeberg",
                "street": "Hundelgemsesteenweg 82",
                "postcode": "9050",
                "city": "Gent",
                "neighbourhood": "Ledeberg",
                "front_desk_phone": "09 235 37 50",
                "opening_notes": "Zonder afspraak op maandag van 13.30 tot 16.00 uur.",
                "accessibility_notes": "Ingang op straatniveau, rustige ruimte achteraan.",
            },
            {
                "name": "Buurtcentrum Brugse Poort",
                "street": "Emilius Seghersplein 2",
                "postcode": "9000",
                "city": "Gent",
                "neighbourhood": "Brugse Poort-Rooigem",
                "front_desk_phone": "09 266 70 10",
                "opening_notes": "Op afspraak op woensdag van 9.00 tot 12.00 uur.",
                "accessibility_notes": "Hellend vlak aan de zij-ingang.",
            },
        ],
    },
    "Antwerpen": {
        "nis_code": "11002",
        "neighbourhoods": [
            "Borgerhout intra muros",
            "Kiel",
            "Deurne Noord",
            "Linkeroever",
            "Seefhoek",
        ],
        "locations": [
            {
                "name": "Bibliotheek Permeke",
                "street": "De Coninckplein 25",
                "postcode": "2060",
                "city": "Antwerpen",
                "neighbourhood": "Seefhoek",
                "front_desk_phone": "03 338 38 00",
                "opening_notes": "Digipunt elke werkdag van 10.00 tot 12.00 uur.",
                "accessibility_notes": "Drempelvrij, lift, ringleiding aan de balie.",
            },
            {
                "name": "Lokaal dienstencentrum Het Kiel",
                "street": "Sint-Bernardsesteenweg 140",
                "postcode": "2020",
                "city": "Antwerpen",
                "neighbourhood": "Kiel",
                "front_desk_phone": "03 431 45 00",
                "opening_notes": "Zonder afspraak op donderdag van 13.00 tot 16.00 uur.",
                "accessibility_notes": "Ingang op straatniveau, aangepast toilet.",
            },
            {
                "name": "Districtshuis Deurne",
                "street": "Maurice Dequeeckerplein 1",
                "postcode": "2100",
                "city": "Antwerpen",
                "neighbourhood": "Deurne Noord",
                "front_desk_phone": "03 338 10 00",
                "opening_notes": "Op afspraak op dinsdag van 9.00 tot 12.00 uur.",
                "accessibility_notes": "Lift naar de eerste verdieping.",
            },
        ],
    },
    "Kortrijk": {
        "nis_code": "34022",
        "neighbourhoods": ["Kortrijk centrum", "Overleie", "Heule", "Marke"],
        "locations": [
            {
                "name": "Stadsbibliotheek Kortrijk",
                "street": "Leiestraat 30",
                "postcode": "8500",
                "city": "Kortrijk",
                "neighbourhood": "Kortrijk centrum",
                "front_desk_phone": "056 27 75 00",
                "opening_notes": "Digipunt op woensdag en zaterdag van 10.00 tot 12.00 uur.",
                "accessibility_notes": "Drempelvrije ingang, lift, aangepast toilet.",
            },
            {
                "name": "Dienstencentrum Overleie",
                "street": "Lange Brugstraat 54",
                "postcode": "8500",
                "city": "Kortrijk",
                "neighbourhood": "Overleie",
                "front_desk_phone": "056 24 41 70",
                "opening_notes": "Zonder afspraak op vrijdag van 9.30 tot 11.30 uur.",
                "accessibility_notes": "Gelijkvloers, brede deuren.",
            },
        ],
    },
}


def seed_places(*, rng: random.Random) -> dict[str, Any]:
    """Create the demo programme, municipalities, neighbourhoods and locations; flush only.

    Returns {"programme": Programme, "municipalities": {name: Municipality},
    "neighbourhoods": {municipality name: {name: Neighbourhood}}, "locations": [Location]}.
    The data are fixed, so `rng` is not drawn from: every seed gives the same places, and the
    other seeders' random streams do not depend on ours.
    """
    if db.session.scalar(select(Programme.id).where(Programme.name == PROGRAMME["name"])):
        raise RuntimeError("the places demo data exist already; seed an empty database")
    municipalities: dict[str, Municipality] = {}
    neighbourhoods: dict[str, dict[str, Neighbourhood]] = {}
    locations: list[Location] = []
    for name, spec in MUNICIPALITIES.items():
        municipality = Municipality(name=name, nis_code=spec["nis_code"])
        db.session.add(municipality)
        municipalities[name] = municipality
        neighbourhoods[name] = {
            n: Neighbourhood(municipality=municipality, name=n) for n in spec["neighbourhoods"]
        }
        db.session.add_all(neighbourhoods[name].values())
        for location_spec in spec["locations"]:
            values = dict(location_spec)
            neighbourhood = neighbourhoods[name][values.pop("neighbourhood")]
            phone = rules.normalise_phone(values.pop("front_desk_phone"))
            if phone is None:  # a typo in the data above: fail loudly, not silently
                raise ValueError(f"invalid demo phone for {values['name']}")
            location = Location(
                municipality=municipality,
                neighbourhood=neighbourhood,
                front_desk_phone=phone,
                active=True,
                **values,
            )
            db.session.add(location)
            locations.append(location)
    programme = Programme(**PROGRAMME)
    db.session.add(programme)
    programme.municipalities = list(municipalities.values())
    db.session.flush()
    return {
        "programme": programme,
        "municipalities": municipalities,
        "neighbourhoods": neighbourhoods,
        "locations": locations,
    }
