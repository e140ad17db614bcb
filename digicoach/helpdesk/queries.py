"""Read models for the helpdesk pages, scoped inside the query.

A coordinator's queries only return sessions at locations of their municipalities; a scoped
`get_*` raises NotFound for an id outside the scope exactly as for an id that does not exist,
so guessing ids reveals nothing. Lists load what they show in a few queries (no N+1).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.coaches.queries import serves_in
from digicoach.core import clock, timeslots
from digicoach.core.db import get_or_not_found
from digicoach.core.errors import NotFound
from digicoach.core.paging import Page, paginate
from digicoach.extensions import db
from digicoach.helpdesk import rules
from digicoach.helpdesk.models import (
    CalendarFeed,
    HelpSession,
    HelpSessionTopic,
    SessionMode,
    SessionStatus,
    Shift,
    ShiftStatus,
)
from digicoach.places.models import Location, Municipality, Neighbourhood
from digicoach.places.queries import location_scope_condition, locations_in_scope, valid_id

BOARD_WEEKS = 4
# Cards per page of "find a shift" and "my shifts": a phone screen or two each.
SHIFTS_PER_PAGE = 10
# What secrets.token_urlsafe makes; anything else (a NUL from a mangled link) is not queried.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+")
# Coaches in training may be assigned as a shadow; the others who may take shifts.
ASSIGNABLE_STATUSES = (
    CoachStatus.IN_TRAINING,
    CoachStatus.CERTIFIED,
    CoachStatus.ACTIVE,
    CoachStatus.DORMANT,
)


def staffing_of(session: HelpSession) -> rules.Staffing:
    """The session's staffing for its mode (rules.staffing)."""
    return rules.staffing(
        mode=session.mode,
        taken=session.coaches_taken,
        minimum=session.coaches_min,
        maximum=session.coaches_max,
    )


def coaches_needed_sql() -> Any:
    """rules.coaches_needed as a column expression, for queries that count or filter
    under-staffed sessions in SQL (alerts, progress): the minimum, at least two for hybrid."""
    return case(
        (
            (HelpSession.mode == rules.HYBRID) & (HelpSession.coaches_min < 2),
            literal(2),
        ),
        else_=HelpSession.coaches_min,
    )


def understaffed_sql() -> Any:
    """True for a session that `rules.staffing` calls empty or short."""
    return HelpSession.coaches_taken < coaches_needed_sql()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- staff ------------------------------------------------------------------------------------


def _staff_sessions(actor: User) -> Select:
    return (
        select(HelpSession)
        .join(Location, Location.id == HelpSession.location_id)
        .where(location_scope_condition(actor))
    )


def get_session_for_staff(actor: User, session_id: Any) -> HelpSession:
    """A session at a location the actor plans for. Raises NotFound otherwise."""
    if not valid_id(session_id):
        raise NotFound(session_id)
    found = db.session.scalar(_staff_sessions(actor).where(HelpSession.id == session_id))
    if found is None:
        raise NotFound(session_id)
    return found


def get_shift_for_staff(actor: User, shift_id: Any) -> Shift:
    if not valid_id(shift_id):
        raise NotFound(shift_id)
    found = db.session.scalar(
        select(Shift)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .join(Location, Location.id == HelpSession.location_id)
        .where(Shift.id == shift_id, location_scope_condition(actor))
    )
    if found is None:
        raise NotFound(shift_id)
    return found


@dataclass(frozen=True)
class BoardRow:
    session: HelpSession
    staffing: rules.Staffing
    shadows: int


@dataclass
class BoardLocation:
    location: Location
    rows: list[BoardRow] = field(default_factory=list)


@dataclass(frozen=True)
class BoardWeekSummary:
    week: rules.BoardWeek
    # Planned sessions of that week below their minimum of digicoaches.
    short: int


@dataclass(frozen=True)
class Board:
    """One week of the staffing board, per active location in scope, and every week of the
    board with how many of its sessions still need digicoaches."""

    week: rules.BoardWeek
    weeks: list[BoardWeekSummary]
    locations: list[BoardLocation]


def board(actor: User, *, now: datetime, week: int = 0, weeks: int = BOARD_WEEKS) -> Board:
    """Week `week` (0 to `weeks` - 1, see rules.board_weeks) of the board: each active
    location in scope with its sessions (cancelled ones too) and their staffing, and the
    summary of every week, in four queries (locations, sessions with their shadows and the
    selectin load of their languages, the summary). The board shows no topics, and a session's
    location is its group's, already loaded."""
    today = clock.local(now).date()
    pages = rules.board_weeks(today, weeks)
    shown = pages[week]
    locations = locations_in_scope(actor, active=True)
    by_location = {location.id: BoardLocation(location) for location in locations}
    if not by_location:
        return Board(shown, [BoardWeekSummary(page, 0) for page in pages], [])
    ids = list(by_location)
    end = timeslots.local_moment(shown.last_day + timedelta(days=1), time(0))
    shadows = (
        select(func.count(Shift.id))
        .where(
            Shift.session_id == HelpSession.id,
            Shift.status == ShiftStatus.SIGNED_UP,
            Shift.as_shadow.is_(True),
        )
        .correlate(HelpSession)
        .scalar_subquery()
    )
    query = (
        select(HelpSession, shadows)
        .options(lazyload(HelpSession.topic_rows), lazyload(HelpSession.location))
        .where(
            HelpSession.location_id.in_(ids),
            HelpSession.ends_at > now,
            HelpSession.starts_at < end,
        )
        .order_by(HelpSession.starts_at, HelpSession.id)
    )
    if shown.number > 0:
        query = query.where(
            HelpSession.starts_at >= timeslots.local_moment(shown.first_day, time(0))
        )
    for session, shadow_count in db.session.execute(query).all():
        by_location[session.location_id].rows.append(
            BoardRow(session, staffing_of(session), shadow_count)
        )
    short = _short_sessions_per_week(ids, now=now, today=today, weeks=weeks)
    summary = [BoardWeekSummary(page, short.get(page.number, 0)) for page in pages]
    return Board(shown, summary, list(by_location.values()))


def _short_sessions_per_week(
    location_ids: list[int], *, now: datetime, today: date, weeks: int
) -> dict[int, int]:
    """Per week of the board, the planned sessions that still need digicoaches."""
    end = timeslots.local_moment(today + timedelta(days=7 * weeks), time(0))
    counts: dict[int, int] = {}
    for starts_at, mode, taken, minimum, maximum in db.session.execute(
        select(
            HelpSession.starts_at,
            HelpSession.mode,
            HelpSession.coaches_taken,
            HelpSession.coaches_min,
            HelpSession.coaches_max,
        ).where(
            HelpSession.location_id.in_(location_ids),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.ends_at > now,
            HelpSession.starts_at < end,
        )
    ):
        staff = rules.staffing(mode=mode, taken=taken, minimum=minimum, maximum=maximum)
        if not staff.needs_coaches:
            continue
        number = rules.board_week_number(clock.local(starts_at).date(), today, weeks)
        if number is not None:
            counts[number] = counts.get(number, 0) + 1
    return counts


def board_week_of(session: HelpSession, *, now: datetime, weeks: int = BOARD_WEEKS) -> int:
    """The week of the board that shows `session` (week 0 when it is not on the board)."""
    today = clock.local(now).date()
    number = rules.board_week_number(clock.local(session.starts_at).date(), today, weeks)
    return number or 0


def active_shifts(session: HelpSession) -> list[Shift]:
    """The signed-up coaches of a session, mentors before their shadows, by sign-up time."""
    return list(
        db.session.scalars(
            select(Shift)
            .options(selectinload(Shift.coach), selectinload(Shift.mentor))
            .where(Shift.session_id == session.id, Shift.status == ShiftStatus.SIGNED_UP)
            .order_by(Shift.as_shadow, Shift.signed_up_at, Shift.id)
        )
    )


def assignable_coaches(actor: User, session: HelpSession) -> list[Coach]:
    """Coaches a coordinator may put on the session: serving the location's municipality (which is
    in the actor's scope), certified, active, dormant or in training (as a shadow), not on the
    session already."""
    on_session = select(Shift.coach_id).where(
        Shift.session_id == session.id, Shift.status == ShiftStatus.SIGNED_UP
    )
    coaches = db.session.scalars(
        select(Coach)
        .where(
            serves_in(session.location.municipality_id),
            Coach.status.in_([s.value for s in ASSIGNABLE_STATUSES]),
            Coach.erased_at.is_(None),
            Coach.id.not_in(on_session),
        )
        .order_by(Coach.last_name, Coach.first_name, Coach.id)
    ).all()
    return list(coaches)


def invitation_candidates(session: HelpSession) -> list[Coach]:
    """Working coaches who serve the session's municipality (home or coach pool), not on it
    yet (matching on language, topic, neighbourhood, availability and free time happens in
    the service)."""
    on_session = select(Shift.coach_id).where(
        Shift.session_id == session.id, Shift.status == ShiftStatus.SIGNED_UP
    )
    query = (
        select(Coach)
        .join(User, User.id == Coach.user_id)
        .where(
            serves_in(session.location.municipality_id),
            Coach.status.in_(sorted(rules.WORKING_STATUSES)),
            Coach.erased_at.is_(None),
            User.active.is_(True),
            Coach.id.not_in(on_session),
        )
        .order_by(Coach.id)
    )
    if session.mode == SessionMode.AT_HOME:
        # Only coaches who opted in go on home visits; the others would be refused anyway.
        query = query.where(Coach.home_visits.is_(True))
    return list(db.session.scalars(query))


def busy_periods(
    coach_ids: Iterable[int], *, around: rules.Period, exclude_session_id: int | None = None
) -> dict[int, list[tuple[rules.Period, Shift]]]:
    """Each coach's signed-up shifts near `around` (the same days), as periods for the
    overlap rule. Cancelled sessions and shifts do not keep a coach busy."""
    ids = sorted(set(coach_ids))
    if not ids:
        return {}
    query = (
        select(Shift, HelpSession.starts_at, HelpSession.ends_at)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .where(
            Shift.coach_id.in_(ids),
            Shift.status == ShiftStatus.SIGNED_UP,
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at < around.end + timedelta(days=1),
            HelpSession.ends_at > around.start - timedelta(days=1),
        )
    )
    if exclude_session_id is not None:
        query = query.where(HelpSession.id != exclude_session_id)
    found: dict[int, list[tuple[rules.Period, Shift]]] = {}
    for shift, starts_at, ends_at in db.session.execute(query):
        found.setdefault(shift.coach_id, []).append((rules.Period(starts_at, ends_at), shift))
    return found


def modes_of(session_ids: Iterable[int]) -> dict[int, str]:
    """Each session's mode, in one statement (for the travel time around home visits)."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(HelpSession.id, HelpSession.mode).where(HelpSession.id.in_(ids))
    )
    return {session_id: mode for session_id, mode in rows}


# --- coaches ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftOffer:
    session: HelpSession
    staffing: rules.Staffing
    mine: Shift | None
    has_mentor: bool


@dataclass(frozen=True)
class ShiftFilters:
    neighbourhood_id: int | None = None
    day: date | None = None
    topic: str | None = None


def _needs_coaches_first() -> Any:
    """0 for a session that still needs coaches, 1 for one that has what its mode needs, so
    "needs first" (rules.needs_first) pages in the database."""
    return case((understaffed_sql(), 0), else_=1)


def open_sessions_for_coach(
    coach: Coach,
    filters: ShiftFilters,
    *,
    now: datetime,
    page: int = 1,
    per_page: int = SHIFTS_PER_PAGE,
    weeks: int = BOARD_WEEKS,
) -> Page[ShiftOffer]:
    """One page of the planned sessions of the municipalities the coach serves from the chosen day
    (default today) for `weeks` weeks, those that still need coaches first, then by time.
    Four statements whatever the page: the count, the sessions with their location, their
    topics and languages (selectin), and the coach's own and the mentors' shifts on them."""
    start = now
    if filters.day is not None:
        start = max(now, timeslots.local_moment(filters.day, datetime.min.time()))
    query = (
        select(HelpSession)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            Location.municipality_id.in_(sorted(coach.served_municipality_ids)),
            Location.active.is_(True),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at > start,
            HelpSession.starts_at < start + timedelta(weeks=weeks),
        )
    )
    if not coach.home_visits:
        query = query.where(HelpSession.mode != SessionMode.AT_HOME)
    if filters.neighbourhood_id is not None:
        query = query.where(Location.neighbourhood_id == filters.neighbourhood_id)
    if filters.topic:
        query = query.where(
            HelpSession.id.in_(
                select(HelpSessionTopic.session_id).where(HelpSessionTopic.code == filters.topic)
            )
            | ~HelpSession.topic_rows.any()
        )
    found = paginate(
        query.order_by(_needs_coaches_first(), HelpSession.starts_at, HelpSession.id),
        page=page,
        per_page=per_page,
    )
    sessions: list[HelpSession] = found.items
    ids = [s.id for s in sessions]
    mine: dict[int, Shift] = {}
    with_mentor: set[int] = set()
    if ids:
        for shift in db.session.scalars(
            select(Shift).where(Shift.session_id.in_(ids), Shift.status == ShiftStatus.SIGNED_UP)
        ):
            if shift.coach_id == coach.id:
                mine[shift.session_id] = shift
            if not shift.as_shadow:
                with_mentor.add(shift.session_id)
    offers = [ShiftOffer(s, staffing_of(s), mine.get(s.id), s.id in with_mentor) for s in sessions]
    return Page(items=offers, total=found.total, number=found.number, per_page=per_page)


def get_session_for_coach(coach: Coach, session_id: Any) -> HelpSession:
    """A session of a municipality the coach serves. Raises NotFound otherwise."""
    if not valid_id(session_id):
        raise NotFound(session_id)
    found = db.session.scalar(
        select(HelpSession)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            HelpSession.id == session_id,
            Location.municipality_id.in_(sorted(coach.served_municipality_ids)),
        )
    )
    if found is None:
        raise NotFound(session_id)
    return found


def get_own_shift(coach: Coach, shift_id: Any) -> Shift:
    found = get_or_not_found(Shift, shift_id)
    if found.coach_id != coach.id:
        raise NotFound(shift_id)
    return found


UPCOMING = "upcoming"
PAST = "past"


def my_shifts(
    coach: Coach,
    *,
    now: datetime,
    when: str = UPCOMING,
    page: int = 1,
    per_page: int = SHIFTS_PER_PAGE,
) -> Page[Shift]:
    """One page of the coach's signed-up (or attended) shifts on planned sessions: those to
    come, soonest first, or (`when="past"`) those that ended, latest first. A constant number
    of statements: the count, the shifts with their session and location, the session's
    topics and languages, and the mentors of shadow shifts with their user."""
    query = (
        select(Shift)
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .options(joinedload(Shift.session), selectinload(Shift.mentor))
        .where(
            Shift.coach_id == coach.id,
            Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
            HelpSession.status == SessionStatus.PLANNED,
        )
    )
    if when == PAST:
        query = query.where(HelpSession.ends_at <= now).order_by(
            HelpSession.starts_at.desc(), Shift.id.desc()
        )
    else:
        query = query.where(HelpSession.ends_at > now).order_by(HelpSession.starts_at, Shift.id)
    return paginate(query, page=page, per_page=per_page)


def count_my_shifts(coach: Coach, *, now: datetime) -> dict[str, int]:
    """How many shifts the coach has to come and behind them, for the two tabs (one query)."""
    ended = case((HelpSession.ends_at <= now, PAST), else_=UPCOMING)
    rows = db.session.execute(
        select(ended, func.count(Shift.id))
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .where(
            Shift.coach_id == coach.id,
            Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
            HelpSession.status == SessionStatus.PLANNED,
        )
        .group_by(ended)
    )
    counts = {UPCOMING: 0, PAST: 0}
    counts.update({str(key): int(number) for key, number in rows})
    return counts


def neighbourhoods_of_coach(coach: Coach) -> list[Any]:
    """The neighbourhoods of every municipality the coach serves, for the shift filter."""
    return list(
        db.session.scalars(
            select(Neighbourhood)
            .join(Municipality, Municipality.id == Neighbourhood.municipality_id)
            .options(contains_eager(Neighbourhood.municipality))
            .where(Neighbourhood.municipality_id.in_(sorted(coach.served_municipality_ids)))
            .order_by(Municipality.name, Neighbourhood.name)
        )
    )


def feed_of(coach: Coach) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.coach_id == coach.id))


def coach_by_feed_token(token: str) -> Coach | None:
    """The coach whose calendar address carries `token`; None for an unknown or revoked one."""
    if not token or len(token) > 200 or not TOKEN_SHAPE.fullmatch(token):
        return None
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token))
    )
    if feed is None:
        return None
    coach = db.session.get(Coach, feed.coach_id)
    if coach is None or coach.erased_at is not None or not coach.user.active:
        return None
    return coach


def feed_shifts(coach: Coach, *, now: datetime, past_days: int = 30) -> list[Shift]:
    """Shifts for the coach's calendar feed: signed up, on planned sessions, recent or coming."""
    return list(
        db.session.scalars(
            select(Shift)
            .join(HelpSession, HelpSession.id == Shift.session_id)
            .where(
                Shift.coach_id == coach.id,
                Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.ends_at > now - timedelta(days=past_days),
            )
            .order_by(HelpSession.starts_at, Shift.id)
        )
    )


# --- public -----------------------------------------------------------------------------------


def coming_sessions(
    location: Location, *, now: datetime, weeks: int | None = BOARD_WEEKS
) -> list[HelpSession]:
    """Planned sessions at the location that have not ended, for `weeks` weeks (None: all),
    with their topics, in one query: their location is `location` (no join), and their
    languages, which the public pages do not show, load only if asked for."""
    query = (
        select(HelpSession)
        .options(
            joinedload(HelpSession.topic_rows),
            lazyload(HelpSession.language_rows),
            lazyload(HelpSession.location),
        )
        .where(
            HelpSession.location_id == location.id,
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.mode != SessionMode.AT_HOME,
            HelpSession.ends_at > now,
        )
    )
    if weeks is not None:
        query = query.where(HelpSession.starts_at < now + timedelta(weeks=weeks))
    return list(db.session.scalars(query.order_by(HelpSession.starts_at, HelpSession.id)).unique())


def public_session(session_id: Any) -> HelpSession:
    """A planned session at an active digipunt, for its calendar file. NotFound otherwise."""
    session = get_or_not_found(HelpSession, session_id)
    if session.is_cancelled or session.is_home_visit or not session.location.active:
        raise NotFound(session_id)
    return session


def short_sessions_ahead(actor: User, *, now: datetime, weeks: int = BOARD_WEEKS) -> dict[int, int]:
    """Per week of the staffing board (0 = today and the six days after), how many planned
    sessions in the actor's scope still need digicoaches: the board's own week summary, for
    the workspace home. Two statements."""
    ids = [location.id for location in locations_in_scope(actor, active=True)]
    if not ids:
        return {}
    return _short_sessions_per_week(ids, now=now, today=clock.local(now).date(), weeks=weeks)
