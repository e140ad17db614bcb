"""The JSON API under /api/v1: thin handlers over `bookings.services` and the read models.

CSRF-exempt (no cookies are needed; the manage token travels in a header). Input is checked by
the pydantic models the OpenAPI document is generated from (api.schemas); bad input answers
422 with messages per field, including malformed JSON (documented). Writes go through the
same service functions as the web form, inside one unit of work, and share the form's per-IP
rate limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _

from digicoach.api import lists, openapi, schemas
from digicoach.api.validation import parse
from digicoach.bookings import availability, queries, services
from digicoach.bookings.models import Appointment, BookingChannel
from digicoach.bookings.views.blueprint import limit_booking_writes
from digicoach.core import clock, vocabulary
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from digicoach.core.permissions import public
from digicoach.extensions import csrf
from digicoach.nearby import listing, opendata
from digicoach.nearby import queries as nearby_queries
from digicoach.places import queries as place_queries
from digicoach.progress import queries as progress_queries

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_RANGE = timedelta(weeks=12)
MAX_BODY_BYTES = 20_000


def _language() -> str:
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def _moment(value: datetime) -> str:
    """ISO 8601 with the Brussels offset of that moment."""
    return clock.local(value).isoformat(timespec="seconds")


def _invalid(errors: dict[str, list[Any]]) -> ResponseReturnValue:
    return jsonify(
        {"errors": {name: [str(m) for m in messages] for name, messages in errors.items()}}
    ), 422


def _conflict(error: Conflict) -> ResponseReturnValue:
    return jsonify({"error": error.code, "message": str(error.message)}), 409


def _place(appointment: Appointment) -> dict[str, Any]:
    location = appointment.location
    return {"id": location.id, "name": location.name, "address": location.address}


def _json_body() -> Any:
    """The parsed body, or None when it is not JSON (too long, malformed, nested too deep)."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return None  # refused on its announced length, unread
    raw = request.get_data()  # the NUL guard read it already; bounded by MAX_CONTENT_LENGTH
    if len(raw) > MAX_BODY_BYTES:
        return None
    try:
        # Parsed once per request: Werkzeug keeps what the input guard (core.security) parsed.
        return request.get_json(force=True, silent=True)
    except RecursionError:
        return None


def _booking(appointment: Appointment) -> dict[str, Any]:
    return {
        "reference": appointment.reference,
        "start": _moment(appointment.start),
        "end": _moment(appointment.end),
        "location": _place(appointment),
        "status": appointment.status,
        "topic": appointment.topic,
        "language": appointment.language,
    }


@bp.after_request
def _bookings_are_not_cached(response: Response) -> Response:
    """A booking answer holds a citizen's appointment: no cache may keep it."""
    if request.path.startswith("/api/v1/bookings"):
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
@public
def openapi_document() -> ResponseReturnValue:
    return jsonify(openapi.document())


@bp.get("/docs")
@public
def docs() -> ResponseReturnValue:
    return render_template("api/docs.html", document=openapi.document())


def _weeks() -> int:
    """The booking window in weeks: the web form's, for every answer about free slots."""
    return int(current_app.config["BOOKING_WEEKS_AHEAD"])


def _availability(location_ids: list[int], **narrow: Any) -> availability.Availability:
    return availability.availability(
        location_ids,
        now=clock.now(),
        closes_hours=services.closes_hours(),
        weeks=_weeks(),
        **narrow,
    )


def _json(body: bytes) -> Response:
    return Response(body, mimetype="application/json")


def _location_rows(
    groups: list[place_queries.MunicipalityLocations],
    first_free: dict[int, datetime] | None = None,
) -> list[dict[str, Any]]:
    """The locations; with `first_free`, only those in it, each with its first free slot."""
    return [
        {
            "id": location.id,
            "name": location.name,
            "municipality": group.municipality.name,
            "neighbourhood": location.neighbourhood.name if location.neighbourhood else None,
            "address": location.address,
            "accessibility": location.accessibility_notes,
            **({"first_free": _moment(first_free[location.id])} if first_free is not None else {}),
        }
        for group in groups
        for location in group.locations
        if first_free is None or location.id in first_free
    ]


def _topic_rows(first_free: dict[str, datetime] | None = None) -> list[dict[str, Any]]:
    """The topics in the language asked; with `first_free`, only those in it."""
    with force_locale(_language()):
        rows = [{"code": term.code, "label": str(term.label)} for term in vocabulary.TOPICS]
    if first_free is None:
        return rows
    return [
        {**row, "first_free": _moment(first_free[row["code"]])}
        for row in rows
        if row["code"] in first_free
    ]


@bp.get("/locations")
@public
def locations() -> ResponseReturnValue:
    """Every active location (kept a minute, see api.lists); with `topic` and/or `language`
    only those with a free slot for them in the booking window, each with its first free slot."""
    if not any(name in request.args for name in schemas.LocationsQuery.model_fields):
        return _json(
            lists.locations_body(
                lambda: _location_rows(place_queries.active_locations_by_municipality())
            )
        )
    query, errors = parse(schemas.LocationsQuery, request.args.to_dict())
    if query is None:
        return _invalid(errors)
    groups = place_queries.active_locations_by_municipality()
    first_free = availability.first_free_by_location(
        [loc.id for group in groups for loc in group.locations],
        now=clock.now(),
        closes_hours=services.closes_hours(),
        weeks=_weeks(),
        topic=query.topic,
        language=query.language,
    )
    return jsonify(_location_rows(groups, first_free))


@bp.get("/topics")
@public
def topics() -> ResponseReturnValue:
    """Every topic (built once per language, see api.lists); with `location_id` (and
    `language`) only those with a free slot there in the booking window, each with its first
    free slot."""
    if not any(name in request.args for name in schemas.TopicsQuery.model_fields):
        return _json(lists.topics_body(_language(), _topic_rows))
    query, errors = parse(schemas.TopicsQuery, request.args.to_dict())
    if query is None:
        return _invalid(errors)
    if query.location_id is None:
        return _invalid({"location_id": [_("Give a location_id to narrow the topics.")]})
    try:
        location = place_queries.active_location(query.location_id)
    except NotFound:
        return _invalid({"location_id": [_("No active location has this id.")]})
    found = _availability([location.id], language=query.language)
    return jsonify(_topic_rows(found.topics(location.id, query.language)))


@bp.get("/slots")
@public
def slots() -> ResponseReturnValue:
    query, errors = parse(schemas.SlotsQuery, request.args.to_dict())
    if query is None:
        return _invalid(errors)
    now = clock.now()
    start = query.start or now
    until = query.until or start + timedelta(weeks=_weeks())
    if until <= start or until - start > MAX_RANGE:
        return _invalid({"to": [_("Give a 'to' after 'from', at most 12 weeks later.")]})
    kept = lists.slots_seconds() > 0
    key = ""
    if kept:
        key, body = lists.kept_slots(query.location_id, list(request.args.items(multi=True)))
        if body is not None:
            return _json(body)
    location = place_queries.active_location(query.location_id)
    offers = queries.free_slots(
        [location.id],
        now=now,
        closes_hours=services.closes_hours(),
        topic=query.topic,
        language=query.language,
        start_from=start,
        until=until,
    )
    rows = [
        {
            "help_session_id": offer.session.id,
            "start": _moment(offer.start),
            "end": _moment(offer.end),
            "remaining": offer.remaining,
        }
        for offer in offers
    ]
    # Kept a few seconds per query, dropped when a place is taken or given back there.
    return _json(lists.keep_slots(key, rows)) if kept else jsonify(rows)


@bp.post("/bookings")
@public
@limit_booking_writes
def create_booking() -> ResponseReturnValue:
    body = _json_body()
    if body is None:
        return _invalid({"body": [_("Send a JSON object: the body is not valid JSON.")]})
    asked, errors = parse(schemas.BookingRequest, body)
    if asked is None:
        return _invalid(errors)
    data = services.BookingInput(
        help_session_id=asked.help_session_id,
        start=asked.start,
        first_name=asked.first_name,
        phone=asked.phone or "",
        email=asked.email or "",
        topic=asked.topic,
        language=asked.language,
        note=asked.note or "",
        consent=asked.consent,
        channel=BookingChannel.ONLINE,
        contact_language=_language(),
    )
    try:
        with unit_of_work():
            booking = services.book(actor=None, data=data, now=clock.now())
            body = _booking(booking.appointment)
            token = booking.manage_token
    except ValidationFailed as error:
        return _invalid(error.errors)
    except Conflict as error:
        return _conflict(error)
    created = {key: body[key] for key in ("reference", "start", "end", "location", "status")}
    return jsonify({**created, "manage_token": token}), 201


def _by_reference(reference: str, *, lock: bool = False) -> Appointment:
    token = request.headers.get(schemas.MANAGE_TOKEN_HEADER, "")
    found = queries.appointment_by_reference(reference, token, now=clock.now(), lock=lock)
    if found is None:
        raise NotFound("booking")
    return found


@bp.get("/bookings/<reference>")
@public
def get_booking(reference: str) -> ResponseReturnValue:
    return jsonify(_booking(_by_reference(reference)))


@bp.delete("/bookings/<reference>")
@public
@limit_booking_writes
def cancel_booking(reference: str) -> ResponseReturnValue:
    # Read with its row lock: the cancel below needs no second read (one statement fewer).
    # The lock is this request's transaction's, which the unit of work ends.
    appointment = _by_reference(reference, lock=True)
    token = request.headers[schemas.MANAGE_TOKEN_HEADER]
    try:
        with unit_of_work():
            services.cancel(
                actor=None,
                appointment=appointment,
                now=clock.now(),
                manage_token=token,
                locked=True,
            )
            body = _booking(appointment)
    except Conflict as error:
        return _conflict(error)
    return jsonify(body)


@bp.get("/progress")
@public
def progress() -> ResponseReturnValue:
    query, errors = parse(schemas.ProgressQuery, request.args.to_dict())
    if query is None:
        return _invalid(errors)
    return jsonify(progress_queries.programme_progress(query.programme, now=clock.now()))


def _offer_filters() -> tuple[Any, dict[str, list[Any]]]:
    query, errors = parse(schemas.OffersQuery, request.args.to_dict())
    if query is None:
        return None, errors
    return nearby_queries.Filters(
        municipality_id=query.municipality_id,
        neighbourhood_id=query.neighbourhood_id,
        topic=query.topic,
        language=query.language,
    ), {}


@bp.get("/offers")
@public
def offers() -> ResponseReturnValue:
    """The partner offers near a municipality or neighbourhood, for a municipal website or a
    social map: the same read model as the public page "Waar kan ik terecht?"."""
    filters, errors = _offer_filters()
    if filters is None:
        return _invalid(errors)
    rows = listing.offer_rows(nearby_queries.offers(filters), now=clock.now())
    return jsonify([listing.offer_json(row) for row in rows])


@bp.get("/offers.csv")
@public
def offers_csv() -> ResponseReturnValue:
    """The digipunten and offers as open data (see nearby.listing)."""
    filters, errors = _offer_filters()
    if filters is None:
        return _invalid(errors)
    body = opendata.csv_body(filters, now=clock.now())
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="lieux-mediation-numerique.csv"',
            # Public data: a cache may keep it for a few minutes.
            "Cache-Control": "public, max-age=300",
        },
    )
