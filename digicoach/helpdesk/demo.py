"""Demo data for the helpdesk: a weekly series of help sessions for the next eight weeks at
every demo location (walk-in, by appointment and hybrid), with shifts of the certified and
active demo coaches of that municipality.

Rows are written directly, as they would have been recorded (no mail, no invitations); the
coach-place counter is set from the shifts so the CHECK holds. Flush only.
"""

from __future__ import annotations

import random
from datetime import time, timedelta
from typing import Any

from digicoach.coaches.models import Coach
from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helpdesk import rules
from digicoach.helpdesk.models import (
    HelpSeries,
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionStatus,
    Shift,
    ShiftStatus,
)

WEEKS = 8
STARTS = (time(9, 30), time(13, 30), time(14, 0), time(18, 0))
TOPIC_SETS = ((), ("eid_itsme", "government_services"), ("smartphone_tablet", "email"))
NOTES = (
    "",
    "Vraag de sleutel van het lokaal aan het onthaal.",
    "Er staan twee laptops klaar; breng je eigen smartphone mee.",
)


def seed_help_sessions(*, rng: random.Random, places: dict[str, Any], coaches: list[Coach]) -> None:
    """Add a weekly series per demo location for the next eight weeks, with shifts."""
    now = clock.now()
    first_day = clock.local_today() + timedelta(days=1)
    working = [c for c in coaches if c.status in rules.WORKING_STATUSES and c.erased_at is None]
    # A coach is in one place at a time (rules.overlaps), in the demo as in real life.
    busy: dict[int, list[rules.Period]] = {}
    for index, location in enumerate(places["locations"]):
        mode = rules.MODES[index % len(rules.MODES)]
        start_time = rng.choice(STARTS)
        hours = rng.choice((2, 3))
        weekdays = sorted(rng.sample(range(1, 6), rng.choice((1, 1, 2))))
        until = first_day + timedelta(weeks=WEEKS)
        series = HelpSeries(
            location_id=location.id,
            weekdays=",".join(str(day) for day in weekdays),
            every_weeks=1,
            first_day=first_day,
            until=until,
            created_at=now,
        )
        db.session.add(series)
        topics = rng.choice(TOPIC_SETS)
        languages = ("nl", "fr") if rng.random() < 0.3 else ("nl",)
        notes = rng.choice(NOTES)
        local_coaches = [c for c in working if c.municipality_id == location.municipality_id]
        for occurrence in timeslots.weekly_series(
            first_day=first_day,
            weekdays=weekdays,
            start_time=start_time,
            duration=timedelta(hours=hours),
            until=until,
        ):
            session = HelpSession(
                location_id=location.id,
                series=series,
                starts_at=occurrence.start,
                ends_at=occurrence.end,
                mode=mode,
                slot_minutes=30,
                citizens_per_slot=1,
                coaches_min=2,
                coaches_max=3,
                coaches_taken=0,
                notes=notes,
                status=SessionStatus.PLANNED,
                created_at=now,
                revision=0,
            )
            session.topic_rows = [HelpSessionTopic(code=code) for code in topics]
            session.language_rows = [HelpSessionLanguage(code=code) for code in languages]
            db.session.add(session)
            # Some sessions full, some short, some empty: the board shows every state.
            period = rules.Period(occurrence.start, occurrence.end)
            free = [
                c
                for c in local_coaches
                if not any(rules.overlaps(period, other) for other in busy.get(c.id, []))
            ]
            taken = min(rng.choice((0, 1, 2, 2, 3)), len(free))
            for coach in rng.sample(free, taken):
                busy.setdefault(coach.id, []).append(period)
                session.shifts.append(
                    Shift(
                        coach_id=coach.id,
                        status=ShiftStatus.SIGNED_UP,
                        as_shadow=False,
                        signed_up_at=now - timedelta(days=rng.randint(1, 14)),
                    )
                )
            session.coaches_taken = taken
    db.session.flush()
