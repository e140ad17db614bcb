from datetime import UTC, datetime, timedelta

import pytest

from digicoach import scheduler
from digicoach.core import clock, heartbeat


def test_run_once_beats_the_heartbeat_and_healthz_reports_its_age(app, client):
    assert client.get("/healthz").json["scheduler_heartbeat_age_seconds"] is None
    scheduler.run_once(app)
    body = client.get("/healthz").json
    assert body["scheduler_heartbeat_age_seconds"] < 60
    assert body["scheduler_stale"] is False


def test_healthz_scheduler_answers_503_until_the_scheduler_beats_and_again_when_it_stops(
    app, client, monkeypatch
):
    """Monitors look at status codes: a missing or stale heartbeat is a 503, the same JSON."""
    missing = client.get("/healthz/scheduler")
    assert missing.status_code == 503
    assert missing.json["scheduler_stale"] is True
    assert client.get("/healthz").status_code == 200  # the load balancer keeps the web host

    result = app.test_cli_runner().invoke(args=["scheduler", "run-once"])
    assert result.exit_code == 0, result.output
    fresh = client.get("/healthz/scheduler")
    assert fresh.status_code == 200
    assert fresh.json["scheduler_stale"] is False

    later = clock.now() + timedelta(seconds=heartbeat.STALE_AFTER_SECONDS + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    stale = client.get("/healthz/scheduler")
    assert stale.status_code == 503
    assert stale.json["scheduler_heartbeat_age_seconds"] > heartbeat.STALE_AFTER_SECONDS


def test_run_once_accepts_a_pretend_moment(app):
    moment = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    result = app.test_cli_runner().invoke(
        args=["scheduler", "run-once", "--now", moment.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert heartbeat.age_seconds(moment) == 0


def test_run_once_refuses_a_moment_without_offset(app):
    result = app.test_cli_runner().invoke(
        args=["scheduler", "run-once", "--now", "2026-03-29T08:00:00"]
    )
    assert result.exit_code != 0
    assert "offset" in result.output


def test_a_second_scheduler_refuses_to_start(app):
    first = scheduler.SingleSchedulerLock(app)
    first.acquire()
    try:
        with pytest.raises(scheduler.AlreadyRunning):
            scheduler.SingleSchedulerLock(app).acquire()
    finally:
        first.release()
    again = scheduler.SingleSchedulerLock(app)
    again.acquire()
    again.release()


def test_every_job_runs_in_the_scheduler_with_one_instance_and_coalescing(app):
    built = scheduler.build_scheduler(app)
    assert {job.id for job in built.get_jobs()} == {job.name for job in scheduler.JOBS}
    assert built._job_defaults["max_instances"] == 1
    assert built._job_defaults["coalesce"] is True
