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

GET /api/v1/slots is kept for API_SLOTS_CACHE_SECONDS (10; 0 keeps nothing) per query, under
two generations in its key: its location's, which a commit that took or gave back a place
there renews (bookings.free_places names the locations), and one for every location, which a
commit that wrote a place, programme, help session or shift renews (capacity, hours, topics).
So a booking, a cancel or a move drops the location's kept answers at once in this process and,
with Redis, in every worker; with SimpleCache another worker sees it within the seconds. The
free places shown may still be that old for a change made elsewhere (a coach's shift through
another process); booking re-checks the capacity itself.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from digicoach.bookings import free_places
from digicoach.core.page_cache import forget_pages
from digicoach.extensions import cache
from digicoach.helpdesk.models import HelpSession, Shift
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme

LOCATIONS_KEY = "api:v1:locations"
_CHANGED = "digicoach_api_locations_changed"
_PAGES_CHANGED = "digicoach_public_pages_changed"
_LOCATION_ROWS = (Location, Municipality, Neighbourhood)
_PAGE_ROWS = (*_LOCATION_ROWS, Programme, HelpSession)
_SLOTS_CHANGED = "digicoach_api_slots_changed"
_SLOT_ROWS = (*_PAGE_ROWS, Shift)
SLOTS_KEY = "api:v1:slots"
SLOTS_EVERYWHERE = f"{SLOTS_KEY}:generation"


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


def slots_seconds() -> int:
    return int(current_app.config.get("API_SLOTS_CACHE_SECONDS") or 0)


def _location_generation(location_id: int) -> str:
    return f"{SLOTS_KEY}:generation:{location_id}"


def _generations(location_id: int) -> list[str]:
    """The generation for every location and this location's, made when missing (a fresh
    random one: a dropped counter never brings old answers back)."""
    names = [SLOTS_EVERYWHERE, _location_generation(location_id)]
    found = cache.get_many(*names)
    if any(value is None for value in found):
        for name, value in zip(names, found, strict=True):
            if value is None:
                cache.add(name, secrets.token_hex(8), timeout=0)
        found = cache.get_many(*names)
    return [str(value) for value in found]


def kept_slots(location_id: int, query: list[tuple[str, str]]) -> tuple[str, bytes | None]:
    """The key of this slots query, and its kept answer when there is a fresh one."""
    asked = hashlib.sha256(repr(sorted(query)).encode()).hexdigest()[:32]
    everywhere, here = _generations(location_id)
    key = f"{SLOTS_KEY}:{location_id}:{everywhere}:{here}:{asked}"
    return key, cache.get(key)


def keep_slots(key: str, rows: list[dict[str, Any]]) -> bytes:
    body = _body(rows)
    cache.set(key, body, timeout=slots_seconds())
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
    if any(isinstance(row, _SLOT_ROWS) for row in (*session.new, *session.deleted, *changed)):
        session.info[_SLOTS_CHANGED] = True


def _forget_locations_after_commit(session: Session) -> None:
    locations = session.info.pop(_CHANGED, False)
    pages = session.info.pop(_PAGES_CHANGED, False)
    slots = session.info.pop(_SLOTS_CHANGED, False)
    places: set[int] = session.info.pop(free_places.CHANGED_KEY, set())
    if not has_app_context():
        return
    if locations:
        cache.delete(LOCATIONS_KEY)
    if pages:
        forget_pages()
    if slots_seconds() > 0:
        if slots:
            cache.set(SLOTS_EVERYWHERE, secrets.token_hex(8), timeout=0)
        for location_id in places:
            cache.set(_location_generation(location_id), secrets.token_hex(8), timeout=0)


def _nothing_changed_after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_PAGES_CHANGED, None)
    session.info.pop(_SLOTS_CHANGED, None)
    session.info.pop(free_places.CHANGED_KEY, None)


_LISTENERS = (
    ("after_flush", _note_location_writes),
    ("after_commit", _forget_locations_after_commit),
    ("after_soft_rollback", _nothing_changed_after_rollback),
)


def listen() -> None:
    """Drop the kept location list, public pages and slot answers when a commit changed what
    they show (called by the app factory
    through api.receivers, never on import)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
