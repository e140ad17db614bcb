"""The demo: eight weeks of help sessions at every demo location, a mix of modes, and shifts
of certified and active coaches that never overlap."""

import itertools
import random

from sqlalchemy import func, select

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk import demo, queries
from digicoach.helpdesk.models import HelpSession, Shift
from digicoach.places import demo as places_demo
from tests.helpdesk.factories import make_working_coach


def test_the_demo_plans_eight_weeks_at_every_location_with_shifts_that_never_overlap(
    app, in_request
):
    rng = random.Random(2026)
    places = places_demo.seed_places(rng=rng)
    coaches = [make_working_coach(m) for m in places["municipalities"].values() for _ in range(3)]
    demo.seed_help_sessions(rng=rng, places=places, coaches=coaches)
    db.session.commit()
    for location in places["locations"]:
        sessions = queries.coming_sessions(location, now=clock.now(), weeks=9)
        assert sessions, location.name
        assert all(s.coaches_taken <= s.coaches_max for s in sessions)
    modes = set(db.session.scalars(select(HelpSession.mode)))
    assert modes == {"walk_in", "appointment", "hybrid"}
    assert db.session.scalar(select(func.count()).select_from(Shift)) > 0
    for coach in coaches:
        mine = sorted(
            (s.session.starts_at, s.session.ends_at)
            for s in db.session.scalars(select(Shift).where(Shift.coach_id == coach.id))
        )
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(mine))
