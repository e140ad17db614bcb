"""The booking wizard at /book (the manage link at /b/<token>: manage.py).

The wizard asks one question per page and keeps the answers in a signed hidden field, not in a
server-side session: nothing expires half-way and it works without JavaScript. Personal data
only ever travels in POST bodies (never in a URL), so every step is a form posted to /book; a
step validates only its own question. "Back" and "Change" are buttons of the same form.
The review page carries a one-time token, the booking's idempotency key, so a double submit
books once and shows the same confirmation; the manage token is made by the server from it
(services.manage_token_for), never taken from the browser.
"""

from __future__ import annotations

from typing import Any

from flask import (
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from digicoach.bookings import availability, forms, queries, services
from digicoach.bookings.models import BookingChannel
from digicoach.bookings.views.blueprint import bp, limit_booking_writes
from digicoach.bookings.views.steps import (
    FIELD_STEPS,
    REVIEW,
    STEPS,
    dump_state,
    first_missing,
    load_state,
    location_of,
    private_page,
    save_answer,
    step_form,
    topic_label,
    window_context,
)
from digicoach.core import clock, vocabulary
from digicoach.core.db import parse_id, unit_of_work
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.i18n import current_language
from digicoach.core.page_cache import kept_public_page
from digicoach.core.permissions import public
from digicoach.places import queries as place_queries

# --- the wizard -------------------------------------------------------------------------------


def _render_step(
    step: str, state: dict[str, Any], form: Any = None, extra: dict | None = None, status: int = 200
) -> ResponseReturnValue:
    if form is None:
        try:
            form, extra = step_form(step, state, from_request=False)
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
    return private_page(response)


def _review_context(state: dict[str, Any]) -> dict[str, Any] | None:
    location = location_of(state)
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
    return private_page(
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
@kept_public_page()
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
        form, extra = step_form(step, state, from_request=True, context=False)
    except LookupError:
        return _render_step(first_missing(state) or "municipality", state)
    if step == "contact" and form.website.data:
        return _neutral()
    if form.validate() and save_answer(step, form, state):
        if step in ("location", "topic"):
            _forget_language_out_of_reach(state)
        following = first_missing(state)
        if following is None:
            return _render_review(state)
        return _render_step(following, state)
    extra.update(step_form(step, state, from_request=False)[1])
    return _render_step(step, state, form, extra, status=422)


def _forget_language_out_of_reach(state: dict[str, Any]) -> None:
    """After a new digipunt or topic, a language answered before that has nothing free for
    them is asked again (among the languages that do), instead of leading to a dead end."""
    location = location_of(state)
    if location is None or "t" not in state or "g" not in state:
        return
    found = availability.availability([location.id], topic=state["t"], **window_context())
    if found.first_free(location.id, state["t"]) and not found.first_free(
        location.id, state["t"], state["g"]
    ):
        state.pop("g")


def _go_to_place(state: dict[str, Any], location_id: str) -> tuple[str, dict[str, Any]]:
    """A way forward taken: the same topic and language at another digipunt; the time is
    asked again there. An unknown or inactive digipunt changes nothing."""
    try:
        location = place_queries.active_location(parse_id(location_id))
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
        form, extra = step_form(step, state, from_request=False)
        target = getattr(form, FORMS_FIELD.get(step, step))
        target.errors = [*target.errors, *messages]
        return _render_step(step, state, form, extra, status=422)
    review_form.token.data = None
    return _render_review(state, review_form, status=422)


# The field that shows a step's error (the contact step names its own fields).
FORMS_FIELD = {"contact": "first_name"}
