"""What every booking use case shares: its errors, its input and result, the tokens of the
manage link, and the lock and check before an appointment changes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import inspect

from digicoach.bookings import queries, rules
from digicoach.bookings.models import (
    Appointment,
    BookingChannel,
)
from digicoach.core.errors import Conflict, NotFound
from digicoach.core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from digicoach.extensions import db


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


def message_language(language: Any) -> str:
    """The language of a citizen's messages: theirs when we write it (nl, fr, en), else Dutch.
    A citizen who speaks Arabic at the desk gets the confirmation in Dutch."""
    return language if isinstance(language, str) and language in LANGUAGES else DEFAULT_LANGUAGE


def closes_hours() -> float:
    return float(current_app.config["BOOKING_CLOSES_HOURS_BEFORE"])


def _ensure_changeable(appointment: Appointment, now: datetime) -> None:
    if not rules.may_change(appointment.status, appointment.start, now):
        raise NotChangeable(_("This appointment can no longer be changed. Call us, please."))


_APPOINTMENT_COLUMNS = [column.key for column in inspect(Appointment).column_attrs]


def _lock(appointment: Appointment) -> None:
    """Serialise changes to one appointment (a double click on 'cancel')."""
    # One statement: the row lock and the fresh values come back together. Its own columns
    # only: a full refresh would also reload the joined help session and its topics and
    # languages, which no change of an appointment reads.
    db.session.refresh(appointment, _APPOINTMENT_COLUMNS, with_for_update={"of": Appointment})


def get_for_citizen(token: Any, *, now: datetime) -> Appointment:
    """The appointment of a manage link. Raises NotFound for a wrong, unknown or expired
    token alike."""
    found = queries.appointment_by_token(token, now=now)
    if found is None:
        raise NotFound("appointment")
    return found
