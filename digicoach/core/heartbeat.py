"""The scheduler's own bookkeeping: the heartbeat row (read by /healthz and the admin banner)
and the `job_run` table that makes a nightly job run exactly once per local date.

Why not a cron trigger at 02:30 Brussels time? APScheduler 3's CronTrigger fires twice on the
night the clocks go back (2026-10-25: 02:30 CEST and 02:30 CET) and, asked again after the
second firing, keeps answering that same past moment (tests/reminders/test_daylight_saving.py
shows it). So nightly jobs run from a 15-minute interval trigger and claim their local date here
first: (job, local date) is unique, so only the first run after 02:30 on each date does the
work, on every engine, however many scheduler processes or `run-once` calls there are.
"""

from __future__ import annotations

import os
import socket
from datetime import date, datetime, timedelta

from sqlalchemy import Date, String, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from digicoach.core.db import UTCDateTime
from digicoach.extensions import db

HEARTBEAT_ID = 1
STALE_AFTER_SECONDS = 5 * 60
# A nightly run that started this long ago and never finished died with its process: the
# next tick may take the date over.
JOB_RUN_LEASE = timedelta(hours=2)


class SchedulerHeartbeat(db.Model):
    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(default=0)


class JobRun(db.Model):
    """A nightly job's run for one local date (Europe/Brussels)."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    local_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("job", "local_date"),)


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


def claim_run(job: str, local_date: date, now: datetime) -> int | None:
    """Claim `job` for `local_date` and commit. Returns the run's id, or None when the date is
    done or another process is running it (a claim older than JOB_RUN_LEASE that never
    finished is taken over)."""
    try:
        with db.session.begin_nested():
            run = JobRun(job=job, local_date=local_date, started_at=now)
            db.session.add(run)
        db.session.commit()
        return run.id
    except IntegrityError:
        db.session.rollback()
    taken = db.session.scalars(
        update(JobRun)
        .where(
            JobRun.job == job,
            JobRun.local_date == local_date,
            JobRun.finished_at.is_(None),
            JobRun.started_at < now - JOB_RUN_LEASE,
        )
        .values(started_at=now)
        .returning(JobRun.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return taken[0] if taken else None


def finish_run(run_id: int, now: datetime) -> None:
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(finished_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def abandon_run(run_id: int) -> None:
    """The job failed: forget the claim, so the next tick tries the date again."""
    db.session.execute(delete(JobRun).where(JobRun.id == run_id))
    db.session.commit()


def last_runs() -> dict[str, JobRun]:
    """The latest run of each nightly job, for the admin page."""
    latest: dict[str, JobRun] = {}
    for run in db.session.scalars(select(JobRun).order_by(JobRun.local_date, JobRun.id)):
        latest[run.job] = run
    return latest
