"""Sign-in throttling stops the guessing address, never the owner elsewhere.

It lives in the database: per account and address, per address, across workers and restarts.
Failures are spaced out with the frozen clock, as a patient guesser's are; the slow-down
between them is tested on its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from digicoach import create_app
from digicoach.accounts import rules, tasks
from digicoach.accounts.models import LoginFailure, LoginKnownAddress
from digicoach.extensions import db
from tests.accounts.conftest import audit_actions, count, is_signed_in, log_in
from tests.factories import make_user

THROTTLED = b"Too many attempts to sign in."
GUESSER = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
OWNER_AT_HOME = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
DIGIPUNT = "192.0.2.44"


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def _fail(client, email: str, times: int, clock=None, **kwargs) -> None:
    """Wrong passwords; with a clock, a minute apart (past any slow-down), as a patient
    guesser would. Every one is counted (none refused)."""
    for _ in range(times):
        if clock is not None:
            clock.advance(minutes=1)
        response = log_in(client, email, "a wrong password!", **kwargs)
        assert response.status_code == 200, "a counted failure, not a refusal"


@pytest.fixture
def account(app):
    user = make_user(email="an@example.org")
    db.session.commit()
    return user


# --- one address guessing one account ----------------------------------------------------


def test_after_five_failures_the_guessing_address_is_refused_even_the_right_password(
    client, account, frozen_clock
):
    _fail(client, "an@example.org", 5, frozen_clock)
    response = log_in(client, "an@example.org")
    assert response.status_code == 429
    assert b"Too many attempts to sign in. Wait 11 minutes" in response.data
    assert b"09 123 45 67" in response.data, "the message gives the front-desk phone"
    assert not is_signed_in(client)


def test_the_owner_at_another_address_signs_in_while_the_guesser_is_refused(
    client, account, frozen_clock
):
    _fail(client, "an@example.org", 5, frozen_clock, **GUESSER)
    assert log_in(client, "an@example.org", **GUESSER).status_code == 429
    owner = log_in(client, "an@example.org", **OWNER_AT_HOME)
    assert owner.status_code == 302, "the owner's address has no failures: never refused"
    client.post("/logout")
    assert log_in(client, "an@example.org", **GUESSER).status_code == 429, "still refused"


def test_from_the_third_failure_the_guessing_address_waits_a_doubling_delay(
    client, account, frozen_clock
):
    _fail(client, "an@example.org", 3, frozen_clock)
    refused = log_in(client, "an@example.org")
    assert refused.status_code == 429
    assert b"Try again in 2 seconds" in refused.data, "the password is not even checked"
    frozen_clock.advance(seconds=2)
    assert log_in(client, "an@example.org", "a wrong password!").status_code == 200
    assert b"Try again in 4 seconds" in log_in(client, "an@example.org").data
    frozen_clock.advance(seconds=4)
    assert log_in(client, "an@example.org").status_code == 302, "four failures still let in"


def test_the_refusal_lifts_when_the_failures_leave_the_window(client, account, frozen_clock):
    _fail(client, "an@example.org", 5, frozen_clock)
    frozen_clock.advance(minutes=6)
    assert b"Wait 5 minutes" in log_in(client, "an@example.org").data
    frozen_clock.advance(minutes=5, seconds=1)
    assert log_in(client, "an@example.org").status_code == 302


def test_refused_attempts_do_not_extend_the_refusal(client, account, frozen_clock):
    _fail(client, "an@example.org", 5, frozen_clock)
    frozen_clock.advance(minutes=10)
    log_in(client, "an@example.org", "still guessing!!")
    frozen_clock.advance(minutes=1, seconds=1)
    assert log_in(client, "an@example.org").status_code == 302


def test_the_refusal_is_audited_once(client, account, frozen_clock):
    _fail(client, "an@example.org", 5, frozen_clock)
    for _ in range(3):
        log_in(client, "an@example.org", "a wrong password!")
    assert audit_actions().count("login.lockout") == 1


def test_a_throttled_answer_does_not_tell_whether_the_address_exists(client, account, frozen_clock):
    for _ in range(5):
        frozen_clock.advance(minutes=1)
        _fail(client, "an@example.org", 1)
        _fail(client, "nobody@example.org", 1)
    known = log_in(client, "an@example.org")
    unknown = log_in(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 429
    assert known.get_data(as_text=True).replace("an@example.org", "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@example.org", "X")


def test_a_sign_in_forgets_this_address_failures_but_not_the_guessers(
    client, account, frozen_clock
):
    _fail(client, "an@example.org", 2, frozen_clock, **GUESSER)
    _fail(client, "an@example.org", 2, frozen_clock, **OWNER_AT_HOME)
    assert log_in(client, "an@example.org", **OWNER_AT_HOME).status_code == 302
    assert count(LoginFailure) == 2, "the owner's typos go; the guesser's two stay"
    assert count(LoginKnownAddress) == 1, "the owner's address is known now"


# --- many workers, one database ----------------------------------------------------------


@pytest.fixture
def two_workers(app_config):
    """Two more app instances on the test's database, as two workers (or a restart) are."""
    workers = [create_app("testing", **app_config) for _ in range(2)]
    yield workers
    for worker in workers:
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()


def test_throttling_holds_across_two_app_instances_on_one_database(
    two_workers, account, frozen_clock
):
    first, second = (worker.test_client() for worker in two_workers)
    for client in (first, second):
        client.set_cookie("lang", "en")
    _fail(first, "an@example.org", 3, frozen_clock, **GUESSER)
    _fail(second, "an@example.org", 2, frozen_clock, **GUESSER)
    for client in (first, second):
        response = log_in(client, "an@example.org", **GUESSER)
        assert response.status_code == 429
        assert THROTTLED in response.data
    assert log_in(second, "an@example.org", **OWNER_AT_HOME).status_code == 302


# --- one address, many accounts ----------------------------------------------------------


def test_an_address_failing_across_many_accounts_is_refused_for_strangers(
    app, client, frozen_clock
):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    make_user(email="victim@example.org")
    db.session.commit()
    for number in range(6):
        _fail(client, f"guess{number}@example.org", 1, frozen_clock, **GUESSER)
    refused = log_in(client, "victim@example.org", **GUESSER)
    assert refused.status_code == 429
    assert log_in(client, "victim@example.org", **OWNER_AT_HOME).status_code == 302


def test_a_shared_address_with_others_occasional_failures_lets_its_users_in(client, frozen_clock):
    """A digipunt's connection: thirty people mistype a few times in a quarter of an hour."""
    make_user(email="newcomer@example.org")
    make_user(email="volunteer@example.org")
    db.session.commit()
    for number in range(30):
        _fail(client, f"visitor{number}@example.org", 2, frozen_clock, **_from(DIGIPUNT))
    assert log_in(client, "newcomer@example.org", **_from(DIGIPUNT)).status_code == 302
    client.post("/logout")
    assert log_in(client, "volunteer@example.org", **_from(DIGIPUNT)).status_code == 302


def test_past_its_limit_a_shared_address_still_lets_in_those_who_signed_in_there_before(
    app, client, frozen_clock
):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    make_user(email="regular@example.org")
    make_user(email="newcomer@example.org")
    db.session.commit()
    assert log_in(client, "regular@example.org", **_from(DIGIPUNT)).status_code == 302
    client.post("/logout")
    for number in range(6):
        _fail(client, f"guess{number}@example.org", 1, frozen_clock, **_from(DIGIPUNT))
    assert log_in(client, "newcomer@example.org", **_from(DIGIPUNT)).status_code == 429
    assert log_in(client, "regular@example.org", **_from(DIGIPUNT)).status_code == 302


# --- the rules and the clean-up ----------------------------------------------------------


def test_the_wait_counts_from_the_oldest_failure_that_still_matters():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    window = timedelta(minutes=15)
    failures = [now - timedelta(minutes=minutes) for minutes in (1, 2, 3, 4, 5, 20)]
    assert rules.throttle_wait(failures, limit=5, window=window, now=now) == timedelta(minutes=10)
    assert rules.throttle_wait(failures[:4], limit=5, window=window, now=now) == timedelta(0)
    assert rules.whole_minutes(timedelta(seconds=61)) == 2
    assert rules.whole_minutes(timedelta(seconds=1)) == 1
    assert rules.whole_seconds(timedelta(seconds=1.2)) == 2


def test_one_address_is_slowed_from_the_third_failure_and_refused_from_the_fifth():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    window = timedelta(minutes=15)

    def wait(*seconds_ago: float) -> timedelta:
        times = [now - timedelta(seconds=s) for s in seconds_ago]
        return rules.pair_wait(times, slow_after=3, base_seconds=2, limit=5, window=window, now=now)

    assert wait(1, 30) == timedelta(0)
    assert wait(1, 30, 60) == timedelta(seconds=1)
    assert wait(1, 30, 60, 90) == timedelta(seconds=3)
    assert wait(100, 130, 160, 190) == timedelta(0)
    assert wait(1, 30, 60, 90, 120) == timedelta(minutes=13), "refused until one leaves"


def test_an_account_failing_from_many_addresses_waits_longer_and_longer_but_never_for_good():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def wait(failures: int, addresses: int) -> float:
        return rules.attack_wait(
            failures,
            addresses,
            now,
            min_addresses=3,
            after=10,
            base_seconds=2,
            max_seconds=300,
            now=now,
        ).total_seconds()

    assert wait(9, 9) == 0, "not yet many failures"
    assert wait(40, 2) == 0, "one or two devices are the owner's typos, not an attack"
    assert [wait(failures, 5) for failures in (10, 11, 12, 13)] == [2, 4, 8, 16]
    assert wait(1000, 5) == 300


def test_old_failures_and_stale_known_addresses_are_purged_by_the_scheduler_task(
    client, account, frozen_clock
):
    log_in(client, "an@example.org", **OWNER_AT_HOME)
    client.post("/logout")
    _fail(client, "nobody@example.org", 2, frozen_clock)
    frozen_clock.advance(minutes=16)
    _fail(client, "someone@example.org", 1, **OWNER_AT_HOME)
    assert tasks.purge_login_failures(frozen_clock.moment) == 2
    assert count(LoginFailure) == 1
    assert count(LoginKnownAddress) == 1
    frozen_clock.advance(days=61)
    tasks.purge_login_failures(frozen_clock.moment)
    assert count(LoginKnownAddress) == 0
