"""The walk-in queue at work: call the next walk-in (or one number) to a station, mark helped,
left or back in line, and the waiting display for a screen in the room.

The queue page itself (registration and the list) is `desk.walk_ins`; its buttons post here
and come back to it. Thin views: one service call of `walk_ins` in a unit of work, a message,
a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from digicoach.bookings import walk_ins
from digicoach.bookings.models import WalkIn
from digicoach.bookings.permissions import can_see_walk_ins
from digicoach.core import clock, vocabulary
from digicoach.core.db import unit_of_work
from digicoach.core.errors import DomainError, NotFound
from digicoach.core.permissions import public, require
from digicoach.places import queries as place_queries

bp = Blueprint("queue", __name__)

# The station a caller typed once ("tafel 2"), remembered for their next calls (same name as
# the desk page reads).
STATION_COOKIE = "queue_station"
STATION_COOKIE_SECONDS = 12 * 3600
# How often the waiting display reloads itself (a meta refresh: no JavaScript).
DISPLAY_REFRESH_SECONDS = 10


def _back(location_id: int) -> Any:
    return redirect(url_for("desk.walk_ins", location_id=location_id), code=303)


def _remember_station(response: Any, station: str) -> Any:
    response.set_cookie(
        STATION_COOKIE,
        station,
        max_age=STATION_COOKIE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


def _called_message(walk_in: WalkIn) -> str:
    return _(
        "Number %(number)d to %(station)s: %(topic)s, %(language)s.",
        number=walk_in.number,
        station=walk_in.station,
        topic=vocabulary.label(vocabulary.TOPICS, walk_in.topic),
        language=vocabulary.label(vocabulary.SPOKEN_LANGUAGES, walk_in.language),
    )


@bp.post("/desk/walk-ins/call-next")
@require(can_see_walk_ins)
def call_next() -> ResponseReturnValue:
    now = clock.now()
    wanted = request.form.get("location_id", "")
    location = next(
        (loc for loc in walk_ins.queue_locations(current_user, now) if str(loc.id) == wanted),
        None,
    )
    if location is None:
        raise NotFound(wanted)
    station = request.form.get("station", "")
    try:
        with unit_of_work():
            walk_in = walk_ins.call_next(
                actor=current_user, location=location, station=station, now=now
            )
            message = _called_message(walk_in)
            station = walk_in.station
    except DomainError as error:
        flash(error.message, "error")
        return _back(location.id)
    flash(message, "success")
    return _remember_station(_back(location.id), station)


def _act(walk_in_id: int, action: Callable[..., WalkIn], done: str) -> ResponseReturnValue:
    now = clock.now()
    walk_in = walk_ins.get_walk_in_for_queue(current_user, walk_in_id, now)
    location_id, number = walk_in.location_id, walk_in.number
    try:
        with unit_of_work():
            action(actor=current_user, walk_in=walk_in, now=now)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(done % {"number": number}, "success")
    return _back(location_id)


@bp.post("/desk/walk-ins/<int:walk_in_id>/call")
@require(can_see_walk_ins)
def call(walk_in_id: int) -> ResponseReturnValue:
    now = clock.now()
    walk_in = walk_ins.get_walk_in_for_queue(current_user, walk_in_id, now)
    location_id = walk_in.location_id
    station = request.form.get("station", "")
    try:
        with unit_of_work():
            walk_ins.call(actor=current_user, walk_in=walk_in, station=station, now=now)
            message = _called_message(walk_in)
            station = walk_in.station
    except DomainError as error:
        flash(error.message, "error")
        return _back(location_id)
    flash(message, "success")
    return _remember_station(_back(location_id), station)


@bp.post("/desk/walk-ins/<int:walk_in_id>/helped")
@require(can_see_walk_ins)
def helped(walk_in_id: int) -> ResponseReturnValue:
    return _act(walk_in_id, walk_ins.mark_helped, _("Number %(number)d is helped."))


@bp.post("/desk/walk-ins/<int:walk_in_id>/left")
@require(can_see_walk_ins)
def left(walk_in_id: int) -> ResponseReturnValue:
    return _act(walk_in_id, walk_ins.mark_left, _("Number %(number)d left without help."))


@bp.post("/desk/walk-ins/<int:walk_in_id>/back")
@require(can_see_walk_ins)
def back_in_line(walk_in_id: int) -> ResponseReturnValue:
    return _act(walk_in_id, walk_ins.back_in_line, _("Number %(number)d is back in line."))


@bp.get("/digipunten/<int:location_id>/wachtscherm")
@public
def display(location_id: int) -> ResponseReturnValue:
    """The waiting display of a digipunt, for a screen in the room: the numbers called to a
    station ("now serving") and the numbers still waiting. It reloads itself every ten seconds
    with a meta refresh (no JavaScript); `?refresh=off` stops that, for whoever needs the
    page to hold still (WCAG 2.2.1 asks for a way to turn a time limit off).

    Public on purpose: it shows queue numbers, the stations staff typed and the digipunt's
    name, never a name, a topic or anything else about a person (the read model selects only
    number and station). A screen in the room then needs no account, and no staff session
    that could expire mid-morning or be used by whoever stands at the screen.
    """
    location = place_queries.active_location(location_id)
    response = make_response(
        render_template(
            "bookings/queue/display.html",
            board=walk_ins.display(location, clock.now()),
            location=location,
            refresh=None if request.args.get("refresh") == "off" else DISPLAY_REFRESH_SECONDS,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def remembered_station() -> str:
    """The station this browser called to last (the form's default), or ""."""
    return request.cookies.get(STATION_COOKIE, "")[: walk_ins.STATION_MAX]
