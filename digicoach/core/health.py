"""Health checks for load balancers and monitoring.

- `GET /healthz`: the web app and its database (503 when the database is unreachable); for
  load balancers, which must not take a web host out because the scheduler stopped.
- `GET /healthz/scheduler`: 200 while the scheduler's heartbeat is fresh, 503 with the same JSON
  when it is missing or older than `heartbeat.STALE_AFTER_SECONDS`; for monitoring, so a check
  that looks only at status codes sees a dead scheduler.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from digicoach.core import clock, heartbeat
from digicoach.core.permissions import public
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
