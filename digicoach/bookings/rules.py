"""Pure decisions about bookings: no database, no Flask.

Slots. A help session from S to E with slot length L has (E - S) // L slots, starting at S,
S + L, ... (a remainder shorter than L is no slot). Only sessions in appointment or hybrid
mode have slots.

Capacity. A slot holds `citizens_per_slot` citizens per coach who takes bookings. In
appointment mode every non-shadow coach signed up takes bookings. In hybrid mode half of them
(rounded down) do; the other half help walk-ins, so one coach alone on a hybrid session keeps
the door open for walk-ins and takes no bookings. Shadows (coaches in training) never count.

Closing. Online booking closes `closes_hours` hours (elapsed time) before the slot starts, so
the digipunt knows who comes; the front desk may still book until the slot starts.

Topics and languages. A session that lists no topics (languages) takes any. A session that
lists topics also takes "other" ("Something else"): the citizen does not know the word for
their question yet, and any coach can look at it. So "other" is bookable wherever any slot is.

Coach. Each appointment goes to a coach who fits where possible: one who speaks the language
and knows the topic, else the language, else the topic, else anyone; among equals the one with
the fewest appointments in the session, then the lowest id (stable).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from digicoach.helpdesk import rules as helpdesk_rules

APPOINTMENT = "appointment"
HYBRID = "hybrid"
SLOTTED_MODES = frozenset({APPOINTMENT, HYBRID})
WALK_IN = "walk_in"
# Sessions a citizen can walk into without an appointment.
OPEN_DOOR_MODES = frozenset({WALK_IN, HYBRID})
OTHER_TOPIC = "other"

FIRST_NAME_MAX = 60
NOTE_MAX = 500
EMAIL_MAX = 254

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a reference read aloud over the phone cannot be misheard.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_HALF = 3


def slot_starts(start: datetime, end: datetime, slot_minutes: int) -> list[datetime]:
    """The start of every whole slot of a session: (end - start) // slot length of them."""
    if slot_minutes <= 0 or end <= start:
        return []
    length = timedelta(minutes=slot_minutes)
    count = (end - start) // length
    return [start + i * length for i in range(count)]


def is_slot_start(start: datetime, end: datetime, slot_minutes: int, moment: datetime) -> bool:
    """Whether `moment` is the start of one of the session's slots."""
    if slot_minutes <= 0 or not start <= moment < end:
        return False
    offset = moment - start
    length = timedelta(minutes=slot_minutes)
    return offset % length == timedelta(0) and moment + length <= end


def booking_coaches(mode: str, coaches: int) -> int:
    """How many of the signed-up non-shadow coaches take bookings (see the module docstring):
    the split the staffing status shows too (helpdesk.rules.coach_roles)."""
    return helpdesk_rules.coach_roles(mode, coaches)[0]


def slot_capacity(mode: str, coaches: int, citizens_per_slot: int) -> int:
    """Citizens per slot times the coaches who take bookings."""
    return booking_coaches(mode, coaches) * max(citizens_per_slot, 0)


def remaining(capacity: int, taken: int) -> int:
    return max(capacity - taken, 0)


def booking_open(slot_start: datetime, now: datetime, closes_hours: float) -> bool:
    """Online booking is open until `closes_hours` hours before the slot starts."""
    return now < slot_start - timedelta(hours=closes_hours)


def may_change(status: str, start: datetime, now: datetime) -> bool:
    """A citizen (or the desk) cancels or moves a booked appointment until it starts."""
    return status == "booked" and now < start


def manage_link_valid(end: datetime, now: datetime) -> bool:
    """The manage link works until the appointment's end."""
    return now < end


def may_check_in(status: str) -> bool:
    return status in ("booked", "no_show")


def is_no_show(status: str, session_end: datetime, now: datetime) -> bool:
    """A booked appointment nobody checked in by the end of its session."""
    return status == "booked" and session_end <= now


def contact_erasure_due(end: datetime, now: datetime, retention_days: int) -> bool:
    """Contact data goes `retention_days` days after the appointment's end."""
    return end + timedelta(days=retention_days) <= now


def over_active_limit(active: int, limit: int) -> bool:
    """A citizen may hold `limit` coming appointments at once; one more is refused."""
    return active >= limit


@dataclass(frozen=True)
class CoachFit:
    coach_id: int
    languages: frozenset[str]
    topics: frozenset[str]
    appointments: int


def fit_rank(candidate: CoachFit, language: str, topic: str) -> int:
    """0: language and topic fit; 1: the language; 2: the topic; 3: neither."""
    speaks = language in candidate.languages
    knows = topic in candidate.topics
    if speaks and knows:
        return 0
    if speaks:
        return 1
    if knows:
        return 2
    return 3


def pick_coach(candidates: Iterable[CoachFit], *, language: str, topic: str) -> int | None:
    """The coach to assign (see the module docstring), or None without candidates."""
    ranked = sorted(
        candidates, key=lambda c: (fit_rank(c, language, topic), c.appointments, c.coach_id)
    )
    return ranked[0].coach_id if ranked else None


def new_reference(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """'K7M-4QX': six characters of an unambiguous alphabet, in two halves."""
    size = len(REFERENCE_ALPHABET)
    chars = [REFERENCE_ALPHABET[randbelow(size)] for _ in range(2 * REFERENCE_HALF)]
    return "".join(chars[:REFERENCE_HALF]) + "-" + "".join(chars[REFERENCE_HALF:])


def normalise_reference(text: str) -> str | None:
    """A reference as typed ('k7m 4qx', 'K7M4QX') in its stored form, or None if impossible."""
    compact = "".join(ch for ch in (text or "").upper() if ch not in " -")
    if len(compact) != 2 * REFERENCE_HALF or any(ch not in REFERENCE_ALPHABET for ch in compact):
        return None
    return compact[:REFERENCE_HALF] + "-" + compact[REFERENCE_HALF:]


def takes_topic(listed: Collection[str], wanted: str) -> bool:
    """Whether a session with these topics listed takes `wanted` (see the module docstring):
    any topic when none is listed, else a listed one or "other"."""
    return not listed or wanted == OTHER_TOPIC or wanted in listed


def takes_language(listed: Collection[str], wanted: str) -> bool:
    """Whether a session with these languages listed takes `wanted`: any when none is listed."""
    return not listed or wanted in listed


def topics_taken(listed: Collection[str], every: Iterable[str]) -> list[str]:
    """Of `every` topic code, those a session with `listed` topics takes (in `every`'s order)."""
    return [code for code in every if takes_topic(listed, code)]


def languages_taken(listed: Collection[str], every: Iterable[str]) -> list[str]:
    """Of `every` language code, those a session with `listed` languages takes."""
    return [code for code in every if takes_language(listed, code)]
