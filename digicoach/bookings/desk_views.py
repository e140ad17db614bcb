"""The front-desk console under /desk: book for a caller on one page, today's list with check-in
and no-show, the appointment slip, move and cancel, walk-ins and the call list.

Thin views: parse the form, call one service inside a unit of work, render or redirect. Reads
go through `queries`, which answer NotFound (404) for ids outside the actor's municipalities.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from digicoach.bookings import forms, queries, queue_views, rules, services
from digicoach.bookings import walk_ins as walk_in_queue
from digicoach.bookings.models import BookingChannel
from digicoach.bookings.permissions import can_see_walk_ins, can_use_front_desk
from digicoach.bookings.views.steps import group_by_day, slot_label, topic_label
from digicoach.core import clock, vocabulary
from digicoach.core.db import parse_id, unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.forms import ConfirmForm, read_filter_form, show_errors
from digicoach.core.permissions import require
from digicoach.helpdesk import wording
from digicoach.helpdesk.models import HelpSession

# The desk form picks one slot for the service's session and start.
SERVICE_TO_FORM_FIELDS = {"start": "slot", "help_session_id": "slot"}

bp = Blueprint("desk", __name__, url_prefix="/desk")

DESK_WEEKS = 2


def _int(value: Any) -> int | None:
    return parse_id(value) if isinstance(value, str) else None


def _chosen_location(locations: list[Any]) -> Any:
    """The location picked in the query string, else the first in scope (None without any)."""
    wanted = _int(request.args.get("location_id"))
    for location in locations:
        if location.id == wanted:
            return location
    return locations[0] if locations else None


def _location_choices(locations: list[Any]) -> list[SelectChoice]:
    return [SelectChoice(str(loc.id), f"{loc.name} ({loc.municipality.name})") for loc in locations]


def _slot_groups(offers: list[queries.SlotOffer]) -> list[tuple[str, list[SelectChoice]]]:
    """Options per day (the template renders optgroups), each time with the places left."""
    groups = []
    for day, day_offers in group_by_day(offers):
        options = [
            SelectChoice(
                offer.value,
                _("%(time)s (%(left)d free)", time=slot_label(offer), left=offer.remaining),
            )
            for offer in day_offers
        ]
        groups.append((format_date(day, "EEEE d MMMM"), options))
    return groups


def _slot_choices(offers: list[queries.SlotOffer]) -> list[SelectChoice]:
    return [SelectChoice(offer.value, slot_label(offer)) for offer in offers]


@dataclass(frozen=True)
class SessionRow:
    """One help session in the desk's slot table: what it takes, and its free times.

    `topics` and `languages` are translated labels; empty means the session takes any."""

    session: HelpSession
    topics: list[str]
    languages: list[str]
    offers: list[queries.SlotOffer] = field(default_factory=list)


def _session_rows(offers: list[queries.SlotOffer]) -> list[SessionRow]:
    """The free slots grouped per session (in order of their first free slot), each with the
    topics and languages the session takes (two queries for all sessions)."""
    terms = queries.session_terms(offer.session.id for offer in offers)
    every_topic = [term.code for term in vocabulary.TOPICS]
    rows: dict[int, SessionRow] = {}
    for offer in offers:
        row = rows.get(offer.session.id)
        if row is None:
            topics, languages = terms.get(offer.session.id, ([], []))
            row = rows[offer.session.id] = SessionRow(
                session=offer.session,
                topics=[
                    vocabulary.label(vocabulary.TOPICS, code)
                    for code in (rules.topics_taken(topics, every_topic) if topics else [])
                ],
                languages=vocabulary.labels(vocabulary.SPOKEN_LANGUAGES, languages),
            )
        row.offers.append(offer)
    return list(rows.values())


def _wanted(value: Any, terms: Any) -> str | None:
    """A topic or language code from the query string, or None (no filter) when unknown."""
    return value if isinstance(value, str) and value in vocabulary.codes(terms) else None


def _free_elsewhere(
    locations: list[Any], here: Any, *, topic: str | None, language: str | None
) -> list[tuple[Any, int]]:
    """The actor's other digipunten with free times for the topic and language, with counts."""
    others = [loc for loc in locations if loc.id != here.id]
    offers = queries.free_slots(
        [loc.id for loc in others],
        now=clock.now(),
        closes_hours=0,
        weeks=DESK_WEEKS,
        topic=topic,
        language=language,
    )
    counts = Counter(offer.session.location_id for offer in offers)
    return [(loc, counts[loc.id]) for loc in others if counts[loc.id]]


def _topic_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a topic")), *vocabulary.select_choices(vocabulary.TOPICS)]


def _language_choices() -> list[SelectChoice]:
    return vocabulary.select_choices(vocabulary.SPOKEN_LANGUAGES)


@bp.get("")
@require(can_use_front_desk)
def today() -> ResponseReturnValue:
    locations = queries.desk_locations(current_user)
    location = _chosen_location(locations)
    picker = forms.DeskLocationForm(request.args)
    picker.location_id.choices = _location_choices(locations)
    reading = read_filter_form(picker, request.args)
    if location is not None:
        picker.location_id.data = str(location.id)
    now = clock.now()
    day = clock.local(now).date()
    return render_template(
        "bookings/desk/today.html",
        picker=picker,
        reading=reading,
        location=location,
        appointments=queries.appointments_on(location, day) if location else [],
        walk_ins=queries.walk_ins_on([location.id], day) if location else [],
        confirm_form=ConfirmForm(),
        now=now,
        topic_label=topic_label,
    )


@bp.route("/book", methods=["GET", "POST"])
@require(can_use_front_desk)
def book() -> ResponseReturnValue:
    locations = queries.desk_locations(current_user)
    location = _chosen_location(locations)
    if request.method == "POST":
        location = next(
            (loc for loc in locations if loc.id == _int(request.form.get("location_id"))), None
        )
        if location is None:
            raise NotFound("location")
    # Topic (and language) first: the slot table lists only the times that take them.
    topic = _wanted(request.args.get("topic"), vocabulary.TOPICS)
    language = _wanted(request.args.get("language"), vocabulary.SPOKEN_LANGUAGES)
    picker = forms.DeskSlotFilterForm(request.args)
    picker.location_id.choices = _location_choices(locations)
    picker.topic.choices = [SelectChoice("", _("All topics")), *_topic_choices()[1:]]
    picker.language.choices = [SelectChoice("", _("All languages")), *_language_choices()]
    reading = read_filter_form(picker, request.args)
    picker.topic.data = topic or ""
    picker.language.data = language or ""
    form = forms.DeskBookingForm()
    offers = (
        queries.free_slots(
            [location.id],
            now=clock.now(),
            closes_hours=0,
            weeks=DESK_WEEKS,
            topic=topic,
            language=language,
        )
        if location
        else []
    )
    form.slot.choices = [SelectChoice("", _("Choose a time")), *_slot_choices(offers)]
    form.topic.choices = _topic_choices()
    form.language.choices = _language_choices()
    if location is not None:
        picker.location_id.data = str(location.id)
        form.location_id.data = str(location.id)
    if request.method == "GET":
        form.token.data = services.new_token()
        form.topic.data = topic or form.topic.data
        form.language.data = language or form.language.data
    status = 200
    if request.method == "POST" and queries.well_formed_token(form.token.data):
        # The same form sent twice (a double click): show the booking the first one made,
        # even though its place no longer shows as free.
        done = queries.appointment_by_idempotency(form.token.data)
        if done is not None:
            found = queries.get_appointment_for_desk(current_user, done.id)
            return redirect(url_for(".slip", appointment_id=found.id), code=303)
    if request.method == "POST":
        if form.validate():
            parsed = queries.parse_slot_value(form.slot.data)
            try:
                with unit_of_work():
                    booking = services.book(
                        actor=current_user,
                        data=services.BookingInput(
                            help_session_id=parsed[0] if parsed else None,
                            start=parsed[1] if parsed else None,
                            first_name=form.first_name.data,
                            phone=form.phone.data or "",
                            no_phone=bool(form.no_phone.data),
                            staff_note=form.staff_note.data or "",
                            topic=form.topic.data,
                            language=form.language.data,
                            channel=BookingChannel.PHONE,
                            contact_language=services.message_language(form.language.data),
                            token=form.token.data or None,
                        ),
                        now=clock.now(),
                    )
                    appointment_id = booking.appointment.id
                    reference = booking.appointment.reference
            except ValidationFailed as error:
                show_errors(form, error, aliases=SERVICE_TO_FORM_FIELDS)
            except Conflict as error:
                form.form_errors.append(error.message)
            else:
                flash(_("Booked: %(reference)s.", reference=reference), "success")
                return redirect(url_for(".slip", appointment_id=appointment_id), code=303)
        status = 422
    return (
        render_template(
            "bookings/desk/book.html",
            picker=picker,
            reading=reading,
            form=form,
            location=location,
            topic=topic,
            language=language,
            rows=_session_rows(offers),
            free_count=len(offers),
            weeks=DESK_WEEKS,
            elsewhere=(
                _free_elsewhere(locations, location, topic=topic, language=language)
                if location is not None and not offers
                else []
            ),
            hours=wording.hours,
            topic_name=lambda code: vocabulary.label(vocabulary.TOPICS, code),
            language_name=lambda code: vocabulary.label(vocabulary.SPOKEN_LANGUAGES, code),
        ),
        status,
    )


@bp.get("/appointments/<int:appointment_id>")
@require(can_use_front_desk)
def slip(appointment_id: int) -> ResponseReturnValue:
    appointment = queries.get_appointment_for_desk(current_user, appointment_id)
    # The slip goes home with the citizen, so it is in the language they chose; the desk's
    # buttons and notes around it stay in the staff member's language.
    slip_language = appointment.contact_language
    with force_locale(slip_language):
        # render_template's output is already escaped by Jinja's autoescape.
        slip_body = Markup(  # noqa: S704
            render_template(
                "bookings/desk/_slip.html",
                appointment=appointment,
                topic=topic_label(appointment.topic),
                language=vocabulary.label(vocabulary.SPOKEN_LANGUAGES, appointment.language),
            )
        )
    return render_template(
        "bookings/desk/slip.html",
        appointment=appointment,
        slip_body=slip_body,
        slip_language=slip_language,
        confirm_form=ConfirmForm(),
        now=clock.now(),
    )


def _act(appointment_id: int, action: Any, done: Any) -> ResponseReturnValue:
    appointment = queries.get_appointment_for_desk(current_user, appointment_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                action(actor=current_user, appointment=appointment, now=clock.now())
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(done, "success")
    target = request.form.get("back")
    if target == "slip":
        return redirect(url_for(".slip", appointment_id=appointment_id), code=303)
    return redirect(url_for(".today", location_id=appointment.location_id), code=303)


@bp.post("/appointments/<int:appointment_id>/check-in")
@require(can_use_front_desk)
def check_in(appointment_id: int) -> ResponseReturnValue:
    return _act(appointment_id, services.check_in, _("Checked in."))


@bp.post("/appointments/<int:appointment_id>/no-show")
@require(can_use_front_desk)
def no_show(appointment_id: int) -> ResponseReturnValue:
    return _act(appointment_id, services.mark_no_show, _("Marked as not come."))


@bp.post("/appointments/<int:appointment_id>/cancel")
@require(can_use_front_desk)
def cancel(appointment_id: int) -> ResponseReturnValue:
    return _act(appointment_id, services.cancel, _("The appointment is cancelled."))


@bp.route("/appointments/<int:appointment_id>/move", methods=["GET", "POST"])
@require(can_use_front_desk)
def move(appointment_id: int) -> ResponseReturnValue:
    appointment = queries.get_appointment_for_desk(current_user, appointment_id)
    offers = [
        offer
        # Only times whose session takes the appointment's topic and language.
        for offer in queries.free_slots(
            [appointment.location_id],
            now=clock.now(),
            closes_hours=0,
            weeks=DESK_WEEKS,
            topic=appointment.topic,
            language=appointment.language,
        )
        if (offer.session.id, offer.start) != (appointment.help_session_id, appointment.start)
    ]
    form = forms.DeskMoveForm()
    form.slot.choices = [SelectChoice("", _("Choose a time")), *_slot_choices(offers)]
    status = 200
    if request.method == "POST":
        if form.validate():
            parsed = queries.parse_slot_value(form.slot.data)
            try:
                with unit_of_work():
                    services.move(
                        actor=current_user,
                        appointment=appointment,
                        help_session_id=parsed[0] if parsed else None,
                        start=parsed[1] if parsed else None,
                        now=clock.now(),
                    )
            except ValidationFailed as error:
                show_errors(form, error, aliases=SERVICE_TO_FORM_FIELDS)
            except Conflict as error:
                form.form_errors.append(error.message)
            else:
                flash(_("The appointment is moved."), "success")
                return redirect(url_for(".slip", appointment_id=appointment_id), code=303)
        status = 422
    return (
        render_template(
            "bookings/desk/move.html",
            appointment=appointment,
            form=form,
            slot_groups=_slot_groups(offers),
            choice=", ".join(
                (
                    vocabulary.label(vocabulary.TOPICS, appointment.topic),
                    vocabulary.label(vocabulary.SPOKEN_LANGUAGES, appointment.language),
                )
            ),
            weeks=DESK_WEEKS,
        ),
        status,
    )


def _walk_in_page(form: forms.WalkInForm | None, status: int = 200) -> ResponseReturnValue:
    """The queue page: the desk's registration form and one digipunt's queue; a coach's queues
    of today's shift digipunten."""
    now = clock.now()
    locations = walk_in_queue.queue_locations(current_user, now)
    chosen = _chosen_location(locations)
    picker = None
    reading = None
    shown = locations
    if form is not None:
        picker = forms.DeskLocationForm(request.args)
        picker.location_id.choices = _location_choices(locations)
        reading = read_filter_form(picker, request.args)
        form.location_id.choices = _location_choices(locations)
        form.topic.choices = _topic_choices()
        form.language.choices = _language_choices()
        if request.method == "POST":
            chosen = next(
                (loc for loc in locations if loc.id == _int(form.location_id.data)), chosen
            )
        if chosen is not None:
            picker.location_id.data = str(chosen.id)
            form.location_id.data = str(chosen.id)
        shown = [chosen] if chosen is not None else []
    return (
        render_template(
            "bookings/desk/walk_ins.html",
            form=form,
            picker=picker,
            reading=reading,
            location=chosen,
            queues=walk_in_queue.queues(shown, now),
            station=queue_views.remembered_station(),
            status_labels=walk_in_queue.STATUS_LABELS,
            topic_label=topic_label,
        ),
        status,
    )


@bp.get("/walk-ins")
@require(can_see_walk_ins)
def walk_ins() -> ResponseReturnValue:
    desk = can_use_front_desk(current_user)
    return _walk_in_page(forms.WalkInForm() if desk else None)


@bp.post("/walk-ins")
@require(can_use_front_desk)
def register_walk_in() -> ResponseReturnValue:
    locations = queries.desk_locations(current_user)
    form = forms.WalkInForm()
    form.location_id.choices = _location_choices(locations)
    form.topic.choices = _topic_choices()
    form.language.choices = _language_choices()
    if form.validate():
        location = queries.get_location_for_desk(current_user, _int(form.location_id.data))
        try:
            with unit_of_work():
                walk_in = walk_in_queue.register_walk_in(
                    actor=current_user,
                    location=location,
                    topic=form.topic.data,
                    language=form.language.data,
                    first_visit=form.first_visit_answer(),
                    now=clock.now(),
                )
                number = walk_in.number
        except ValidationFailed as error:
            show_errors(form, error, aliases=SERVICE_TO_FORM_FIELDS)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Queue number %(number)d.", number=number), "success")
            return redirect(url_for(".walk_ins", location_id=location.id), code=303)
    return _walk_in_page(form, 422)


@bp.get("/call-list")
@require(can_use_front_desk)
def call_list() -> ResponseReturnValue:
    return render_template(
        "bookings/desk/call_list.html",
        appointments=queries.call_list(current_user, now=clock.now()),
        confirm_form=ConfirmForm(),
        period=wording.period,
    )


@bp.post("/call-list/<int:appointment_id>/called")
@require(can_use_front_desk)
def called(appointment_id: int) -> ResponseReturnValue:
    appointment = queries.get_appointment_for_desk(current_user, appointment_id)
    if ConfirmForm().validate_on_submit():
        with unit_of_work():
            services.mark_called(actor=current_user, appointment=appointment, now=clock.now())
        flash(_("Marked as called."), "success")
    return redirect(url_for(".call_list"), code=303)
