"""The nightly progress jobs: the daily rollups (`roll_up`, see `queries.rollups`), then one
ProgressSnapshot per programme and scope per day.

"What is due and not yet done?": a snapshot that exists for the day is left alone, so running
the job twice (or after a missed night) changes nothing. The figures are those of the whole
programme period up to `now`, for the programme as a whole and for each municipality.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from digicoach.places.models import Programme
from digicoach.progress import queries
from digicoach.progress.models import ALL, ProgressSnapshot
from digicoach.progress.queries import coach_rollups, rolling


def snapshot_values(figures: queries.Figures) -> dict[str, int]:
    return {
        "coaches_applied": figures.coaches.applied,
        "coaches_approved": figures.coaches.approved,
        "coaches_in_training": figures.coaches.in_training,
        "coaches_certified": figures.coaches.certified,
        "coaches_active": figures.coaches.active,
        "citizens_supported": figures.help.citizens_supported,
        "help_contacts": figures.help.contacts,
        "help_minutes": figures.help.minutes,
        "sessions_held": figures.sessions.held,
    }


def write_snapshots(*, now: datetime) -> int:
    """Write the missing snapshots of the local day of `now`; returns how many were written.

    Service-level (flushes, no commit) so the demo can reuse it for past days."""
    today = clock.local(now).date()
    done = {
        (programme_id, scope)
        for programme_id, scope in db.session.execute(
            select(ProgressSnapshot.programme_id, ProgressSnapshot.scope).where(
                ProgressSnapshot.taken_on == today
            )
        )
    }
    written = 0
    for programme in db.session.scalars(select(Programme).order_by(Programme.id)):
        whole = queries.whole_programme(programme.id, now=now)
        scopes = [(ALL, None, whole.municipality_ids)] + [
            (str(mid), mid, (mid,)) for mid in whole.municipality_ids
        ]
        for scope, municipality_id, ids in scopes:
            if (programme.id, scope) in done:
                continue
            selection = queries.Selection(
                programme=programme,
                municipality_ids=ids,
                starts_on=programme.starts_on,
                ends_on=programme.ends_on,
                now=now,
            )
            db.session.add(
                ProgressSnapshot(
                    programme_id=programme.id,
                    municipality_id=municipality_id,
                    scope=scope,
                    taken_on=today,
                    taken_at=now,
                    **snapshot_values(queries.figures(selection)),
                )
            )
            written += 1
    db.session.flush()
    return written


def roll_up(now: datetime) -> int:
    """The scheduler's entry point: roll every day before today up that is not yet (or was
    touched since), in its own unit of work; returns how many municipalities were rolled up."""
    with unit_of_work():
        rolled = rolling.roll_up(now=now)
        rolling.roll_up_programmes(now=now)
        coach_rollups.roll_up(now=now)
        return rolled


def take_snapshot(now: datetime) -> int:
    """The scheduler's entry point: today's snapshots, in their own unit of work."""
    with unit_of_work():
        return write_snapshots(now=now)
