"""GET /healthz: is the database reachable, and (later) how old is the scheduler's heartbeat."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from digicoach.core.permissions import public
from digicoach.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
@public
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
        database_ok = True
    except SQLAlchemyError:
        database_ok = False
    finally:
        db.session.rollback()
    body = {"status": "ok" if database_ok else "error", "database": database_ok}
    return jsonify(body), 200 if database_ok else 503
