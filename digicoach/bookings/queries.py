"""Read models for booking pages, the front desk and the API (few queries, no N+1).

Front-desk reads are scoped inside the query: a `get_*_for_desk` raises NotFound for an id
outside the actor's municipalities exactly as for an id that does not exist. A manage token
that is wrong, unknown or expired finds nothing, the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import contains_eager, defaultload, lazyload, selectinload

from digicoach.accounts.models import User
from digicoach.bookings import rules
from digicoach.bookings.models import Appointment, AppointmentStatus, Slot, WalkIn
from digicoach.bookings.permissions import can_use_front_desk
from digicoach.coaches.models import Coach, CoachLanguage, CoachTopic
from digicoach.core import clock, timeslots
from digicoach.core.audit import AuditEvent
from digicoach.core.db import parse_id
from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.helpdesk.models import (
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionStatus,
    Shift,
    ShiftStatus,
)
from digicoach.places.models import Location, Municipality
from digicoach.places.queries import valid_id

WEEKS_AHEAD = 4
# What secrets.token_urlsafe(32) makes (43 characters); anything else is not even queried.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,100}")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idempotency_hash(token: str) -> str:
    """The form token's idempotency key: a different hash than the manage token's."""
    return hashlib.sha256(b"idempotency:" + token.encode()).hexdigest()


def well_formed_token(token: Any) -> bool:
    return isinstance(token, str) and bool(TOKEN_SHAPE.fullmatch(token))


# --- citizens ---------------------------------------------------------------------------------


def appointment_by_token(token: Any, *, now: datetime, lock: bool = False) -> Appointment | None:
    """The appointment of a manage link; None for a wrong, unknown or expired token alike.

    With `lock`, its row is locked until the transaction ends and read fresh (the lock that
    `services.common._lock` would take, in the same statement: for a change right after)."""
    if not well_formed_token(token):
        return None
    # The session comes joined, without its topics and languages: cancelling and the manage
    # page don't read them (two statements fewer), and a move checks the new session's own.
    session = defaultload(Appointment.session)
    query = (
        select(Appointment)
        .where(Appointment.manage_token_hash == hash_token(token))
        .options(
            session.lazyload(HelpSession.topic_rows), session.lazyload(HelpSession.language_rows)
        )
    )
    if lock:
        query = query.with_for_update(of=Appointment).execution_options(populate_existing=True)
    found = db.session.scalar(query)
    if found is None or not rules.manage_link_valid(found.end, now):
        return None
    return found


def appointment_by_reference(
    reference: Any, token: Any, *, now: datetime, lock: bool = False
) -> Appointment | None:
    """The API's lookup: the reference and its manage token must both match (else None).
    `lock` as for `appointment_by_token`."""
    normal = rules.normalise_reference(reference) if isinstance(reference, str) else None
    found = appointment_by_token(token, now=now, lock=lock)
    if normal is None or found is None or found.reference != normal:
        return None
    return found


def appointment_by_idempotency(token: str) -> Appointment | None:
    return db.session.scalar(
        select(Appointment).where(Appointment.idempotency_key == idempotency_hash(token))
    )


def times_moved(appointment_id: int) -> int:
    """How often an appointment was moved, counted in the append-only audit log: its calendar
    SEQUENCE, which grows with every move (earlier or later) and never goes back."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.object_type == "Appointment",
                AuditEvent.object_id == str(appointment_id),
                AuditEvent.action == "bookings.appointment.move",
            )
        )
        or 0
    )


def active_municipality(municipality_id: Any) -> Municipality:
    if not valid_id(municipality_id):
        raise NotFound(municipality_id)
    found = db.session.get(Municipality, municipality_id)
    if found is None:
        raise NotFound(municipality_id)
    return found


@dataclass(frozen=True)
class SlotOffer:
    session: HelpSession
    start: datetime
    end: datetime
    remaining: int

    @property
    def value(self) -> str:
        """How a form or link names the slot: '<session id>@<UTC start ISO>'."""
        return f"{self.session.id}@{self.start.isoformat()}"


def parse_slot_value(value: Any) -> tuple[int, datetime] | None:
    """The (session id, start) of a SlotOffer.value, or None when it cannot be one."""
    if not isinstance(value, str) or "@" not in value or len(value) > 80:
        return None
    head, _, tail = value.partition("@")
    if parse_id(head) is None:
        return None
    try:
        start = datetime.fromisoformat(tail)
    except ValueError:
        return None
    if start.tzinfo is None:
        return None
    session_id = int(head)
    return (session_id, start) if valid_id(session_id) else None


def coach_counts(session_ids: Iterable[int]) -> dict[int, int]:
    """Signed-up non-shadow coaches per session."""
    ids = list(set(session_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Shift.session_id, func.count())
        .where(
            Shift.session_id.in_(ids),
            Shift.status == ShiftStatus.SIGNED_UP,
            Shift.as_shadow.is_(False),
        )
        .group_by(Shift.session_id)
    )
    return {session_id: count for session_id, count in rows}


def session_capacity(session: HelpSession) -> int:
    count = coach_counts([session.id]).get(session.id, 0)
    return rules.slot_capacity(session.mode, count, session.citizens_per_slot)


def bookable_sessions(
    location_ids: list[int], *, begin: datetime, end: datetime
) -> list[ColumnElement[bool]]:
    """Which help sessions take bookings between `begin` and `end` at these digipunten: the
    one definition the slot search and the first-free-slot list share (joined to Location)."""
    return [
        HelpSession.location_id.in_(location_ids),
        Location.active.is_(True),
        HelpSession.status == SessionStatus.PLANNED,
        HelpSession.mode.in_(sorted(rules.SLOTTED_MODES)),
        HelpSession.ends_at > begin,
        HelpSession.starts_at < end,
    ]


def free_slots(
    location_ids: Iterable[int],
    *,
    now: datetime,
    closes_hours: float,
    weeks: int = WEEKS_AHEAD,
    topic: str | None = None,
    language: str | None = None,
    start_from: datetime | None = None,
    until: datetime | None = None,
    include_full: bool = False,
) -> list[SlotOffer]:
    """Slots with a free place at the locations, from `start_from` (default: now) for `weeks`
    weeks (or until `until`), still open for booking, of sessions that offer the topic and
    language (a session without topics or languages listed takes any). In three queries: the
    sessions come with their location (already joined) and without their topic and language
    rows, which only the filters need (a caller that reads them loads them then)."""
    ids = list(location_ids)
    if not ids:
        return []
    begin = max(start_from or now, now)
    end = until or now + timedelta(weeks=weeks)
    query = (
        select(HelpSession)
        .join(Location, Location.id == HelpSession.location_id)
        .where(*bookable_sessions(ids, begin=begin, end=end))
        .options(
            contains_eager(HelpSession.location),
            lazyload(HelpSession.topic_rows),
            lazyload(HelpSession.language_rows),
        )
        .order_by(HelpSession.starts_at, HelpSession.id)
    )
    if topic and topic != rules.OTHER_TOPIC:  # every session takes "other" (rules.takes_topic)
        query = query.where(
            HelpSession.id.in_(
                select(HelpSessionTopic.session_id).where(HelpSessionTopic.code == topic)
            )
            | ~HelpSession.topic_rows.any()
        )
    if language:
        query = query.where(
            HelpSession.id.in_(
                select(HelpSessionLanguage.session_id).where(HelpSessionLanguage.code == language)
            )
            | ~HelpSession.language_rows.any()
        )
    sessions = db.session.scalars(query).all()
    if not sessions:
        return []
    counts = coach_counts(s.id for s in sessions)
    taken: dict[tuple[int, datetime], int] = {
        (row.help_session_id, row.start): row.taken
        for row in db.session.scalars(
            select(Slot).where(Slot.help_session_id.in_([s.id for s in sessions]))
        )
    }
    offers: list[SlotOffer] = []
    for session in sessions:
        capacity = rules.slot_capacity(
            session.mode, counts.get(session.id, 0), session.citizens_per_slot
        )
        length = timedelta(minutes=session.slot_minutes)
        for start in rules.slot_starts(session.starts_at, session.ends_at, session.slot_minutes):
            if start < begin or start >= end or not rules.booking_open(start, now, closes_hours):
                continue
            left = rules.remaining(capacity, taken.get((session.id, start), 0))
            if left or include_full:
                offers.append(SlotOffer(session, start, start + length, left))
    offers.sort(key=lambda offer: (offer.start, offer.session.location_id, offer.session.id))
    return offers


def session_terms(session_ids: Iterable[int]) -> dict[int, tuple[list[str], list[str]]]:
    """(topic codes, language codes) listed per session, in two queries (empty: takes any)."""
    ids = list(set(session_ids))
    terms: dict[int, tuple[list[str], list[str]]] = {sid: ([], []) for sid in ids}
    if not ids:
        return terms
    for model, index in ((HelpSessionTopic, 0), (HelpSessionLanguage, 1)):
        rows = db.session.execute(
            select(model.session_id, model.code)
            .where(model.session_id.in_(ids))
            .order_by(model.session_id, model.code)
        )
        for session_id, code in rows:
            terms[session_id][index].append(code)
    return terms


def coach_candidates(session: HelpSession) -> list[rules.CoachFit]:
    """The session's non-shadow coaches with their languages, topics and current load, one
    entry per signed-up shift (so `len()` is `coach_counts` of the session).

    Plain columns, not Coach objects: a coach loads six collections eagerly, and booking
    needs only ids and codes. One statement: the shifts, the coaches' languages and topics and
    their booked appointments in this session, as rows of (coach, kind, code).
    """
    on_shift = (
        Shift.session_id == session.id,
        Shift.status == ShiftStatus.SIGNED_UP,
        Shift.as_shadow.is_(False),
    )
    coaches_on_shift = select(Shift.coach_id).where(*on_shift)
    rows = db.session.execute(
        union_all(
            select(Shift.coach_id, literal("shift"), literal("")).where(*on_shift),
            select(CoachLanguage.coach_id, literal("language"), CoachLanguage.code).where(
                CoachLanguage.coach_id.in_(coaches_on_shift)
            ),
            select(CoachTopic.coach_id, literal("topic"), CoachTopic.code).where(
                CoachTopic.coach_id.in_(coaches_on_shift)
            ),
            select(Appointment.assigned_coach_id, literal("load"), cast(func.count(), String))
            .where(
                Appointment.help_session_id == session.id,
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.assigned_coach_id.is_not(None),
            )
            .group_by(Appointment.assigned_coach_id),
        )
    ).all()
    coach_ids: list[int] = []
    languages: dict[int, set[str]] = {}
    topics: dict[int, set[str]] = {}
    loads: dict[int, int] = {}
    for coach_id, kind, code in rows:
        if kind == "shift":
            coach_ids.append(coach_id)
        elif kind == "load":
            loads[coach_id] = int(code)
        else:
            (languages if kind == "language" else topics).setdefault(coach_id, set()).add(code)
    return [
        rules.CoachFit(
            coach_id=coach_id,
            languages=frozenset(languages.get(coach_id, ())),
            topics=frozenset(topics.get(coach_id, ())),
            appointments=loads.get(coach_id, 0),
        )
        for coach_id in sorted(coach_ids)
    ]


def active_count(citizen_key: str, *, now: datetime) -> int:
    """Coming booked appointments of one citizen."""
    return db.session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.citizen_key == citizen_key,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.end > now,
        )
    )


def citizen_bookings(
    citizen_key: str, session_id: int, start: datetime, *, now: datetime
) -> tuple[int, bool]:
    """A citizen's coming booked appointments, and whether one of them is in this slot (a
    slot that can still be booked is coming): `active_count` and `holds_place_at` in one
    statement, for booking."""
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(
                func.max(
                    case(
                        (
                            and_(
                                Appointment.help_session_id == session_id,
                                Appointment.start == start,
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
        ).where(
            Appointment.citizen_key == citizen_key,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.end > now,
        )
    ).one()
    return int(row[0]), bool(row[1])


def holds_place_at(citizen_key: str, session_id: int, start: datetime) -> bool:
    """Whether this citizen already has a booked place in this slot."""
    return (
        db.session.scalar(
            select(Appointment.id).where(
                Appointment.citizen_key == citizen_key,
                Appointment.help_session_id == session_id,
                Appointment.start == start,
                Appointment.status == AppointmentStatus.BOOKED,
            )
        )
        is not None
    )


# --- front desk -------------------------------------------------------------------------------


def desk_scope(actor: User, municipality_column: Any) -> ColumnElement[bool]:
    """Rows of the municipalities the actor works the front desk for (admins: all)."""
    if not can_use_front_desk(actor):
        return false()
    if actor.is_admin:
        return true()
    if not actor.municipality_ids:
        return false()
    return municipality_column.in_(sorted(actor.municipality_ids))


def desk_locations(actor: User) -> list[Location]:
    return list(
        db.session.scalars(
            select(Location)
            .join(Municipality, Municipality.id == Location.municipality_id)
            .options(selectinload(Location.municipality))
            .where(Location.active.is_(True), desk_scope(actor, Location.municipality_id))
            .order_by(Municipality.name, Location.name)
        )
    )


def get_location_for_desk(actor: User, location_id: Any) -> Location:
    if not valid_id(location_id):
        raise NotFound(location_id)
    found = db.session.scalar(
        select(Location).where(
            Location.id == location_id, desk_scope(actor, Location.municipality_id)
        )
    )
    if found is None:
        raise NotFound(location_id)
    return found


def get_appointment_for_desk(actor: User, appointment_id: Any) -> Appointment:
    if not valid_id(appointment_id):
        raise NotFound(appointment_id)
    found = db.session.scalar(
        select(Appointment)
        .join(Location, Location.id == Appointment.location_id)
        .where(Appointment.id == appointment_id, desk_scope(actor, Location.municipality_id))
    )
    if found is None:
        raise NotFound(appointment_id)
    return found


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timeslots.local_moment(day, time(0))
    return start, timeslots.local_moment(day + timedelta(days=1), time(0))


def _on_day(day: date) -> tuple[ColumnElement[bool], ...]:
    start, end = local_day_bounds(day)
    return (Appointment.start >= start, Appointment.start < end)


def appointments_on(location: Location, day: date) -> list[Appointment]:
    """Every appointment at the location on a local day (cancelled ones too), by time."""
    return list(
        db.session.scalars(
            select(Appointment)
            .options(selectinload(Appointment.assigned_coach))
            .where(Appointment.location_id == location.id, *_on_day(day))
            .order_by(Appointment.start, Appointment.id)
        )
    )


def appointment_counts_on(location_ids: Iterable[int], day: date) -> dict[int, dict[str, int]]:
    """Per location, how many of the appointments `appointments_on` lists have each status
    (the desk's day in figures, for the workspace home). One statement."""
    ids = sorted(set(location_ids))
    counts: dict[int, dict[str, int]] = {}
    if not ids:
        return counts
    for location_id, status, number in db.session.execute(
        select(Appointment.location_id, Appointment.status, func.count(Appointment.id))
        .where(Appointment.location_id.in_(ids), *_on_day(day))
        .group_by(Appointment.location_id, Appointment.status)
    ):
        counts.setdefault(location_id, {})[status] = number
    return counts


def booked_on_session(session_id: int) -> list[Appointment]:
    """The citizens booked on a help session (booked or checked in), by time: what a coach on
    the session sees (first name, language, topic)."""
    return list(
        db.session.scalars(
            select(Appointment)
            .options(lazyload(Appointment.session), lazyload(Appointment.location))
            .where(
                Appointment.help_session_id == session_id,
                Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED]),
            )
            .order_by(Appointment.start, Appointment.id)
        )
    )


def walk_ins_on(location_ids: Iterable[int], day: date) -> list[WalkIn]:
    ids = list(location_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(WalkIn)
            .where(WalkIn.location_id.in_(ids), WalkIn.day == day)
            .order_by(WalkIn.location_id, WalkIn.number)
        )
    )


def shift_locations_today(user: User, *, now: datetime) -> list[Location]:
    """The digipunten where the user (a coach) is on a shift today."""
    start, end = local_day_bounds(clock.local(now).date())
    return list(
        db.session.scalars(
            select(Location)
            .join(HelpSession, HelpSession.location_id == Location.id)
            .join(Shift, Shift.session_id == HelpSession.id)
            .join(Coach, Coach.id == Shift.coach_id)
            .where(
                Coach.user_id == user.id,
                Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.starts_at < end,
                HelpSession.ends_at > start,
            )
            .distinct()
            .order_by(Location.name)
        )
    )


def call_list(actor: User, *, now: datetime) -> list[Appointment]:
    """Appointments the organiser cancelled whose citizen has no e-mail address (so only a
    phone call, or an SMS, reaches them), not called yet, of sessions that were still to come
    or of today."""
    return list(
        db.session.scalars(
            select(Appointment)
            .join(Location, Location.id == Appointment.location_id)
            .where(
                desk_scope(actor, Location.municipality_id),
                Appointment.status == AppointmentStatus.CANCELLED_BY_ORGANISER,
                Appointment.email.is_(None),
                Appointment.called_at.is_(None),
                Appointment.contact_erased_at.is_(None),
                Appointment.end > now - timedelta(days=1),
            )
            .order_by(Appointment.start, Appointment.id)
        )
    )
