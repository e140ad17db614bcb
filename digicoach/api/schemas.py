"""The API's requests and answers as pydantic models: the requests validate input (through
`api.validation`), and every model renders as JSON Schema in the OpenAPI document (api.openapi),
so the document cannot drift from what the API accepts. The answers are documented the same way;
the test suite checks every response against them. The kinds of fields are in `api.fields`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from digicoach.api.fields import Boolean, DateTime, DayOrMoment, Id, QueryId, String, Text, Whole
from digicoach.bookings import rules
from digicoach.bookings.models import AppointmentStatus
from digicoach.core import vocabulary
from digicoach.partners.models import HowToGet, OfferKind, OrganisationKind

TOPIC_CODES = tuple(term.code for term in vocabulary.TOPICS)
LANGUAGE_CODES = tuple(term.code for term in vocabulary.SPOKEN_LANGUAGES)
STATUSES = tuple(status.value for status in AppointmentStatus)

TopicCode = Annotated[str, Text(max_length=30, choices=TOPIC_CODES)]
LanguageCode = Annotated[str, Text(max_length=8, choices=LANGUAGE_CODES)]
Status = Annotated[str, Text(choices=STATUSES)]

MANAGE_TOKEN_HEADER = "X-Manage-Token"


class Closed(BaseModel):
    """Unknown members are refused in requests, and documented as absent in answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Open(BaseModel):
    """Unknown members are ignored (the narrowing queries always did)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# --- requests ---------------------------------------------------------------------------------


class BookingRequest(Closed):
    """A booking for one slot (see GET /slots)."""

    help_session_id: Id = Field(description="From GET /slots.")
    start: DateTime = Field(description="The slot's start, from GET /slots.")
    first_name: Annotated[str, Text(min_length=1, max_length=rules.FIRST_NAME_MAX)]
    phone: Annotated[str, Text(max_length=40)] | None = Field(
        None,
        description="A mobile number (we send a text message); Belgian by default; "
        "stored in E.164. A landline is refused.",
    )
    email: Annotated[str, Text(max_length=rules.EMAIL_MAX, format="email")] | None = None
    topic: TopicCode
    language: LanguageCode = Field(description="Spoken language.")
    note: Annotated[str, Text(max_length=rules.NOTE_MAX, multi_line=True)] | None = Field(
        None, description="Never passwords, PIN codes or bank details."
    )
    consent: Boolean = Field(description="The citizen agrees that their contact data is kept.")


class SlotsQuery(Closed):
    location_id: QueryId = Field(description="From GET /locations.")
    start: Annotated[datetime, DayOrMoment()] | None = Field(
        None,
        alias="from",
        description="Default: now. A day (YYYY-MM-DD) or a date-time.",
    )
    until: Annotated[datetime, DayOrMoment()] | None = Field(
        None, alias="to", description="Default: four weeks after `from`; at most 12 weeks."
    )
    topic: TopicCode | None = None
    language: LanguageCode | None = None


class TopicsQuery(Open):
    location_id: QueryId | None = Field(
        None,
        description="Only the topics with a free slot at this location in the booking "
        "window, each with `first_free`. Without it: every topic, as always.",
    )
    language: LanguageCode | None = Field(
        None,
        description="With location_id: only the topics with a free slot in this spoken language.",
    )


class LocationsQuery(Open):
    topic: TopicCode | None = Field(
        None,
        description="Only the locations with a free slot for this topic in the booking "
        "window, each with `first_free`.",
    )
    language: LanguageCode | None = Field(
        None, description="Only the locations with a free slot in this spoken language."
    )


class OffersQuery(Closed):
    municipality_id: QueryId | None = Field(None, description="Only this municipality's help.")
    neighbourhood_id: QueryId | None = Field(
        None,
        description="Only the help near this neighbourhood: at a digital help point in it, or "
        "of an organisation that serves it or the whole municipality.",
    )
    topic: TopicCode | None = Field(None, description="Only the offers that cover this topic.")
    language: LanguageCode | None = Field(
        None, description="Only the offers in this spoken language."
    )


class ProgressQuery(Closed):
    programme: QueryId


# --- answers ----------------------------------------------------------------------------------
# A member that is absent unless asked for is documented with a default of None: not required,
# and never null (the document drops defaults; `nullable` comes only from `| None`).


class Location(Closed):
    id: Id
    name: String
    municipality: String
    neighbourhood: String | None
    address: Annotated[str, Text(max_length=400)]
    accessibility: Annotated[str, Text(max_length=100000, multi_line=True)]
    first_free: DateTime = Field(
        None,  # type: ignore[assignment]
        description="With topic or language: the start of the first free slot for them.",
    )


class Topic(Closed):
    code: String
    label: String
    first_free: DateTime = Field(
        None,  # type: ignore[assignment]
        description="With location_id: the start of the first free slot for the topic "
        "there (the first of GET /slots for the location and topic).",
    )


class Slot(Closed):
    help_session_id: Id
    start: DateTime
    end: DateTime
    remaining: Annotated[int, Whole(minimum=1, maximum=10000)]


class Place(Closed):
    id: Id
    name: String
    address: Annotated[str, Text(max_length=400)]


class BookingCreated(Closed):
    reference: String = Field(description="Short and human, like K7M-4QX.")
    manage_token: String = Field(description="Send it as X-Manage-Token; it is not stored.")
    start: DateTime
    end: DateTime
    location: Place
    status: Status


class Booking(Closed):
    reference: String
    start: DateTime
    end: DateTime
    location: Place
    status: Status
    topic: Annotated[str, Text(choices=TOPIC_CODES)]
    language: Annotated[str, Text(choices=LANGUAGE_CODES)]


OFFER_KINDS = tuple(kind.value for kind in OfferKind)
ORGANISATION_KINDS = tuple(kind.value for kind in OrganisationKind)
HOW_TO_GET = tuple(way.value for way in HowToGet)
ClockTime = Annotated[str, Text(max_length=5, min_length=5)]


class OfferOrganisation(Closed):
    id: Id
    name: String
    kind: Annotated[str, Text(choices=ORGANISATION_KINDS)]


class OfferCost(Closed):
    free: Boolean
    price: Annotated[str, Text(max_length=120)] | None = Field(
        description="What it costs, in words; null when it is free."
    )


class OfferLocation(Closed):
    id: Id | None = Field(description="The digital help point (GET /locations), or null.")
    name: String
    address: Annotated[str, Text(max_length=400)]


class OpeningHours(Closed):
    weekday: Annotated[int, Whole(minimum=1, maximum=7)] = Field(
        description="ISO weekday: 1 is Monday, 7 is Sunday."
    )
    opens: ClockTime = Field(alias="from", description="Local time in Brussels, HH:MM.")
    closes: ClockTime = Field(alias="to", description="Local time in Brussels, HH:MM.")


class OpeningException(Closed):
    date: Annotated[str, Text(format="date")]
    opens: ClockTime | None = Field(alias="from", description="Null: closed all day.")
    closes: ClockTime | None = Field(alias="to", description="Null: closed all day.")
    label: Annotated[str, Text(max_length=120)]


class Offer(Closed):
    """What a partner organisation offers besides digicoach help sessions."""

    id: Id
    organisation: OfferOrganisation
    title: String
    description: Annotated[str, Text(max_length=100000, multi_line=True)]
    kind: Annotated[str, Text(choices=OFFER_KINDS)]
    audience: Annotated[str, Text(max_length=300)] = Field(
        description="Who it is for, in words; empty when it is for everyone."
    )
    topics: list[Annotated[str, Text(choices=TOPIC_CODES)]]
    languages: list[Annotated[str, Text(choices=LANGUAGE_CODES)]]
    cost: OfferCost
    how_to_get: Annotated[str, Text(choices=HOW_TO_GET)] = Field(
        description="walk_in, call (first), book (an appointment) or referral (someone refers you)."
    )
    phone: Annotated[str, Text(max_length=30)] | None
    location: OfferLocation
    opening_hours: list[OpeningHours] = Field(description="The weekly hours.")
    exceptions: list[OpeningException] = Field(
        description="Dated exceptions (holidays, closed days, other hours), which replace the "
        "weekly hours on their day."
    )
    open_now: Boolean
    next_opening: DateTime | None = Field(
        description="The next start of an opening at or after now (Europe/Brussels, with "
        "offset); null without hours in the coming year."
    )
    osm_opening_hours: Annotated[str, Text(max_length=2000)] = Field(
        description="The same hours as an OpenStreetMap opening_hours value, e.g. "
        '"Mo,We 09:00-12:00; Th 13:30-16:30; 2026 Dec 25 off".'
    )


class Error(Closed):
    error: String
    message: Annotated[str, Text(max_length=1000)] = ""


class ValidationErrors(Closed):
    errors: dict[str, list[str]] = Field(
        description="Messages per field ('body' for the request as a whole)."
    )


# A count of people (or of their help) under progress.rules.SUPPRESS_BELOW is published as
# null, and its path ("coaches.in_training") is listed in `suppressed`: small numbers can
# point to people. The members and their integer type stay as they were.
PublicCount = Annotated[
    Annotated[int, Whole(minimum=0, maximum=10**9)] | None,
    Field(
        description="A count; null when it is under `suppressed_below` (0 to 4), and then its "
        "path is in `suppressed`. Small numbers are never published: they can point to people."
    ),
]
Target = Annotated[int, Whole(minimum=0, maximum=10**9)]


class ProgrammeName(Closed):
    id: Id
    name: String


class Period(Closed):
    start: Annotated[str, Text(format="date")]
    end: Annotated[str, Text(format="date")]


class CoachCounts(Closed):
    applied: PublicCount
    approved: PublicCount
    in_training: PublicCount
    certified: PublicCount
    active: PublicCount
    target: Target


class CitizenCounts(Closed):
    supported: PublicCount
    contacts: PublicCount
    target: Target


class Progress(Closed):
    programme: ProgrammeName
    period: Period
    as_of: DateTime
    coaches: CoachCounts
    citizens: CitizenCounts
    help_minutes: Annotated[int, Whole(minimum=0, maximum=10**12)] | None = Field(
        description="Minutes of help; null (and listed in `suppressed`) when the help "
        "contacts are suppressed."
    )
    sessions_held: PublicCount
    suppressed_below: Annotated[int, Whole(minimum=1, maximum=100)] = Field(
        description="Counts under this number are published as null (always 5)."
    )
    suppressed: list[String] = Field(
        description="The paths of the figures published as null because they are small, "
        'like "coaches.in_training" or "help_minutes"; empty when none is.'
    )


# The named schemas of the OpenAPI document; the models they use are written out in them.
COMPONENTS: tuple[type[BaseModel], ...] = (
    Location,
    Topic,
    Slot,
    Place,
    BookingRequest,
    BookingCreated,
    Booking,
    Error,
    ValidationErrors,
    Progress,
    Offer,
)
