"""Booking use cases: book (online, by phone at the desk, through the API), cancel, move,
check in, no-show, the call list, the organiser's cancellation and retention. Walk-ins: walk_ins.py.

The HTML wizard, the desk console, the JSON API and the scheduler all call these functions, so
a rule lives in one place. Services check permissions and rules, change, flush and audit field
names; the caller's unit of work commits, and the outbox sends after that. Bad input raises
ValidationFailed with messages per field (named like the form and API fields); a slot without a
free place raises SlotFull (409 in the API).

Capacity (DESIGN §4): the slot row is created lazily (INSERT ... ON CONFLICT DO NOTHING), its
capacity is refreshed from the session's coaches under the row lock, and a place is taken with
the conditional update of `core.db.take_place`; of many concurrent bookings for the last place
exactly one moves the counter. `CHECK (taken <= capacity)` and the unique idempotency key
stand behind it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.bookings import permissions, queries, rules, signals
from digicoach.bookings.models import (
    Appointment,
    AppointmentStatus,
    BookingChannel,
    Slot,
)
from digicoach.coaches import rules as coach_rules
from digicoach.core import audit, clock, ics, messages, outbox, phones, sms, vocabulary
from digicoach.core.citizens import citizen_key
from digicoach.core.db import release_place, serialize_on, take_place
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from digicoach.core.outbox import OutboxMessage
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.places.queries import valid_id


class SlotFull(Conflict):
    """Every place of the slot is taken."""

    code = "slot_full"


class TooManyAppointments(Conflict):
    """The citizen holds the maximum of coming appointments already."""

    code = "too_many_appointments"


class AlreadyBooked(Conflict):
    """The citizen has a place in this slot already."""

    code = "already_booked"


def _already_booked() -> AlreadyBooked:
    return AlreadyBooked(_("You already have an appointment at this time."))


class NotChangeable(Conflict):
    """The appointment is cancelled, over, or was already handled."""

    code = "not_changeable"


@dataclass(frozen=True)
class BookingInput:
    """One booking, as the wizard, the desk and the API hand it over (strings as typed)."""

    help_session_id: Any
    start: Any
    first_name: Any = ""
    phone: Any = ""
    email: Any = ""
    topic: Any = ""
    language: Any = ""
    note: Any = ""
    consent: Any = True
    channel: str = BookingChannel.ONLINE
    # The desk may book a caller without a phone, with a note for staff instead.
    no_phone: bool = False
    staff_note: Any = ""
    # nl, fr or en: the language of the confirmation.
    contact_language: str = DEFAULT_LANGUAGE
    # The form's one-time token (wizard, desk): only the idempotency key, so a double submit
    # finds the first booking. Never the manage token: that is always made by the server
    # (`manage_token_for`). None: no idempotency, a random manage token (API, demo data).
    token: str | None = None


@dataclass(frozen=True)
class Booking:
    appointment: Appointment
    manage_token: str
    # True when this was a repeated submission of a form that had booked already.
    replayed: bool = False


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[Any]] = {}

    def add(self, field_name: str, message: Any) -> None:
        self.by_field.setdefault(field_name, []).append(message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationFailed(self.by_field)


def _text(value: Any) -> str | None:
    """A string input stripped, or None when it is not a string at all."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    return value.strip()


def new_token() -> str:
    """A fresh secret: 32 random bytes, URL-safe (43 characters). A form's one-time token, or
    the manage token of a booking made without one (API, demo data)."""
    return secrets.token_urlsafe(32)


# The manage token's own key: the app's secret, narrowed to this one use.
MANAGE_TOKEN_SALT = b"digicoach.bookings.manage-token"


def manage_token_for(form_token: str) -> str:
    """The manage token of a booking made with the form token `form_token`: an HMAC-SHA256 of
    it under SECRET_KEY with its own salt, URL-safe (43 characters).

    Why derived and not random: only the token's hash is stored, yet a double submit of the
    same review page must land on the same confirmation (the manage page), so the second
    request must be able to make the same manage token again. Why not the form token itself:
    the browser sends the form token and could choose it, and so choose the secret of its own
    manage link. Without SECRET_KEY nobody can compute this token from the form token, and it
    never equals anything the client sent. A changed SECRET_KEY changes only what a replay
    finds, never a link already given out (its hash is stored).
    """
    secret = current_app.config["SECRET_KEY"]
    secret_bytes = secret if isinstance(secret, bytes) else str(secret).encode()
    key = hmac.new(secret_bytes, MANAGE_TOKEN_SALT, hashlib.sha256).digest()
    digest = hmac.new(key, form_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def closes_hours() -> float:
    return float(current_app.config["BOOKING_CLOSES_HOURS_BEFORE"])


# --- validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clean:
    session: HelpSession
    start: datetime
    first_name: str
    phone: str | None
    email: str | None
    topic: str
    language: str
    note: str
    staff_note: str


def check_contact(
    first_name: Any, phone: Any, email: Any, *, staff: bool, no_phone: bool, errors: _Errors
) -> tuple[str, str | None, str | None]:
    """The citizen's name and contact, validated and normalised (phone in E.164)."""
    name = _text(first_name)
    if not name:
        errors.add("first_name", _("Fill in your first name."))
    elif len(name) > rules.FIRST_NAME_MAX:
        errors.add("first_name", _("Use at most %(count)d characters.", count=rules.FIRST_NAME_MAX))
    phone_text, email_text = _text(phone), _text(email)
    normal_phone: str | None = None
    normal_email: str | None = None
    if phone_text is None:
        errors.add("phone", _("Fill in your mobile number, for example 0470 12 34 56."))
    elif phone_text:
        normal_phone = coach_rules.normalise_phone(phone_text)
        if normal_phone is None:
            errors.add("phone", _("Fill in your mobile number, for example 0470 12 34 56."))
        elif not staff and not sms.can_receive_sms(normal_phone):
            # Online we promise a text message; the desk may note a landline to call.
            errors.add(
                "phone",
                _(
                    "This is not a mobile number. "
                    "Fill in a mobile number, for example 0470 12 34 56."
                ),
            )
    if email_text is None:
        errors.add("email", _("Fill in your e-mail address, for example name@example.be."))
    elif email_text:
        if len(email_text) > rules.EMAIL_MAX:
            errors.add("email", _("Use at most %(count)d characters.", count=rules.EMAIL_MAX))
        else:
            try:
                normal_email = validate_email(email_text, check_deliverability=False).normalized
            except EmailNotValidError:
                errors.add("email", _("Fill in your e-mail address, for example name@example.be."))
    if (
        not staff
        and phone_text is not None
        and email_text is not None
        and not phone_text
        and not email_text
    ):
        errors.add("phone", _("Fill in your mobile number or your e-mail address."))
    if staff and phone_text == "" and not no_phone:
        errors.add("phone", _("Fill in a phone number, or tick 'no phone'."))
    return name or "", normal_phone, normal_email


def contact_errors(first_name: Any, phone: Any, email: Any) -> dict[str, list[Any]]:
    """The wizard's contact step: what is wrong with a citizen's name, phone and e-mail."""
    errors = _Errors()
    check_contact(first_name, phone, email, staff=False, no_phone=False, errors=errors)
    return errors.by_field


def check_topic_and_language(topic: Any, language: Any, errors: _Errors) -> None:
    if not isinstance(topic, str) or topic not in vocabulary.codes(vocabulary.TOPICS):
        errors.add("topic", _("Choose what you need help with."))
    if not isinstance(language, str) or language not in vocabulary.codes(
        vocabulary.SPOKEN_LANGUAGES
    ):
        errors.add("language", _("Choose a language."))


def offers(listed: list[str], wanted: str) -> bool:
    """A session that lists no languages takes any; otherwise the wanted one (topics:
    rules.takes_topic, which also lets "other" in)."""
    return rules.takes_language(listed, wanted)


def check_fit(
    session: HelpSession,
    *,
    topic: str | None,
    language: str | None,
    errors: _Errors,
    field: str | None = None,
) -> None:
    """The session must take the topic and the language (a booking, and a move, which keeps
    both). `field` puts both errors on one field, e.g. the slot a citizen picked."""
    if topic is not None and not rules.takes_topic(session.topics, topic):
        errors.add(
            field or "topic",
            _("This help session is not for this topic. Choose another time."),
        )
    if language is not None and not offers(session.languages, language):
        errors.add(
            field or "language",
            _("This help session is not in this language. Choose another time."),
        )


def bookable_session(session_id: Any) -> HelpSession | None:
    """A planned session at an active location that takes appointments, or None."""
    if not valid_id(session_id):
        return None
    session = db.session.get(HelpSession, session_id)
    if (
        session is None
        or session.status != SessionStatus.PLANNED
        or not session.location.active
        or session.mode not in rules.SLOTTED_MODES
    ):
        return None
    return session


def check_slot(
    session_id: Any, start: Any, *, now: datetime, staff: bool, errors: _Errors
) -> tuple[HelpSession | None, datetime | None]:
    session = bookable_session(session_id)
    if session is None:
        errors.add(
            "help_session_id", _("This help session does not exist or takes no appointments.")
        )
        return None, None
    if not isinstance(start, datetime) or start.tzinfo is None:
        errors.add("start", _("Choose a time from the list."))
        return session, None
    if not rules.is_slot_start(session.starts_at, session.ends_at, session.slot_minutes, start):
        errors.add("start", _("Choose a time from the list."))
        return session, None
    open_ = now < start if staff else rules.booking_open(start, now, closes_hours())
    if not open_:
        errors.add("start", _("This time can no longer be booked. Choose a later time."))
    return session, start


def _validate(data: BookingInput, *, now: datetime) -> _Clean:
    staff = data.channel != BookingChannel.ONLINE
    errors = _Errors()
    session, start = check_slot(
        data.help_session_id, data.start, now=now, staff=staff, errors=errors
    )
    name, phone, email = check_contact(
        data.first_name,
        data.phone,
        data.email,
        staff=staff,
        no_phone=data.no_phone,
        errors=errors,
    )
    check_topic_and_language(data.topic, data.language, errors)
    if session is not None:
        check_fit(
            session,
            topic=None if errors.by_field.get("topic") else data.topic,
            language=None if errors.by_field.get("language") else data.language,
            errors=errors,
        )
    note = _text(data.note)
    if note is None:
        errors.add("note", _("Write your question as text."))
    elif len(note) > rules.NOTE_MAX:
        errors.add("note", _("Use at most %(count)d characters.", count=rules.NOTE_MAX))
    staff_note = _text(data.staff_note) or ""
    if len(staff_note) > rules.NOTE_MAX:
        errors.add("staff_note", _("Use at most %(count)d characters.", count=rules.NOTE_MAX))
    elif staff and data.no_phone and not staff_note:
        # Without a phone, the note is the only way to reach the citizen if the session moves.
        errors.add("staff_note", _("Write how we can reach this person, or what to tell them."))
    if not staff and data.consent is not True:
        errors.add("consent", _("Tick the box to agree, or call us."))
    errors.raise_any()
    assert session is not None and start is not None
    return _Clean(
        session=session,
        start=start,
        first_name=name,
        phone=phone,
        email=email,
        topic=data.topic,
        language=data.language,
        note=note or "",
        staff_note=staff_note,
    )


# --- booking ----------------------------------------------------------------------------------


def _insert_ignoring_conflict(table: Any, **values: Any) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["help_session_id", "start"])
    )


def ensure_slot(session: HelpSession, start: datetime) -> int:
    """The id of the slot row of (session, start), created if it did not exist yet."""
    end = start + timedelta(minutes=session.slot_minutes)
    _insert_ignoring_conflict(
        Slot.__table__, help_session_id=session.id, start=start, end=end, taken=0, capacity=0
    )
    return db.session.scalar(
        select(Slot.id).where(Slot.help_session_id == session.id, Slot.start == start)
    )


def take_slot_place(session: HelpSession, start: datetime) -> int:
    """Take one place in the slot, race-free; returns the slot id. Raises SlotFull."""
    slot_id = ensure_slot(session, start)
    capacity = queries.session_capacity(session)
    # Refresh the capacity from the coaches signed up now. This UPDATE also takes the row lock
    # (PostgreSQL) before the conditional counter update; it never lowers the capacity below
    # the places taken, so the CHECK holds.
    db.session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.taken <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    if not take_place(Slot, slot_id, "taken", "capacity"):
        raise SlotFull(_("Sorry, this time is fully booked now. Choose another time."))
    return slot_id


def _unique_reference() -> str:
    while True:
        reference = rules.new_reference()
        taken = db.session.scalar(select(Appointment.id).where(Appointment.reference == reference))
        if taken is None:
            return reference


def _assign_coach(session: HelpSession, *, language: str, topic: str) -> int | None:
    return rules.pick_coach(queries.coach_candidates(session), language=language, topic=topic)


def book(*, actor: User | None, data: BookingInput, now: datetime) -> Booking:
    """Book a place in a slot for a citizen; tell them by SMS and/or e-mail.

    Online (actor None or anyone): needs a phone or an e-mail and consent, closes
    BOOKING_CLOSES_HOURS_BEFORE hours before the slot. By phone at the desk (channel
    "phone"): the actor must work at the location; with `no_phone` the citizen gives no phone,
    and then the staff note must say how to reach them (or what to tell them).
    A citizen holds at most BOOKING_MAX_ACTIVE_PER_CONTACT coming appointments.

    Raises ValidationFailed (per field), SlotFull, TooManyAppointments, PermissionDenied.
    A repeated submission of the same form token returns the first booking (`replayed`). The
    manage token is always made here: random, or derived from the form token with
    `manage_token_for` (never the form token itself), whichever door the booking came from.
    """
    if data.token is not None:
        if not queries.well_formed_token(data.token):
            raise ValidationFailed({"token": [_("Start again, please.")]})
        existing = queries.appointment_by_idempotency(data.token)
        if existing is not None:
            return Booking(existing, manage_token_for(data.token), replayed=True)
    clean = _validate(data, now=now)
    staff = data.channel != BookingChannel.ONLINE
    if staff:
        ensure(
            actor is not None and permissions.can_work_at_location(actor, clean.session.location)
        )
    key = citizen_key(phone_e164=clean.phone, email=clean.email)
    limit = int(current_app.config["BOOKING_MAX_ACTIVE_PER_CONTACT"])
    if key:
        # The limit is counted, then written: one booking per citizen at a time, or parallel
        # requests would all count the same number and all book.
        serialize_on("citizen", key)
    if key and rules.over_active_limit(queries.active_count(key, now=now), limit):
        raise TooManyAppointments(
            _(
                "You already have %(count)d appointments planned. Cancel one first, or call us.",
                count=limit,
            )
        )
    if key and queries.holds_place_at(key, clean.session.id, clean.start):
        raise _already_booked()
    token = manage_token_for(data.token) if data.token else new_token()
    language = data.contact_language if data.contact_language in LANGUAGES else DEFAULT_LANGUAGE
    try:
        with db.session.begin_nested():
            slot_id = take_slot_place(clean.session, clean.start)
            appointment = Appointment(
                help_session_id=clean.session.id,
                location_id=clean.session.location_id,
                slot_id=slot_id,
                start=clean.start,
                end=clean.start + timedelta(minutes=clean.session.slot_minutes),
                reference=_unique_reference(),
                manage_token_hash=queries.hash_token(token),
                idempotency_key=queries.idempotency_hash(data.token) if data.token else None,
                status=AppointmentStatus.BOOKED,
                channel=data.channel,
                first_name=clean.first_name,
                phone=clean.phone,
                email=clean.email,
                note=clean.note,
                staff_note=clean.staff_note,
                language=clean.language,
                contact_language=language,
                topic=clean.topic,
                citizen_key=key,
                assigned_coach_id=_assign_coach(
                    clean.session, language=clean.language, topic=clean.topic
                ),
                created_at=now,
                created_by_id=actor.id if actor is not None and staff else None,
            )
            db.session.add(appointment)
            db.session.flush()
    except IntegrityError:
        # The same form submitted twice at the same moment, or the same citizen booking the
        # same slot in two requests: the other submission won.
        existing = queries.appointment_by_idempotency(data.token) if data.token else None
        if existing is not None:
            return Booking(existing, token, replayed=True)
        if key and queries.holds_place_at(key, clean.session.id, clean.start):
            raise _already_booked() from None
        raise
    audit.record(
        actor if staff else None,
        "bookings.appointment.book",
        appointment,
        ["first_name", "phone", "email", "note", "topic", "language", "start"],
    )
    notify(appointment, "booked", manage_token=token)
    return Booking(appointment, token)


# --- changing ---------------------------------------------------------------------------------


def _ensure_changeable(appointment: Appointment, now: datetime) -> None:
    if not rules.may_change(appointment.status, appointment.start, now):
        raise NotChangeable(_("This appointment can no longer be changed. Call us, please."))


def _lock(appointment: Appointment) -> None:
    """Serialise changes to one appointment (a double click on 'cancel')."""
    db.session.execute(
        select(Appointment.id).where(Appointment.id == appointment.id).with_for_update()
    )
    db.session.refresh(appointment)


def cancel(
    *, actor: User | None, appointment: Appointment, now: datetime, manage_token: str | None = None
) -> Appointment:
    """Cancel a booked appointment (the citizen through the manage link, or the desk) until it
    starts; its place goes back to the slot. Raises NotChangeable, PermissionDenied."""
    if actor is not None and manage_token is None:
        ensure(permissions.can_handle_appointment(actor, appointment))
    _lock(appointment)
    _ensure_changeable(appointment, now)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    release_place(Slot, appointment.slot_id, "taken")
    db.session.flush()
    audit.record(actor, "bookings.appointment.cancel", appointment, ["status"])
    notify(appointment, "cancelled")
    signals.appointment_cancelled.send(appointment, now=now)
    return appointment


def move(
    *,
    actor: User | None,
    appointment: Appointment,
    help_session_id: Any,
    start: Any,
    now: datetime,
    manage_token: str | None = None,
) -> Appointment:
    """Move a booked appointment to another slot at the same location: take the new place
    first, then give the old one back. Raises ValidationFailed, SlotFull, NotChangeable."""
    staff = actor is not None and manage_token is None
    if staff:
        ensure(permissions.can_handle_appointment(actor, appointment))
    _lock(appointment)
    _ensure_changeable(appointment, now)
    errors = _Errors()
    session, clean_start = check_slot(help_session_id, start, now=now, staff=staff, errors=errors)
    if session is not None and session.location_id != appointment.location_id:
        errors.add("help_session_id", _("Choose a time at the same digital help point."))
    if session is not None and (session.id, clean_start) == (
        appointment.help_session_id,
        appointment.start,
    ):
        errors.add("start", _("This is the time you have already. Choose another time."))
    if session is not None:
        # The appointment keeps its topic and language, so the new session must take both.
        check_fit(
            session,
            topic=appointment.topic,
            language=appointment.language,
            errors=errors,
            field="help_session_id",
        )
    errors.raise_any()
    assert session is not None and clean_start is not None
    if appointment.citizen_key and queries.holds_place_at(
        appointment.citizen_key, session.id, clean_start
    ):
        raise _already_booked()
    new_slot = take_slot_place(session, clean_start)
    release_place(Slot, appointment.slot_id, "taken")
    appointment.help_session_id = session.id
    appointment.slot_id = new_slot
    appointment.start = clean_start
    appointment.end = clean_start + timedelta(minutes=session.slot_minutes)
    appointment.assigned_coach_id = _assign_coach(
        session, language=appointment.language, topic=appointment.topic
    )
    db.session.flush()
    db.session.refresh(appointment)
    audit.record(actor if staff else None, "bookings.appointment.move", appointment, ["start"])
    notify(appointment, "moved", manage_token=manage_token)
    signals.appointment_moved.send(appointment, now=now)
    return appointment


def check_in(*, actor: User, appointment: Appointment, now: datetime) -> Appointment:
    """The citizen arrived (also after a hasty 'no-show'). Raises NotChangeable."""
    ensure(permissions.can_handle_appointment(actor, appointment))
    _lock(appointment)
    if not rules.may_check_in(appointment.status):
        raise NotChangeable(_("This appointment is cancelled."))
    appointment.status = AppointmentStatus.ATTENDED
    appointment.checked_in_at = now
    db.session.flush()
    audit.record(actor, "bookings.appointment.check_in", appointment, ["status"])
    return appointment


def mark_no_show(*, actor: User, appointment: Appointment, now: datetime) -> Appointment:
    """The citizen did not come. Only once the appointment has started."""
    ensure(permissions.can_handle_appointment(actor, appointment))
    _lock(appointment)
    if appointment.status != AppointmentStatus.BOOKED:
        raise NotChangeable(_("Only a booked appointment can be marked as not come."))
    if now < appointment.start:
        raise NotChangeable(_("The appointment has not started yet."))
    appointment.status = AppointmentStatus.NO_SHOW
    db.session.flush()
    audit.record(actor, "bookings.appointment.no_show", appointment, ["status"])
    return appointment


def mark_called(*, actor: User, appointment: Appointment, now: datetime) -> Appointment:
    """The front desk called a citizen on the call list."""
    ensure(permissions.can_handle_appointment(actor, appointment))
    appointment.called_at = now
    db.session.flush()
    audit.record(actor, "bookings.appointment.called", appointment, ["called_at"])
    return appointment


# --- the organiser cancels --------------------------------------------------------------------


def cancel_by_organiser(session: HelpSession, *, actor: User | None, now: datetime) -> int:
    """Every booked appointment of a cancelled session becomes `cancelled_by_organiser`; the
    citizens are told by SMS and/or e-mail; those without e-mail land on the call list."""
    appointments = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.help_session_id == session.id,
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .with_for_update()
    ).all()
    for appointment in appointments:
        appointment.status = AppointmentStatus.CANCELLED_BY_ORGANISER
        appointment.cancelled_at = now
        release_place(Slot, appointment.slot_id, "taken")
    db.session.flush()
    for appointment in appointments:
        audit.record(actor, "bookings.appointment.cancel_by_organiser", appointment, ["status"])
        notify(appointment, "cancelled_by_organiser")
    return len(appointments)


# --- scheduled --------------------------------------------------------------------------------


def mark_no_shows(*, now: datetime) -> int:
    """Booked appointments of sessions that ended without a check-in become no-shows."""
    rows = db.session.scalars(
        select(Appointment)
        .join(HelpSession, HelpSession.id == Appointment.help_session_id)
        .where(Appointment.status == AppointmentStatus.BOOKED, HelpSession.ends_at <= now)
    ).all()
    for appointment in rows:
        if rules.is_no_show(appointment.status, appointment.session.ends_at, now):
            appointment.status = AppointmentStatus.NO_SHOW
            audit.record(None, "bookings.appointment.no_show", appointment, ["status"])
    db.session.flush()
    return len(rows)


def purge_contact_data(*, now: datetime, retention_days: int) -> int:
    """Erase first name, phone, e-mail and notes `retention_days` after the appointment, in
    the appointment and in its outbox messages. The citizen key and the statistics remain."""
    limit = now - timedelta(days=retention_days)
    rows = db.session.scalars(
        select(Appointment).where(Appointment.contact_erased_at.is_(None), Appointment.end <= limit)
    ).all()
    for appointment in rows:
        appointment.first_name = ""
        appointment.phone = None
        appointment.email = None
        appointment.note = ""
        appointment.staff_note = ""
        appointment.contact_erased_at = now
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like(f"{_message_prefix(appointment)}%"))
            .values(recipient="", subject="", body_text="", body_html=None, attachment=None)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            None,
            "bookings.appointment.erase_contact",
            appointment,
            ["first_name", "phone", "email", "note", "staff_note"],
        )
    db.session.flush()
    return len(rows)


# --- messages ---------------------------------------------------------------------------------


def _message_prefix(appointment: Appointment) -> str:
    return f"appointment:{appointment.id}:"


def manage_url(token: str) -> str:
    return messages.absolute_url("bookings.manage", token=token)


SUBJECTS = {
    "booked": lambda: _("Your appointment for digital help"),
    "moved": lambda: _("Your appointment has a new time"),
    "cancelled": lambda: _("Your appointment is cancelled"),
    "cancelled_by_organiser": lambda: _("We had to cancel your appointment"),
}


def appointment_event(appointment: Appointment) -> ics.CalendarEvent:
    """The appointment as a calendar event, in the current locale's words."""
    location = appointment.location
    return ics.CalendarEvent(
        uid=f"appointment-{appointment.reference}@digicoach",
        start=appointment.start,
        end=appointment.end,
        summary=_("Digital help: appointment %(reference)s", reference=appointment.reference),
        location=f"{location.name}, {location.address}",
        description=_(
            "Bring your identity card (eID), your smartphone and its charger. Make sure you "
            "know the PIN code of your eID, but never write it down."
        ),
        # A moved appointment keeps its uid; a higher sequence makes calendars replace it. The
        # number of moves grows with every move, also to an earlier time (the start does not).
        sequence=queries.times_moved(appointment.id),
    )


def _calendar_attachment(appointment: Appointment, language: str) -> outbox.Attachment:
    with force_locale(language):
        data = ics.calendar_for([appointment_event(appointment)], now=clock.now())
    return outbox.Attachment(f"appointment-{appointment.reference}.ics", "text/calendar", data)


def notify(appointment: Appointment, kind: str, *, manage_token: str | None = None) -> None:
    """Tell the citizen by SMS (with a mobile number) and by e-mail (with an address), in their
    language. One message per appointment, kind, time and channel (the outbox dedupes)."""
    if appointment.contact_erased_at is not None:
        return
    language = appointment.contact_language
    stamp = f"{_message_prefix(appointment)}{kind}:{appointment.start.isoformat()}"
    context = {
        "appointment": appointment,
        "location": appointment.location,
        "manage_url": manage_url(manage_token) if manage_token else None,
        "phone": phones.front_desk_phone(appointment.location),
    }
    if sms.can_receive_sms(appointment.phone):
        with force_locale(language):
            body = render_template(f"bookings/sms/{kind}.txt", **context).strip()
        outbox.enqueue(
            dedupe_key=f"{stamp}:sms",
            kind=f"bookings.{kind}",
            channel=outbox.Channel.SMS,
            recipient=appointment.phone,
            body_text=body,
            language=language,
        )
    if appointment.email:
        messages.queue_email(
            recipient=appointment.email,
            language=language,
            kind=f"bookings.{kind}",
            dedupe_key=f"{stamp}:email",
            template=f"bookings/email/{kind}",
            subject=SUBJECTS[kind],
            attachment=(
                _calendar_attachment(appointment, language) if kind in ("booked", "moved") else None
            ),
            **context,
        )


def get_for_citizen(token: Any, *, now: datetime) -> Appointment:
    """The appointment of a manage link. Raises NotFound for a wrong, unknown or expired
    token alike."""
    found = queries.appointment_by_token(token, now=now)
    if found is None:
        raise NotFound("appointment")
    return found
