"""The scheduler process: the one list of scheduled jobs, and how they run.

`flask --app digicoach scheduler run` starts APScheduler 3 in the foreground; it never runs
inside a web worker (with N workers every job would run N times). A second `scheduler run`
refuses to start: a PostgreSQL advisory lock, or a file lock next to the SQLite database.
`flask --app digicoach scheduler run-once [--now ISO-8601]` runs every job once and exits.

Every job asks "what is due and not yet done?", so a missed or doubled run heals itself.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import text
from sqlalchemy.engine import Connection

from digicoach.accounts import tasks as account_tasks
from digicoach.coaches import tasks as coach_tasks
from digicoach.core import clock, heartbeat, outbox
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from digicoach.training import tasks as training_tasks

log = logging.getLogger("digicoach.scheduler")

# An arbitrary, fixed key for pg_try_advisory_lock ("digicoac" in ASCII).
ADVISORY_LOCK_KEY = 0x6469676963_6F6163


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], Any]
    trigger: BaseTrigger


def beat(now: datetime) -> None:
    with unit_of_work():
        heartbeat.beat(now)


def dispatch_outbox(now: datetime) -> int:
    return outbox.dispatch_due(now)


# Nightly jobs run at 02:30 Brussels time. Each job only does what is due, so a doubled run
# (02:30 happens twice when the clocks go back) changes nothing the second time.
NIGHTLY = CronTrigger(hour=2, minute=30, timezone=clock.LOCAL_ZONE)

JOBS: tuple[Job, ...] = (
    Job("heartbeat", beat, IntervalTrigger(seconds=30)),
    Job("outbox.dispatch", dispatch_outbox, IntervalTrigger(seconds=30)),
    Job("accounts.purge_login_failures", account_tasks.purge_login_failures, NIGHTLY),
    Job("coaches.mark_dormant", coach_tasks.mark_dormant, NIGHTLY),
    Job("training.flag_low_enrolment", training_tasks.flag_low_enrolment, NIGHTLY),
)


def run_job(app: Flask, job: Job, now: datetime | None = None) -> None:
    with app.app_context():
        try:
            result = job.run(now or clock.now())
            log.info("job %s done: %s", job.name, result)
        except Exception:
            log.exception("job %s failed", job.name)
            db.session.rollback()
        finally:
            db.session.remove()


def run_once(app: Flask, now: datetime | None = None) -> None:
    for job in JOBS:
        run_job(app, job, now)


class AlreadyRunning(RuntimeError):
    pass


class SingleSchedulerLock:
    """Held for the life of the scheduler process; a second process cannot take it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._connection: Connection | None = None
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        with self.app.app_context():
            engine = db.engine
            if engine.dialect.name == "postgresql":
                self._connection = engine.connect()
                taken = self._connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                self._connection.commit()
                if not taken:
                    self._connection.close()
                    raise AlreadyRunning("another scheduler holds the PostgreSQL advisory lock")
                return
            lock_path = Path(self.app.instance_path) / "scheduler.lock"
            self._file = lock_path.open("w")
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise AlreadyRunning(f"another scheduler holds {lock_path}") from None

    def release(self) -> None:
        if self._connection is not None:
            # The lock belongs to the database session; a pooled connection would keep it.
            self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
            self._connection.commit()
            self._connection.close()
        if self._file is not None:
            self._file.close()


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in JOBS:
        scheduler.add_job(run_job, job.trigger, args=(app, job), id=job.name, name=job.name)
    return scheduler


scheduler_cli = AppGroup("scheduler", help="Run the scheduled jobs (reminders, outbox, ...).")


@scheduler_cli.command("run")
def run_command() -> None:
    """Run the scheduler in the foreground until stopped."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    lock = SingleSchedulerLock(app)
    try:
        lock.acquire()
    except AlreadyRunning as error:
        raise click.ClickException(f"Not started: {error}.") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"Scheduler started with {len(JOBS)} jobs. Stop it with Ctrl-C.")
    run_once(app)
    scheduler = build_scheduler(app)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()


@scheduler_cli.command("run-once")
@click.option("--now", "now_text", help="Pretend it is this moment (ISO 8601 with offset).")
def run_once_command(now_text: str | None) -> None:
    """Run every job once, then exit."""
    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter("use ISO 8601, e.g. 2026-03-29T08:00:00+02:00") from None
        if now.tzinfo is None:
            raise click.BadParameter("give an offset, e.g. +01:00 or Z")
    run_once(current_app._get_current_object(), now)  # type: ignore[attr-defined]
    click.echo("All jobs ran once.")
