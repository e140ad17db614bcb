"""What can still be booked: the first free slot per digipunt, topic and language.

The wizard lists only choices that lead to a free slot and the API narrows its topics and
locations the same way, so both read this one model. For one digipunt's topics and languages
it makes one pass over `queries.free_slots` for the window (three queries) plus one query for
the sessions' topic and language codes: no query per choice. For many digipunten (the first
steps, the API's locations, the ways forward), `first_free_by_location` reads plain columns.
A session's codes are read with the rules the booking service checks (`rules.takes_topic`,
`rules.takes_language`): a session that lists none takes any, and every session takes "other".

When a combination has nothing free, `ways_forward` finds what the citizen can do instead: the
same topic (and language) at other digipunten, the walk-in hours at this one, and (in the view)
the desk's phone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import contains_eager

from digicoach.bookings import queries, rules
from digicoach.bookings.models import Slot
from digicoach.core import vocabulary
from digicoach.extensions import db
from digicoach.helpdesk.models import (
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionStatus,
)
from digicoach.places.models import Location

TOPIC_CODES = tuple(term.code for term in vocabulary.TOPICS)
LANGUAGE_CODES = tuple(term.code for term in vocabulary.SPOKEN_LANGUAGES)
# How many other digipunten and walk-in hours a dead end proposes.
PLACES_PROPOSED = 3
WALK_INS_PROPOSED = 3


def session_codes(session_ids: Iterable[int]) -> dict[int, tuple[set[str], set[str]]]:
    """The (topics, languages) listed per session, in one query (empty sets: none listed)."""
    ids = sorted(set(session_ids))
    result: dict[int, tuple[set[str], set[str]]] = {i: (set(), set()) for i in ids}
    if not ids:
        return result
    codes = union_all(
        select(HelpSessionTopic.session_id, literal("t"), HelpSessionTopic.code).where(
            HelpSessionTopic.session_id.in_(ids)
        ),
        select(HelpSessionLanguage.session_id, literal("l"), HelpSessionLanguage.code).where(
            HelpSessionLanguage.session_id.in_(ids)
        ),
    )
    for session_id, kind, code in db.session.execute(codes):
        result[session_id][0 if kind == "t" else 1].add(code)
    return result


def _earlier(found: dict, key: object, moment: datetime) -> None:
    if key not in found or moment < found[key]:
        found[key] = moment


@dataclass
class Availability:
    """First free slot start per digipunt, per (digipunt, topic) and per (digipunt, topic,
    language), over the free slots of some digipunten in a window."""

    locations: dict[int, Location] = field(default_factory=dict)
    by_location: dict[int, datetime] = field(default_factory=dict)
    by_topic: dict[tuple[int, str], datetime] = field(default_factory=dict)
    by_language: dict[tuple[int, str, str], datetime] = field(default_factory=dict)

    def first_free(
        self, location_id: int, topic: str | None = None, language: str | None = None
    ) -> datetime | None:
        """The first free slot for the choices made so far (None: nothing free)."""
        if topic is None and language is None:
            return self.by_location.get(location_id)
        if language is None:
            return self.by_topic.get((location_id, topic or ""))
        if topic is None:
            moments = [
                moment
                for (loc, _topic, lang), moment in self.by_language.items()
                if loc == location_id and lang == language
            ]
            return min(moments, default=None)
        return self.by_language.get((location_id, topic, language))

    def topics(self, location_id: int, language: str | None = None) -> dict[str, datetime]:
        """The topics with a free slot at the digipunt (in the language), in the fixed order."""
        found = {
            code: moment
            for code in TOPIC_CODES
            if (moment := self.first_free(location_id, code, language)) is not None
        }
        return found

    def languages(self, location_id: int, topic: str) -> dict[str, datetime]:
        """The languages with a free slot at the digipunt for the topic, in the fixed order."""
        return {
            code: moment
            for code in LANGUAGE_CODES
            if (moment := self.by_language.get((location_id, topic, code))) is not None
        }

    def places(self, topic: str | None = None, language: str | None = None) -> dict[int, datetime]:
        """The digipunten with a free slot for the topic and language, by first free."""
        found: dict[int, datetime] = {}
        for location_id in self.locations:
            moment = self.first_free(location_id, topic, language)
            if moment is not None:
                found[location_id] = moment
        return dict(sorted(found.items(), key=lambda item: (item[1], item[0])))


def availability(
    location_ids: Iterable[int],
    *,
    now: datetime,
    closes_hours: float,
    weeks: int,
    topic: str | None = None,
    language: str | None = None,
) -> Availability:
    """The availability at the digipunten from now for `weeks` weeks, still open for online
    booking. `topic` and `language` only narrow the query (fewer sessions to read); the
    answers are complete for them."""
    offers = queries.free_slots(
        location_ids,
        now=now,
        closes_hours=closes_hours,
        weeks=weeks,
        topic=topic,
        language=language,
    )
    found = Availability()
    # The first free slot of each session: offers come sorted by start.
    first_of_session: dict[int, tuple[HelpSession, datetime]] = {}
    for offer in offers:
        first_of_session.setdefault(offer.session.id, (offer.session, offer.start))
    codes = session_codes(first_of_session)
    for session, start in first_of_session.values():
        location_id = session.location_id
        found.locations.setdefault(location_id, session.location)
        _earlier(found.by_location, location_id, start)
        listed_topics, listed_languages = codes[session.id]
        topics = rules.topics_taken(listed_topics, TOPIC_CODES)
        languages = rules.languages_taken(listed_languages, LANGUAGE_CODES)
        for code in topics:
            _earlier(found.by_topic, (location_id, code), start)
            for language_code in languages:
                _earlier(found.by_language, (location_id, code, language_code), start)
    return found


def first_free_by_location(
    location_ids: Iterable[int],
    *,
    now: datetime,
    closes_hours: float,
    weeks: int,
    topic: str | None = None,
    language: str | None = None,
) -> dict[int, datetime]:
    """The first free slot per digipunt (for the topic and language, when given), by first
    free: what `availability(...).places(topic, language)` answers, for many digipunten.

    The wizard's first step and the API's location list ask it of every digipunt: the
    sessions come as plain columns (no objects), the topic and language rules are those of
    `availability`, and a session that starts after its digipunt's best so far is skipped.
    Four statements (three without topic and language); tests/bookings/test_availability.py
    holds it equal to the slot search."""
    ids = list(location_ids)
    if not ids:
        return {}
    end = now + timedelta(weeks=weeks)
    sessions = db.session.execute(
        select(
            HelpSession.id,
            HelpSession.location_id,
            HelpSession.starts_at,
            HelpSession.ends_at,
            HelpSession.mode,
            HelpSession.slot_minutes,
            HelpSession.citizens_per_slot,
        )
        .join(Location, Location.id == HelpSession.location_id)
        .where(*queries.bookable_sessions(ids, begin=now, end=end))
        .order_by(HelpSession.starts_at, HelpSession.id)
    ).all()
    if topic is not None or language is not None:
        codes = session_codes(row.id for row in sessions)
        sessions = [
            row
            for row in sessions
            if (topic is None or rules.takes_topic(codes[row.id][0], topic))
            and (language is None or rules.takes_language(codes[row.id][1], language))
        ]
    if not sessions:
        return {}
    session_ids = [row.id for row in sessions]
    counts = queries.coach_counts(session_ids)
    taken = {
        (session_id, start): count
        for session_id, start, count in db.session.execute(
            select(Slot.help_session_id, Slot.start, Slot.taken).where(
                Slot.help_session_id.in_(session_ids), Slot.taken > 0
            )
        )
    }
    found: dict[int, datetime] = {}
    for row in sessions:
        best = found.get(row.location_id)
        if best is not None and row.starts_at >= best:
            continue  # all its slots start later than a free one already found there
        capacity = rules.slot_capacity(row.mode, counts.get(row.id, 0), row.citizens_per_slot)
        if capacity <= 0:
            continue
        for start in rules.slot_starts(row.starts_at, row.ends_at, row.slot_minutes):
            if best is not None and start >= best:
                break
            if start < now or start >= end or not rules.booking_open(start, now, closes_hours):
                continue
            if rules.remaining(capacity, taken.get((row.id, start), 0)):
                found[row.location_id] = start
                break
    return dict(sorted(found.items(), key=lambda item: (item[1], item[0])))


@dataclass(frozen=True)
class Place:
    location: Location
    first_free: datetime
    same_municipality: bool


@dataclass(frozen=True)
class WaysForward:
    """What a citizen can do when their combination has nothing free."""

    places: list[Place]
    walk_ins: list[HelpSession]


def _distance(a: Location, b: Location) -> int:
    """A rough nearness without coordinates: Belgian postcodes run by region (9000 Gent,
    9050 Ledeberg, 8500 Kortrijk)."""
    try:
        return abs(int(a.postcode) - int(b.postcode))
    except ValueError:
        return 10_000


def walk_in_hours(
    location_ids: Iterable[int],
    *,
    now: datetime,
    weeks: int,
    topic: str | None = None,
    language: str | None = None,
    limit: int = WALK_INS_PROPOSED,
) -> list[HelpSession]:
    """The coming walk-in or hybrid sessions at the digipunten (still running or to come in
    the window) that take the topic and language, by start."""
    ids = list(location_ids)
    if not ids:
        return []
    sessions = db.session.scalars(
        select(HelpSession)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            HelpSession.location_id.in_(ids),
            Location.active.is_(True),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.mode.in_(sorted(rules.OPEN_DOOR_MODES)),
            HelpSession.ends_at > now,
            HelpSession.starts_at < now + timedelta(weeks=weeks),
        )
        .options(contains_eager(HelpSession.location))
        .order_by(HelpSession.starts_at, HelpSession.id)
    ).all()
    return [
        session
        for session in sessions
        if (topic is None or rules.takes_topic(session.topics, topic))
        and (language is None or rules.takes_language(session.languages, language))
    ][:limit]


def _places(
    here: Location | None,
    others: list[Location],
    *,
    now: datetime,
    closes_hours: float,
    weeks: int,
    topic: str | None,
    language: str | None,
) -> list[Place]:
    found = first_free_by_location(
        [loc.id for loc in others],
        now=now,
        closes_hours=closes_hours,
        weeks=weeks,
        topic=topic,
        language=language,
    )
    by_id = {loc.id: loc for loc in others}
    return [
        Place(
            by_id[location_id],
            moment,
            here is not None and by_id[location_id].municipality_id == here.municipality_id,
        )
        for location_id, moment in found.items()
    ]


def ways_forward(
    here: Location | None,
    candidates: Iterable[Location],
    *,
    now: datetime,
    closes_hours: float,
    weeks: int,
    topic: str | None = None,
    language: str | None = None,
    walk_in_at: Iterable[int] = (),
) -> WaysForward:
    """Other digipunten among `candidates` with a free slot for the topic and language (those
    of `here`'s municipality first, by first free; then the nearest others), and the walk-in
    hours at `walk_in_at`. The other municipalities are read only when `here`'s own cannot
    propose enough places."""
    others = [loc for loc in candidates if here is None or loc.id != here.id]
    near = [
        loc for loc in others if here is not None and loc.municipality_id == here.municipality_id
    ]
    far = [loc for loc in others if loc not in near]
    window = {"now": now, "closes_hours": closes_hours, "weeks": weeks}
    places = _places(here, near, topic=topic, language=language, **window)
    places.sort(key=lambda place: (place.first_free, place.location.name))
    if len(places) < PLACES_PROPOSED and far:
        further = _places(here, far, topic=topic, language=language, **window)
        further.sort(
            key=lambda place: (
                _distance(here, place.location) if here is not None else 0,
                place.first_free,
                place.location.name,
            )
        )
        places += further
    walk_ins = walk_in_hours(walk_in_at, now=now, weeks=weeks, topic=topic, language=language)
    return WaysForward(places=places[:PLACES_PROPOSED], walk_ins=walk_ins)
