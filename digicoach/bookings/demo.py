"""Demo data for bookings: bookable slots for the next two weeks at every demo digipunt and a
handful of appointments, booked through the service (so slot counters and citizen keys are
right). Flush only; the seed-demo command commits.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from digicoach.bookings import queries, rules, services
from digicoach.bookings.models import BookingChannel
from digicoach.core import vocabulary
from digicoach.core.errors import DomainError
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus

DAYS = 14
APPOINTMENTS = 8
FIRST_NAMES = ("Maria", "Ahmed", "Jeanine", "Luc", "Fatma", "Roger", "Ilse", "Mohamed", "Rita")


def seed_bookings(*, rng: random.Random, places: dict[str, Any], now: datetime) -> int:
    """Make the coming two weeks bookable at every demo location and book a few
    appointments. Returns how many appointments were made."""
    location_ids = [location.id for location in places["locations"]]
    sessions = db.session.scalars(
        select(HelpSession).where(
            HelpSession.location_id.in_(location_ids),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at > now,
            HelpSession.starts_at < now + timedelta(days=DAYS),
        )
    ).all()
    # Walk-in sessions with coaches become hybrid (two or more coaches) or by appointment,
    # so every digipunt has slots; the helpdesk demo keeps its other weeks as they are.
    for session in sessions:
        if session.mode not in rules.SLOTTED_MODES and session.coaches_taken:
            session.mode = "hybrid" if session.coaches_taken >= 2 else "appointment"
    db.session.flush()
    offers = queries.free_slots(location_ids, now=now, closes_hours=2, weeks=2)
    made = 0
    for index in range(min(APPOINTMENTS, len(offers))):
        offer = offers[rng.randrange(len(offers))]
        topic = rng.choice(offer.session.topics or [t.code for t in vocabulary.TOPICS])
        language = rng.choice(offer.session.languages or ["nl"])
        data = services.BookingInput(
            help_session_id=offer.session.id,
            start=offer.start,
            first_name=rng.choice(FIRST_NAMES),
            phone=f"+3247{rng.randrange(10**7):07d}",
            email=f"burger{index + 1}@example.org" if rng.random() < 0.5 else "",
            topic=topic,
            language=language,
            note="",
            consent=True,
            channel=BookingChannel.ONLINE,
        )
        try:
            services.book(actor=None, data=data, now=now)
        except DomainError:
            continue  # a slot the random draw filled already
        made += 1
    db.session.flush()
    return made
