"""GET /healthz: is the database reachable, and how old is the scheduler's heartbeat."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from digicoach.core import clock, heartbeat
from digicoach.core.permissions import public
from digicoach.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
@public
def healthz() -> ResponseReturnValue:
    heartbeat_age: float | None = None
    try:
        db.session.execute(text("SELECT 1"))
        database_ok = True
        heartbeat_age = heartbeat.age_seconds(clock.now())
    except SQLAlchemyError:
        database_ok = False
    finally:
        db.session.rollback()
    body = {
        "status": "ok" if database_ok else "error",
        "database": database_ok,
        "scheduler_heartbeat_age_seconds": (
            None if heartbeat_age is None else round(heartbeat_age, 1)
        ),
        "scheduler_stale": heartbeat_age is None or heartbeat_age > heartbeat.STALE_AFTER_SECONDS,
    }
    return jsonify(body), 200 if database_ok else 503
