"""Sign-in throttling lives in the database: per account, per IP, across workers and restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digicoach import create_app
from digicoach.accounts import rules, tasks
from digicoach.accounts.models import LoginFailure
from digicoach.extensions import db
from tests.accounts.conftest import audit_actions, count, is_signed_in, log_in
from tests.factories import make_user

THROTTLED = b"Too many attempts to sign in. Wait"


def _fail(client, email: str, times: int, **kwargs) -> None:
    for _ in range(times):
        response = log_in(client, email, "a wrong password!", **kwargs)
        assert response.status_code in (200, 429)


@pytest.fixture
def account(app):
    user = make_user(email="an@example.org")
    db.session.commit()
    return user


def test_after_five_failures_even_the_right_password_is_refused_with_the_wait(client, account):
    _fail(client, "an@example.org", 5)
    response = log_in(client, "an@example.org")
    assert response.status_code == 429
    assert THROTTLED in response.data
    assert b"15 minutes" in response.data
    assert b"09 123 45 67" in response.data, "the message gives the front-desk phone"
    assert not is_signed_in(client)


def test_four_failures_still_let_the_right_password_in(client, account):
    _fail(client, "an@example.org", 4)
    assert log_in(client, "an@example.org").status_code == 302


def test_the_lock_lifts_when_the_failures_leave_the_window(client, account, frozen_clock):
    _fail(client, "an@example.org", 5)
    frozen_clock.advance(minutes=10)
    response = log_in(client, "an@example.org")
    assert b"Wait 5 minutes" in response.data
    frozen_clock.advance(minutes=5, seconds=1)
    assert log_in(client, "an@example.org").status_code == 302


@pytest.fixture
def two_workers(app_config):
    """Two more app instances on the test's database, as two workers (or a restart) are."""
    workers = [create_app("testing", **app_config) for _ in range(2)]
    yield workers
    for worker in workers:
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()


def test_throttling_holds_across_two_app_instances_on_one_database(two_workers, account):
    first, second = (worker.test_client() for worker in two_workers)
    for client in (first, second):
        client.set_cookie("lang", "en")
    _fail(first, "an@example.org", 3)
    _fail(second, "an@example.org", 2)
    for client in (first, second):
        response = log_in(client, "an@example.org")
        assert response.status_code == 429
        assert THROTTLED in response.data


def test_throttling_per_ip_covers_every_address_from_that_ip(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    make_user(email="victim@example.org")
    db.session.commit()
    attacker = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    for number in range(6):
        _fail(client, f"guess{number}@example.org", 1, **attacker)
    refused = log_in(client, "victim@example.org", **attacker)
    assert refused.status_code == 429
    elsewhere = log_in(client, "victim@example.org", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert elsewhere.status_code == 302, "someone at another address is not locked out"


def test_a_throttled_answer_does_not_tell_whether_the_address_exists(client, account):
    _fail(client, "an@example.org", 5)
    _fail(client, "nobody@example.org", 5)
    known = log_in(client, "an@example.org")
    unknown = log_in(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 429
    assert known.get_data(as_text=True).replace("an@example.org", "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@example.org", "X")


def test_throttled_attempts_do_not_extend_the_lock(client, account, frozen_clock):
    _fail(client, "an@example.org", 5)
    frozen_clock.advance(minutes=14)
    log_in(client, "an@example.org", "still guessing!!")
    frozen_clock.advance(minutes=1, seconds=1)
    assert log_in(client, "an@example.org").status_code == 302


def test_the_lockout_is_audited_once(client, account):
    _fail(client, "an@example.org", 7)
    assert audit_actions().count("login.lockout") == 1


def test_a_successful_sign_in_forgets_the_account_failures(client, account):
    _fail(client, "an@example.org", 4)
    log_in(client, "an@example.org")
    assert count(LoginFailure) == 0


def test_the_wait_counts_from_the_oldest_failure_that_still_matters():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    window = timedelta(minutes=15)
    failures = [now - timedelta(minutes=minutes) for minutes in (1, 2, 3, 4, 5, 20)]
    assert rules.throttle_wait(failures, limit=5, window=window, now=now) == timedelta(minutes=10)
    assert rules.throttle_wait(failures[:4], limit=5, window=window, now=now) == timedelta(0)
    assert rules.whole_minutes(timedelta(seconds=61)) == 2
    assert rules.whole_minutes(timedelta(seconds=1)) == 1


def test_old_failures_are_purged_by_the_scheduler_task(client, account, frozen_clock):
    _fail(client, "nobody@example.org", 2)
    frozen_clock.advance(minutes=16)
    _fail(client, "someone@example.org", 1, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert tasks.purge_login_failures(frozen_clock.moment) == 2
    assert count(LoginFailure) == 1
