"""While the database is unreachable, requests answer 503 with Retry-After, not 500.

A PostgreSQL restart, a failover or a SQLite write lock held past the busy timeout makes every
request fail for a few seconds. People get a plain page ("try again in a moment"), the API its
usual JSON error, the log one line when the outage starts and one when it ends (per worker),
never a traceback per request. The request's transaction is rolled back, so nothing is half
written, and the pool's pre-ping replaces dead connections, so the app recovers by itself.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import force_locale
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from digicoach.core.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGES
from digicoach.extensions import db

EXTENSION_KEY = "digicoach.outage"
# SQLite's own words for "another connection holds the lock"; its other operational errors
# (a missing table, say) are bugs, not outages.
SQLITE_BUSY_WORDS = ("database is locked", "database is busy", "unable to open database")

logger = logging.getLogger("digicoach.outage")


@dataclass
class OutageLog:
    """When this process first saw the database unreachable (None: it is reachable)."""

    since: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, error: BaseException) -> None:
        with self.lock:
            if self.since is not None:
                return
            self.since = time.monotonic()
        first_line = str(getattr(error, "orig", error)).strip().splitlines()[:1]
        logger.warning(
            "database unreachable: %s %s", type(error).__name__, first_line[0] if first_line else ""
        )

    def answered(self) -> None:
        if self.since is None:
            return
        with self.lock:
            since, self.since = self.since, None
        if since is not None:
            logger.warning("database reachable again after %.1f s", time.monotonic() - since)


def is_unreachable(error: BaseException | None) -> bool:
    """Whether `error` says the database could not be reached (or kept busy past the wait),
    rather than that our SQL was wrong."""
    if isinstance(error, PoolTimeoutError | InterfaceError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, OperationalError):
        if type(error.orig).__module__.startswith("sqlite3"):
            return any(words in str(error.orig) for words in SQLITE_BUSY_WORDS)
        return True
    return False


def unavailable_response(error: BaseException) -> Response:
    """The 503 for people and for the API; renders without touching the database."""
    current_app.extensions[EXTENSION_KEY].failed(error)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool discards it
        db.session.invalidate()
    retry_after = str(current_app.config["DATABASE_RETRY_AFTER_SECONDS"])
    if request.path.startswith("/api/"):
        response = make_response(jsonify({"error": "unavailable"}), 503)
    else:
        # The language from the cookie or the browser: the signed-in user's saved preference
        # is in the database.
        cookie = request.cookies.get(LANGUAGE_COOKIE)
        language = cookie if cookie in LANGUAGES else None
        language = language or request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
        with force_locale(language):
            page = render_template("errors/503.html")
        response = make_response(page, 503)
    response.headers["Retry-After"] = retry_after
    response.headers["Cache-Control"] = "no-store"
    return response


def register_outage_handling(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = OutageLog()

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeoutError)
    def _database_error(error: Exception) -> Response:
        if is_unreachable(error):
            return unavailable_response(error)
        app.logger.exception("unhandled error", exc_info=error)
        return make_response(render_template("errors/500.html", status=500), 500)

    @app.after_request
    def _note_recovery(response: Response) -> Response:
        if response.status_code < 500:
            app.extensions[EXTENSION_KEY].answered()
        return response
