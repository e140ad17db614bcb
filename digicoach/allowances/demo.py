"""Demo data for allowances: the official caps of 2024, the caps this year's demo records
against, insurance on every programme, and flat-rate and kilometre allowances for a few Gent
coaches on the days of their past shifts this year (recorded by the demo coordinator through
the service, so the caps and the audit log hold).

Where the figures come from: the Vlaams Steunpunt Vrijwilligerswerk (Vlaanderen Vrijwilligt,
"Kostenvergoedingen") gives 41.48 euro a day and 1,659.29 euro a year for 2024; the kilometre
rates of 1 January to 31 March 2024 were 0.4269 euro (car, motorbike) and 0.35 euro (bicycle),
with at most 2,000 km a year on top of the flat-rate allowance. No official figures for a later
year are carried here: the demo copies 2024's caps to the current year and says so in `source`,
so an admin sees at once that the indexed figures must be entered.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.allowances import services
from digicoach.allowances.models import ProgrammeInsurance
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.places.models import Location, Programme

SOURCE_2024 = (
    "Vlaanderen Vrijwilligt (Vlaams Steunpunt Vrijwilligerswerk), 'Kostenvergoedingen': "
    "2024: 41,48 euro per dag en 1.659,29 euro per jaar; kilometervergoeding 1/1-31/3/2024: "
    "0,4269 euro (auto, motor) en 0,35 euro (fiets); max. 2.000 km per jaar. "
    "https://www.vlaanderenvrijwilligt.be/wetgeving/kostenvergoedingen/"
)
CAPS_2024 = {
    "daily_cap": "41,48",
    "yearly_cap": "1.659,29",
    "car_rate": "0,4269",
    "bicycle_rate": "0,35",
    "km_cap": 2000,
}
INSURANCE = {
    "insurer": "Ethias (demo)",
    "cover": (
        "Burgerlijke aansprakelijkheid, lichamelijke ongevallen en rechtsbijstand tijdens het "
        "vrijwilligerswerk en op weg van en naar een digipunt."
    ),
}
# Flat-rate allowance per shift (euro) and a few coaches who come by bicycle (km there and back).
PER_SHIFT = ("7,50", "10,00", "12,50")
BICYCLE_KM = (6, 8, 12)
COACHES_PAID = 4


def seed_allowances(
    *,
    rng: random.Random,
    now: datetime,
    admin: User,
    coordinator: User,
    demo_coach_user: User | None = None,
) -> int:
    """Caps, insurance and allowances; returns how many allowances were recorded. The demo
    coach is among the coaches paid, so their /me/allowances page has lines."""
    year = clock.local(now).year
    services.set_caps(
        actor=admin, data=services.CapsInput(year=2024, source=SOURCE_2024, **CAPS_2024), now=now
    )
    if year != 2024:
        services.set_caps(
            actor=admin,
            data=services.CapsInput(
                year=year,
                source=(
                    f"Demo: de officiële bedragen van 2024 (zie 2024). Vul de geïndexeerde "
                    f"bedragen van {year} in uit dezelfde bron."
                ),
                **CAPS_2024,
            ),
            now=now,
        )
    for number, programme in enumerate(db.session.scalars(select(Programme)), start=1):
        db.session.add(
            ProgrammeInsurance(
                programme_id=programme.id,
                policy_number=f"DEMO-45.{100 + number}.{rng.randint(100, 999)}",
                updated_at=now,
                updated_by_id=admin.id,
                **INSURANCE,
            )
        )
    db.session.flush()
    first = None
    if demo_coach_user is not None:
        first = db.session.scalar(select(Coach.id).where(Coach.user_id == demo_coach_user.id))
    return _allowances_for_past_shifts(
        rng=rng, now=now, coordinator=coordinator, year=year, first_coach_id=first
    )


def _allowances_for_past_shifts(
    *, rng: random.Random, now: datetime, coordinator: User, year: int, first_coach_id: int | None
) -> int:
    """Per shift that ended this year in the coordinator's municipalities: a flat-rate
    allowance for a few coaches, and for some of them the bicycle kilometres of that day."""
    rows = db.session.execute(
        select(Shift, HelpSession.starts_at)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            Shift.status != ShiftStatus.CANCELLED,
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.ends_at <= now,
            Location.municipality_id.in_(sorted(coordinator.municipality_ids)),
        )
        .order_by(HelpSession.starts_at, Shift.id)
    ).all()
    by_coach: dict[int, list[Shift]] = {}
    for shift, starts_at in rows:
        if clock.local(starts_at).year == year:
            by_coach.setdefault(shift.coach_id, []).append(shift)
    recorded = 0
    paid = sorted(by_coach, key=lambda coach_id: (coach_id != first_coach_id, coach_id))
    for index, coach_id in enumerate(paid[:COACHES_PAID]):
        coach = db.session.get(Coach, coach_id)
        assert coach is not None
        per_shift = PER_SHIFT[index % len(PER_SHIFT)]
        km = BICYCLE_KM[index % len(BICYCLE_KM)] if index % 2 == 0 else 0
        for shift in by_coach[coach_id]:
            services.record(
                actor=coordinator,
                coach=coach,
                data=services.AllowanceInput(kind="flat", amount=per_shift, shift_id=shift.id),
                now=now,
            )
            recorded += 1
            if km and rng.random() < 0.8:
                services.record(
                    actor=coordinator,
                    coach=coach,
                    data=services.AllowanceInput(kind="bicycle", km=km, shift_id=shift.id),
                    now=now,
                )
                recorded += 1
    return recorded
