"""Booking a home visit, and what a visit's staffing means.

Only staff book (permissions.can_book_at); citizens' booking pages and the booking API never
offer a home visit, because a session in mode "at home" takes no appointments. A visit is
booked with the two people who go, chosen at booking time: two coaches, or one coach and the
staff member who books and goes along (then the session's minimum is one coach). Nothing else
is booked. The coaches are put on the visit in the same transaction, through the helpdesk
shift rules (helpdesk.services.shifts.sign_up), which keep the travel time between a visit and
a coach's other shifts (helpdesk.rules.first_without_travel_time) and take the places
race-free; a refusal of either coach rolls the whole booking back. The chosen coaches' rows are
locked in id order first, so two desks booking the same coaches at once take turns instead of
deadlocking, and the second sees the first's visit as a clash.

A coach who cancels later leaves the visit short: the staffing board shows it like any session
that lacks a coach. Staff change a visit's time and who goes under the same rules
(change_visit), or cancel it (cancel_visit); the coaches and the citizen are told (notices).

A citizen (one phone number) has at most one coming home visit: the check and the insert take
turns per citizen (core.db.serialize_on), and a per-form idempotency key (UNIQUE) makes a double
submit book once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import phonenumbers
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach
from digicoach.core import audit, phones, timeslots, vocabulary
from digicoach.core.citizens import citizen_key
from digicoach.core.db import assign, parse_id, serialize_on
from digicoach.core.errors import Conflict, FieldErrors, NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk import rules as helpdesk_rules
from digicoach.helpdesk.models import HelpSession, SessionMode, SessionStatus
from digicoach.helpdesk.services import cancelling, shifts
from digicoach.helpdesk.services import common as helpdesk_common
from digicoach.homevisits import notices, permissions
from digicoach.homevisits.models import HomeVisit
from digicoach.places.models import Location

MAX_VISIT_MINUTES = 180
NOTES_MAX_LENGTH = 1000


class VisitPlanned(Conflict):
    """The citizen already has a coming home visit."""

    code = "visit_planned"


@dataclass(frozen=True)
class VisitInput:
    location_id: Any
    day: date | None
    start_time: time | None
    end_time: time | None
    first_name: Any
    phone: Any
    street: Any
    postcode: Any
    city: Any
    accessibility_notes: Any = ""
    topic: Any = "other"
    language: Any = "nl"
    # The coaches who go (ids, first the "coach_id" field, then "second_id"): two, or one
    # when the staff member who books goes along as the second person (companion).
    coach_ids: tuple[Any, ...] = ()
    companion: bool = False
    token: str | None = None


def _text(value: Any, limit: int) -> str | None:
    """The stripped text, or None when it is not text or longer than `limit`."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > limit:
        return None
    return value.strip()


def _required(errors: FieldErrors, name: str, value: Any, limit: int, message: Any) -> str:
    text = _text(value, limit)
    if not text:
        errors.add(name, message)
    return text or ""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _when(
    errors: FieldErrors, day: date | None, start: time | None, end: time | None, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The visit's start and end, or field errors: a day and times in the future, the end after
    the start, at most MAX_VISIT_MINUTES."""
    if day is None:
        errors.add("day", _("Enter the day."))
    if start is None:
        errors.add("start_time", _("Enter the start time, for example 14:00."))
    if end is None:
        errors.add("end_time", _("Enter the end time, for example 15:30."))
    if not (day and start and end):
        return None, None
    starts_at = timeslots.local_moment(day, start)
    ends_at = timeslots.local_moment(day, end)
    if ends_at <= starts_at:
        errors.add("end_time", _("The end time must be after the start time."))
    elif ends_at - starts_at > timedelta(minutes=MAX_VISIT_MINUTES):
        errors.add(
            "end_time",
            _("A home visit lasts at most %(minutes)d minutes.", minutes=MAX_VISIT_MINUTES),
        )
    elif starts_at <= now:
        errors.add("day", _("Choose a moment in the future."))
    return starts_at, ends_at


def _location(actor: User, location_id: Any) -> Location | None:
    found = db.session.get(Location, parse_id(location_id)) if parse_id(location_id) else None
    if found is None or not found.active or not permissions.can_book_at(actor, found):
        return None
    return found


def book_visit(*, actor: User, data: VisitInput, now: datetime) -> HomeVisit:
    """Book a home visit from a digipunt for a citizen who cannot come.

    Needs a digipunt the actor books for, a day and times in the future (at most
    MAX_VISIT_MINUTES), the citizen's first name, a valid phone number and address, a known
    topic and language. Raises PermissionDenied (not staff), ValidationFailed (per field),
    VisitPlanned (the citizen has a coming visit). A repeated form token returns the first visit.
    """
    ensure(permissions.can_book_home_visits(actor))
    if data.token:
        found = db.session.scalar(
            select(HomeVisit).where(HomeVisit.idempotency_key == _hash(data.token))
        )
        if found is not None:
            return found
    errors = FieldErrors()
    location = _location(actor, data.location_id)
    if location is None:
        errors.add("location_id", _("Choose the digipunt that organises the visit."))
    starts_at, ends_at = _when(errors, data.day, data.start_time, data.end_time, now)
    first_name = _required(errors, "first_name", data.first_name, 60, _("Enter the first name."))
    phone_text = _text(data.phone, 30)
    parsed = phones.parse(phone_text) if phone_text else None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        errors.add("phone", _("Enter a phone number, for example 0470 12 34 56."))
    street = _required(errors, "street", data.street, 120, _("Enter the street and house number."))
    postcode = _text(data.postcode, 10) or ""
    if not (len(postcode) == 4 and postcode.isdigit()):
        errors.add("postcode", _("Enter a postcode of 4 digits, for example 9000."))
    city = _required(errors, "city", data.city, 80, _("Enter the municipality."))
    notes = _text(data.accessibility_notes, NOTES_MAX_LENGTH)
    if notes is None:
        errors.add(
            "accessibility_notes",
            _("Write at most %(count)d characters.", count=NOTES_MAX_LENGTH),
        )
    if data.topic not in vocabulary.codes(vocabulary.TOPICS):
        errors.add("topic", _("Choose a topic."))
    if data.language not in vocabulary.codes(vocabulary.SPOKEN_LANGUAGES):
        errors.add("language", _("Choose a language."))
    coaches = _chosen_coaches(errors, data, location)
    errors.raise_if_any()
    assert location is not None and starts_at is not None and ends_at is not None
    phone = phones.e164(phone_text)
    key = citizen_key(phone_e164=phone)
    if key:
        serialize_on("home_visit", key)
        if coming_visit_of(key, now=now) is not None:
            raise VisitPlanned(_("This person already has a home visit planned. Change that one."))
    session = HelpSession(
        location_id=location.id,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=SessionMode.AT_HOME,
        slot_minutes=int((ends_at - starts_at).total_seconds() // 60),
        citizens_per_slot=1,
        coaches_min=1 if data.companion else 2,
        coaches_max=2,
        created_at=now,
    )
    visit = HomeVisit(
        session=session,
        first_name=first_name,
        phone=phone,
        street=street,
        postcode=postcode,
        city=city,
        accessibility_notes=notes or "",
        topic=data.topic,
        language=data.language,
        citizen_key=key,
        companion_id=actor.id if data.companion else None,
        idempotency_key=_hash(data.token) if data.token else None,
        created_at=now,
        created_by_id=actor.id,
    )
    # Everything below is one savepoint: a refused coach leaves no visit, session or shift,
    # even for a caller that commits after catching the refusal.
    with db.session.begin_nested():
        _lock_coaches(coaches)
        try:
            with db.session.begin_nested():
                db.session.add(visit)
                db.session.flush()
        except IntegrityError:
            # The same form token, submitted twice at once: the other request booked it.
            found = db.session.scalar(
                select(HomeVisit).where(HomeVisit.idempotency_key == _hash(data.token or ""))
            )
            if found is None:
                raise
            return found
        _put_on(actor, visit, coaches, now)
    notices.tell_citizen(visit, "booked")
    audit.record(
        actor,
        "homevisits.visit.book",
        visit,
        ["first_name", "phone", "street", "postcode", "city", "accessibility_notes"],
    )
    return visit


COACH_FIELDS = ("coach_id", "second_id")


def _chosen_coaches(
    errors: FieldErrors, data: VisitInput, location: Location | None
) -> list[tuple[str, Coach]]:
    """The coaches chosen in the form, each with its field, or field errors: two different
    coaches who do home visits and serve the visit's municipality, or one coach and the staff
    member who goes along. Whether they are free is the shift rules' question (_put_on)."""
    if len(data.coach_ids) > len(COACH_FIELDS):
        errors.add("second_id", _("Two people go on a home visit, not more."))
        return []
    chosen: list[tuple[str, Coach]] = []
    given: list[int] = []
    for field, value in zip(COACH_FIELDS, data.coach_ids, strict=False):
        if value is None or value == "":
            continue
        coach_id = parse_id(value)
        if coach_id is None:
            errors.add(field, _("Choose a digicoach from the list."))
            continue
        given.append(coach_id)
        coach = db.session.get(Coach, coach_id)
        if coach is None or coach.erased_at is not None or not coach.user.active:
            errors.add(field, _("Choose a digicoach from the list."))
        elif not coach.home_visits:
            errors.add(field, _("%(name)s does not do home visits.", name=coach.user.name))
        elif location is not None and (
            location.municipality_id not in coach.served_municipality_ids
        ):
            errors.add(
                field,
                _(
                    "%(name)s does not help in %(municipality)s.",
                    name=coach.user.name,
                    municipality=location.municipality.name,
                ),
            )
        else:
            chosen.append((field, coach))
    if "coach_id" in errors or "second_id" in errors:
        return chosen
    if not given:
        errors.add("coach_id", _("Choose the digicoach who goes."))
    if len(given) == 2 and given[0] == given[1]:
        errors.add("second_id", _("Choose two different digicoaches."))
    elif len(given) == 2 and data.companion:
        errors.add("second_id", _("Choose a second digicoach or go along yourself, not both."))
    elif len(given) < 2 and not data.companion:
        errors.add(
            "second_id",
            _("Two people go on a home visit: choose a second digicoach, or go along yourself."),
        )
    return chosen


def _lock_coaches(coaches: list[tuple[str, Coach]]) -> None:
    """Lock the chosen coaches' rows in id order (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers), so two bookings of the same coaches take turns without a deadlock."""
    ids = sorted(coach.id for _field, coach in coaches)
    db.session.execute(
        select(Coach.id).where(Coach.id.in_(ids)).order_by(Coach.id).with_for_update()
    )


def _put_on(actor: User, visit: HomeVisit, coaches: list[tuple[str, Coach]], now: datetime) -> None:
    """Sign the coaches up for the visit through the shift rules. Every refusal becomes an error
    on the coach's field, and any refusal raises ValidationFailed (the caller's savepoint then
    takes the visit back too)."""
    errors = FieldErrors()
    for field, coach in coaches:
        try:
            with db.session.begin_nested():
                shift = shifts.sign_up(actor=actor, coach=coach, session=visit.session, now=now)
                if coach.user_id != actor.id:
                    notices.tell_coach(visit, shift)
        except (helpdesk_common.SignUpRefused, helpdesk_common.SessionFull) as refused:
            errors.add(field, _cannot_go(coach, refused))
    errors.raise_if_any()


def _cannot_go(coach: Coach, refused: Conflict) -> str:
    return _("%(name)s cannot go: %(reason)s", name=coach.user.name, reason=refused.message)


@dataclass(frozen=True)
class ChangeInput:
    day: date | None
    start_time: time | None
    end_time: time | None
    coach_ids: tuple[Any, ...] = ()
    # The staff member who goes along (the one named on the visit, or else the actor).
    companion: bool = False


def change_visit(*, actor: User, visit: HomeVisit, data: ChangeInput, now: datetime) -> HomeVisit:
    """Change a coming visit's time and who goes, by staff who book at its digipunt.

    The same rules as booking: two people (two coaches, or one and a staff member), coaches who
    do home visits, serve the municipality and are free at the (new) time with the travel time
    around it, kept coaches included (helpdesk shifts.ensure_free). Coaches taken off are told
    (shifts.cancel_shift), coaches put on are told (notices.tell_coach), kept coaches hear of a
    new time (helpdesk.shift_moved), the citizen gets an SMS with it. Raises PermissionDenied,
    Conflict (cancelled or over) or ValidationFailed per field; a refusal changes nothing.
    """
    session = visit.session
    ensure(permissions.can_book_at(actor, session.location))
    helpdesk_common.lock_sessions([session.id])
    if session.is_cancelled:
        raise Conflict(_("This home visit is cancelled."))
    if session.ends_at <= now:
        raise Conflict(_("This home visit is over and cannot change."))
    errors = FieldErrors()
    starts_at, ends_at = _when(errors, data.day, data.start_time, data.end_time, now)
    wanted = VisitInput(
        location_id=None,
        day=None,
        start_time=None,
        end_time=None,
        first_name=None,
        phone=None,
        street=None,
        postcode=None,
        city=None,
        coach_ids=data.coach_ids,
        companion=data.companion,
    )
    coaches = _chosen_coaches(errors, wanted, session.location)
    errors.raise_if_any()
    assert starts_at is not None and ends_at is not None
    current = {shift.coach_id: shift for shift in helpdesk_queries.active_shifts(session)}
    chosen_ids = {coach.id for _field, coach in coaches}
    moved = (starts_at, ends_at) != (session.starts_at, session.ends_at)
    with db.session.begin_nested():
        _lock_coaches(coaches)
        for coach_id, shift in current.items():
            if coach_id not in chosen_ids:
                shifts.cancel_shift(actor=actor, shift=shift, now=now)
        companion_id = (visit.companion_id or actor.id) if data.companion else None
        changed = assign(
            session,
            starts_at=starts_at,
            ends_at=ends_at,
            slot_minutes=int((ends_at - starts_at).total_seconds() // 60),
            coaches_min=1 if data.companion else 2,
        )
        changed += assign(visit, companion_id=companion_id)
        if moved:
            session.revision += 1
        db.session.flush()
        refused = FieldErrors()
        for field, coach in coaches:
            if coach.id in current and moved:
                try:
                    shifts.ensure_free(coach, session)
                except helpdesk_common.SignUpRefused as refusal:
                    refused.add(field, _cannot_go(coach, refusal))
        refused.raise_if_any()
        _put_on(actor, visit, [(f, c) for f, c in coaches if c.id not in current], now)
    if moved:
        for coach_id, shift in current.items():
            if coach_id in chosen_ids:
                helpdesk_common.mail_coach(
                    shift.coach,
                    kind="helpdesk.shift_moved",
                    dedupe_key=f"helpdesk.shift_moved:{shift.id}:{session.revision}",
                    template="shift_moved",
                    subject=lambda: _("Your shift has a new time"),
                    session=session,
                )
        notices.tell_citizen(visit, "moved")
    if changed or set(current) != chosen_ids:
        audit.record(actor, "homevisits.visit.change", visit, [*changed, "coaches"])
    return visit


def cancel_visit(*, actor: User, visit: HomeVisit, reason: Any, now: datetime) -> HomeVisit:
    """Cancel a coming visit (staff who book at its digipunt): the session and its shifts are
    cancelled and the coaches told (helpdesk cancel_session), the citizen gets an SMS. Raises
    PermissionDenied, ValidationFailed without a reason, Conflict when cancelled or over."""
    ensure(permissions.can_book_at(actor, visit.session.location))
    cancelling.cancel_session(
        actor=actor,
        session=visit.session,
        reason=reason if isinstance(reason, str) else "",
        now=now,
    )
    notices.tell_citizen(visit, "cancelled")
    return visit


def coming_visit_of(key: str, *, now: datetime) -> HomeVisit | None:
    """The citizen's planned home visit that has not ended, if any."""
    return db.session.scalar(
        select(HomeVisit)
        .join(HelpSession, HelpSession.id == HomeVisit.help_session_id)
        .where(
            HomeVisit.citizen_key == key,
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.ends_at > now,
        )
    )


def is_staffed(visit: HomeVisit) -> bool:
    """Two people go: two coaches, or one coach and the staff member who goes along. The
    session's minimum says which (book_visit), so the staffing board tells the same story."""
    return helpdesk_queries.staffing_of(visit.session).kind == helpdesk_rules.STAFFED


def on_visit(actor: User, visit: HomeVisit) -> bool:
    """Whether the actor is one of the coaches signed up for the visit."""
    return any(
        shift.coach.user_id == actor.id for shift in helpdesk_queries.active_shifts(visit.session)
    )


def get_visit(actor: User, visit_id: Any) -> HomeVisit:
    """A visit the actor may see (staff in scope, coaches on it). NotFound otherwise."""
    found = db.session.get(HomeVisit, parse_id(visit_id)) if parse_id(visit_id) else None
    if found is None or not permissions.can_see_home_visit(
        actor, found, on_visit=on_visit(actor, found)
    ):
        raise NotFound(visit_id)
    return found
