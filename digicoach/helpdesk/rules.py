"""Pure decisions about help sessions and shifts: no database, no Flask.

The services load the facts, ask these functions and act on the answer; the tests check the
rules directly, including on the two days the clocks change (2026-03-29 and 2026-10-25).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

# Modes (see models.SessionMode) and the ones that cut a session into appointment slots.
WALK_IN = "walk_in"
APPOINTMENT = "appointment"
HYBRID = "hybrid"
# Planned on the helpdesk pages; AT_HOME sessions are home visits (digicoach.homevisits).
MODES = (WALK_IN, APPOINTMENT, HYBRID)
AT_HOME = "at_home"
SLOTTED_MODES = frozenset({APPOINTMENT, HYBRID})

# A series runs every week or every other week, for at most this many sessions (two years).
EVERY_WEEKS = (1, 2)
MAX_OCCURRENCES = 104
MAX_COACHES = 20
MAX_CITIZENS_PER_SLOT = 20
MAX_SLOT_MINUTES = 240

# Dayparts of a coach's availability (core.vocabulary.DAYPARTS), by the local start time.
MORNING_ENDS = time(12, 0)
AFTERNOON_ENDS = time(18, 0)

Item = TypeVar("Item")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


def overlaps(a: Period, b: Period) -> bool:
    """Two periods overlap when each starts before the other ends.

    Touching ends do not overlap (a shift until 12:00 and one from 12:00 are fine); one period
    inside the other does (a shift 13:00-17:00 and one 14:00-15:00 cannot both be done).
    """
    return a.start < b.end and b.start < a.end


def first_overlap(new: Period, existing: Iterable[tuple[Period, Item]]) -> Item | None:
    """The first item whose period overlaps `new`, or None: a coach is in one place at a time."""
    for period, item in existing:
        if overlaps(new, period):
            return item
    return None


def first_without_travel_time(
    new: Period,
    new_mode: str,
    existing: Iterable[tuple[Period, str, Item]],
    travel: timedelta,
) -> Item | None:
    """The first item too close to `new` to travel between them, or None.

    Between a home visit and any other shift of the same coach there must be at least
    `travel` (HOME_VISIT_TRAVEL_MINUTES): the coach goes to the citizen's home and back.
    Between two shifts at digipunten no time is needed (that is `first_overlap`'s rule).
    Exactly `travel` apart is fine.
    """
    for period, mode, item in existing:
        if AT_HOME not in (new_mode, mode):
            continue
        if new.start < period.end + travel and period.start < new.end + travel:
            return item
    return None


def status_for_shifts(coach_status: str) -> str:
    """The status to judge a sign-up by (with training.rules.may_join_help_session).

    A dormant coach is certified but has had no shift for a while (coaches.rules.is_dormant).
    Taking a shift is exactly what makes them active again (coaches.services.
    record_shift_activity), so for signing up a dormant coach counts as active; otherwise
    dormancy would be a trap only a coordinator could open.
    """
    return "active" if coach_status == "dormant" else coach_status


def joins_as_shadow(coach_status: str) -> bool:
    """A coordinator who adds a coach in training adds them as a shadow (the only way they
    may join, see training.rules.may_join_help_session); everyone else takes a place."""
    return coach_status == "in_training"


def slot_fits(*, mode: str, duration_minutes: int, slot_minutes: int) -> bool:
    """Appointment and hybrid sessions are cut into whole slots: the slot length must divide
    the session's length. Walk-in sessions have no slots, so anything fits."""
    if mode not in SLOTTED_MODES:
        return True
    return slot_minutes > 0 and duration_minutes > 0 and duration_minutes % slot_minutes == 0


def may_cancel_shift(*, starts_at: datetime, now: datetime, cutoff_hours: int) -> bool:
    """A coach cancels a shift themselves up to `cutoff_hours` real hours before its start.

    The cut-off is elapsed time, not the wall clock: 24 hours before Sunday 29 March 2026 at
    14:00 (summer time) is Saturday 28 March at 13:00 (winter time). At the cut-off moment
    itself cancelling still works; one second later the coach calls the digipunt instead.
    """
    return now <= starts_at - timedelta(hours=cutoff_hours)


def coach_roles(mode: str, coaches: int) -> tuple[int, int]:
    """How `coaches` signed-up non-shadow coaches split up: (take appointments, help walk-ins).

    Walk-in mode: everyone helps walk-ins. Appointment mode: everyone takes appointments.
    Hybrid: half of them, rounded down, take appointments and the others keep the door open,
    so one coach alone on a hybrid session helps walk-ins and no citizen can book yet.
    The booking engine reads the same split (bookings.rules.booking_coaches).
    """
    coaches = max(coaches, 0)
    if mode == APPOINTMENT:
        return coaches, 0
    if mode == HYBRID:
        return coaches // 2, coaches - coaches // 2
    return 0, coaches


def coaches_needed(mode: str, minimum: int) -> int:
    """The coaches a session needs for its mode: its planned minimum, and for a hybrid session
    at least two (one for the appointments, one for the walk-ins)."""
    if mode == HYBRID:
        return max(minimum, 2)
    return max(minimum, 1)


STAFFED = "staffed"
SHORT = "short"
EMPTY = "empty"


@dataclass(frozen=True)
class Staffing:
    """How well a session is staffed for its mode (see `staffing`).

    `kind` is "staffed", "short" or "empty"; the counts say who does what and the `missing_*`
    properties what is still missing, so every page and message tells the same story.
    """

    kind: str
    mode: str
    taken: int
    minimum: int
    maximum: int
    needed: int
    booking: int
    walk_in: int

    @property
    def short_by(self) -> int:
        """Coaches to add before the session has what its mode needs."""
        return max(self.needed - self.taken, 0)

    @property
    def places_left(self) -> int:
        return max(self.maximum - self.taken, 0)

    @property
    def needs_coaches(self) -> bool:
        return self.kind != STAFFED

    @property
    def takes_appointments(self) -> bool:
        return self.mode in SLOTTED_MODES

    @property
    def takes_walk_ins(self) -> bool:
        return self.mode != APPOINTMENT

    @property
    def missing_booking(self) -> int:
        """Coaches to add before a citizen can book (0 when someone takes appointments, or
        the session takes none): the first coach of a hybrid session goes to the walk-ins."""
        if not self.takes_appointments or self.booking > 0:
            return 0
        return 1 if self.mode == APPOINTMENT else max(2 - self.taken, 1)

    @property
    def missing_walk_in(self) -> int:
        """Coaches to add before walk-ins are helped (0 when someone helps them or the
        session takes none)."""
        return 1 if self.takes_walk_ins and self.walk_in == 0 else 0

    @property
    def no_appointments_yet(self) -> bool:
        """The session offers appointments, but nobody takes them yet."""
        return self.missing_booking > 0

    @property
    def cannot_be_met(self) -> bool:
        """The planned maximum is below what the mode needs (a hybrid session for one coach):
        it can never be fully staffed until the planner raises the maximum."""
        return self.maximum < self.needed


def staffing(*, mode: str, taken: int, minimum: int, maximum: int) -> Staffing:
    """How well a session is staffed for its mode: the one rule every page, the board's
    counts, the under-staffing alerts and the progress figures follow.

    Empty with nobody; short while fewer coaches than the mode needs (`coaches_needed`: the
    minimum, and for a hybrid session at least two, so someone takes appointments while
    someone helps walk-ins); staffed from there on. Shadows are not counted: they come to
    learn, not to cover the session.
    """
    taken = max(taken, 0)
    needed = coaches_needed(mode, minimum)
    booking, walk_in = coach_roles(mode, taken)
    if taken == 0:
        kind = EMPTY
    elif taken < needed:
        kind = SHORT
    else:
        kind = STAFFED
    return Staffing(
        kind=kind,
        mode=mode,
        taken=taken,
        minimum=minimum,
        maximum=maximum,
        needed=needed,
        booking=booking,
        walk_in=walk_in,
    )


def daypart(moment: time) -> str:
    """The daypart a local start time falls in: morning before 12:00, afternoon before 18:00,
    evening from 18:00 on."""
    if moment < MORNING_ENDS:
        return "morning"
    if moment < AFTERNOON_ENDS:
        return "afternoon"
    return "evening"


@dataclass(frozen=True)
class CoachFacts:
    status: str
    languages: frozenset[str]
    topics: frozenset[str]
    neighbourhood_ids: frozenset[int]
    availability: frozenset[tuple[int, str]]
    wants_email: bool = True


@dataclass(frozen=True)
class SessionFacts:
    weekday: int  # ISO weekday of the local start
    daypart: str
    languages: frozenset[str]
    topics: frozenset[str]
    neighbourhood_id: int | None


WORKING_STATUSES = frozenset({"certified", "active"})


# Why a coach is not invited, in the order an invitation narrows the coaches down: the first
# step that leaves nobody is the reason given when nobody is invited (`why_nobody`).
NOT_WORKING = "status"
LANGUAGE = "language"
TOPIC = "topic"
NEIGHBOURHOOD = "neighbourhood"
AVAILABILITY = "availability"
BUSY = "busy"
NO_EMAIL = "no_email"
INVITED = "invited"
INVITATION_STEPS = (
    NOT_WORKING,
    LANGUAGE,
    TOPIC,
    NEIGHBOURHOOD,
    AVAILABILITY,
    BUSY,
    NO_EMAIL,
    INVITED,
)
# Nobody to ask at all: every working coach of the municipality is on the session already.
NO_CANDIDATES = "no_candidates"
NEAR_MATCHES = 5


def mismatches(coach: CoachFacts, session: SessionFacts) -> tuple[str, ...]:
    """What keeps a coach from fitting a session, in INVITATION_STEPS order (empty: a match).

    The coach must be certified or active; speak a language the session offers; know one of
    its topics (a session without topics takes every question); help in the location's
    neighbourhood (a coach who chose no neighbourhood helps anywhere in their municipality; a
    location without a neighbourhood suits everyone); have marked the weekday and daypart of
    the session's start as available; and accept e-mail (invitations are e-mails). Being free
    at that time (BUSY), belonging to the municipality and having been invited already
    (INVITED) are checked by the caller, who has the shifts, the rows and the outbox.
    """
    found = []
    if coach.status not in WORKING_STATUSES:
        found.append(NOT_WORKING)
    if not coach.languages & session.languages:
        found.append(LANGUAGE)
    if session.topics and not coach.topics & session.topics:
        found.append(TOPIC)
    if (
        session.neighbourhood_id is not None
        and coach.neighbourhood_ids
        and session.neighbourhood_id not in coach.neighbourhood_ids
    ):
        found.append(NEIGHBOURHOOD)
    if (session.weekday, session.daypart) not in coach.availability:
        found.append(AVAILABILITY)
    if not coach.wants_email:
        found.append(NO_EMAIL)
    return tuple(found)


def matches(coach: CoachFacts, session: SessionFacts) -> bool:
    """Whether a coach fits a session well enough to be invited for it (see `mismatches`)."""
    return not mismatches(coach, session)


@dataclass(frozen=True)
class NobodyToInvite:
    """Why an invitation reached nobody: `reason` is a step of INVITATION_STEPS (or
    NO_CANDIDATES), `near` the keys of the nearest candidates, fewest misses first."""

    reason: str
    near: tuple[Item, ...]


def _step_order(misses: Iterable[str]) -> list[str]:
    return sorted(set(misses), key=INVITATION_STEPS.index)


def why_nobody(
    misses: dict[Item, tuple[str, ...]], *, limit: int = NEAR_MATCHES
) -> NobodyToInvite | None:
    """Why nobody of `misses` (a candidate's key → what keeps them out) can be invited, or
    None when someone can.

    The reason follows the invitation's own order: keep the candidates who pass each step
    in turn (language, then topic, neighbourhood, usual availability, a free moment, e-mail,
    not invited before); the first step that leaves nobody is the reason. So "nobody speaks
    the session's languages" is said only when it is true of every candidate, and "all were
    invited already" only of those who fit in every other way. The near matches are the
    candidates who miss the fewest things, then those who miss one more (never one who may not
    take shifts at all), up to `limit`, in the order given among equals.
    """
    if not misses:
        return NobodyToInvite(NO_CANDIDATES, ())
    if any(not missing for missing in misses.values()):
        return None
    left = list(misses)
    reason = INVITED
    for step in INVITATION_STEPS:
        passing = [key for key in left if step not in misses[key]]
        if not passing:
            reason = step
            break
        left = passing
    eligible = [key for key in misses if NOT_WORKING not in misses[key]]
    fewest = min((len(misses[key]) for key in eligible), default=0)
    nearest = sorted(
        (key for key in eligible if len(misses[key]) <= fewest + 1), key=lambda k: len(misses[k])
    )
    return NobodyToInvite(reason, tuple(nearest[:limit]))


def ordered_misses(misses: Iterable[str]) -> tuple[str, ...]:
    """A coach's misses in the invitation's order."""
    return tuple(_step_order(misses))


def needs_first(staff: Staffing, starts_at: datetime) -> tuple[int, datetime]:
    """Sort key for the coaches' list: sessions that still need coaches first, then by time."""
    return (0 if staff.needs_coaches else 1, starts_at)


@dataclass(frozen=True)
class BoardWeek:
    """One page of the staffing board: seven local days. Week 0 is today and the six days
    after; it also shows a session that started earlier and has not ended yet."""

    number: int
    first_day: date
    last_day: date


def board_weeks(today: date, count: int) -> list[BoardWeek]:
    """The board's pages: `count` weeks of seven days from today, one after the other, so
    together they show every coming session of the next `count` * 7 days exactly once."""
    return [
        BoardWeek(n, today + timedelta(days=7 * n), today + timedelta(days=7 * n + 6))
        for n in range(count)
    ]


def board_week_number(day: date, today: date, count: int) -> int | None:
    """The page of a session that starts on local `day`: week 0 up to six days from today
    (and for a session that started before today), None after the last page."""
    number = max((day - today).days, 0) // 7
    return number if number < count else None


# --- changing a session with appointments ------------------------------------------------------

# What the coordinator chooses for the appointments an edit leaves without a place.
MOVE_AFFECTED = "move"
CANCEL_AFFECTED = "cancel"
AFFECTED_CHOICES = (MOVE_AFFECTED, CANCEL_AFFECTED)


@dataclass(frozen=True)
class SessionShape:
    """What decides where a session's appointments fit: its period, mode, slots and the
    non-shadow coaches signed up (helpdesk.signals.help_session_change_proposed)."""

    starts_at: datetime
    ends_at: datetime
    mode: str
    slot_minutes: int
    citizens_per_slot: int
    coaches: int


@dataclass(frozen=True)
class ChangeImpact:
    """A receiver's answer to a proposed change: how many booked appointments lose their place
    (`affected`), and how many of those find no other free place in the changed session
    (`no_room`)."""

    affected: int = 0
    no_room: int = 0

    def __add__(self, other: ChangeImpact) -> ChangeImpact:
        return ChangeImpact(self.affected + other.affected, self.no_room + other.no_room)
