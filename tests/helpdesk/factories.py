"""Factories for help sessions and shifts, and for coaches ready to take shifts."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from digicoach.coaches.models import (
    Coach,
    CoachAvailability,
    CoachLanguage,
    CoachNeighbourhood,
    CoachStatus,
    CoachTopic,
)
from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helpdesk.models import (
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionStatus,
    Shift,
    ShiftStatus,
)
from digicoach.places.models import Location, Municipality, Neighbourhood
from tests.coaches.factories import make_coach


def make_help_session(
    location: Location,
    *,
    starts_at: datetime | None = None,
    hours: float = 2,
    topics: tuple[str, ...] = (),
    languages: tuple[str, ...] = ("nl",),
    **values: Any,
) -> HelpSession:
    """A planned walk-in session (by default in three days at 14:00, two hours, 1 to 2
    coaches)."""
    start = starts_at or timeslots.local_moment(clock.local_today() + timedelta(days=3), time(14))
    session = HelpSession(
        location=location,
        starts_at=start,
        ends_at=values.pop("ends_at", start + timedelta(hours=hours)),
        mode=values.pop("mode", "walk_in"),
        slot_minutes=values.pop("slot_minutes", 30),
        citizens_per_slot=values.pop("citizens_per_slot", 1),
        coaches_min=values.pop("coaches_min", 1),
        coaches_max=values.pop("coaches_max", 2),
        coaches_taken=0,
        status=values.pop("status", SessionStatus.PLANNED),
        notes=values.pop("notes", ""),
        revision=0,
        **values,
    )
    session.topic_rows = [HelpSessionTopic(code=code) for code in topics]
    session.language_rows = [HelpSessionLanguage(code=code) for code in languages]
    db.session.add(session)
    db.session.flush()
    return session


def make_shift(
    session: HelpSession, coach: Coach, *, as_shadow: bool = False, mentor: Coach | None = None
) -> Shift:
    """A signed-up shift, with the session's counter moved as the service would."""
    shift = Shift(
        session=session,
        coach=coach,
        status=ShiftStatus.SIGNED_UP,
        as_shadow=as_shadow,
        mentor_id=mentor.id if mentor else None,
        signed_up_at=clock.now(),
    )
    if not as_shadow:
        session.coaches_taken += 1
    db.session.add(shift)
    db.session.flush()
    return shift


def make_working_coach(
    municipality: Municipality,
    *,
    status: CoachStatus = CoachStatus.ACTIVE,
    languages: tuple[str, ...] = ("nl",),
    topics: tuple[str, ...] = ("email",),
    neighbourhoods: tuple[Neighbourhood, ...] = (),
    availability: tuple[tuple[int, str], ...] = (),
    **values: Any,
) -> Coach:
    """A coach who may take shifts, with a profile for matching."""
    coach = make_coach(municipality, status=status, screened=True, **values)
    coach.language_rows = [CoachLanguage(code=code) for code in languages]
    coach.topic_rows = [CoachTopic(code=code) for code in topics]
    coach.neighbourhood_rows = [CoachNeighbourhood(neighbourhood_id=n.id) for n in neighbourhoods]
    coach.availability_rows = [
        CoachAvailability(weekday=day, daypart=part) for day, part in availability
    ]
    db.session.flush()
    return coach
