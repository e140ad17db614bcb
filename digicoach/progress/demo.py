"""Demo snapshots: one a week for the last six months, so the trend tables have history."""

from __future__ import annotations

from datetime import datetime, timedelta

from digicoach.progress.tasks import write_snapshots

HISTORY_WEEKS = 26


def seed_snapshots(*, now: datetime) -> int:
    """Weekly snapshots (figures as of each of those nights), then today's."""
    written = 0
    for weeks in range(HISTORY_WEEKS, 0, -1):
        written += write_snapshots(now=now - timedelta(weeks=weeks))
    return written + write_snapshots(now=now)
