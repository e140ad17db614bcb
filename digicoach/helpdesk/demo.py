"""Demo data for the helpdesk: the help sessions of every demo digipunt for the next eight
weeks, from today, made from its weekly schedule (`places.demo.Hours`, the same blocks its
opening notes are written from), with shifts of the certified and active demo coaches who
serve that municipality (a coach of the pool serves two, and has shifts in both).

Staffing, so the demo is alive and still shows every state of the staffing board:

- today's session at each digipunt (the places demo gives every digipunt one that covers the
  hour of seeding) gets coaches first, round by round, so each has at least two on shift
  where the municipality has them; the demo coach, when given, is on shift at the first one;
- every other session in the next two weeks that takes bookings gets at least the coaches
  that open its slots (one by appointment, two when hybrid: half of them help walk-ins);
- the rest at random: some full, some short, some empty.

A coach is in one place at a time (rules.overlaps), in the demo as in real life. Rows are
written directly, as they would have been recorded (no mail, no invitations); the coach-place
counter is set from the shifts so the CHECK holds. Flush only.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
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
BOOKABLE_DAYS = 14
NOTES = (
    "",
    "Vraag de sleutel van het lokaal aan het onthaal.",
    "Er staan twee laptops klaar; breng je eigen smartphone mee.",
)
# Coaches who open a session's slots (bookings.rules.booking_coaches): hybrid keeps half for
# walk-ins.
OPENS_SLOTS = {rules.APPOINTMENT: 1, rules.HYBRID: 2}


def seed_help_sessions(
    *,
    rng: random.Random,
    places: dict[str, Any],
    coaches: list[Coach],
    now: datetime | None = None,
    demo_coach: Coach | None = None,
) -> list[HelpSession]:
    """Add the weekly series of every demo digipunt for eight weeks from today, with shifts.
    `places` is what `places.demo.seed_places` returns. Returns today's sessions."""
    now = now or clock.now()
    today = clock.local(now).date()
    until = today + timedelta(weeks=WEEKS)
    sessions: list[HelpSession] = []
    for location in places["locations"]:
        for block in places["hours"][location.id]:
            if block.mode not in rules.MODES:
                raise ValueError(f"unknown demo mode {block.mode!r} at {location.name}")
            series = HelpSeries(
                location_id=location.id,
                weekdays=",".join(str(day) for day in block.weekdays),
                every_weeks=1,
                first_day=today,
                until=until,
                created_at=now,
            )
            db.session.add(series)
            notes = rng.choice(NOTES)
            for occurrence in timeslots.weekly_series(
                first_day=today,
                weekdays=block.weekdays,
                start_time=block.start,
                duration=timedelta(minutes=block.minutes),
                until=until,
            ):
                session = HelpSession(
                    location_id=location.id,
                    series=series,
                    starts_at=occurrence.start,
                    ends_at=occurrence.end,
                    mode=block.mode,
                    slot_minutes=30,
                    citizens_per_slot=1,
                    coaches_min=2,
                    coaches_max=4 if block.mode == rules.HYBRID else 3,
                    coaches_taken=0,
                    notes=notes,
                    status=SessionStatus.PLANNED,
                    created_at=now,
                    revision=0,
                )
                session.topic_rows = [HelpSessionTopic(code=code) for code in block.topics]
                session.language_rows = [HelpSessionLanguage(code=code) for code in block.languages]
                db.session.add(session)
                sessions.append(session)
    todays = [s for s in sessions if clock.local(s.starts_at).date() == today]
    municipality_of = {location.id: location.municipality_id for location in places["locations"]}
    _staff(rng, sessions, todays, coaches, municipality_of, now=now, demo_coach=demo_coach)
    db.session.flush()
    return todays


def _staff(
    rng: random.Random,
    sessions: list[HelpSession],
    todays: list[HelpSession],
    coaches: list[Coach],
    municipality_of: dict[int, int],
    *,
    now: datetime,
    demo_coach: Coach | None,
) -> None:
    working = [c for c in coaches if c.status in rules.WORKING_STATUSES and c.erased_at is None]
    if demo_coach is not None and demo_coach in working:
        working.remove(demo_coach)
        working.insert(0, demo_coach)  # the first free coach a session takes
    busy: dict[int, list[rules.Period]] = {}

    def free(session: HelpSession) -> list[Coach]:
        period = rules.Period(session.starts_at, session.ends_at)
        taken = {shift.coach_id for shift in session.shifts}
        return [
            c
            for c in working
            if municipality_of.get(session.location_id) in c.served_municipality_ids
            and c.id not in taken
            and not any(rules.overlaps(period, other) for other in busy.get(c.id, []))
        ]

    def sign_up(session: HelpSession, chosen: list[Coach]) -> None:
        for coach in chosen:
            busy.setdefault(coach.id, []).append(rules.Period(session.starts_at, session.ends_at))
            session.shifts.append(
                Shift(
                    coach_id=coach.id,
                    status=ShiftStatus.SIGNED_UP,
                    as_shadow=False,
                    signed_up_at=now - timedelta(days=rng.randint(1, 14)),
                )
            )
        session.coaches_taken = len(session.shifts)

    # Today first, a coach per digipunt per round, so no digipunt is left without.
    for round_size in range(1, max((s.coaches_max for s in todays), default=0) + 1):
        for session in todays:
            if len(session.shifts) < min(round_size, session.coaches_max):
                sign_up(session, free(session)[:1])
    bookable_until = now + timedelta(days=BOOKABLE_DAYS)
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.location_id)):
        if session in todays:
            continue
        # Some sessions full, some short, some empty: the board shows every state.
        wanted = rng.choice((0, 1, 2, 2, 3))
        if session.starts_at < bookable_until:
            wanted = max(wanted, OPENS_SLOTS.get(session.mode, 0))
        candidates = free(session)
        sign_up(session, rng.sample(candidates, min(wanted, session.coaches_max, len(candidates))))
    # A coach of the pool (coaches.demo) has shifts in every municipality they serve.
    for coach in working:
        for municipality_id in sorted(coach.served_municipality_ids):
            if any(
                coach.id in {shift.coach_id for shift in session.shifts}
                and municipality_of.get(session.location_id) == municipality_id
                for session in sessions
            ):
                continue
            room = [
                session
                for session in sorted(sessions, key=lambda s: (s.starts_at, s.location_id))
                if municipality_of.get(session.location_id) == municipality_id
                and session.starts_at > now
                and len(session.shifts) < session.coaches_max
                and coach in free(session)
            ]
            if room:
                sign_up(room[0], [coach])
