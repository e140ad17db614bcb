"""Read models of the workspace home: one small block per role, in a fixed number of statements.

Every count comes from the query function of the page it links to (coaches.queries for the
review queue, helpdesk.queries for the staffing board, training.queries for the training
groups, bookings for the front desk and the walk-in queue, helplog for help still to log,
reminders for the outbox, progress for the headline figures), never from a copy of its filter:
so "3 applications waiting" on the home is the "3 found" on the queue. No query here loops
over rows, so the home costs the same number of statements for ten digipunten or a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import String, cast, exists, select

from digicoach.accounts.models import OneTimeToken, Role, User
from digicoach.bookings import queries as booking_queries
from digicoach.bookings import walk_ins
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.bookings.permissions import can_use_front_desk
from digicoach.coaches import queries as coach_queries
from digicoach.coaches import services as coach_services
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.coaches.permissions import can_review_coaches
from digicoach.core import clock, heartbeat, timeslots
from digicoach.core.outbox import Status
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helpdesk.services.invitations import INVITE_PURPOSE
from digicoach.helplog import queries as helplog_queries
from digicoach.places.models import Location, Programme
from digicoach.progress import queries as progress_queries
from digicoach.progress.permissions import can_view_progress
from digicoach.reminders import queries as reminder_queries
from digicoach.reminders.permissions import can_manage_outbox
from digicoach.training import queries as training_queries
from digicoach.training.models import TrainingSession
from digicoach.workspace import rules

# "Help sessions in the next 14 days": the first two weeks of the staffing board.
SHORT_SESSION_WEEKS = 2


# --- coordinators (and admins, over every municipality) ---------------------------------------


@dataclass(frozen=True)
class CoordinatorWork:
    """What needs a coordinator now. Failed messages are not here: the outbox is not per
    municipality and its page is an administrator's, so they are in `SystemHealth`."""

    applications: int
    screenings_unfinished: int
    short_sessions: int
    low_cohorts: int
    missing_logs: int

    @property
    def open_items(self) -> int:
        return (
            self.applications
            + self.screenings_unfinished
            + self.short_sessions
            + self.low_cohorts
            + self.missing_logs
        )


def coordinator_work(actor: User, *, now: datetime) -> CoordinatorWork:
    applied = (CoachStatus.APPLIED.value,)
    short = helpdesk_queries.short_sessions_ahead(actor, now=now)
    return CoordinatorWork(
        applications=coach_queries.count_coaches(
            actor, coach_queries.CoachFilters(statuses=applied)
        ),
        screenings_unfinished=coach_queries.count_coaches(
            actor,
            coach_queries.CoachFilters(
                statuses=applied, screening=coach_queries.SCREENING_UNFINISHED
            ),
        ),
        short_sessions=sum(short.get(week, 0) for week in range(SHORT_SESSION_WEEKS)),
        low_cohorts=sum(
            1 for row in training_queries.cohorts_for_staff(actor, now=now) if row.low_enrolment
        ),
        missing_logs=len(helplog_queries.shifts_without_log(now=now, actor=actor)),
    )


@dataclass(frozen=True)
class Headline:
    """The progress dashboard's default selection in two figures against the targets."""

    programme: Programme
    certified: int
    citizens: int
    as_of: datetime


def headline(actor: User, *, now: datetime) -> Headline | None:
    """The figures the progress dashboard opens with (its first programme, the reader's
    municipalities of it, the whole period). None without a programme."""
    programmes = progress_queries.programmes_for(actor)
    selection = progress_queries.selection_for(
        programmes,
        lambda programme: progress_queries.municipalities_for(actor, programme),
        programme_id=None,
        municipality_id=None,
        starts_on=None,
        ends_on=None,
        now=now,
    )
    if selection is None:
        return None
    figures = progress_queries.figures(selection)
    return Headline(
        programme=selection.programme,
        certified=figures.coaches.certified,
        citizens=figures.help.citizens_supported,
        as_of=selection.now,
    )


# --- the front desk (desk staff, coordinators, admins) ----------------------------------------


@dataclass(frozen=True)
class DigipuntDay:
    location: Location
    appointments: int  # not cancelled
    checked_in: int
    no_shows: int
    waiting: int

    @property
    def busy(self) -> bool:
        return bool(self.appointments or self.waiting)


@dataclass(frozen=True)
class DeskDay:
    """Today at the digipunten in scope that have appointments or walk-ins waiting."""

    digipunten: list[DigipuntDay]
    call_list: int
    has_digipunten: bool

    @property
    def open_items(self) -> int:
        return self.call_list + sum(d.waiting for d in self.digipunten)


CANCELLED = (AppointmentStatus.CANCELLED.value, AppointmentStatus.CANCELLED_BY_ORGANISER.value)


def desk_day(actor: User, *, now: datetime) -> DeskDay:
    locations = booking_queries.desk_locations(actor)
    ids = [location.id for location in locations]
    counts = booking_queries.appointment_counts_on(ids, clock.local(now).date())
    waiting = walk_ins.waiting_counts(ids, now)
    days = []
    for location in locations:
        statuses = counts.get(location.id, {})
        day = DigipuntDay(
            location=location,
            appointments=sum(n for status, n in statuses.items() if status not in CANCELLED),
            checked_in=statuses.get(AppointmentStatus.ATTENDED.value, 0),
            no_shows=statuses.get(AppointmentStatus.NO_SHOW.value, 0),
            waiting=waiting.get(location.id, 0),
        )
        if day.busy:
            days.append(day)
    return DeskDay(
        digipunten=days,
        call_list=len(booking_queries.call_list(actor, now=now)),
        has_digipunten=bool(locations),
    )


# --- digicoaches ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachDay:
    coach: Coach | None
    next_shift: Shift | None = None
    booked: list[Appointment] = field(default_factory=list)
    to_log: list[Shift] = field(default_factory=list)
    next_training: TrainingSession | None = None
    invitations: list[HelpSession] = field(default_factory=list)
    hours_this_year: float = 0.0

    @property
    def open_items(self) -> int:
        return len(self.to_log) + len(self.invitations)


def open_invitations(coach: Coach, *, now: datetime) -> list[HelpSession]:
    """Help sessions the coach was invited to by e-mail whose link still works (not used, not
    expired) and that still take a digicoach: planned, to come, a place left, and the coach
    not on it yet. Soonest first, one statement."""
    invited = exists().where(
        OneTimeToken.purpose == INVITE_PURPOSE,
        OneTimeToken.user_id == coach.user_id,
        OneTimeToken.used_at.is_(None),
        OneTimeToken.expires_at > now,
        OneTimeToken.payload == cast(HelpSession.id, String),
    )
    on_it = exists().where(
        Shift.session_id == HelpSession.id,
        Shift.coach_id == coach.id,
        Shift.status == ShiftStatus.SIGNED_UP,
    )
    return list(
        db.session.scalars(
            select(HelpSession)
            .where(
                invited,
                ~on_it,
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.starts_at > now,
                HelpSession.coaches_taken < HelpSession.coaches_max,
            )
            .order_by(HelpSession.starts_at, HelpSession.id)
        )
    )


def shift_hours(coach: Coach, *, since: datetime, until: datetime) -> float:
    """Hours on the coach's shifts (those "My shifts" lists: signed up or attended, on a
    planned session) that ended between `since` and `until`. One statement."""
    periods = db.session.execute(
        select(HelpSession.starts_at, HelpSession.ends_at)
        .join(Shift, Shift.session_id == HelpSession.id)
        .where(
            Shift.coach_id == coach.id,
            Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.ends_at > since,
            HelpSession.ends_at <= until,
        )
    ).all()
    return sum((end - start).total_seconds() for start, end in periods) / 3600


def coach_day(user: User, *, now: datetime) -> CoachDay:
    coach = coach_services.coach_of(user)
    if coach is None or coach.erased_at is not None:
        return CoachDay(coach=None)
    # The first of "My shifts" to come: the same query as that page, one item long.
    coming = helpdesk_queries.my_shifts(coach, now=now, when=helpdesk_queries.UPCOMING, per_page=1)
    shift = coming.items[0] if coming.items else None
    year_start = timeslots.local_moment(date(clock.local(now).year, 1, 1), time(0))
    return CoachDay(
        coach=coach,
        next_shift=shift,
        booked=booking_queries.booked_on_session(shift.session_id) if shift else [],
        to_log=helplog_queries.shifts_without_log(now=now, coach=coach),
        next_training=training_queries.next_session_of(coach, now=now),
        invitations=open_invitations(coach, now=now),
        hours_this_year=shift_hours(coach, since=year_start, until=now),
    )


# --- administrators: is the machinery running? ------------------------------------------------


@dataclass(frozen=True)
class SystemHealth:
    heartbeat_age: float | None
    stale: bool
    failed_messages: int
    last_runs: list[heartbeat.JobRun]

    @property
    def open_items(self) -> int:
        return int(self.stale) + self.failed_messages


def system_health(*, now: datetime) -> SystemHealth:
    """What the outbox page shows at its top: the heartbeat, failures, the nightly jobs."""
    age = heartbeat.age_seconds(now)
    runs = sorted(heartbeat.last_runs().values(), key=lambda run: run.job)
    return SystemHealth(
        heartbeat_age=age,
        stale=age is None or age > heartbeat.STALE_AFTER_SECONDS,
        failed_messages=reminder_queries.status_counts().get(Status.FAILED.value, 0),
        last_runs=runs,
    )


# --- the whole home ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    first_name: str
    daypart: str
    coordinator: CoordinatorWork | None
    desk: DeskDay | None
    headline: Headline | None
    coach: CoachDay | None
    system: SystemHealth | None

    @property
    def open_items(self) -> int:
        return sum(
            part.open_items
            for part in (self.coordinator, self.desk, self.coach, self.system)
            if part is not None
        )


def home(user: User, *, now: datetime) -> Home:
    """The sections of each of the user's roles (several roles: several sections)."""
    name = user.name
    coach = None
    if user.has_role(Role.COACH):
        coach = coach_day(user, now=now)
        if coach.coach is not None:
            name = coach.coach.first_name or name
    return Home(
        first_name=rules.first_name(name),
        daypart=rules.daypart(clock.local(now).hour),
        coordinator=coordinator_work(user, now=now) if can_review_coaches(user) else None,
        desk=desk_day(user, now=now) if can_use_front_desk(user) else None,
        headline=headline(user, now=now) if can_view_progress(user) else None,
        coach=coach,
        system=system_health(now=now) if can_manage_outbox(user) else None,
    )


def staff_shifts_without_log(actor: User, *, now: datetime) -> list[Shift]:
    """The list behind the coordinator's "help still to log" count (the same function)."""
    return helplog_queries.shifts_without_log(now=now, actor=actor, with_coaches=True)
