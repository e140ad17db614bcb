"""Sizes, constants and the row plans the phases of the Flanders seeder share."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from digicoach.bookings.models import HOLDS_PLACE
from digicoach.core import clock, vocabulary

SCALE_DOMAIN = "scale.digicoach.test"
BATCH = 10_000
# Help sessions cover the last year and the next four weeks.
HISTORY_DAYS = 365
FUTURE_DAYS = 28
RETENTION_DAYS = 30
TOPIC_CODES = [term.code for term in vocabulary.TOPICS]
# Dutch first; the others as a digipunt in a Flemish city hears them.
LANGUAGES = ["nl"] * 30 + ["fr"] * 3 + ["en"] * 3 + ["ar"] * 3 + ["tr"] * 2 + ["pl", "uk", "ro"]
CONTACT_LANGUAGES = ["nl"] * 16 + ["fr", "en"]
HOLDS = frozenset(status.value for status in HOLDS_PLACE)


@dataclass(frozen=True)
class ScaleSize:
    """How much to make. `of(1.0)` is Flanders; every count scales linearly with `size`."""

    municipalities: int
    coaches: int
    appointments: int
    help_logs: int

    @classmethod
    def of(cls, size: float) -> ScaleSize:
        if not 0 < size <= 1:
            raise ValueError("size must be in (0, 1]")
        return cls(
            municipalities=max(2, round(300 * size)),
            coaches=max(10, round(20_000 * size)),
            appointments=max(20, round(500_000 * size)),
            help_logs=max(40, round(1_000_000 * size)),
        )


class DatabaseNotEmpty(Exception):
    """The scale seeder only fills an empty database: mixing it with real data helps nobody."""


@dataclass
class ScaleReport:
    rows: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)


# --- writing ----------------------------------------------------------------------------------


def local_time(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=clock.LOCAL_ZONE).astimezone(UTC)


def random_hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


# --- the seeder -------------------------------------------------------------------------------


@dataclass
class PlaceRow:
    id: int
    municipality_id: int
    neighbourhood_id: int | None
    opened_on: date


@dataclass
class CoachRow:
    id: int
    user_id: int
    municipality_id: int
    status: str
    steps: list[tuple[str, datetime]]
    # When the coach may take shifts: from certification to dormancy or leaving.
    works_from: datetime | None
    works_until: datetime | None
    last_shift_at: datetime | None = None


@dataclass
class SessionRow:
    id: int
    place: PlaceRow
    starts_at: datetime
    ends_at: datetime
    mode: str
    slot_minutes: int
    citizens_per_slot: int
    cancelled: bool
    coaches: list[int] = field(default_factory=list)  # non-cancelled shifts' coach ids
