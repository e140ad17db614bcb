"""Deterministic demo data for places: the Cross & Learn programme over Gent, Antwerpen and
Kortrijk, with real neighbourhood names and plausible digipunt locations.

Call only on an empty database (the seed-demo command checks that first). The addresses are
plausible, not an official directory; phone numbers are normalised like user input is. Each
digipunt has its own landline (09 in Gent, 03 in Antwerpen, 056 in Kortrijk); the programme's
number is the one the footer shows.

Opening hours. Each digipunt has a weekly schedule (`Hours`): the helpdesk demo makes its help
sessions from it and its opening notes are written from it (`opening_notes`), so the two never
disagree. The demo must look alive whenever it is seeded (`make run` at 07:00, at noon, at
22:30, on a Sunday): `weekly_hours` gives every digipunt a block on today's weekday that covers
the current hour. When one of its own hybrid blocks does already (De Krook on a Tuesday
morning), that block is today's; otherwise today's weekday leaves its usual blocks and
gets a hybrid block of three hours from the full hour before now (half an hour later at every
other digipunt), never past midnight: seeded at 22:30, an evening spreekuur from 21.00 to
24.00, like a community centre's late opening. That block recurs weekly, so the opening notes,
the sessions and today agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places import rules
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme

# Help session modes (the helpdesk's words; places sits below helpdesk, so spelled out here).
WALK_IN = "walk_in"
APPOINTMENT = "appointment"
HYBRID = "hybrid"
DAY_MINUTES = 24 * 60

# Topic sets of sessions that do not take every topic.
PAPERS = ("eid_itsme", "government_services", "online_banking", "health_apps")
DEVICES = ("smartphone_tablet", "email", "video_calling")
WORK_AND_SAFETY = ("job_search", "safety_phishing", "email")


@dataclass(frozen=True)
class Hours:
    """A weekly block of a digipunt: ISO weekdays, local start, length, mode, and what the
    sessions take (no topics or languages listed: any)."""

    weekdays: tuple[int, ...]
    start: time
    minutes: int
    mode: str
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("nl",)

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.minutes


WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MODE_WORDS = {
    WALK_IN: "Zonder afspraak",
    APPOINTMENT: "Op afspraak",
    HYBRID: "Met of zonder afspraak",
}
TODAY_MINUTES = 180
TODAY_LANGUAGES = ("nl", "fr", "en")


def clock_words(minute: int) -> str:
    """'9.30', '13.00', '24.00': hours as Flemish signs write them."""
    return f"{minute // 60}.{minute % 60:02d}"


def days_words(weekdays: tuple[int, ...]) -> str:
    if tuple(weekdays) == (1, 2, 3, 4, 5):
        return "elke werkdag"
    names = [WEEKDAY_NAMES[day - 1] for day in sorted(weekdays)]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    return f"op {joined}"


def opening_notes(hours: list[Hours]) -> str:
    """One sentence per block, in weekday order: 'Op afspraak op woensdag van 9.00 tot 12.00
    uur.' Written from the same blocks the sessions are made of."""
    ordered = sorted(hours, key=lambda h: (min(h.weekdays), h.start_minute))
    return " ".join(
        f"{MODE_WORDS[h.mode]} {days_words(h.weekdays)} van {clock_words(h.start_minute)} "
        f"tot {clock_words(h.end_minute)} uur."
        for h in ordered
    )


def today_block(now: datetime, index: int) -> Hours:
    """The hybrid block on today's weekday for the digipunt at `index` (see the docstring)."""
    local = clock.local(now)
    hour_start = local.hour * 60
    start = max(hour_start - 60 + (30 if index % 2 else 0), 0)
    if start > local.hour * 60 + local.minute:
        start = hour_start
    minutes = min(TODAY_MINUTES, DAY_MINUTES - start)
    return Hours(
        (local.isoweekday(),),
        time(start // 60, start % 60),
        minutes,
        HYBRID,
        languages=TODAY_LANGUAGES,
    )


def weekly_hours(usual: list[Hours], *, now: datetime, index: int) -> list[Hours]:
    """The digipunt's usual blocks with one on today's weekday that covers now (or a usual
    hybrid one that does and still runs an hour: today has walk-ins and appointments)."""
    local = clock.local(now)
    weekday, minute = local.isoweekday(), local.hour * 60 + local.minute
    for block in usual:
        if (
            weekday in block.weekdays
            and block.mode == HYBRID
            and block.start_minute <= minute < block.end_minute - 60
        ):
            return list(usual)
    kept = []
    for block in usual:
        days = tuple(day for day in block.weekdays if day != weekday)
        if days:
            kept.append(replace(block, weekdays=days))
    return [*kept, today_block(now, index)]


PROGRAMME = {
    "name": "Cross & Learn",
    "starts_on": date(2025, 1, 1),
    "ends_on": date(2027, 12, 31),
    "front_desk_phone": "09 266 04 30",
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
                "hours": [
                    Hours((2, 4), time(9, 30), 180, HYBRID, languages=("nl", "fr", "en")),
                ],
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
                "hours": [
                    Hours((1,), time(13, 30), 150, WALK_IN, languages=("nl", "tr")),
                    Hours((5,), time(9, 30), 150, APPOINTMENT, topics=PAPERS),
                ],
                "accessibility_notes": "Ingang op straatniveau, rustige ruimte achteraan.",
            },
            {
                "name": "Buurtcentrum Brugse Poort",
                "street": "Emilius Seghersplein 2",
                "postcode": "9000",
                "city": "Gent",
                "neighbourhood": "Brugse Poort-Rooigem",
                "front_desk_phone": "09 266 70 10",
                "hours": [
                    Hours(
                        (3,), time(9, 0), 180, APPOINTMENT, topics=DEVICES, languages=("nl", "ar")
                    ),
                ],
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
                "hours": [
                    Hours(
                        (1, 2, 3, 4, 5),
                        time(10, 0),
                        120,
                        HYBRID,
                        languages=("nl", "fr", "en", "ar"),
                    ),
                ],
                "accessibility_notes": "Drempelvrij, lift, ringleiding aan de balie.",
            },
            {
                "name": "Lokaal dienstencentrum Het Kiel",
                "street": "Sint-Bernardsesteenweg 140",
                "postcode": "2020",
                "city": "Antwerpen",
                "neighbourhood": "Kiel",
                "front_desk_phone": "03 431 45 00",
                "hours": [
                    Hours((4,), time(13, 0), 180, WALK_IN),
                    Hours((2,), time(13, 30), 150, APPOINTMENT, topics=WORK_AND_SAFETY),
                ],
                "accessibility_notes": "Ingang op straatniveau, aangepast toilet.",
            },
            {
                "name": "Districtshuis Deurne",
                "street": "Maurice Dequeeckerplein 1",
                "postcode": "2100",
                "city": "Antwerpen",
                "neighbourhood": "Deurne Noord",
                "front_desk_phone": "03 338 10 00",
                "hours": [
                    Hours((2,), time(9, 0), 180, APPOINTMENT, topics=PAPERS),
                ],
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
                "hours": [
                    Hours((3, 6), time(10, 0), 120, APPOINTMENT),
                ],
                "accessibility_notes": "Drempelvrije ingang, lift, aangepast toilet.",
            },
            {
                "name": "Dienstencentrum Overleie",
                "street": "Lange Brugstraat 54",
                "postcode": "8500",
                "city": "Kortrijk",
                "neighbourhood": "Overleie",
                "front_desk_phone": "056 24 41 70",
                "hours": [
                    Hours((5,), time(9, 30), 120, WALK_IN),
                    Hours((1,), time(14, 0), 150, HYBRID, topics=(*DEVICES, "safety_phishing")),
                ],
                "accessibility_notes": "Gelijkvloers, brede deuren.",
            },
        ],
    },
}


def seed_places(*, rng: random.Random, now: datetime | None = None) -> dict[str, Any]:
    """Create the demo programme, municipalities, neighbourhoods and locations; flush only.

    Returns {"programme": Programme, "municipalities": {name: Municipality},
    "neighbourhoods": {municipality name: {name: Neighbourhood}}, "locations": [Location],
    "hours": {location id: [Hours]}} (the weekly schedule the helpdesk demo plans from, with
    today's block for `now`, default the clock's). The data are fixed, so `rng` is not drawn
    from: every seed gives the same places, and the other seeders' random streams do not
    depend on ours.
    """
    if db.session.scalar(select(Programme.id).where(Programme.name == PROGRAMME["name"])):
        raise RuntimeError("the places demo data exist already; seed an empty database")
    moment = now or clock.now()
    municipalities: dict[str, Municipality] = {}
    neighbourhoods: dict[str, dict[str, Neighbourhood]] = {}
    locations: list[Location] = []
    schedules: list[list[Hours]] = []
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
            hours = weekly_hours(values.pop("hours"), now=moment, index=len(locations))
            location = Location(
                municipality=municipality,
                neighbourhood=neighbourhood,
                front_desk_phone=_phone(values.pop("front_desk_phone"), values["name"]),
                opening_notes=opening_notes(hours),
                active=True,
                **values,
            )
            db.session.add(location)
            locations.append(location)
            schedules.append(hours)
    programme = Programme(
        **{**PROGRAMME, "front_desk_phone": _phone(PROGRAMME["front_desk_phone"], "programme")}
    )
    db.session.add(programme)
    programme.municipalities = list(municipalities.values())
    db.session.flush()
    return {
        "programme": programme,
        "municipalities": municipalities,
        "neighbourhoods": neighbourhoods,
        "locations": locations,
        "hours": {location.id: hours for location, hours in zip(locations, schedules, strict=True)},
    }


def _phone(text: str, owner: str) -> str:
    phone = rules.normalise_phone(text)
    if phone is None:  # a typo in the data above: fail loudly, not silently
        raise ValueError(f"invalid demo phone for {owner}")
    return phone
