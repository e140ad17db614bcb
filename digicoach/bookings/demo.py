"""Demo data for bookings: a busy today at every demo digipunt and a handful of appointments
in the coming two weeks.

Today. The places demo gives every digipunt a hybrid session that covers the hour of seeding
(see places.demo); here it gets a few appointments (booked online in the days before, through
the service, so slot counters and citizen keys are right; those already over are marked
attended) and a walk-in queue: earlier numbers helped or called to a table by a coach on shift,
the last ones waiting. Walk-in rows are written directly, as recorded: each came while the
session ran or was about to, so they meet the rule that a walk-in is registered only at a
digipunt with a walk-in or hybrid session now or later that day.

The coming two weeks: their sessions have coaches signed up (helpdesk demo), so every topic has
a free slot somewhere; a few appointments are booked there too. Flush only; the seed-demo
command commits.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from digicoach.bookings import queries, rules, services
from digicoach.bookings.models import AppointmentStatus, BookingChannel, WalkIn, WalkInStatus
from digicoach.coaches.models import Coach
from digicoach.core import clock, timeslots, vocabulary
from digicoach.core.errors import DomainError
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus

DAYS = 14
APPOINTMENTS = 8
FIRST_NAMES = (
    "Maria",
    "Ahmed",
    "Jeanine",
    "Luc",
    "Fatma",
    "Roger",
    "Ilse",
    "Mohamed",
    "Rita",
    "Godelieve",
    "Marc",
    "Nadia",
    "Willy",
    "Hilde",
    "Oleksandr",
)
# Today's appointments: the slot before the current one, the current one and the next two.
TODAY_SLOTS = (-1, 0, 1, 2)
WAITING = (2, 3)
MINUTES_PER_WALK_IN = 20


def todays_sessions(location_ids: list[int], now: datetime) -> dict[int, HelpSession]:
    """Per location, the planned walk-in or hybrid session running now (the first one)."""
    found: dict[int, HelpSession] = {}
    for session in db.session.scalars(
        select(HelpSession)
        .where(
            HelpSession.location_id.in_(location_ids),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.mode.in_(("walk_in", "hybrid")),
            HelpSession.starts_at <= now,
            HelpSession.ends_at > now,
        )
        .order_by(HelpSession.starts_at, HelpSession.id)
    ):
        found.setdefault(session.location_id, session)
    return found


def seed_bookings(*, rng: random.Random, places: dict[str, Any], now: datetime) -> int:
    """Book today's appointments and queue today's walk-ins at every demo digipunt, then a few
    appointments in the coming two weeks. Returns how many appointments were made."""
    location_ids = [location.id for location in places["locations"]]
    today = todays_sessions(location_ids, now)
    made = 0
    for location_id in location_ids:
        session = today.get(location_id)
        if session is None:
            continue
        made += _book_today(rng, session, now)
        _queue_walk_ins(rng, session, now)
    offers = queries.free_slots(location_ids, now=now, closes_hours=2, weeks=2)
    for _index in range(min(APPOINTMENTS, len(offers))):
        offer = offers[rng.randrange(len(offers))]
        if _book(rng, offer.session, offer.start, booked_at=now) is not None:
            made += 1
    db.session.flush()
    return made


def _book(rng: random.Random, session: HelpSession, start: datetime, *, booked_at: datetime) -> Any:
    topic = rng.choice(session.topics or [t.code for t in vocabulary.TOPICS])
    data = services.BookingInput(
        help_session_id=session.id,
        start=start,
        first_name=rng.choice(FIRST_NAMES),
        phone=f"+3247{rng.randrange(10**7):07d}",
        email=f"burger{rng.randrange(10**4)}@example.org" if rng.random() < 0.5 else "",
        topic=topic,
        language=rng.choice(session.languages or ["nl"]),
        note="",
        consent=True,
        channel=BookingChannel.ONLINE,
    )
    try:
        return services.book(actor=None, data=data, now=booked_at).appointment
    except DomainError:
        return None  # a slot the random draw filled already


def _book_today(rng: random.Random, session: HelpSession, now: datetime) -> int:
    starts = rules.slot_starts(session.starts_at, session.ends_at, session.slot_minutes)
    length = timedelta(minutes=session.slot_minutes)
    current = next((i for i, start in enumerate(starts) if start <= now < start + length), 0)
    made = 0
    for offset in TODAY_SLOTS:
        if not 0 <= current + offset < len(starts):
            continue
        # Booked online a few days ago, while booking was open.
        booked_at = now - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
        appointment = _book(rng, session, starts[current + offset], booked_at=booked_at)
        if appointment is None:
            continue
        made += 1
        if appointment.end <= now:
            appointment.status = AppointmentStatus.ATTENDED
            appointment.checked_in_at = appointment.start - timedelta(minutes=rng.randint(0, 10))
    return made


def _queue_walk_ins(rng: random.Random, session: HelpSession, now: datetime) -> None:
    """Earlier numbers helped or called to a table by a coach on shift; the last ones waiting.
    Each walk-in's topic and language fit a coach on shift, so 'call next' finds them."""
    coaches = list(
        db.session.scalars(
            select(Coach)
            .where(Coach.id.in_([s.coach_id for s in session.shifts if not s.as_shadow]))
            .order_by(Coach.id)
        )
    )
    if not coaches:
        return
    day = clock.local(now).date()
    midnight = timeslots.local_moment(day, time(0, 0))
    opened = max(session.starts_at, now - timedelta(hours=3), midnight)
    earlier = int((now - opened) / timedelta(minutes=MINUTES_PER_WALK_IN))
    arrivals = [opened + timedelta(minutes=MINUTES_PER_WALK_IN * n) for n in range(earlier)]
    last = arrivals[-1] if arrivals else max(now - timedelta(minutes=20), midnight)
    arrivals += sorted(last + (now - last) * rng.random() for _n in range(rng.choice(WAITING)))
    with_someone: set[int] = set()  # a coach helps one citizen at a time
    for number, arrived in enumerate(arrivals, start=1):
        coach = rng.choice(coaches)
        topic = rng.choice(coach.topics or ["other"])
        language = "nl" if rng.random() < 0.7 else rng.choice(coach.languages or ["nl"])
        walk_in = WalkIn(
            location_id=session.location_id,
            day=day,
            number=number,
            topic=topic,
            language=language,
            created_at=arrived,
            first_visit=rng.random() < 0.6,
            status=WalkInStatus.WAITING,
        )
        if number <= earlier and coach.id not in with_someone:
            called = min(arrived + timedelta(minutes=rng.randint(3, 12)), now)
            station = f"tafel {coaches.index(coach) + 1}"
            walk_in.called_at, walk_in.called_by_id, walk_in.station = (
                called,
                coach.user_id,
                station,
            )
            walk_in.status = WalkInStatus.CALLED
            done = called + timedelta(minutes=rng.randint(15, 30))
            if done > now:
                with_someone.add(coach.id)
            elif rng.random() < 0.1:
                walk_in.status, walk_in.left_at = WalkInStatus.LEFT, done
            else:
                walk_in.status, walk_in.helped_at = WalkInStatus.HELPED, done
        db.session.add(walk_in)
    db.session.flush()
