"""The two lists every booking client reads first, kept instead of rebuilt (issue 17 item 5).

GET /api/v1/topics without parameters is the vocabulary in one language: it is in the code, so
each process builds its body once per language. GET /api/v1/locations without parameters is
the active locations: their body is kept in the app's cache (Flask-Caching: per process, or in
Redis for every worker) for API_LIST_CACHE_SECONDS (60; 0 keeps nothing), and dropped when a
commit wrote a location, municipality or neighbourhood: at once in this process's cache (and
in Redis, every worker's); another process with its own SimpleCache sees it within the minute.
The same commit also drops the public pages kept by core/page_cache.py, and so does one that
wrote a programme or a help session (the impact page, a digipunt's coming sessions).
The narrowed lists (with topic, language or location_id) depend on free places, which every
booking changes: they are never kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from digicoach.core.page_cache import forget_pages
from digicoach.extensions import cache
from digicoach.helpdesk.models import HelpSession
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme

LOCATIONS_KEY = "api:v1:locations"
_CHANGED = "digicoach_api_locations_changed"
_PAGES_CHANGED = "digicoach_public_pages_changed"
_LOCATION_ROWS = (Location, Municipality, Neighbourhood)
_PAGE_ROWS = (*_LOCATION_ROWS, Programme, HelpSession)


def _body(rows: list[dict[str, Any]]) -> bytes:
    """What jsonify would send, built once."""
    return current_app.json.response(rows).get_data()


def topics_body(language: str, labelled: Callable[[], list[dict[str, Any]]]) -> bytes:
    """Every topic in `language`; `labelled()` builds the rows in that language."""
    bodies: dict[str, bytes] = current_app.extensions.setdefault("digicoach_api_topics", {})
    body = bodies.get(language)
    if body is None:
        body = bodies[language] = _body(labelled())
    return body


def locations_body(rows: Callable[[], list[dict[str, Any]]]) -> bytes:
    """Every active location; `rows()` reads them when no fresh copy is kept."""
    seconds = int(current_app.config.get("API_LIST_CACHE_SECONDS") or 0)
    if seconds <= 0:
        return _body(rows())
    body = cache.get(LOCATIONS_KEY)
    if body is None:
        body = _body(rows())
        cache.set(LOCATIONS_KEY, body, timeout=seconds)
    return body


def _note_location_writes(session: Session, flush_context: Any) -> None:
    # A dirty row counts when a column changed, not when a booking joined its collections.
    changed = (row for row in session.dirty if session.is_modified(row, include_collections=False))
    written = [
        row for row in (*session.new, *session.deleted, *changed) if isinstance(row, _PAGE_ROWS)
    ]
    if written:
        session.info[_PAGES_CHANGED] = True
    if any(isinstance(row, _LOCATION_ROWS) for row in written):
        session.info[_CHANGED] = True


def _forget_locations_after_commit(session: Session) -> None:
    locations = session.info.pop(_CHANGED, False)
    pages = session.info.pop(_PAGES_CHANGED, False)
    if not has_app_context():
        return
    if locations:
        cache.delete(LOCATIONS_KEY)
    if pages:
        forget_pages()


def _nothing_changed_after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_PAGES_CHANGED, None)


_LISTENERS = (
    ("after_flush", _note_location_writes),
    ("after_commit", _forget_locations_after_commit),
    ("after_soft_rollback", _nothing_changed_after_rollback),
)


def listen() -> None:
    """Drop the kept location list when a commit wrote a place (called by the app factory
    through api.receivers, never on import)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
