"""Two app servers, one PostgreSQL database: the capacity and throttling rules hold across
instances, because they live in the database and not in a process.

Each instance is a real gunicorn (deploy/gunicorn.conf.py, two sync workers) in its own
process on its own port, as two web hosts behind a load balancer would be. Requests are spread
over both ports and released together. PostgreSQL only: SQLite is never served by two hosts.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from digicoach.accounts import sessions
from digicoach.accounts.models import User
from digicoach.bookings.models import Appointment, Slot
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, Shift
from tests.bookings.conftest import BookingWorld, build_world
from tests.bookings.factories import make_bookable_session
from tests.conftest import deliver_outbox, free_port
from tests.factories import DEFAULT_PASSWORD
from tests.helpdesk.factories import make_help_session

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"),
        reason="two instances share one PostgreSQL database (set TEST_DATABASE_URL)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60
RACERS = 16


@pytest.fixture
def world(app: Flask, in_request: None) -> BookingWorld:
    return build_world()


@pytest.fixture
def in_request(app: Flask) -> Iterator[None]:
    with app.test_request_context("/"):
        yield


def _wait_until_up(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + log.read_text()[-3000:])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            # A worker still booting may accept and drop the connection: close it either way.
            connection.close()
    raise RuntimeError(f"gunicorn on port {port} did not answer within {START_TIMEOUT_SECONDS}s")


@pytest.fixture
def instances(app: Flask, app_config: dict, tmp_path: Path) -> Iterator[list[int]]:
    """Two gunicorn servers on the test database; yields their ports."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    processes: list[subprocess.Popen] = []
    ports: list[int] = []
    logs: list[Path] = []
    try:
        for number in range(2):
            port = free_port()
            env = {
                **os.environ,
                "DIGICOACH_ENV": "testing",
                "DIGICOACH_INSTANCE_PATH": str(tmp_path / f"instance-{number}"),
                "DIGICOACH_SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"],
                "DIGICOACH_MAIL_SERVER": str(app_config["MAIL_SERVER"]),
                "DIGICOACH_MAIL_PORT": str(app_config["MAIL_PORT"]),
                "DIGICOACH_WTF_CSRF_ENABLED": "false",
                # One trusted proxy hop, so a test can sign in "from" another address.
                "DIGICOACH_PROXY_FIX_X_FOR": "1",
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_ACCESS_LOG": "",
                "GUNICORN_LOG_LEVEL": "warning",
                "WEB_CONCURRENCY": "2",
                "PYTHONPATH": str(ROOT),
            }
            log = tmp_path / f"gunicorn-{number}.log"
            with log.open("wb") as stderr:  # the child keeps its own copy of the handle
                process = subprocess.Popen(
                    [gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "wsgi:app"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            processes.append(process)
            ports.append(port)
            logs.append(log)
        for port, process, log in zip(ports, processes, logs, strict=True):
            _wait_until_up(port, process, log)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    barrier: threading.Barrier | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request without following redirects; the barrier releases the racers together."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.connect()
        if barrier is not None:
            barrier.wait(timeout=60)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _session_cookie(app: Flask, user: User) -> str:
    """The cookie of a signed-in `user`, signed with the secret both instances share."""
    token = sessions.start_session(user, remember=False, now=clock.now())
    db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    value = serializer.dumps(
        {sessions.SESSION_KEY: token, "_user_id": str(user.id), "_fresh": True}
    )
    return f"{app.config['SESSION_COOKIE_NAME']}={value}; lang=en"


def test_bookings_of_the_last_place_through_both_instances_give_exactly_one_201(
    world: BookingWorld, instances: list[int]
) -> None:
    session = make_bookable_session(world.location, [world.coach()])
    body: dict[str, Any] = {
        "help_session_id": session.id,
        "start": clock.local(session.starts_at).isoformat(),
        "first_name": "Racer",
        "topic": "email",
        "language": "nl",
        "consent": True,
    }
    db.session.commit()
    barrier = threading.Barrier(RACERS)

    def book(index: int) -> tuple[int, bytes]:
        payload = json.dumps({**body, "phone": f"+3247{index + 1:07d}"}).encode()
        status, _headers, content = _request(
            instances[index % 2],
            "POST",
            "/api/v1/bookings",
            body=payload,
            headers={"Content-Type": "application/json"},
            barrier=barrier,
        )
        return status, content

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(book, range(RACERS)))

    statuses = [status for status, _ in results]
    assert statuses.count(201) == 1, results
    assert statuses.count(409) == RACERS - 1, results
    db.session.rollback()  # a fresh snapshot: ours began before the race
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    assert db.session.scalar(select(Slot.taken).where(Slot.taken > 0)) == 1


def test_a_shift_sign_up_race_across_both_instances_has_one_winner(
    app: Flask, world: BookingWorld, instances: list[int]
) -> None:
    session = make_help_session(world.location, coaches_min=1, coaches_max=1)
    coaches = [world.coach() for _ in range(RACERS)]
    db.session.commit()
    cookies = [_session_cookie(app, coach.user) for coach in coaches]
    path = url_for("helpdesk.sign_up", session_id=session.id)
    barrier = threading.Barrier(RACERS)

    def sign_up(index: int) -> str:
        status, headers, content = _request(
            instances[index % 2],
            "POST",
            path,
            body=b"",
            headers={
                "Cookie": cookies[index],
                "Content-Type": "application/x-www-form-urlencoded",
            },
            barrier=barrier,
        )
        assert status == 302, (status, content[:500])
        return urllib.parse.urlsplit(headers["Location"]).path

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        landed = list(pool.map(sign_up, range(RACERS)))

    assert landed.count(url_for("helpdesk.my_shifts")) == 1, landed
    assert landed.count(url_for("helpdesk.find_shifts")) == RACERS - 1, landed
    db.session.rollback()
    assert db.session.get(HelpSession, session.id).coaches_taken == 1
    count = select(func.count()).select_from(Shift).where(Shift.session_id == session.id)
    assert db.session.scalar(count) == 1


def _sign_in(port: int, email: str, password: str, address: str) -> tuple[int, bytes]:
    """A sign-in through the proxy header, as from `address` (the instances trust one hop)."""
    form = urllib.parse.urlencode({"email": email, "password": password})
    status, _headers, content = _request(
        port,
        "POST",
        "/login",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "lang=en",
            "X-Forwarded-For": address,
        },
    )
    return status, content


TRY_AGAIN = re.compile(rb"Try again in (\d+) seconds?")
GUESSER = "203.0.113.9"
OWNER_ELSEWHERE = "198.51.100.7"


def _guess_until_refused(ports: list[int], email: str, address: str, limit: int) -> None:
    """Wrong passwords from one address, over both instances, waiting out each slow-down
    as told (the server never sleeps), until the address is refused outright."""
    counted = 0
    while counted < limit:
        status, content = _sign_in(ports[counted % 2], email, "wrong password, wrong", address)
        if status == 429:
            wait = TRY_AGAIN.search(content)
            assert wait, "before the limit, a refusal is a short slow-down"
            time.sleep(int(wait.group(1)))
            continue
        assert status == 200
        counted += 1


def test_sign_in_failures_counted_on_one_instance_block_the_other(
    app: Flask, world: BookingWorld, instances: list[int]
) -> None:
    user = world.coach().user
    db.session.commit()
    second = instances[1]
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]

    # Before any failure, the right password works on the second instance.
    assert _sign_in(second, user.email, DEFAULT_PASSWORD, GUESSER)[0] == 302
    _guess_until_refused(instances, user.email, GUESSER, limit)

    for port in instances:
        status, content = _sign_in(port, user.email, DEFAULT_PASSWORD, GUESSER)
        assert status == 429
        assert b"Wait 15 minutes" in content
        assert _sign_in(port, user.email, DEFAULT_PASSWORD, OWNER_ELSEWHERE)[0] == 302, (
            "the owner at another address signs in on either instance"
        )


def test_an_attack_from_many_addresses_over_both_instances_slows_the_account_and_mails_once(
    app: Flask, world: BookingWorld, instances: list[int], mailbox: Any
) -> None:
    user = world.coach().user
    db.session.commit()
    after = app.config["LOGIN_ATTACK_AFTER_FAILURES"]
    for number in range(after):
        status, _content = _sign_in(
            instances[number % 2], user.email, "a guessed password", f"203.0.113.{number + 1}"
        )
        assert status == 200
    for port in instances:
        status, content = _sign_in(port, user.email, DEFAULT_PASSWORD, OWNER_ELSEWHERE)
        assert status == 429, "the account waits, whichever instance answers"
        assert TRY_AGAIN.search(content)
    # The instances only queue the warning; the one scheduler sends it (its outbox thread's
    # work, done here by the test). Sending twice must still give one mail.
    deliver_outbox()
    deliver_outbox()
    deadline = time.monotonic() + 20
    while not mailbox.to(user.email) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(mailbox.to(user.email)) == 1
    time.sleep(3)  # the first delay is two seconds
    assert _sign_in(instances[0], user.email, DEFAULT_PASSWORD, OWNER_ELSEWHERE)[0] == 302
    assert len(mailbox.to(user.email)) == 1, "one e-mail for the whole attack"
