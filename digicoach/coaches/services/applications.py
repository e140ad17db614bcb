"""Applying to become a digicoach, and a coach editing their own profile.

The input objects, their validation (every field's problem at once, through FieldErrors),
the application itself (user, coach, verification mail) and the profile edit.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts import passwords
from digicoach.accounts import services as account_services
from digicoach.accounts.models import (
    Role,
    User,
)
from digicoach.coaches import permissions, rules
from digicoach.coaches.models import (
    Coach,
    CoachAvailability,
    CoachLanguage,
    CoachNeighbourhood,
    CoachStatus,
    CoachStatusChange,
    CoachTopic,
    HeardFrom,
)
from digicoach.coaches.services import NAME_MAX_LENGTH
from digicoach.coaches.services.mail import mail_coach
from digicoach.content import services as content_services
from digicoach.content.models import PageSlug
from digicoach.core import audit, vocabulary
from digicoach.core.errors import FieldErrors
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.places.models import Municipality, Neighbourhood

# --- input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileInput:
    """What a coach may change about themselves (also the core of an application)."""

    first_name: str
    last_name: str
    phone: str
    municipality_id: int | None
    neighbourhood_ids: Sequence[int] = ()
    languages: Sequence[str] = ()
    topics: Sequence[str] = ()
    availability: Collection[tuple[int, str]] = ()
    notify_email: bool = True
    notify_sms: bool = False
    # Opt in to help at home; None leaves it as it is (an application never sets it).
    home_visits: bool | None = None


@dataclass(frozen=True)
class ApplicationInput(ProfileInput):
    email: str = ""
    password: str = ""
    motivation: str = ""
    heard_from: str | None = None
    heard_from_other: str = ""
    accepts_privacy: bool = False
    acknowledges_volunteer_note: bool = False
    language: str = "nl"


def municipalities_for_application() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


# --- validation -------------------------------------------------------------------------------


def _validate_profile(data: ProfileInput, errors: FieldErrors) -> tuple[Municipality | None, str]:
    """Check the fields an application and a profile edit share. Returns the municipality
    and the phone number in E.164 (empty when invalid; `errors` then says why)."""
    if not data.first_name.strip():
        errors.add("first_name", _("Enter your first name."))
    elif len(data.first_name.strip()) > NAME_MAX_LENGTH:
        errors.add("first_name", _("Use at most %(count)d characters.", count=NAME_MAX_LENGTH))
    if not data.last_name.strip():
        errors.add("last_name", _("Enter your last name."))
    elif len(data.last_name.strip()) > NAME_MAX_LENGTH:
        errors.add("last_name", _("Use at most %(count)d characters.", count=NAME_MAX_LENGTH))

    phone = rules.normalise_phone(data.phone) or ""
    if not phone:
        errors.add("phone", _("Enter your mobile or phone number, for example 0470 12 34 56."))

    municipality = (
        db.session.get(Municipality, data.municipality_id)
        if data.municipality_id is not None
        else None
    )
    if municipality is None:
        errors.add("municipality", _("Choose a municipality from the list."))
    elif data.neighbourhood_ids:
        known = set(
            db.session.scalars(
                select(Neighbourhood.id).where(
                    Neighbourhood.id.in_(set(data.neighbourhood_ids)),
                    Neighbourhood.municipality_id == municipality.id,
                )
            )
        )
        if known != set(data.neighbourhood_ids):
            errors.add(
                "neighbourhoods",
                _("Choose neighbourhoods in %(municipality)s.", municipality=municipality.name),
            )

    if not data.languages:
        errors.add("languages", _("Choose at least one language you speak."))
    elif vocabulary.unknown(vocabulary.SPOKEN_LANGUAGES, data.languages):
        errors.add("languages", _("Choose languages from the list."))
    if vocabulary.unknown(vocabulary.TOPICS, data.topics):
        errors.add("topics", _("Choose topics from the list."))
    dayparts = vocabulary.codes(vocabulary.DAYPARTS)
    weekdays = {int(code) for code in vocabulary.codes(vocabulary.WEEKDAYS)}
    if any(day not in weekdays or part not in dayparts for day, part in data.availability):
        errors.add("availability", _("Choose moments from the table."))
    if data.notify_sms and not phone:
        errors.add("notify_sms", _("Text messages need a phone number."))
    elif data.notify_sms and not rules.may_receive_sms(phone, True):
        errors.add(
            "notify_sms",
            _("Text messages need a mobile number, for example 0470 12 34 56."),
        )
    return municipality, phone


def _validate_application(data: ApplicationInput, errors: FieldErrors) -> str:
    """Returns the normalised e-mail address (empty when invalid)."""
    address = ""
    try:
        address = validate_email(data.email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors.add("email", _("Enter your e-mail address, for example name@example.com."))
    for message in passwords.policy_errors(data.password):
        errors.add("password", message)
    if len(data.motivation) > rules.MOTIVATION_MAX_LENGTH:
        errors.add(
            "motivation",
            _("Use at most %(count)d characters.", count=rules.MOTIVATION_MAX_LENGTH),
        )
    if data.heard_from is not None and data.heard_from not in set(HeardFrom):
        errors.add("heard_from", _("Choose an answer from the list."))
    if len(data.heard_from_other) > 200:
        errors.add("heard_from_other", _("Use at most %(count)d characters.", count=200))
    if not data.accepts_privacy:
        errors.add("accepts_privacy", _("To apply, agree with the privacy notice."))
    if not data.acknowledges_volunteer_note:
        errors.add(
            "acknowledges_volunteer_note", _("To apply, confirm that you read the information.")
        )
    return address


# --- application ------------------------------------------------------------------------------


def apply(data: ApplicationInput, *, now: datetime) -> Coach | None:
    """A volunteer applies: a user with the coach role, a coach in status `applied`.

    Raises ValidationFailed (per field) and writes nothing when the input is wrong. When the
    e-mail address already has an account, nothing is created and the owner gets a short
    e-mail instead; the caller shows the same page either way, so the form never reveals
    whether an address is known. Returns the new coach, or None in that case.
    """
    errors = FieldErrors()
    municipality, phone = _validate_profile(data, errors)
    address = _validate_application(data, errors)
    errors.raise_if_any()
    assert municipality is not None

    existing = account_services.find_by_email(address)
    if existing is not None:
        # Spend the same time as a real application, so timing does not tell either.
        passwords.hash_password(data.password)
        _send_apply_attempt(existing, now=now)
        return None

    privacy = content_services.current_version(PageSlug.PRIVACY, data.language)
    note = content_services.current_version(PageSlug.VOLUNTEER_NOTE, data.language)
    first, last = data.first_name.strip(), data.last_name.strip()
    user = account_services.create_user(
        actor=None,
        email=address,
        name=f"{first} {last}",
        roles=[Role.COACH],
        password=data.password,
        language=data.language,
        now=now,
    )
    coach = Coach(
        user=user,
        municipality_id=municipality.id,
        first_name=first,
        last_name=last,
        status=CoachStatus.APPLIED,
        phone=phone,
        motivation=data.motivation.strip(),
        heard_from=data.heard_from,
        heard_from_other=data.heard_from_other.strip()
        if data.heard_from == HeardFrom.OTHER
        else "",
        notify_email=data.notify_email,
        notify_sms=rules.may_receive_sms(phone, data.notify_sms),
        privacy_version_id=privacy.id if privacy else None,
        privacy_accepted_at=now if privacy else None,
        volunteer_note_version_id=note.id if note else None,
        volunteer_note_accepted_at=now if note else None,
        applied_at=now,
        status_changed_at=now,
    )
    _set_choices(coach, data)
    coach.history.append(
        CoachStatusChange(
            from_status=None, to_status=CoachStatus.APPLIED, changed_at=now, changed_by_id=None
        )
    )
    db.session.add(coach)
    db.session.flush()
    audit.record(None, "coach.apply", coach, [*_PROFILE_FIELDS, "motivation", "consents"])
    account_services.request_email_verification(user, now=now)
    return coach


def _send_apply_attempt(user: User, *, now: datetime) -> None:
    # One warning a day is enough, however often someone tries.
    day = now.date().isoformat()
    mail_coach(
        user,
        kind="coaches.apply_attempt",
        dedupe_key=f"coaches.apply_attempt:{user.id}:{day}",
        template="apply_attempt",
        subject=lambda: _("Someone tried to apply with your e-mail address"),
    )


_PROFILE_FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "municipality",
    "neighbourhoods",
    "languages",
    "topics",
    "availability",
    "notifications",
]


def _set_choices(coach: Coach, data: ProfileInput) -> None:
    """Bring the coach's choice rows in line with `data`, touching only what changed.

    Replacing whole lists would delete and insert rows with the same primary key in one
    flush, which the database may see in the wrong order.
    """
    _sync(coach.language_rows, set(data.languages), lambda r: r.code, CoachLanguage, "code")
    _sync(coach.topic_rows, set(data.topics), lambda r: r.code, CoachTopic, "code")
    _sync(
        coach.availability_rows,
        set(data.availability),
        lambda r: (r.weekday, r.daypart),
        lambda key: CoachAvailability(weekday=key[0], daypart=key[1]),
        None,
    )
    _sync(
        coach.neighbourhood_rows,
        set(data.neighbourhood_ids),
        lambda r: r.neighbourhood_id,
        CoachNeighbourhood,
        "neighbourhood_id",
    )


def _sync(
    rows: list[Any],
    wanted: set[Any],
    key_of: Callable[[Any], Any],
    make: Callable[..., Any],
    keyword: str | None,
) -> None:
    present = {key_of(row) for row in rows}
    for row in [row for row in rows if key_of(row) not in wanted]:
        rows.remove(row)
    for key in sorted(wanted - present):
        rows.append(make(**{keyword: key}) if keyword else make(key))


# --- the coach's own profile ------------------------------------------------------------------


def update_profile(*, actor: User, coach: Coach, data: ProfileInput, now: datetime) -> Coach:
    """A coach edits their own profile. The municipality stays: moving to another municipality
    changes who coordinates them, which a coordinator arranges."""
    ensure(permissions.can_edit_own_profile(actor, coach))
    data = _replace_municipality(data, coach.municipality_id)
    errors = FieldErrors()
    _municipality, phone = _validate_profile(data, errors)
    errors.raise_if_any()
    changed = _changed_profile_fields(coach, data, phone)
    first, last = data.first_name.strip(), data.last_name.strip()
    coach.first_name, coach.last_name = first, last
    coach.user.name = f"{first} {last}"
    coach.phone = phone
    coach.notify_email = data.notify_email
    coach.notify_sms = rules.may_receive_sms(phone, data.notify_sms)
    if data.home_visits is not None:
        coach.home_visits = data.home_visits
    _set_choices(coach, data)
    db.session.flush()
    if changed:
        audit.record(actor, "coach.update_profile", coach, changed)
    return coach


def _replace_municipality(data: ProfileInput, municipality_id: int) -> ProfileInput:
    values = {name: getattr(data, name) for name in ProfileInput.__dataclass_fields__}
    values["municipality_id"] = municipality_id
    return ProfileInput(**values)


def _changed_profile_fields(coach: Coach, data: ProfileInput, phone: str) -> list[str]:
    changes = {
        "first_name": coach.first_name != data.first_name.strip(),
        "last_name": coach.last_name != data.last_name.strip(),
        "phone": coach.phone != phone,
        "neighbourhoods": set(coach.neighbourhood_ids) != set(data.neighbourhood_ids),
        "languages": set(coach.languages) != set(data.languages),
        "topics": set(coach.topics) != set(data.topics),
        "availability": coach.availability != set(data.availability),
        "notifications": (coach.notify_email, coach.notify_sms)
        != (data.notify_email, rules.may_receive_sms(phone, data.notify_sms)),
        "home_visits": data.home_visits is not None and coach.home_visits != data.home_visits,
    }
    return [name for name, changed in changes.items() if changed]
