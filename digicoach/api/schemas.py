"""Small schema classes that validate API input AND render as JSON Schema (OpenAPI 3.0).

One definition serves both: a request is checked by `schema.validate(data)` and the OpenAPI
document shows `schema.json_schema()`, so the document cannot drift from what the API accepts.
Response schemas are written the same way; the test suite checks every response against them.
Validation never raises on odd input (wrong types, huge numbers, deep nesting): it collects
translated messages per field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _

from digicoach.bookings import rules
from digicoach.bookings.models import AppointmentStatus
from digicoach.core import text as text_rules
from digicoach.core import timeslots, vocabulary
from digicoach.core.db import parse_id

MAX_ID = 2**31 - 1


class Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Field:
    description: str = ""
    nullable: bool = False

    def check(self, value: Any) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def clean(self, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise Invalid(_("This field cannot be empty."))
        return self.check(value)

    def base_schema(self) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        schema = self.base_schema()
        if self.description:
            schema["description"] = self.description
        if self.nullable:
            schema["nullable"] = True
        return schema


@dataclass
class String(Field):
    min_length: int = 0
    max_length: int = 200
    enum: tuple[str, ...] | None = None
    format: str | None = None
    # One line unless told: no line breaks, control characters or bidi overrides (core.text).
    multi_line: bool = False

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(_("Give text."))
        if self.multi_line and not text_rules.fits_a_text(value):
            raise Invalid(str(text_rules.MULTI_LINE_MESSAGE))
        if not self.multi_line and not text_rules.fits_one_line(value):
            raise Invalid(str(text_rules.SINGLE_LINE_MESSAGE))
        text = value.strip()
        if len(text) > self.max_length:
            raise Invalid(_("Use at most %(count)d characters.", count=self.max_length))
        if len(text) < self.min_length:
            raise Invalid(_("This field cannot be empty."))
        if self.enum is not None and text not in self.enum:
            raise Invalid(_("Choose one of: %(values)s.", values=", ".join(self.enum)))
        return text

    def base_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.min_length:
            schema["minLength"] = self.min_length
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        if self.format:
            schema["format"] = self.format
        return schema


@dataclass
class Integer(Field):
    minimum: int = 1
    maximum: int = MAX_ID

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(_("Give a whole number."))
        if not self.minimum <= value <= self.maximum:
            raise Invalid(
                _("Give a number from %(low)d to %(high)d.", low=self.minimum, high=self.maximum)
            )
        return value

    def base_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass
class QueryInteger(Integer):
    """An integer in a query string (text on the wire)."""

    def check(self, value: Any) -> int:
        if isinstance(value, str):
            # ASCII digits only: "²".isdigit() is true, yet int("²") raises.
            number = parse_id(value)
            if number is not None:
                value = number
            elif value.isascii() and value.isdigit():
                value = int(value)  # 0 or too big: the range message says which numbers
        return super().check(value)


@dataclass
class Boolean(Field):
    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise Invalid(_("Give true or false."))
        return value

    def base_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass
class DateTime(Field):
    """An ISO 8601 date-time with its offset (2026-03-03T14:00:00+01:00)."""

    def check(self, value: Any) -> datetime:
        if not isinstance(value, str) or len(value) > 40:
            raise Invalid(
                _("Give a date and time with its offset, like 2026-03-03T14:00:00+01:00.")
            )
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise Invalid(
                _("Give a date and time with its offset, like 2026-03-03T14:00:00+01:00.")
            )
        return moment

    def base_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


@dataclass
class DayOrMoment(Field):
    """A query bound: a day (local midnight in Brussels) or a date-time with offset."""

    def check(self, value: Any) -> datetime:
        message = _("Give a day like 2026-03-03, or a date and time with its offset.")
        if not isinstance(value, str) or len(value) > 40:
            raise Invalid(message)
        try:
            if len(value) == 10:
                return timeslots.local_moment(date.fromisoformat(value), time(0))
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise Invalid(message) from None
        if moment.tzinfo is None:
            raise Invalid(message)
        return moment

    def base_schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": 40}


@dataclass
class Ref(Field):
    """A named component schema, for documentation of responses."""

    name: str = ""

    def json_schema(self) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{self.name}"}


@dataclass
class Array(Field):
    items: Field = field(default_factory=Field)

    def base_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.items.json_schema()}


@dataclass
class Free(Field):
    """Any JSON object (documentation only)."""

    def base_schema(self) -> dict[str, Any]:
        return {"type": "object"}


@dataclass
class Object(Field):
    fields: Mapping[str, Field] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    # Unknown members are refused in requests; documented as closed in responses.
    closed: bool = True

    def validate(self, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The clean values and the errors per field (empty when all is well)."""
        if not isinstance(data, Mapping):
            return {}, {"body": [_("Send a JSON object.")]}
        errors: dict[str, list[str]] = {}
        clean: dict[str, Any] = {}
        for name in self.required:
            if name not in data:
                errors.setdefault(name, []).append(_("This field is required."))
        for name, value in data.items():
            spec = self.fields.get(name) if isinstance(name, str) else None
            if spec is None:
                if self.closed:
                    errors.setdefault(str(name)[:60], []).append(_("Unknown field."))
                continue
            try:
                clean[name] = spec.clean(value)
            except Invalid as invalid:
                errors.setdefault(name, []).append(invalid.message)
        return clean, errors

    def base_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: spec.json_schema() for name, spec in self.fields.items()},
            "additionalProperties": not self.closed,
        }
        if self.required:
            schema["required"] = list(self.required)
        return schema


TOPIC_CODES = tuple(term.code for term in vocabulary.TOPICS)
LANGUAGE_CODES = tuple(term.code for term in vocabulary.SPOKEN_LANGUAGES)

# --- requests ---------------------------------------------------------------------------------

BOOKING_REQUEST = Object(
    description="A booking for one slot (see GET /slots).",
    fields={
        "help_session_id": Integer(description="From GET /slots."),
        "start": DateTime(description="The slot's start, from GET /slots."),
        "first_name": String(min_length=1, max_length=rules.FIRST_NAME_MAX),
        "phone": String(
            max_length=40,
            nullable=True,
            description="A mobile number (we send a text message); Belgian by default; "
            "stored in E.164. A landline is refused.",
        ),
        "email": String(max_length=rules.EMAIL_MAX, nullable=True, format="email"),
        "topic": String(enum=TOPIC_CODES, max_length=30),
        "language": String(enum=LANGUAGE_CODES, max_length=8, description="Spoken language."),
        "note": String(
            max_length=rules.NOTE_MAX,
            nullable=True,
            multi_line=True,
            description="Never passwords, PIN codes or bank details.",
        ),
        "consent": Boolean(description="The citizen agrees that their contact data is kept."),
    },
    required=("help_session_id", "start", "first_name", "topic", "language", "consent"),
)

SLOTS_QUERY = Object(
    fields={
        "location_id": QueryInteger(description="From GET /locations."),
        "from": DayOrMoment(description="Default: now. A day (YYYY-MM-DD) or a date-time."),
        "to": DayOrMoment(description="Default: four weeks after `from`; at most 12 weeks."),
        "topic": String(enum=TOPIC_CODES, max_length=30),
        "language": String(enum=LANGUAGE_CODES, max_length=8),
    },
    required=("location_id",),
)

# The two narrowing queries ignore parameters they do not know, as these calls always did.
TOPICS_QUERY = Object(
    fields={
        "location_id": QueryInteger(
            description="Only the topics with a free slot at this location in the booking "
            "window, each with `first_free`. Without it: every topic, as always."
        ),
        "language": String(
            enum=LANGUAGE_CODES,
            max_length=8,
            description="With location_id: only the topics with a free slot in this spoken "
            "language.",
        ),
    },
    closed=False,
)

LOCATIONS_QUERY = Object(
    fields={
        "topic": String(
            enum=TOPIC_CODES,
            max_length=30,
            description="Only the locations with a free slot for this topic in the booking "
            "window, each with `first_free`.",
        ),
        "language": String(
            enum=LANGUAGE_CODES,
            max_length=8,
            description="Only the locations with a free slot in this spoken language.",
        ),
    },
    closed=False,
)

PROGRESS_QUERY = Object(fields={"programme": QueryInteger()}, required=("programme",))

MANAGE_TOKEN_HEADER = "X-Manage-Token"

# --- responses --------------------------------------------------------------------------------

LOCATION = Object(
    fields={
        "id": Integer(),
        "name": String(),
        "municipality": String(),
        "neighbourhood": String(nullable=True),
        "address": String(max_length=400),
        "accessibility": String(max_length=100000, multi_line=True),
        "first_free": DateTime(
            description="With topic or language: the start of the first free slot for them."
        ),
    },
    required=("id", "name", "municipality", "neighbourhood", "address", "accessibility"),
)
TOPIC = Object(
    fields={
        "code": String(),
        "label": String(),
        "first_free": DateTime(
            description="With location_id: the start of the first free slot for the topic "
            "there (the first of GET /slots for the location and topic)."
        ),
    },
    required=("code", "label"),
)
SLOT = Object(
    fields={
        "help_session_id": Integer(),
        "start": DateTime(),
        "end": DateTime(),
        "remaining": Integer(minimum=1, maximum=10000),
    },
    required=("help_session_id", "start", "end", "remaining"),
)
PLACE = Object(
    fields={"id": Integer(), "name": String(), "address": String(max_length=400)},
    required=("id", "name", "address"),
)
BOOKING_CREATED = Object(
    fields={
        "reference": String(description="Short and human, like K7M-4QX."),
        "manage_token": String(description="Send it as X-Manage-Token; it is not stored."),
        "start": DateTime(),
        "end": DateTime(),
        "location": Ref(name="Place"),
        "status": String(enum=tuple(status.value for status in AppointmentStatus)),
    },
    required=("reference", "manage_token", "start", "end", "location", "status"),
)
BOOKING = Object(
    fields={
        "reference": String(),
        "start": DateTime(),
        "end": DateTime(),
        "location": Ref(name="Place"),
        "status": String(enum=tuple(status.value for status in AppointmentStatus)),
        "topic": String(enum=TOPIC_CODES),
        "language": String(enum=LANGUAGE_CODES),
    },
    required=("reference", "start", "end", "location", "status", "topic", "language"),
)
ERROR = Object(
    fields={"error": String(), "message": String(max_length=1000)},
    required=("error",),
)
VALIDATION_ERRORS = Object(
    fields={
        "errors": Object(
            closed=False, description="Messages per field ('body' for the request as a whole)."
        )
    },
    required=("errors",),
)
# A count of people (or of their help) under progress.rules.SUPPRESS_BELOW is published as
# null, and its path ("coaches.in_training") is listed in `suppressed`: small numbers can
# point to people. The members and their integer type stay as they were.
SUPPRESSED_COUNT = (
    "A count; null when it is under `suppressed_below` (0 to 4), and then its path is in "
    "`suppressed`. Small numbers are never published: they can point to people."
)


def _public_count(maximum: int = 10**9) -> Integer:
    return Integer(minimum=0, maximum=maximum, nullable=True, description=SUPPRESSED_COUNT)


PROGRESS = Object(
    fields={
        "programme": Object(fields={"id": Integer(), "name": String()}, required=("id", "name")),
        "period": Object(
            fields={"start": String(format="date"), "end": String(format="date")},
            required=("start", "end"),
        ),
        "as_of": DateTime(),
        "coaches": Object(
            fields={
                **{
                    name: _public_count()
                    for name in ("applied", "approved", "in_training", "certified", "active")
                },
                "target": Integer(minimum=0, maximum=10**9),
            },
            required=("applied", "approved", "in_training", "certified", "active", "target"),
        ),
        "citizens": Object(
            fields={
                "supported": _public_count(),
                "contacts": _public_count(),
                "target": Integer(minimum=0, maximum=10**9),
            },
            required=("supported", "contacts", "target"),
        ),
        "help_minutes": Integer(
            minimum=0,
            maximum=10**12,
            nullable=True,
            description="Minutes of help; null (and listed in `suppressed`) when the help "
            "contacts are suppressed.",
        ),
        "sessions_held": _public_count(),
        "suppressed_below": Integer(
            minimum=1,
            maximum=100,
            description="Counts under this number are published as null (always 5).",
        ),
        "suppressed": Array(
            items=String(),
            description="The paths of the figures published as null because they are small, "
            'like "coaches.in_training" or "help_minutes"; empty when none is.',
        ),
    },
    required=(
        "programme",
        "period",
        "as_of",
        "coaches",
        "citizens",
        "help_minutes",
        "sessions_held",
        "suppressed_below",
        "suppressed",
    ),
)

COMPONENTS: dict[str, Field] = {
    "Location": LOCATION,
    "Topic": TOPIC,
    "Slot": SLOT,
    "Place": PLACE,
    "BookingRequest": BOOKING_REQUEST,
    "BookingCreated": BOOKING_CREATED,
    "Booking": BOOKING,
    "Error": ERROR,
    "ValidationErrors": VALIDATION_ERRORS,
    "Progress": PROGRESS,
}
