"""Checks of a booking's input: the slot, the contact, the topic and language, the fit with
the session. Bad input collects messages per field (named like the form and API fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from digicoach.bookings import rules
from digicoach.bookings.models import (
    BookingChannel,
)
from digicoach.bookings.services.common import (
    BookingInput,
    closes_hours,
)
from digicoach.coaches import rules as coach_rules
from digicoach.core import sms, vocabulary
from digicoach.core.errors import FieldErrors
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.places.queries import valid_id


def _text(value: Any) -> str | None:
    """A string input stripped, or None when it is not a string at all."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    return value.strip()


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
    first_name: Any, phone: Any, email: Any, *, staff: bool, no_phone: bool, errors: FieldErrors
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
    errors = FieldErrors()
    check_contact(first_name, phone, email, staff=False, no_phone=False, errors=errors)
    return errors.by_field


def check_topic_and_language(topic: Any, language: Any, errors: FieldErrors) -> None:
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
    errors: FieldErrors,
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
    # One statement: the session with its location, topics and languages joined (a handful
    # of codes each), instead of a select per collection.
    session = db.session.get(
        HelpSession,
        session_id,
        options=[joinedload(HelpSession.topic_rows), joinedload(HelpSession.language_rows)],
    )
    if (
        session is None
        or session.status != SessionStatus.PLANNED
        or not session.location.active
        or session.mode not in rules.SLOTTED_MODES
    ):
        return None
    return session


def check_slot(
    session_id: Any, start: Any, *, now: datetime, staff: bool, errors: FieldErrors
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
    errors = FieldErrors()
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
    errors.raise_if_any()
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
