"""Factories for help logs (anonymous by design) and snapshots."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from digicoach.coaches.models import Coach
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.places.models import Programme
from digicoach.training.models import Certification


def make_help_log(
    coach: Coach,
    *,
    helped_on: date | None = None,
    topics: tuple[str, ...] = ("email",),
    citizen_key: str | None = None,
    first_visit: bool = True,
    citizens: int = 1,
    minutes: int = 30,
    **values: Any,
) -> HelpLog:
    """A walk-in log in the coach's municipality (give `citizen_key` for an appointment)."""
    log = HelpLog(
        coach_id=coach.id,
        municipality_id=values.pop("municipality_id", coach.municipality_id),
        helped_on=helped_on or clock.local_today(),
        minutes=minutes,
        citizens=citizens,
        first_visit=first_visit,
        citizen_key=citizen_key,
        outcome=values.pop("outcome", "solved"),
        language=values.pop("language", "nl"),
        logged_at=values.pop("logged_at", clock.now()),
        **values,
    )
    log.topic_rows = [HelpLogTopic(code=code) for code in topics]
    db.session.add(log)
    db.session.flush()
    return log


def certify(coach: Coach, programme: Programme, *, issued_at: datetime | None = None) -> Coach:
    """Give `coach` the certificate the figures need to count them as certified; issued when
    the coach applied (`make_coach` dates the status history there) unless told otherwise."""
    db.session.add(
        Certification(
            coach_id=coach.id,
            programme_id=programme.id,
            verification_code=secrets.token_hex(16),
            issued_at=issued_at or coach.applied_at,
        )
    )
    db.session.flush()
    return coach
