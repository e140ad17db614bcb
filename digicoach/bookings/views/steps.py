"""The wizard's steps: the signed state, the choices and form of each step, and saving an answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Response,
    current_app,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from wtforms import SelectChoice

from digicoach.bookings import availability, forms, queries, services
from digicoach.core import clock, vocabulary
from digicoach.core.errors import NotFound
from digicoach.helpdesk import wording
from digicoach.places import queries as place_queries

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


def weeks_ahead() -> int:
    return int(current_app.config["BOOKING_WEEKS_AHEAD"])


def window_context() -> dict[str, Any]:
    return {"now": clock.now(), "closes_hours": services.closes_hours(), "weeks": weeks_ahead()}


def location_of(state: dict[str, Any]) -> Any:
    try:
        return place_queries.active_location(state.get("l"))
    except NotFound:
        return None


def _slot_offers(state: dict[str, Any], location: Any) -> list[queries.SlotOffer]:
    window = window_context()
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
        **window_context(),
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
        "weeks": weeks_ahead(),
        "nothing_topic": vocabulary.label(vocabulary.TOPICS, topic) if topic else None,
        "nothing_language": (
            vocabulary.label(vocabulary.SPOKEN_LANGUAGES, language) if language else None
        ),
    }


def step_form(
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
        location = location_of(state)
        if location is None:
            raise LookupError("location")
        form.topic.choices = [
            SelectChoice(term.code, topic_label(term.code)) for term in vocabulary.TOPICS
        ]
        extra["location"] = location
        if context:
            found = availability.availability([location.id], **window_context())
            extra["first_free"] = found.topics(location.id)
            if not extra["first_free"]:
                extra.update(_dead_end(location))
    elif step == "language":
        location = location_of(state)
        if location is None:
            raise LookupError("location")
        form.language.choices = [
            SelectChoice(term.code, vocabulary.label(vocabulary.SPOKEN_LANGUAGES, term.code))
            for term in vocabulary.SPOKEN_LANGUAGES
        ]
        extra["location"] = location
        if context:
            topic = state.get("t")
            found = availability.availability([location.id], topic=topic, **window_context())
            extra["first_free"] = {
                term.code: moment
                for term in vocabulary.SPOKEN_LANGUAGES
                if (moment := found.first_free(location.id, topic, term.code)) is not None
            }
            if not extra["first_free"]:
                extra.update(_dead_end(location, topic=topic))
    elif step == "slot":
        location = location_of(state)
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
        [loc.id for group in groups for loc in group.locations], **window_context()
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
        "weeks": weeks_ahead(),
    }


def _location_context(locations: list[Any]) -> dict[str, Any]:
    found = availability.first_free_by_location([loc.id for loc in locations], **window_context())
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


def save_answer(step: str, form: Any, state: dict[str, Any]) -> bool:
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


def private_page(response: Response) -> Response:
    """Pages with a citizen's answers are not kept in shared caches or the back/forward cache."""
    response.headers["Cache-Control"] = "no-store"
    return response
