"""Forty concurrent HTTP requests through the API race for the last place of a slot: one
booking, thirty-nine clean 409 "slot_full", no 5xx. Threads against a live server, so the
requests really meet in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from digicoach.bookings.models import Appointment, Slot
from digicoach.core import clock
from digicoach.extensions import db
from tests.bookings.factories import make_bookable_session
from tests.conftest import free_port

pytestmark = pytest.mark.concurrency

REQUESTS = 40


@pytest.fixture
def server(app) -> Iterator[str]:
    port = free_port()
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def _post(url: str, body: dict, barrier: threading.Barrier) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    barrier.wait(timeout=60)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_forty_requests_for_the_last_place_book_once_and_answer_409_to_the_rest(world, server):
    session = make_bookable_session(world.location, [world.coach()])
    body = {
        "help_session_id": session.id,
        "start": clock.local(session.starts_at).isoformat(),
        "first_name": "Racer",
        "topic": "email",
        "language": "nl",
        "consent": True,
    }
    db.session.commit()
    barrier = threading.Barrier(REQUESTS)
    bodies = [{**body, "phone": f"+3247{index + 1:07d}"} for index in range(REQUESTS)]
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(lambda b: _post(server + "/api/v1/bookings", b, barrier), bodies))
    statuses = [status for status, _ in results]
    assert statuses.count(201) == 1, results
    assert statuses.count(409) == REQUESTS - 1, results
    assert all(payload.get("error") == "slot_full" for status, payload in results if status == 409)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    assert db.session.scalar(select(Slot.taken)) == 1
