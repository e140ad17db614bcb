"""The scheduler process: the one list of scheduled jobs, and how they run.

`flask --app digicoach scheduler run` starts APScheduler 3 in the foreground; it never runs
inside a web worker (with N workers every job would run N times). A second `scheduler run`
refuses to start: a PostgreSQL advisory lock, or a file lock next to the SQLite database.
`flask --app digicoach scheduler run-once [--now ISO-8601]` runs every job once and exits.

Every job asks "what is due and not yet done?", so a missed or doubled run heals itself.

Nightly (and weekly) jobs do not use a cron trigger: APScheduler 3's CronTrigger fires a 02:30
job twice on 2026-10-25 (and then keeps returning the same past moment). A `Daily` job instead
ticks every 15 minutes and does its work on the first tick at or after its local time, once per
Brussels date, claimed in the `job_run` table (core/heartbeat.py):

- 2026-03-29, when 02:00-03:00 does not exist: it runs once, at the first tick after 03:00 CEST;
- 2026-10-25, when 02:00-03:00 happens twice: it runs once, at 02:30 CEST; the second 02:30
  (CET) finds the date claimed and does nothing;
- a scheduler that was down at 02:30 runs it at its first tick afterwards (same date);
- two schedulers, or a `run-once` beside a running scheduler, still run it once per date.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import IO, Any

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import text
from sqlalchemy.engine import Connection

from digicoach.accounts import tasks as account_tasks
from digicoach.bookings import tasks as booking_tasks
from digicoach.coaches import retention as coach_retention
from digicoach.coaches import tasks as coach_tasks
from digicoach.core import audit, clock, heartbeat, outbox
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from digicoach.homevisits import tasks as home_visit_tasks
from digicoach.loans import tasks as loan_tasks
from digicoach.progress import tasks as progress_tasks
from digicoach.referrals import tasks as referral_tasks
from digicoach.reminders import tasks as reminder_tasks
from digicoach.training import tasks as training_tasks

log = logging.getLogger("digicoach.scheduler")

# An arbitrary, fixed key for pg_try_advisory_lock ("digicoac" in ASCII).
ADVISORY_LOCK_KEY = 0x6469676963_6F6163


@dataclass(frozen=True)
class Daily:
    """Once per Brussels date, at the first tick at or after `at` local time; with `weekday`
    (0 is Monday) only on that day of the week."""

    at: time
    weekday: int | None = None
    tick_minutes: int = 15

    def is_due(self, local_moment: datetime) -> bool:
        """Whether a tick at this local wall-clock moment should do the day's work (if the
        date is not claimed yet). A local time that does not exist that night (02:30 on the
        last Sunday of March) is simply passed: the first tick after it is due."""
        if self.weekday is not None and local_moment.weekday() != self.weekday:
            return False
        return local_moment.time() >= self.at


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], Any]
    trigger: BaseTrigger | Daily


def beat(now: datetime) -> None:
    with unit_of_work():
        heartbeat.beat(now)


def dispatch_outbox(now: datetime) -> int:
    return outbox.dispatch_due(now)


def purge_audit_events(now: datetime) -> int:
    """Delete audit events older than RETENTION_AUDIT_YEARS, the one sanctioned deletion."""
    years = int(current_app.config["RETENTION_AUDIT_YEARS"])
    with unit_of_work():
        return audit.purge_before(coach_retention.months_earlier(now, 12 * years))


# Nightly jobs run once per Brussels date, at 02:30 or the first tick after it (see above).
NIGHTLY = Daily(time(2, 30))
# The coordinators' weekly digest: Monday 08:00 Brussels time.
MONDAY_MORNING = Daily(time(8, 0), weekday=0)

JOBS: tuple[Job, ...] = (
    Job("heartbeat", beat, IntervalTrigger(seconds=30)),
    # Queue what is due before sending: in `run-once` the reminders go out in the same run.
    Job("reminders.queue_due", reminder_tasks.queue_due_reminders, IntervalTrigger(minutes=5)),
    Job("loans.queue_reminders", loan_tasks.queue_reminders, IntervalTrigger(minutes=5)),
    Job("referrals.queue_reminders", referral_tasks.queue_reminders, IntervalTrigger(minutes=30)),
    Job("outbox.dispatch", dispatch_outbox, IntervalTrigger(seconds=30)),
    Job("accounts.purge_login_failures", account_tasks.purge_login_failures, NIGHTLY),
    Job("coaches.mark_dormant", coach_tasks.mark_dormant, NIGHTLY),
    Job("coaches.apply_retention", coach_tasks.apply_retention, NIGHTLY),
    Job("audit.purge_old_events", purge_audit_events, NIGHTLY),
    Job("training.flag_low_enrolment", training_tasks.flag_low_enrolment, NIGHTLY),
    Job("bookings.mark_no_shows", booking_tasks.mark_no_shows, NIGHTLY),
    Job("bookings.purge_contact_data", booking_tasks.purge_contact_data, NIGHTLY),
    Job("loans.purge_contact_data", loan_tasks.purge_contact_data, NIGHTLY),
    Job("referrals.purge_contact_data", referral_tasks.purge_contact_data, NIGHTLY),
    Job("homevisits.purge_addresses", home_visit_tasks.purge_addresses, NIGHTLY),
    # Roll up before the snapshots: they read the figures too.
    Job("progress.roll_up", progress_tasks.roll_up, NIGHTLY),
    Job("progress.take_snapshot", progress_tasks.take_snapshot, NIGHTLY),
    Job("reminders.weekly_digest", reminder_tasks.send_weekly_digest, MONDAY_MORNING),
)


def run_job(app: Flask, job: Job, now: datetime | None = None) -> None:
    if isinstance(job.trigger, Daily):
        run_daily_job(app, job, job.trigger, now)
        return
    with app.app_context():
        try:
            result = job.run(now or clock.now())
            log.info("job %s done: %s", job.name, result)
        except Exception:
            log.exception("job %s failed", job.name)
            db.session.rollback()
        finally:
            db.session.remove()


def run_daily_job(app: Flask, job: Job, daily: Daily, now: datetime | None = None) -> bool:
    """Do the job's work if it is due at this moment and its local date is not claimed yet.

    Returns whether the work ran. A failed run gives its date back, so the next tick retries.
    """
    moment = now or clock.now()
    local_moment = clock.local(moment)
    if not daily.is_due(local_moment):
        return False
    with app.app_context():
        try:
            run_id = heartbeat.claim_run(job.name, local_moment.date(), moment)
            if run_id is None:
                return False
            try:
                result = job.run(moment)
            except Exception:
                log.exception("job %s failed", job.name)
                db.session.rollback()
                heartbeat.abandon_run(run_id)
                return False
            heartbeat.finish_run(run_id, clock.now() if now is None else moment)
            log.info("job %s done for %s: %s", job.name, local_moment.date(), result)
            return True
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
        trigger = job.trigger
        if isinstance(trigger, Daily):
            trigger = IntervalTrigger(minutes=trigger.tick_minutes)
        scheduler.add_job(run_job, trigger, args=(app, job), id=job.name, name=job.name)
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
    # The outbox is sent by a thread of its own, woken as messages are queued (core/outbox.py):
    # a booking's confirmation must not wait for the next tick of a job.
    stop = threading.Event()
    sender = threading.Thread(target=outbox.Dispatcher(app, stop).run, name="outbox", daemon=True)
    sender.start()
    run_once(app)
    scheduler = build_scheduler(app)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop.set()
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
