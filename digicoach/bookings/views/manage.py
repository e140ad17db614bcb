"""The manage link at /b/<token>: see, print, add to a calendar, cancel or move an appointment."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Response,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from wtforms import SelectChoice

from digicoach.bookings import forms, queries, rules, services
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.bookings.views.blueprint import bp, limit_booking_writes
from digicoach.bookings.views.steps import (
    group_by_day,
    private_page,
    slot_label,
    topic_label,
    weeks_ahead,
)
from digicoach.core import clock, ics, vocabulary
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, ValidationFailed
from digicoach.core.forms import ConfirmForm
from digicoach.core.permissions import public

# --- the manage link --------------------------------------------------------------------------
#
# The page of /b/<token> shows one of four states. Only a standing appointment offers what
# belongs to it (what to bring, print, calendar, move, cancel); a cancelled or past one says so
# in its heading, keeps the reference and offers to book again. Its print and calendar
# addresses then answer 410 Gone with that same page, so no door still offers the old time.

STANDING = "standing"
CANCELLED = "cancelled"
CANCELLED_BY_ORGANISER = "cancelled_by_organiser"
OVER = "over"


def manage_state(status: str, end: datetime, now: datetime) -> str:
    """What the manage link shows: a booked appointment that has not ended stands; one
    cancelled by the citizen (or the desk) or by the organiser says so; anything else (checked
    in, not come, or ended) is over."""
    if status == AppointmentStatus.CANCELLED:
        return CANCELLED
    if status == AppointmentStatus.CANCELLED_BY_ORGANISER:
        return CANCELLED_BY_ORGANISER
    if status == AppointmentStatus.BOOKED and now < end:
        return STANDING
    return OVER


def _appointment(token: str) -> Appointment:
    return services.get_for_citizen(token, now=clock.now())


def _state_of(appointment: Appointment) -> str:
    return manage_state(appointment.status, appointment.end, clock.now())


def _manage_page(appointment: Appointment, token: str, status: int = 200) -> Response:
    now = clock.now()
    return private_page(
        make_response(
            render_template(
                "bookings/manage.html",
                appointment=appointment,
                token=token,
                state=manage_state(appointment.status, appointment.end, now),
                booked=request.args.get("booked") == "1",
                moved=request.args.get("moved") == "1",
                just_cancelled=request.args.get("done") == "1",
                changeable=rules.may_change(appointment.status, appointment.start, now),
                topic=topic_label(appointment.topic),
                language=vocabulary.label(vocabulary.SPOKEN_LANGUAGES, appointment.language),
            ),
            status,
        )
    )


@bp.get("/b/<token>")
@public
def manage(token: str) -> ResponseReturnValue:
    return _manage_page(_appointment(token), token)


@bp.get("/b/<token>/print")
@public
def printable(token: str) -> ResponseReturnValue:
    appointment = _appointment(token)
    if _state_of(appointment) != STANDING:
        return _manage_page(appointment, token, status=410)
    return private_page(
        make_response(
            render_template(
                "bookings/print.html",
                appointment=appointment,
                topic=topic_label(appointment.topic),
                language=vocabulary.label(vocabulary.SPOKEN_LANGUAGES, appointment.language),
            )
        )
    )


@bp.get("/b/<token>/calendar.ics")
@public
def calendar(token: str) -> ResponseReturnValue:
    appointment = _appointment(token)
    if _state_of(appointment) != STANDING:
        return _manage_page(appointment, token, status=410)
    return calendar_response(appointment)


def calendar_response(appointment: Appointment) -> Response:
    event = services.appointment_event(appointment)
    response = Response(ics.calendar_for([event], now=clock.now()), mimetype="text/calendar")
    response.headers["Content-Type"] = ics.CONTENT_TYPE
    response.headers["Content-Disposition"] = (
        f'attachment; filename="appointment-{appointment.reference}.ics"'
    )
    return private_page(response)


def _back_to_manage(token: str) -> ResponseReturnValue:
    """A cancel or move of an appointment that no longer stands (a second click, an old tab):
    the manage page says what became of it."""
    return redirect(url_for(".manage", token=token), code=303)


@bp.route("/b/<token>/cancel", methods=["GET", "POST"])
@public
@limit_booking_writes
def cancel(token: str) -> ResponseReturnValue:
    appointment = _appointment(token)
    if _state_of(appointment) != STANDING:
        return _back_to_manage(token)
    form = ConfirmForm()
    error = None
    if request.method == "POST" and form.validate():
        try:
            with unit_of_work():
                services.cancel(
                    actor=None, appointment=appointment, now=clock.now(), manage_token=token
                )
        except Conflict as refused:
            if _state_of(_appointment(token)) != STANDING:
                return _back_to_manage(token)
            error = refused.message
            form.form_errors.append(error)  # the layout's summary, first in <main>
        else:
            return redirect(url_for(".manage", token=token, done=1), code=303)
    return private_page(
        make_response(
            render_template(
                "bookings/cancel.html", appointment=appointment, token=token, form=form, error=error
            ),
            409 if error else 200,
        )
    )


@bp.route("/b/<token>/move", methods=["GET", "POST"])
@public
@limit_booking_writes
def move(token: str) -> ResponseReturnValue:
    appointment = _appointment(token)
    if _state_of(appointment) != STANDING:
        return _back_to_manage(token)
    form = forms.MoveForm()
    offers = [
        offer
        for offer in queries.free_slots(
            [appointment.location_id],
            now=clock.now(),
            closes_hours=services.closes_hours(),
            weeks=weeks_ahead(),
            topic=appointment.topic,
            language=appointment.language,
        )
        if (offer.session.id, offer.start) != (appointment.help_session_id, appointment.start)
    ]
    form.slot.choices = [SelectChoice(offer.value, slot_label(offer)) for offer in offers]
    status = 200
    if request.method == "POST":
        if form.validate():
            parsed = queries.parse_slot_value(form.slot.data)
            try:
                with unit_of_work():
                    services.move(
                        actor=None,
                        appointment=appointment,
                        help_session_id=parsed[0] if parsed else None,
                        start=parsed[1] if parsed else None,
                        now=clock.now(),
                        manage_token=token,
                    )
            except ValidationFailed as error:
                form.slot.errors = [m for messages in error.errors.values() for m in messages]
            except Conflict as error:
                form.slot.errors = [error.message]
            else:
                return redirect(url_for(".manage", token=token, moved=1), code=303)
        status = 422
    return private_page(
        make_response(
            render_template(
                "bookings/move.html",
                appointment=appointment,
                token=token,
                form=form,
                days=group_by_day(offers),
            ),
            status,
        )
    )
