"""The walk-in queue: a citizen without an appointment gets a number, waits, is called to a
station ("tafel 2"), and is helped or leaves. Use cases and the queue's read models.

Registering takes the next number of the day under a lock on the digipunt (one registration
at a time per digipunt), with UNIQUE (location, day, number) and a retry behind it.
Only a digipunt with a walk-in or hybrid session now or later today registers walk-ins.

Calling never hands one citizen to two callers: every move of the status is a conditional
UPDATE (`... SET status = 'called' ... WHERE id = :id AND status = 'waiting'`), and only the
caller whose UPDATE changed the row has them. The database re-checks the condition under its
row lock (PostgreSQL) or the write lock taken by BEGIN IMMEDIATE (SQLite, core.db), so this
holds on both engines; "call next" tries the next candidate when it loses one.

Who works the queue: the front desk of the digipunt's municipality (calls the first in line),
and coaches on a shift there today (call the first in line whose topic and language they know).
Services never commit; the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.bookings import permissions, queries, rules
from digicoach.bookings.models import WalkIn, WalkInStatus
from digicoach.coaches.models import Coach, CoachLanguage, CoachTopic
from digicoach.core import audit, clock, vocabulary
from digicoach.core.errors import Conflict, NotFound, ValidationFailed
from digicoach.core.permissions import ensure
from digicoach.extensions import db
from digicoach.helpdesk import wording
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.places.models import Location
from digicoach.places.queries import valid_id

STATION_MAX = 20
# How many called numbers the waiting display shows ("now serving"), newest first.
DISPLAY_CALLED = 4
# How many waiting numbers "call next" looks at before it gives up (a queue is never this long).
CANDIDATES = 200
NUMBER_ATTEMPTS = 5

# States in which the citizen is still in the room and may be marked as left.
IN_THE_ROOM = (WalkInStatus.WAITING, WalkInStatus.CALLED)

STATUS_LABELS = {
    WalkInStatus.WAITING: _l("Waiting"),
    WalkInStatus.CALLED: _l("Called up"),
    WalkInStatus.HELPED: _l("Helped"),
    WalkInStatus.LEFT: _l("Left without help"),
}


class NoWalkInHours(Conflict):
    """No walk-in or hybrid session at the digipunt for the rest of today."""

    code = "no_walk_in_hours"


class NobodyWaiting(Conflict):
    """Nobody (that the caller can help) is waiting."""

    code = "nobody_waiting"


class AlreadyMoved(Conflict):
    """Someone else called, helped or closed this walk-in first."""

    code = "walk_in_moved"


# --- rules -------------------------------------------------------------------------------------


def fits(
    topic: str, language: str, coach_topics: Iterable[str], coach_languages: Iterable[str]
) -> bool:
    """A coach can help a walk-in who speaks one of the coach's languages about a topic the
    coach knows; "other" (the citizen does not know the word yet) fits every coach."""
    knows = topic == rules.OTHER_TOPIC or topic in set(coach_topics)
    return knows and language in set(coach_languages)


def clean_station(value: Any) -> str:
    """The station typed by the caller, stripped. Raises ValidationFailed when it is empty
    or longer than STATION_MAX."""
    station = value.strip() if isinstance(value, str) else ""
    if not station:
        raise ValidationFailed(
            {"station": [_("Type where the citizen should go, for example table 2.")]}
        )
    if len(station) > STATION_MAX:
        raise ValidationFailed(
            {"station": [_("Use at most %(most)d characters.", most=STATION_MAX)]}
        )
    return station


def waited(walk_in: WalkIn, now: datetime) -> timedelta:
    """How long the citizen waited: until called, or until now while still waiting; a citizen
    who left uncalled waited until they left."""
    end = walk_in.called_at or walk_in.left_at or now
    return max(end - walk_in.created_at, timedelta(0))


def average_wait(walk_ins: Iterable[WalkIn]) -> timedelta | None:
    """The average of called_at - created_at over the walk-ins that were called (None if none)."""
    waits = [w.called_at - w.created_at for w in walk_ins if w.called_at is not None]
    if not waits:
        return None
    return sum(waits, timedelta(0)) / len(waits)


# --- who works the queue --------------------------------------------------------------------


def is_on_shift_at(actor: User, location: Location, now: datetime) -> bool:
    """A coach with a shift at the digipunt today."""
    return any(loc.id == location.id for loc in queries.shift_locations_today(actor, now=now))


def can_work_queue(actor: User, location: Location, now: datetime) -> bool:
    """Call, mark helped or left: the desk of the digipunt, or a coach on shift there today."""
    return permissions.can_work_at_location(actor, location) or is_on_shift_at(actor, location, now)


def queue_locations(actor: User, now: datetime) -> list[Location]:
    """The digipunten whose queue the actor works: the desk's in scope, a coach's of today."""
    if permissions.can_use_front_desk(actor):
        return queries.desk_locations(actor)
    return queries.shift_locations_today(actor, now=now)


def get_walk_in_for_queue(actor: User, walk_in_id: Any, now: datetime) -> WalkIn:
    """A walk-in of today whose queue the actor works. NotFound otherwise (as for no id)."""
    if not valid_id(walk_in_id):
        raise NotFound(walk_in_id)
    walk_in = db.session.get(WalkIn, walk_in_id)
    if (
        walk_in is None
        or walk_in.day != clock.local(now).date()
        or not can_work_queue(actor, walk_in.location, now)
    ):
        raise NotFound(walk_in_id)
    return walk_in


# --- walk-in hours --------------------------------------------------------------------------


def _open_door(location_id: int) -> list[Any]:
    return [
        HelpSession.location_id == location_id,
        HelpSession.status == SessionStatus.PLANNED,
        HelpSession.mode.in_(sorted(rules.OPEN_DOOR_MODES)),
    ]


def walk_in_sessions_left_today(location_id: int, now: datetime) -> list[HelpSession]:
    """Walk-in and hybrid sessions at the digipunt that run now or later today (local day)."""
    _start, end = queries.local_day_bounds(clock.local(now).date())
    return list(
        db.session.scalars(
            select(HelpSession)
            .where(*_open_door(location_id), HelpSession.ends_at > now, HelpSession.starts_at < end)
            .order_by(HelpSession.starts_at)
        )
    )


def next_walk_in_session(location_id: int, now: datetime) -> HelpSession | None:
    """The first walk-in or hybrid session at the digipunt after today."""
    _start, end = queries.local_day_bounds(clock.local(now).date())
    return db.session.scalar(
        select(HelpSession)
        .where(*_open_door(location_id), HelpSession.starts_at >= end)
        .order_by(HelpSession.starts_at)
        .limit(1)
    )


def no_walk_in_hours_message(location: Location, now: datetime) -> str:
    """'There is no walk-in help session at De Krook today. The next one: Tuesday ...'."""
    first = _("There is no walk-in help session at %(location)s today.", location=location.name)
    coming = next_walk_in_session(location.id, now)
    if coming is None:
        return first + " " + _("No other walk-in hours are planned yet.")
    period = wording.period(coming.starts_at, coming.ends_at)
    return first + " " + _("The next one: %(period)s.", period=period)


# --- use cases ------------------------------------------------------------------------------


def register_walk_in(
    *,
    actor: User,
    location: Location,
    topic: Any,
    language: Any,
    now: datetime,
    first_visit: bool | None = None,
) -> WalkIn:
    """A walk-in gets the next queue number of the digipunt for today (1, 2, 3, ...).

    Raises ValidationFailed for an unknown topic or language, and NoWalkInHours (naming the
    next walk-in hours) when no walk-in or hybrid session runs there now or later today.
    `first_visit` is the citizen's answer (None: not asked).
    """
    ensure(permissions.can_work_at_location(actor, location))
    errors: dict[str, list[Any]] = {}
    if not isinstance(topic, str) or topic not in vocabulary.codes(vocabulary.TOPICS):
        errors["topic"] = [_("Choose what you need help with.")]
    if not isinstance(language, str) or language not in vocabulary.codes(
        vocabulary.SPOKEN_LANGUAGES
    ):
        errors["language"] = [_("Choose a language.")]
    if errors:
        raise ValidationFailed(errors)
    if not walk_in_sessions_left_today(location.id, now):
        raise NoWalkInHours(no_walk_in_hours_message(location, now))
    day = clock.local(now).date()
    # One registration at a time per digipunt, so "max + 1" is free when we insert it:
    # PostgreSQL locks the digipunt's row (NO KEY UPDATE: inserts that refer to it go on);
    # SQLite drops FOR UPDATE but holds its write lock from BEGIN IMMEDIATE (core.db).
    # Measured without it: 8 desks at once on PostgreSQL, 2 of them out of retries.
    db.session.execute(
        select(Location.id).where(Location.id == location.id).with_for_update(key_share=True)
    )
    for _attempt in range(NUMBER_ATTEMPTS):
        number = (
            db.session.scalar(
                select(func.max(WalkIn.number)).where(
                    WalkIn.location_id == location.id, WalkIn.day == day
                )
            )
            or 0
        ) + 1
        try:
            with db.session.begin_nested():
                walk_in = WalkIn(
                    location_id=location.id,
                    day=day,
                    number=number,
                    topic=topic,
                    language=language,
                    first_visit=first_visit,
                    status=WalkInStatus.WAITING,
                    created_at=now,
                    created_by_id=actor.id,
                )
                db.session.add(walk_in)
                db.session.flush()
        except IntegrityError:
            continue  # another desk took this number at the same moment: take the next
        audit.record(
            actor, "bookings.walk_in.register", walk_in, ["topic", "language", "first_visit"]
        )
        return walk_in
    raise Conflict(_("The queue is busy. Try again."))


def _move(walk_in: WalkIn, from_statuses: Sequence[str], values: dict[str, Any]) -> bool:
    """The conditional UPDATE behind every status change: True if this caller moved the row."""
    result = db.session.execute(
        update(WalkIn)
        .where(WalkIn.id == walk_in.id, WalkIn.status.in_([str(s) for s in from_statuses]))
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        db.session.refresh(walk_in)
        return True
    return False


def _coach_profile(actor: User) -> tuple[set[str], set[str]]:
    coach_id = db.session.scalar(select(Coach.id).where(Coach.user_id == actor.id))
    if coach_id is None:
        return set(), set()
    topics = set(db.session.scalars(select(CoachTopic.code).where(CoachTopic.coach_id == coach_id)))
    languages = set(
        db.session.scalars(select(CoachLanguage.code).where(CoachLanguage.coach_id == coach_id))
    )
    return topics, languages


def _call_values(actor: User, station: str, now: datetime) -> dict[str, Any]:
    return {
        "status": WalkInStatus.CALLED.value,
        "called_at": now,
        "called_by_id": actor.id,
        "station": station,
    }


def call_next(*, actor: User, location: Location, station: Any, now: datetime) -> WalkIn:
    """Call the first in line to `station`: for the desk the lowest waiting number, for a coach
    on shift the lowest waiting number whose topic and language the coach fits (`fits`).

    Two callers at once never get the same citizen: a candidate another caller took in the
    meantime is skipped. Raises ValidationFailed for a missing station and NobodyWaiting when
    nobody (that fits) is waiting.
    """
    desk = permissions.can_work_at_location(actor, location)
    ensure(desk or is_on_shift_at(actor, location, now))
    place = clean_station(station)
    waiting = list(
        db.session.scalars(
            select(WalkIn)
            .where(
                WalkIn.location_id == location.id,
                WalkIn.day == clock.local(now).date(),
                WalkIn.status == WalkInStatus.WAITING,
            )
            .order_by(WalkIn.number)
            .limit(CANDIDATES)
        )
    )
    if not waiting:
        raise NobodyWaiting(_("Nobody is waiting."))
    candidates = waiting
    if not desk:
        topics, languages = _coach_profile(actor)
        candidates = [w for w in waiting if fits(w.topic, w.language, topics, languages)]
        if not candidates:
            raise NobodyWaiting(
                _(
                    "Nobody waiting needs your topics and languages. "
                    "The front desk can call the first in line."
                )
            )
    for walk_in in candidates:
        if _move(walk_in, [WalkInStatus.WAITING], _call_values(actor, place, now)):
            audit.record(actor, "bookings.walk_in.call", walk_in, ["status", "station"])
            return walk_in
    raise NobodyWaiting(_("Nobody is waiting."))


def call(*, actor: User, walk_in: WalkIn, station: Any, now: datetime) -> WalkIn:
    """Call one number to `station` (a coach picks someone out of turn). Raises AlreadyMoved
    when someone else called or closed them first."""
    ensure(can_work_queue(actor, walk_in.location, now))
    place = clean_station(station)
    if not _move(walk_in, [WalkInStatus.WAITING], _call_values(actor, place, now)):
        raise AlreadyMoved(_("Number %(number)d is no longer waiting.", number=walk_in.number))
    audit.record(actor, "bookings.walk_in.call", walk_in, ["status", "station"])
    return walk_in


def mark_helped(*, actor: User, walk_in: WalkIn, now: datetime) -> WalkIn:
    """The citizen was helped (helped_at). From called, or straight from waiting (then they
    count as called now, by the actor)."""
    ensure(can_work_queue(actor, walk_in.location, now))
    return _helped(actor, walk_in, now)


def _helped(actor: User, walk_in: WalkIn, now: datetime) -> WalkIn:
    values: dict[str, Any] = {"status": WalkInStatus.HELPED.value, "helped_at": now}
    if walk_in.called_at is None:
        values.update(called_at=now, called_by_id=actor.id)
    if not _move(walk_in, IN_THE_ROOM, values):
        raise AlreadyMoved(_("Number %(number)d is already closed.", number=walk_in.number))
    audit.record(actor, "bookings.walk_in.helped", walk_in, ["status", "helped_at"])
    return walk_in


def helped_by_log(*, actor: User, walk_in: WalkIn, now: datetime) -> None:
    """A coach logged help for the walk-in: mark them helped if that is not done yet.

    For the help log's service, which has checked that the coach may log this walk-in.
    """
    if walk_in.status in IN_THE_ROOM:
        _helped(actor, walk_in, now)


def mark_left(*, actor: User, walk_in: WalkIn, now: datetime) -> WalkIn:
    """The citizen left without help (left_at), while waiting or after being called."""
    ensure(can_work_queue(actor, walk_in.location, now))
    if not _move(walk_in, IN_THE_ROOM, {"status": WalkInStatus.LEFT.value, "left_at": now}):
        raise AlreadyMoved(_("Number %(number)d is already closed.", number=walk_in.number))
    audit.record(actor, "bookings.walk_in.left", walk_in, ["status", "left_at"])
    return walk_in


def back_in_line(*, actor: User, walk_in: WalkIn, now: datetime) -> WalkIn:
    """A called citizen did not come to the station: back in the queue with their number (so
    first in line again); the call is forgotten."""
    ensure(can_work_queue(actor, walk_in.location, now))
    values = {
        "status": WalkInStatus.WAITING.value,
        "called_at": None,
        "called_by_id": None,
        "station": "",
    }
    if not _move(walk_in, [WalkInStatus.CALLED], values):
        raise AlreadyMoved(_("Number %(number)d is not called.", number=walk_in.number))
    audit.record(actor, "bookings.walk_in.back_in_line", walk_in, ["status"])
    return walk_in


# --- read models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    walk_in: WalkIn
    waited: timedelta

    @property
    def waited_minutes(self) -> int:
        return int(self.waited.total_seconds() // 60)


@dataclass(frozen=True)
class LocationQueue:
    """A digipunt's queue of today, for the desk and the coaches."""

    location: Location
    rows: list[QueueRow]
    average_wait: timedelta | None
    called_count: int
    sessions_today: list[HelpSession]
    refusal: str | None  # why walk-ins cannot be registered here today (None: they can)

    @property
    def waiting_count(self) -> int:
        return sum(1 for row in self.rows if row.walk_in.status == WalkInStatus.WAITING)

    @property
    def average_wait_minutes(self) -> int | None:
        if self.average_wait is None:
            return None
        return round(self.average_wait.total_seconds() / 60)


def _of_today(location_ids: Sequence[int], day: date) -> tuple[Any, ...]:
    return (WalkIn.location_id.in_(location_ids), WalkIn.day == day)


def waiting_counts(location_ids: Sequence[int], now: datetime) -> dict[int, int]:
    """Per digipunt, how many walk-ins of today still wait: the `waiting_count` of `queues`,
    counted in one statement (for the workspace home)."""
    ids = list(location_ids)
    if not ids:
        return {}
    day = clock.local(now).date()
    return dict(
        db.session.execute(
            select(WalkIn.location_id, func.count(WalkIn.id))
            .where(*_of_today(ids, day), WalkIn.status == WalkInStatus.WAITING)
            .group_by(WalkIn.location_id)
        )
        .tuples()
        .all()
    )


def queues(locations: Sequence[Location], now: datetime) -> list[LocationQueue]:
    """Today's queue of each digipunt, with each person's waiting time and the day's average
    wait (called_at - created_at over those called)."""
    day = clock.local(now).date()
    ids = [loc.id for loc in locations]
    by_location: dict[int, list[WalkIn]] = {loc_id: [] for loc_id in ids}
    if ids:
        for walk_in in db.session.scalars(
            select(WalkIn).where(*_of_today(ids, day)).order_by(WalkIn.number)
        ):
            by_location[walk_in.location_id].append(walk_in)
    result = []
    for location in locations:
        walk_ins = by_location[location.id]
        sessions = walk_in_sessions_left_today(location.id, now)
        result.append(
            LocationQueue(
                location=location,
                rows=[QueueRow(w, waited(w, now)) for w in walk_ins],
                average_wait=average_wait(walk_ins),
                called_count=sum(1 for w in walk_ins if w.called_at is not None),
                sessions_today=sessions,
                refusal=None if sessions else no_walk_in_hours_message(location, now),
            )
        )
    return result


@dataclass(frozen=True)
class Called:
    number: int
    station: str


@dataclass(frozen=True)
class Display:
    """What the waiting display shows: numbers and stations only, never a name."""

    location_name: str
    called: list[Called]
    waiting: list[int]


def display(location: Location, now: datetime) -> Display:
    """The numbers called most recently (still at their station), newest first, and the
    numbers still waiting, in order."""
    day = clock.local(now).date()
    today = (WalkIn.location_id == location.id, WalkIn.day == day)
    called = db.session.execute(
        select(WalkIn.number, WalkIn.station)
        .where(*today, WalkIn.status == WalkInStatus.CALLED)
        .order_by(WalkIn.called_at.desc(), WalkIn.number.desc())
        .limit(DISPLAY_CALLED)
    ).all()
    waiting = db.session.scalars(
        select(WalkIn.number)
        .where(*today, WalkIn.status == WalkInStatus.WAITING)
        .order_by(WalkIn.number)
    ).all()
    return Display(
        location_name=location.name,
        called=[Called(number, station) for number, station in called],
        waiting=list(waiting),
    )


__all__ = [
    "AlreadyMoved",
    "NoWalkInHours",
    "NobodyWaiting",
    "back_in_line",
    "call",
    "call_next",
    "display",
    "mark_helped",
    "mark_left",
    "queues",
    "register_walk_in",
]
