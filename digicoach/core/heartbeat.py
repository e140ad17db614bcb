"""The scheduler's heartbeat: one row, written every half minute, read by /healthz and admins."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from digicoach.core.db import UTCDateTime
from digicoach.extensions import db

HEARTBEAT_ID = 1
STALE_AFTER_SECONDS = 5 * 60


class SchedulerHeartbeat(db.Model):
    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(default=0)


def beat(now: datetime) -> None:
    """Record that the scheduler is alive (in the caller's transaction)."""
    values = {"beat_at": now, "host": socket.gethostname()[:255], "pid": os.getpid()}
    result = db.session.execute(
        update(SchedulerHeartbeat).where(SchedulerHeartbeat.id == HEARTBEAT_ID).values(values)
    )
    if result.rowcount == 0:
        db.session.add(SchedulerHeartbeat(id=HEARTBEAT_ID, **values))
    db.session.flush()


def age_seconds(now: datetime) -> float | None:
    """Seconds since the last beat, or None when the scheduler never ran."""
    beat_at = db.session.scalar(
        select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.id == HEARTBEAT_ID)
    )
    return None if beat_at is None else max(0.0, (now - beat_at).total_seconds())


def is_stale(now: datetime) -> bool:
    age = age_seconds(now)
    return age is None or age > STALE_AFTER_SECONDS
