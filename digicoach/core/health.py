"""Health checks for load balancers and monitoring.

- `GET /healthz`: the web app and its database (503 when the database is unreachable); for
  load balancers, which must not take a web host out because the scheduler stopped.
- `GET /healthz/scheduler`: 200 while the scheduler's heartbeat is fresh, 503 with the same JSON
  when it is missing or older than `heartbeat.STALE_AFTER_SECONDS`; for monitoring, so a check
  that looks only at status codes sees a dead scheduler.

A load balancer asks `/healthz` every few seconds, so `Probe` answers it in front of Flask
(issue 17 item 5): no request context, session, signed-in user, language, rate limiter or
template; one statement (the heartbeat, which also proves the database answers) over a
connection of the pool, and the same JSON, status codes and security headers as the view,
which stays for anything that reaches Flask another way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from digicoach.core import clock, heartbeat
from digicoach.core.heartbeat import HEARTBEAT_ID, SchedulerHeartbeat
from digicoach.core.permissions import public
from digicoach.core.security import security_headers
from digicoach.extensions import db, limiter

bp = Blueprint("health", __name__)


def _health() -> tuple[dict[str, object], bool, bool]:
    """The JSON body both checks answer, whether the database answered, whether the heartbeat
    is fresh."""
    heartbeat_age: float | None = None
    try:
        # One round trip: reading the heartbeat is also the proof that the database answers.
        heartbeat_age = heartbeat.age_seconds(clock.now())
        database_ok = True
    except SQLAlchemyError:
        database_ok = False
    finally:
        db.session.rollback()
    return _body(heartbeat_age, database_ok)


_BEAT_AT = select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.id == HEARTBEAT_ID)


def _probe_health() -> tuple[dict[str, object], bool, bool]:
    """`_health` over a bare connection of the pool, without the ORM session."""
    heartbeat_age: float | None = None
    try:
        # Autocommit: no BEGIN and no ROLLBACK round trip around the one statement.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            beat_at = connection.scalar(_BEAT_AT)
        if beat_at is not None:
            heartbeat_age = max(0.0, (clock.now() - beat_at).total_seconds())
        database_ok = True
    except SQLAlchemyError:
        database_ok = False
    return _body(heartbeat_age, database_ok)


def _body(heartbeat_age: float | None, database_ok: bool) -> tuple[dict[str, object], bool, bool]:
    stale = heartbeat_age is None or heartbeat_age > heartbeat.STALE_AFTER_SECONDS
    body = {
        "status": "ok" if database_ok else "error",
        "database": database_ok,
        "scheduler_heartbeat_age_seconds": (
            None if heartbeat_age is None else round(heartbeat_age, 1)
        ),
        "scheduler_stale": stale,
    }
    return body, database_ok, not stale


@bp.get("/healthz")
@limiter.exempt
@public
def healthz() -> ResponseReturnValue:
    body, database_ok, _scheduler_ok = _health()
    return jsonify(body), 200 if database_ok else 503


@bp.get("/healthz/scheduler")
@limiter.exempt
@public
def scheduler_health() -> ResponseReturnValue:
    body, database_ok, scheduler_ok = _health()
    return jsonify(body), 200 if database_ok and scheduler_ok else 503


class Probe:
    """WSGI middleware: GET and HEAD /healthz answered before Flask sees the request."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != "/healthz" or environ.get("REQUEST_METHOD") not in (
            "GET",
            "HEAD",
        ):
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            body, database_ok, _scheduler_ok = _probe_health()
        data = json.dumps(body).encode() + b"\n"
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
            *security_headers(self.app),
        ]
        start_response("200 OK" if database_ok else "503 SERVICE UNAVAILABLE", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [data]


def install_probe(app: Flask) -> None:
    app.wsgi_app = Probe(app, app.wsgi_app)  # type: ignore[method-assign]
