"""Phase 1: municipalities, neighbourhoods, digipunten and the programmes."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING

from digicoach.demo_data.flanders.common import HISTORY_DAYS, PlaceRow
from digicoach.demo_data.flanders.names import (
    BIG_CITIES,
    CITIES,
    LOCATION_KINDS,
    NEIGHBOURHOODS,
    PROVINCES,
    STREETS,
    municipality_names,
)
from digicoach.places.models import (
    Location,
    Municipality,
    Neighbourhood,
    Programme,
    programme_municipality,
)

if TYPE_CHECKING:
    from digicoach.demo_data.flanders.seeder import Seeder


def places(seeder: Seeder) -> None:
    rng = seeder.rng
    count = seeder.size.municipalities
    names = municipality_names(count, rng)
    created = seeder.now - timedelta(days=HISTORY_DAYS + 60)
    municipalities, neighbourhoods, locations = [], [], []
    seeder.weights: dict[int, float] = {}
    seeder.places_by_municipality: dict[int, list[PlaceRow]] = {}
    seeder.places_list: list[PlaceRow] = []
    sequence: Counter[int] = Counter()
    for index, name in enumerate(names, start=1):
        arrondissements, (low, high) = PROVINCES[index % len(PROVINCES)]
        arrondissement = arrondissements[(index // len(PROVINCES)) % len(arrondissements)]
        sequence[arrondissement] += 1
        nis = f"{arrondissement}{sequence[arrondissement]:03d}"
        weight = BIG_CITIES.get(name) or CITIES.get(name) or rng.lognormvariate(0, 0.6)
        seeder.weights[index] = weight
        municipalities.append((index, name, nis, created))
        postcode = str(rng.randint(low, high))
        own = []
        for part in rng.sample(NEIGHBOURHOODS, min(len(NEIGHBOURHOODS), 2 + round(weight))):
            nid = len(neighbourhoods) + 1
            neighbourhoods.append((nid, index, part))
            own.append((nid, part))
        for n in range(max(1, min(6, round(weight * 1.5)))):
            nid, part = own[n % len(own)]
            kind = LOCATION_KINDS[n % len(LOCATION_KINDS)]
            lid = len(locations) + 1
            label = f"{kind} {name}" if n == 0 else f"{kind} {part}"
            locations.append(
                (
                    lid,
                    index,
                    nid,
                    label,
                    f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
                    postcode,
                    name,
                    f"0{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)}",
                    "",
                    "",
                    True,
                    created,
                )
            )
            # Two in five digipunten were open before the year began; the rest opened
            # during its first nine months, so the figures grow over the year.
            opened = (
                seeder.first_day
                if rng.random() < 0.4
                else seeder.first_day + timedelta(days=rng.randint(0, 270))
            )
            place = PlaceRow(lid, index, nid, opened)
            seeder.places_by_municipality.setdefault(index, []).append(place)
            seeder.places_list.append(place)
    w = seeder.writer
    w.write(Municipality.__table__, ("id", "name", "nis_code", "created_at"), municipalities)
    w.write(Neighbourhood.__table__, ("id", "municipality_id", "name"), neighbourhoods)
    w.write(
        Location.__table__,
        (
            "id",
            "municipality_id",
            "neighbourhood_id",
            "name",
            "street",
            "postcode",
            "city",
            "front_desk_phone",
            "opening_notes",
            "accessibility_notes",
            "active",
            "created_at",
        ),
        locations,
    )
    starts_on = seeder.first_day.replace(day=1)
    ends_on = date(starts_on.year + 2, 12, 31)
    # The Digibank: an inter-municipal programme of about one in fifteen municipalities.
    digibank = sorted(rng.sample(range(1, count + 1), max(1, count // 15)))
    programmes = [
        (1, "Cross & Learn", starts_on, ends_on, 1000, 30000, "", created),
        (
            2,
            "Digibank Kempen",
            starts_on,
            ends_on,
            max(1, 50 * len(digibank) // 20),
            max(1, 1500 * len(digibank) // 20),
            "",
            created,
        ),
    ]
    w.write(
        Programme.__table__,
        (
            "id",
            "name",
            "starts_on",
            "ends_on",
            "coach_target",
            "citizen_target",
            "description",
            "created_at",
        ),
        programmes,
    )
    links = [(1, m) for m in range(1, count + 1)] + [(2, m) for m in digibank]
    w.write(programme_municipality, ("programme_id", "municipality_id"), links)


# -- people --------------------------------------------------------------------------------
