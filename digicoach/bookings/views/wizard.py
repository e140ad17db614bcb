"""Citizens' pages: the booking wizard at /book and the manage link at /b/<token>.

The wizard asks one question per page and keeps the answers in a signed hidden field, not in a
server-side session: nothing expires half-way and it works without JavaScript. Personal data
only ever travels in POST bodies (never in a URL), so every step is a form posted to /book; a
step validates only its own question. "Back" and "Change" are buttons of the same form.
The review page carries a one-time token, the booking's idempotency key, so a double submit
books once and shows the same confirmation; the manage token is made by the server from it
(services.manage_token_for), never taken from the browser.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from wtforms import SelectChoice

from digicoach.bookings import availability, forms, queries, rules, services
from digicoach.bookings.models import Appointment, AppointmentStatus, BookingChannel
from digicoach.bookings.permissions import is_exempt_from_booking_limit
from digicoach.core import clock, ics, vocabulary
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.i18n import current_language
from digicoach.core.permissions import public
from digicoach.extensions import limiter
from digicoach.helpdesk import wording
from digicoach.places import queries as place_queries

bp = Blueprint("bookings", __name__)

STEPS = ("municipality", "location", "topic", "language", "slot", "contact", "note")
REVIEW = "review"
FORMS: dict[str, type[forms.StepForm]] = {
    "municipality": forms.MunicipalityForm,
    "location": forms.LocationForm,
    "topic": forms.TopicForm,
    "language": forms.LanguageForm,
    "slot": forms.SlotForm,
    "contact": forms.ContactForm,
    "note": forms.NoteForm,
}
# The state key that holds each step's answer.
KEYS = {
    "municipality": "m",
    "location": "l",
    "topic": "t",
    "language": "g",
    "slot": "s",
    "contact": "n",
    "note": "o",
}
# Which step asks for each field a service may refuse.
FIELD_STEPS = {
    "help_session_id": "slot",
    "start": "slot",
    "first_name": "contact",
    "phone": "contact",
    "email": "contact",
    "topic": "topic",
    "language": "language",
    "note": "note",
}
# Characters, not pictures: they need no file, and the words beside them carry the meaning.
TOPIC_ICONS = {
    "eid_itsme": "🪪",
    "online_banking": "🏦",
    "email": "✉",
    "smartphone_tablet": "📱",
    "government_services": "🏛",
    "health_apps": "⚕",
    "job_search": "💼",
    "safety_phishing": "🛡",
    "video_calling": "📹",
    "other": "💬",
}


def booking_rate_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def exempt_from_booking_limit() -> bool:
    return is_exempt_from_booking_limit(current_user)


# One budget per IP address for every public booking write (the form, the manage link, the API).
limit_booking_writes = limiter.shared_limit(
    booking_rate_limit,
    scope="bookings",
    methods=["POST", "DELETE"],
    exempt_when=exempt_from_booking_limit,
)


# --- the signed state -------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="bookings.wizard")


def dump_state(state: dict[str, Any]) -> str:
    return _serializer().dumps(state)


def load_state(text: Any) -> dict[str, Any] | None:
    if not text:
        return {}
    if not isinstance(text, str) or len(text) > 4000:
        return None
    try:
        state = _serializer().loads(text)
    except BadSignature:
        return None
    return state if isinstance(state, dict) else None


def first_missing(state: dict[str, Any]) -> str | None:
    for step in STEPS:
        if KEYS[step] not in state:
            return step
    return None


# --- choices per step -------------------------------------------------------------------------
#
# Each step lists only the choices that still lead to a free slot, each with its first free
# day (bookings.availability). A step's form still accepts every valid code, so an answer that
# went out of date while the citizen read (the last place taken) is not refused with a
# puzzling error: the next step then says that nothing is free and shows the ways forward.


def _weeks() -> int:
    return int(current_app.config["BOOKING_WEEKS_AHEAD"])


def _window() -> dict[str, Any]:
    return {"now": clock.now(), "closes_hours": services.closes_hours(), "weeks": _weeks()}


def _location_of(state: dict[str, Any]) -> Any:
    try:
        return place_queries.active_location(state.get("l"))
    except NotFound:
        return None


def _slot_offers(state: dict[str, Any], location: Any) -> list[queries.SlotOffer]:
    window = _window()
    return queries.free_slots(
        [location.id],
        now=window["now"],
        closes_hours=window["closes_hours"],
        weeks=window["weeks"],
        topic=state.get("t"),
        language=state.get("g"),
    )


def topic_label(code: str) -> Markup:
    return Markup('<span class="topic-icon" aria-hidden="true">{}</span> {}').format(
        TOPIC_ICONS.get(code, "•"), vocabulary.label(vocabulary.TOPICS, code)
    )


def slot_label(offer: queries.SlotOffer) -> str:
    return _(
        "%(start)s to %(end)s",
        start=wording.clock_time(offer.start),
        end=wording.clock_time(offer.end),
    )


def group_by_day(offers: list[queries.SlotOffer]) -> list[tuple[datetime, list[queries.SlotOffer]]]:
    groups: list[tuple[datetime, list[queries.SlotOffer]]] = []
    for offer in offers:
        if not groups or clock.local(groups[-1][0]).date() != clock.local(offer.start).date():
            groups.append((offer.start, []))
        groups[-1][1].append(offer)
    return groups


def _all_locations() -> list[Any]:
    return [
        location
        for group in place_queries.active_locations_by_municipality()
        for location in group.locations
    ]


def _dead_end(
    here: Any,
    *,
    topic: str | None = None,
    language: str | None = None,
    walk_in_at: list[int] | None = None,
) -> dict[str, Any]:
    """The context of a step with nothing free: the ways forward and the phone to call."""
    ways = availability.ways_forward(
        here,
        _all_locations(),
        topic=topic,
        language=language,
        walk_in_at=walk_in_at if walk_in_at is not None else ([here.id] if here else []),
        **_window(),
    )
    return {
        "dead_end": True,
        "ways": ways,
        "walk_ins": [
            (session.location, wording.period(session.starts_at, session.ends_at))
            for session in ways.walk_ins
        ],
        # The desk's phone of this digipunt (core.phones.front_desk_phone in the template).
        "phone_place": here,
        "weeks": _weeks(),
        "nothing_topic": vocabulary.label(vocabulary.TOPICS, topic) if topic else None,
        "nothing_language": (
            vocabulary.label(vocabulary.SPOKEN_LANGUAGES, language) if language else None
        ),
    }


def _step_form(
    step: str, state: dict[str, Any], *, from_request: bool, context: bool = True
) -> tuple[Any, dict]:
    """The step's form with its choices, and (with `context`) what its template needs:
    `first_free` (the offered choices, each with its first free slot) or `dead_end` with the
    ways forward. A submitted answer is checked without the context, which is read only to
    show the same step again with an error.

    Raises LookupError when an earlier answer the step depends on is missing or gone."""
    form_class = FORMS[step]
    form = form_class() if from_request else form_class(formdata=None)
    extra: dict[str, Any] = {}
    if step == "municipality":
        groups = place_queries.active_locations_by_municipality()
        form.municipality.choices = [
            SelectChoice(str(g.municipality.id), g.municipality.name) for g in groups
        ]
        if context:
            extra.update(_municipality_context(groups))
    elif step == "location":
        try:
            municipality = queries.active_municipality(state.get("m"))
        except NotFound as missing:
            raise LookupError("municipality") from missing
        locations = [loc for loc in _all_locations() if loc.municipality_id == municipality.id]
        form.location.choices = [SelectChoice(str(loc.id), loc.name) for loc in locations]
        extra["locations"] = {str(loc.id): loc for loc in locations}
        extra["municipality"] = municipality
        if context:
            extra.update(_location_context(locations))
    elif step == "topic":
        location = _location_of(state)
        if location is None:
            raise LookupError("location")
        form.topic.choices = [
            SelectChoice(term.code, topic_label(term.code)) for term in vocabulary.TOPICS
        ]
        extra["location"] = location
        if context:
            found = availability.availability([location.id], **_window())
            extra["first_free"] = found.topics(location.id)
            if not extra["first_free"]:
                extra.update(_dead_end(location))
    elif step == "language":
        location = _location_of(state)
        if location is None:
            raise LookupError("location")
        form.language.choices = [
            SelectChoice(term.code, vocabulary.label(vocabulary.SPOKEN_LANGUAGES, term.code))
            for term in vocabulary.SPOKEN_LANGUAGES
        ]
        extra["location"] = location
        if context:
            topic = state.get("t")
            found = availability.availability([location.id], topic=topic, **_window())
            extra["first_free"] = {
                term.code: moment
                for term in vocabulary.SPOKEN_LANGUAGES
                if (moment := found.first_free(location.id, topic, term.code)) is not None
            }
            if not extra["first_free"]:
                extra.update(_dead_end(location, topic=topic))
    elif step == "slot":
        location = _location_of(state)
        if location is None:
            raise LookupError("location")
        offers = _slot_offers(state, location)
        form.slot.choices = [SelectChoice(offer.value, slot_label(offer)) for offer in offers]
        extra["days"] = group_by_day(offers)
        extra["location"] = location
        if context and not offers:
            extra.update(_dead_end(location, topic=state.get("t"), language=state.get("g")))
    if not from_request:
        _prefill(step, form, state)
    return form, extra


def _municipality_context(groups: list[Any]) -> dict[str, Any]:
    found = availability.first_free_by_location(
        [loc.id for group in groups for loc in group.locations], **_window()
    )
    first_free: dict[str, datetime] = {}
    for group in groups:
        moments = [found[loc.id] for loc in group.locations if loc.id in found]
        if moments:
            first_free[str(group.municipality.id)] = min(moments)
    if first_free:
        return {"first_free": first_free}
    return {
        "first_free": {},
        "dead_end": True,
        "ways": None,
        "phone_place": None,
        "weeks": _weeks(),
    }


def _location_context(locations: list[Any]) -> dict[str, Any]:
    found = availability.first_free_by_location([loc.id for loc in locations], **_window())
    if found:
        return {"first_free": {str(k): v for k, v in found.items()}}
    extra = _dead_end(locations[0] if locations else None, walk_in_at=[loc.id for loc in locations])
    # The programme's number, for the whole municipality.
    return {**extra, "first_free": {}, "phone_place": None}


def _prefill(step: str, form: Any, state: dict[str, Any]) -> None:
    if step == "contact":
        form.first_name.data = state.get("n", "")
        form.phone.data = state.get("p", "")
        form.email.data = state.get("e", "")
    elif step == "note":
        form.note.data = state.get("o", "")
    elif KEYS[step] in state:
        getattr(form, step).data = str(state[KEYS[step]])


def _save(step: str, form: Any, state: dict[str, Any]) -> bool:
    """Put the step's answer in the state. False when the service refuses it (errors set)."""
    new = dict(state)
    if step == "contact":
        errors = services.contact_errors(form.first_name.data, form.phone.data, form.email.data)
        if errors:
            for name, messages in errors.items():
                getattr(form, name).errors = [*getattr(form, name).errors, *messages]
            return False
        new.update(
            n=form.first_name.data.strip(), p=form.phone.data.strip(), e=form.email.data.strip()
        )
    elif step == "note":
        new["o"] = (form.note.data or "").strip()
    else:
        key = KEYS[step]
        value = form[step].data
        if str(new.get(key)) != str(value):
            # A new place, topic or language changes which times fit: ask the time again.
            later = {"municipality": ("l", "s"), "slot": ()}.get(step, ("s",))
            for dropped in later:
                new.pop(dropped, None)
        new[key] = int(value) if step in ("municipality", "location") else value
    state.clear()
    state.update(new)
    return True


# --- the wizard -------------------------------------------------------------------------------


def _render_step(
    step: str, state: dict[str, Any], form: Any = None, extra: dict | None = None, status: int = 200
) -> ResponseReturnValue:
    if form is None:
        try:
            form, extra = _step_form(step, state, from_request=False)
        except LookupError:
            return _render_step("municipality", {})
    form.state.data = dump_state(state)
    form.step.data = step
    number = STEPS.index(step) + 1
    response = make_response(
        render_template(
            f"bookings/step_{step}.html",
            form=form,
            step=step,
            number=number,
            total=len(STEPS) + 1,
            back=STEPS[number - 2] if number > 1 else None,
            **(extra or {}),
        ),
        status,
    )
    return _private(response)


def _private(response: Response) -> Response:
    """Pages with a citizen's answers are not kept in shared caches or the back/forward cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _review_context(state: dict[str, Any]) -> dict[str, Any] | None:
    location = _location_of(state)
    parsed = queries.parse_slot_value(state.get("s"))
    if location is None or parsed is None:
        return None
    session = services.bookable_session(parsed[0])
    if session is None or session.location_id != location.id:
        return None
    offer = queries.SlotOffer(session, parsed[1], parsed[1], 0)
    return {
        "location": location,
        "start": parsed[1],
        "session": session,
        "offer": offer,
        "topic": topic_label(state["t"]),
        "language": vocabulary.label(vocabulary.SPOKEN_LANGUAGES, state["g"]),
        "answers": state,
    }


def _render_review(
    state: dict[str, Any], form: forms.ReviewForm | None = None, status: int = 200
) -> ResponseReturnValue:
    context = _review_context(state)
    if context is None:
        state.pop("s", None)
        return _render_step(first_missing(state) or "slot", state)
    form = form or forms.ReviewForm(formdata=None)
    form.state.data = dump_state(state)
    form.step.data = REVIEW
    # A fresh one-time token per review page: the same page submitted twice books once.
    if not form.token.data or form.errors:
        form.token.data = form.token.data or services.new_token()
    return _private(
        make_response(
            render_template(
                "bookings/review.html",
                form=form,
                state_text=dump_state(state),
                number=len(STEPS) + 1,
                total=len(STEPS) + 1,
                **context,
            ),
            status,
        )
    )


@bp.route("/book", methods=["GET", "POST"])
@public
def book() -> ResponseReturnValue:
    if request.method == "GET":
        return _render_step("municipality", {})
    state = load_state(request.form.get("state"))
    if state is None:
        return _render_step("municipality", {})
    step = request.form.get("step", "")
    go = request.form.get("go", "next")
    if go.startswith("edit:") and go[5:] in STEPS:
        return _render_step(go[5:], state)
    if go == "back" and step in STEPS and STEPS.index(step) > 0:
        return _render_step(STEPS[STEPS.index(step) - 1], state)
    if go == "back" and step == REVIEW:
        return _render_step(STEPS[-1], state)
    if go.startswith("place:"):
        return _render_step(*_go_to_place(state, go[6:]))
    if step not in STEPS:
        return _render_step(first_missing(state) or "municipality", state)
    try:
        form, extra = _step_form(step, state, from_request=True, context=False)
    except LookupError:
        return _render_step(first_missing(state) or "municipality", state)
    if step == "contact" and form.website.data:
        return _neutral()
    if form.validate() and _save(step, form, state):
        if step in ("location", "topic"):
            _forget_language_out_of_reach(state)
        following = first_missing(state)
        if following is None:
            return _render_review(state)
        return _render_step(following, state)
    extra.update(_step_form(step, state, from_request=False)[1])
    return _render_step(step, state, form, extra, status=422)


def _forget_language_out_of_reach(state: dict[str, Any]) -> None:
    """After a new digipunt or topic, a language answered before that has nothing free for
    them is asked again (among the languages that do), instead of leading to a dead end."""
    location = _location_of(state)
    if location is None or "t" not in state or "g" not in state:
        return
    found = availability.availability([location.id], topic=state["t"], **_window())
    if found.first_free(location.id, state["t"]) and not found.first_free(
        location.id, state["t"], state["g"]
    ):
        state.pop("g")


def _go_to_place(state: dict[str, Any], location_id: str) -> tuple[str, dict[str, Any]]:
    """A way forward taken: the same topic and language at another digipunt; the time is
    asked again there. An unknown or inactive digipunt changes nothing."""
    try:
        location = place_queries.active_location(
            int(location_id) if location_id.isdigit() else None
        )
    except NotFound:
        return first_missing(state) or "municipality", state
    state = {key: value for key, value in state.items() if key != "s"}
    state.update(m=location.municipality_id, l=location.id)
    return first_missing(state) or "slot", state


def _neutral() -> ResponseReturnValue:
    """What a bot that filled the honeypot sees: a calm page, and nothing was booked."""
    return render_template("bookings/received.html")


@bp.post("/book/confirm")
@public
@limit_booking_writes
def confirm() -> ResponseReturnValue:
    state = load_state(request.form.get("state"))
    if state is None:
        return _render_step("municipality", {})
    form = forms.ReviewForm()
    if form.website.data:
        return _neutral()
    missing = first_missing(state)
    if missing is not None:
        return _render_step(missing, state)
    parsed = queries.parse_slot_value(state["s"])
    if parsed is None:
        state.pop("s", None)
        return _render_step("slot", state)
    if not form.validate():
        return _render_review(state, form, status=422)
    data = services.BookingInput(
        help_session_id=parsed[0],
        start=parsed[1],
        first_name=state["n"],
        phone=state.get("p", ""),
        email=state.get("e", ""),
        topic=state["t"],
        language=state["g"],
        note=state.get("o", ""),
        consent=bool(form.consent.data),
        channel=BookingChannel.ONLINE,
        contact_language=current_language(),
        token=form.token.data or None,
    )
    try:
        with unit_of_work():
            booking = services.book(actor=None, data=data, now=clock.now())
            token = booking.manage_token
    except ValidationFailed as error:
        return _show_refusal(state, form, error.errors)
    except services.SlotFull as error:
        state.pop("s", None)
        return _show_refusal(state, form, {"start": [error.message]})
    except Conflict as error:
        form.form_errors.append(error.message)
        return _render_review(state, form, status=409)
    return redirect(url_for(".manage", token=token, booked=1), code=303)


def _show_refusal(
    state: dict[str, Any], review_form: forms.ReviewForm, errors: dict[str, list[Any]]
) -> ResponseReturnValue:
    """Show a service's refusal on the step that asks for the field."""
    for name, messages in errors.items():
        step = FIELD_STEPS.get(name)
        if step is None:
            field = getattr(review_form, name, None)
            if field is not None:
                field.errors = [*field.errors, *messages]
            else:
                review_form.form_errors.extend(messages)
            continue
        form, extra = _step_form(step, state, from_request=False)
        target = getattr(form, FORMS_FIELD.get(step, step))
        target.errors = [*target.errors, *messages]
        return _render_step(step, state, form, extra, status=422)
    review_form.token.data = None
    return _render_review(state, review_form, status=422)


# The field that shows a step's error (the contact step names its own fields).
FORMS_FIELD = {"contact": "first_name"}


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
    return _private(
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
    return _private(
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
    return _private(response)


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
    form = forms.ManageConfirmForm()
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
    return _private(
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
            weeks=_weeks(),
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
    return _private(
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
