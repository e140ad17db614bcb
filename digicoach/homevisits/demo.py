"""Demo home visits in Gent: a few coaches who opted in, and four visits in the coming week from
the first Gent digipunt, booked by the demo desk through the same service as the form, with the
people who go chosen at booking time. Three have two coaches, one has a coach and the desk staff
member; on one of the three a coach cancelled afterwards, so it lacks its second coach (the
staffing board shows it). Addresses are real Gent streets with made-up house numbers."""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.core.errors import ValidationFailed
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.services import shifts
from digicoach.homevisits import services
from digicoach.homevisits.models import HomeVisit
from digicoach.training.rules import WORKING_STATUSES

MUNICIPALITY = "Gent"
OPTED_IN = 8
# (n-th weekday ahead, start, end, first name, phone, street, postcode, notes, topic,
#  the desk goes along, a coach cancels afterwards)
VISITS = (
    (
        1,
        time(10),
        time(11, 30),
        "Marcel",
        "0470 21 43 65",
        "Kortrijksesteenweg 214",
        "9000",
        "Tweede verdieping, er is een lift. Bel twee keer.",
        "eid_itsme",
        False,
        False,
    ),
    (
        2,
        time(14),
        time(15, 30),
        "Rosa",
        "0486 33 12 90",
        "Dendermondsesteenweg 57",
        "9040",
        "Mevrouw hoort slecht: spreek rustig en duidelijk.",
        "online_banking",
        False,
        False,
    ),
    (
        3,
        time(10, 30),
        time(12),
        "Jozef",
        "0473 55 81 02",
        "Brusselsesteenweg 340",
        "9050",
        "Gelijkvloers. Een kleine hond in huis.",
        "video_calling",
        True,
        False,
    ),
    (
        5,
        time(14, 30),
        time(16),
        "Fatma",
        "0495 64 27 18",
        "Wondelgemstraat 96",
        "9000",
        "Derde verdieping zonder lift; mevrouw komt niet meer buiten.",
        "health_apps",
        False,
        True,
    ),
)


def seed_home_visits(
    *, rng: random.Random, places: dict[str, Any], now: datetime, desk: User
) -> list[HomeVisit]:
    """Opt a few working Gent coaches in and book VISITS for them (see the module docstring)."""
    gent = places["municipalities"][MUNICIPALITY]
    location = next(loc for loc in places["locations"] if loc.municipality_id == gent.id)
    working = list(
        db.session.scalars(
            select(Coach)
            .where(Coach.municipality_id == gent.id, Coach.status.in_(sorted(WORKING_STATUSES)))
            .order_by(Coach.id)
        )
    )
    opted_in = rng.sample(working, min(OPTED_IN, len(working)))
    for coach in opted_in:
        coach.home_visits = True
    db.session.flush()
    weekdays = _weekdays_after(clock.local(now).date())
    visits = []
    for days, start, end, name, phone, street, postcode, notes, topic, companion, leaves in VISITS:
        data = services.VisitInput(
            location_id=location.id,
            day=weekdays[days - 1],
            start_time=start,
            end_time=end,
            first_name=name,
            phone=phone,
            street=street,
            postcode=postcode,
            city=MUNICIPALITY,
            accessibility_notes=notes,
            topic=topic,
            language="nl",
            companion=companion,
        )
        visit = _book_with_free_coaches(desk, data, opted_in, now)
        if visit is None:
            continue
        if leaves:
            shift = helpdesk_queries.active_shifts(visit.session)[-1]
            shifts.cancel_shift(actor=shift.coach.user, shift=shift, now=now)
        visits.append(visit)
    return visits


def _weekdays_after(day: date, count: int = 7) -> list[date]:
    """The next `count` days from Monday to Friday after `day`: visits happen on weekdays."""
    found: list[date] = []
    while len(found) < count:
        day += timedelta(days=1)
        if day.isoweekday() <= 5:
            found.append(day)
    return found


def _book_with_free_coaches(
    desk: User, data: services.VisitInput, coaches: list[Coach], now: datetime
) -> HomeVisit | None:
    """Book the visit with the first coaches, in order, whom the shift rules let go (overlap,
    travel time): one when the desk goes along, two otherwise. The service writes nothing when
    it refuses, so the next choice is simply tried."""
    wanted = 1 if data.companion else 2
    for chosen in itertools.combinations(coaches, wanted):
        try:
            return services.book_visit(
                actor=desk,
                data=dataclasses.replace(data, coach_ids=tuple(c.id for c in chosen)),
                now=now,
            )
        except ValidationFailed:
            continue
    return None
