"""Demo help logs: six months of help at every digipunt, growing over time, and today's.

About two in five logs come from an appointment and carry a citizen key (some citizens come
back); the others are walk-ins, mostly first visits. Today: the walk-ins helped so far (see
bookings.demo) are logged by the coach who called them, all but the last one per digipunt,
which waits in the coach's list for a log (the form opens pre-filled from it).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from digicoach.bookings.models import WalkIn, WalkInStatus
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import clock, vocabulary
from digicoach.core.citizens import citizen_key
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog, HelpLogTopic

HISTORY_DAYS = 182
WORKING = (CoachStatus.CERTIFIED, CoachStatus.ACTIVE, CoachStatus.DORMANT)
TOPIC_CODES = [term.code for term in vocabulary.TOPICS]
LANGUAGES = ["nl"] * 12 + ["fr", "en", "ar", "tr", "pl", "uk"]


def seed_help_logs(
    *, rng: random.Random, places: dict[str, Any], coaches: list[Coach], now: datetime
) -> int:
    """Logs on weekdays of the last HISTORY_DAYS days; returns how many were made."""
    working = [coach for coach in coaches if coach.status in WORKING]
    locations_by_municipality: dict[int, list[Any]] = {}
    for location in places["locations"]:
        locations_by_municipality.setdefault(location.municipality_id, []).append(location)
    working = [c for c in working if c.municipality_id in locations_by_municipality]
    if not working:
        return 0
    today = clock.local(now).date()
    keys: list[str] = []
    made = 0
    for back in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        # Growth: from about two logs a day to about ten.
        growth = (HISTORY_DAYS - back) / HISTORY_DAYS
        for _n in range(rng.randint(1, 3 + int(8 * growth))):
            coach = rng.choice(working)
            location = rng.choice(locations_by_municipality[coach.municipality_id])
            key = None
            if rng.random() < 0.4:
                if keys and rng.random() < 0.25:
                    key = rng.choice(keys)
                else:
                    key = citizen_key(phone_e164=f"+32470{rng.randint(0, 999999):06d}")
                    keys.append(key)  # type: ignore[arg-type]
            outcome = rng.choices(["solved", "partly", "referred"], weights=[6, 3, 1])[0]
            log = HelpLog(
                coach_id=coach.id,
                municipality_id=location.municipality_id,
                location_id=location.id,
                neighbourhood_id=location.neighbourhood_id,
                helped_on=day,
                minutes=rng.choice([15, 30, 30, 45, 60, 20, 90]),
                citizens=1 if key or rng.random() < 0.85 else rng.randint(2, 4),
                first_visit=True if key else rng.random() < 0.7,
                outcome=outcome,
                referred_to=rng.choice(["ocmw", "library", "bank", "other"])
                if outcome == "referred"
                else None,
                did_it_themselves=rng.random() < 0.4,
                follow_up=rng.random() < 0.2,
                language=rng.choice(LANGUAGES),
                citizen_key=key,
                logged_at=now - timedelta(days=back),
            )
            log.topic_rows = [
                HelpLogTopic(code=code)
                for code in sorted(set(rng.sample(TOPIC_CODES, rng.randint(1, 2))))
            ]
            db.session.add(log)
            made += 1
    db.session.flush()
    return made + _log_todays_walk_ins(rng, places, now)


def _log_todays_walk_ins(rng: random.Random, places: dict[str, Any], now: datetime) -> int:
    locations = {location.id: location for location in places["locations"]}
    helped = db.session.scalars(
        select(WalkIn)
        .where(
            WalkIn.location_id.in_(list(locations)),
            WalkIn.day == clock.local(now).date(),
            WalkIn.status == WalkInStatus.HELPED,
        )
        .order_by(WalkIn.location_id, WalkIn.number)
    ).all()
    coach_of = {
        coach.user_id: coach
        for coach in db.session.scalars(
            select(Coach).where(Coach.user_id.in_([w.called_by_id for w in helped]))
        )
    }
    last = {walk_in.location_id: walk_in.id for walk_in in helped}
    made = 0
    for walk_in in helped:
        coach = coach_of.get(walk_in.called_by_id)
        if coach is None or last[walk_in.location_id] == walk_in.id:
            continue
        location = locations[walk_in.location_id]
        assert walk_in.called_at is not None and walk_in.helped_at is not None
        outcome = rng.choices(["solved", "partly", "referred"], weights=[6, 3, 1])[0]
        log = HelpLog(
            coach_id=coach.id,
            walk_in_id=walk_in.id,
            municipality_id=location.municipality_id,
            location_id=location.id,
            neighbourhood_id=location.neighbourhood_id,
            helped_on=walk_in.day,
            minutes=max(int((walk_in.helped_at - walk_in.called_at).total_seconds() // 60), 5),
            citizens=1,
            first_visit=bool(walk_in.first_visit),
            outcome=outcome,
            referred_to="library" if outcome == "referred" else None,
            did_it_themselves=rng.random() < 0.4,
            follow_up=False,
            language=walk_in.language,
            logged_at=min(walk_in.helped_at + timedelta(minutes=2), now),
            logged_by_id=coach.user_id,
        )
        log.topic_rows = [HelpLogTopic(code=walk_in.topic)]
        db.session.add(log)
        made += 1
    db.session.flush()
    return made
