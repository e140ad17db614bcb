"""Demo progress: the past help sessions the demo's help logs were given at, and weekly
snapshots for the last six months, so the figures agree and the trend tables have history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helpdesk.models import (
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    Shift,
    ShiftStatus,
)
from digicoach.helplog.models import HelpLog
from digicoach.progress.tasks import write_snapshots

HISTORY_WEEKS = 26


def seed_held_sessions(*, now: datetime, hours: dict[int, list[Any]]) -> int:
    """The past sessions of the demo digipunten's weekly hours (`hours`: per location id, the
    blocks of places.demo) on each past day with help logged there, with an attended shift for
    every coach who logged help at it and the logs put against it, so "help sessions held"
    agrees with the help logged. Help logged on a day the digipunt has no hours stays without
    a session. Returns how many sessions were made."""
    today = clock.local(now).date()
    logs = db.session.scalars(
        select(HelpLog)
        .where(
            HelpLog.help_session_id.is_(None),
            HelpLog.location_id.is_not(None),
            HelpLog.helped_on < today,
        )
        .order_by(HelpLog.helped_on, HelpLog.location_id, HelpLog.id)
    ).all()
    by_place: dict[tuple[int, date], list[HelpLog]] = {}
    for log in logs:
        by_place.setdefault((log.location_id or 0, log.helped_on), []).append(log)
    made = 0
    for (location_id, day), day_logs in by_place.items():
        block = next(
            (b for b in hours.get(location_id, []) if day.isoweekday() in b.weekdays), None
        )
        if block is None:
            continue
        coaches = sorted({log.coach_id for log in day_logs})
        start = timeslots.local_moment(day, block.start)
        session = HelpSession(
            location_id=location_id,
            starts_at=start,
            ends_at=start + timedelta(minutes=block.minutes),
            mode=block.mode,
            coaches_min=2,
            coaches_max=max(3, len(coaches)),
            coaches_taken=len(coaches),
            created_at=start - timedelta(days=14),
        )
        session.topic_rows = [HelpSessionTopic(code=code) for code in block.topics]
        session.language_rows = [HelpSessionLanguage(code=code) for code in block.languages]
        session.shifts = [
            Shift(coach_id=coach_id, status=ShiftStatus.ATTENDED, signed_up_at=session.created_at)
            for coach_id in coaches
        ]
        db.session.add(session)
        db.session.flush()
        for log in day_logs:
            log.help_session_id = session.id
        made += 1
    db.session.flush()
    return made


def seed_snapshots(*, now: datetime, hours: dict[int, list[Any]] | None = None) -> int:
    """The past sessions of the demo's help logs (`seed_held_sessions`, given the digipunten's
    `hours`), then weekly snapshots (figures as of each of those nights), then today's."""
    if hours:
        seed_held_sessions(now=now, hours=hours)
    written = 0
    for weeks in range(HISTORY_WEEKS, 0, -1):
        written += write_snapshots(now=now - timedelta(weeks=weeks))
    return written + write_snapshots(now=now)
