"""A nightly job at 02:30 Brussels time runs exactly once on the nights the clocks change.

APScheduler 3's CronTrigger does not manage that (first test), so nightly jobs tick every 15
minutes and claim their local date in `job_run` (scheduler.Daily, core/heartbeat.py).
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger

from digicoach import scheduler
from digicoach.core import clock
from digicoach.core.heartbeat import JobRun
from digicoach.extensions import db


def fire_times(trigger, start: datetime, end: datetime, limit: int = 50) -> list[datetime]:
    times, previous, now = [], None, start
    while len(times) < limit:
        moment = trigger.get_next_fire_time(previous, now)
        if moment is None or moment >= end:
            break
        times.append(moment)
        previous, now = moment, moment + timedelta(seconds=1)
    return times


def test_apschedulers_cron_trigger_fires_twice_when_the_clocks_go_back():
    """Why we do not use it: on 2026-10-25 the 02:30 job fires at 02:30 CEST and again at
    02:30 CET, and asked for the next time after that it keeps answering the same moment."""
    trigger = CronTrigger(hour=2, minute=30, timezone=clock.LOCAL_ZONE)
    day_start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    times = fire_times(trigger, day_start, day_start + timedelta(days=1), limit=5)
    assert len(times) > 1


def ticks(day: date, minutes: int = 15) -> list[datetime]:
    """Every tick of a 15-minute interval trigger over one local date (in UTC)."""
    start = datetime.combine(day, time(0), tzinfo=clock.LOCAL_ZONE).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.LOCAL_ZONE).astimezone(
        UTC
    )
    moments = []
    while start < end:
        moments.append(start)
        start += timedelta(minutes=minutes)
    return moments


@pytest.mark.parametrize(
    ("day", "expected_local"),
    [
        (date(2026, 3, 29), datetime(2026, 3, 29, 3, 0)),  # 02:30 does not exist
        (date(2026, 10, 25), datetime(2026, 10, 25, 2, 30)),  # 02:30 happens twice
        (date(2026, 6, 15), datetime(2026, 6, 15, 2, 30)),
    ],
)
def test_a_nightly_job_runs_exactly_once_on_each_local_date(app, day, expected_local):
    runs: list[datetime] = []
    job = scheduler.Job("test.nightly", runs.append, scheduler.NIGHTLY)
    day_ticks = ticks(day)
    assert len(day_ticks) in (92, 96, 100)
    for moment in day_ticks:
        scheduler.run_job(app, job, moment)
    assert len(runs) == 1
    assert clock.local(runs[0]).replace(tzinfo=None) == expected_local
    assert db.session.query(JobRun).filter_by(job="test.nightly", local_date=day).count() == 1


def test_a_nightly_job_missed_at_0230_runs_at_the_next_tick_and_once_per_date(app):
    runs: list[datetime] = []
    job = scheduler.Job("test.late", runs.append, scheduler.NIGHTLY)
    late = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    scheduler.run_job(app, job, late)
    scheduler.run_job(app, job, late + timedelta(hours=1))
    scheduler.run_job(app, job, late + timedelta(days=1))
    assert runs == [late, late + timedelta(days=1)]


def test_a_failed_nightly_run_gives_its_date_back(app):
    calls: list[datetime] = []

    def flaky(now: datetime) -> None:
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("database went away")

    job = scheduler.Job("test.flaky", flaky, scheduler.NIGHTLY)
    moment = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert scheduler.run_daily_job(app, job, scheduler.NIGHTLY, moment) is False
    assert scheduler.run_daily_job(app, job, scheduler.NIGHTLY, moment + timedelta(minutes=15))
    assert (
        scheduler.run_daily_job(app, job, scheduler.NIGHTLY, moment + timedelta(minutes=30))
        is False
    )
    assert len(calls) == 2


def test_the_weekly_digest_runs_on_monday_from_0800_local_only(app):
    runs: list[datetime] = []
    job = scheduler.Job("test.weekly", runs.append, scheduler.MONDAY_MORNING)
    sunday = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    monday_early = datetime(2026, 3, 30, 5, 45, tzinfo=UTC)  # 07:45 CEST
    monday = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)  # 08:00 CEST
    for moment in (sunday, monday_early, monday, monday + timedelta(hours=3)):
        scheduler.run_job(app, job, moment)
    assert runs == [monday]


def test_every_nightly_job_is_scheduled_on_a_short_interval_not_a_cron_trigger(app):
    built = scheduler.build_scheduler(app)
    for job in built.get_jobs():
        assert not isinstance(job.trigger, CronTrigger), job.id
