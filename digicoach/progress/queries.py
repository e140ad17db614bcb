"""Read models for progress: the figures of a programme (or some of its municipalities) over a
period, computed in a fixed number of SQL statements whatever the amount of data.

The counting rule for distinct citizens is written down in `progress.rules` (module docstring):
one per citizen key, plus every walk-in citizen on a first visit.

Coaches are counted in the municipalities they volunteer in. The funnel is "ever reached, up
to the end of the period" (from the status history), except "in training" (now) and "active"
(a shift or a help log in the 90 days before the end of the period).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import Select, and_, case, distinct, func, literal, select, union
from sqlalchemy.orm import aliased

from digicoach.accounts.models import User
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.coaches.models import Coach, CoachStatus, CoachStatusChange
from digicoach.core import clock
from digicoach.core.errors import NotFound
from digicoach.extensions import cache, db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.places.models import (
    Location,
    Municipality,
    Neighbourhood,
    Programme,
    programme_municipality,
)
from digicoach.places.queries import programme_scope_condition, scope_condition, valid_id
from digicoach.progress import rules
from digicoach.progress.models import ALL, ProgressSnapshot

T = TypeVar("T")

# A coach who reached one of these statuses was approved at some point.
APPROVED_OR_LATER = (
    CoachStatus.APPROVED,
    CoachStatus.IN_TRAINING,
    CoachStatus.CERTIFIED,
    CoachStatus.ACTIVE,
    CoachStatus.DORMANT,
)
# ... and certified at some point (the programme's coach target counts these).
CERTIFIED_OR_LATER = (CoachStatus.CERTIFIED, CoachStatus.ACTIVE, CoachStatus.DORMANT)


@dataclass(frozen=True)
class Selection:
    """What the figures are about: a programme, some of its municipalities, a period."""

    programme: Programme
    municipality_ids: tuple[int, ...]
    starts_on: date
    ends_on: date
    now: datetime

    @property
    def start_moment(self) -> datetime:
        return _local_midnight(self.starts_on)

    @property
    def end_moment(self) -> datetime:
        """The end of the last day, or now when the period has not ended yet."""
        return min(_local_midnight(self.ends_on + timedelta(days=1)), self.now)

    @property
    def last_day(self) -> date:
        return min(self.ends_on, clock.local(self.now).date())


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.LOCAL_ZONE).astimezone(UTC)


@dataclass(frozen=True)
class CoachFigures:
    applied: int
    approved: int
    in_training: int
    certified: int
    active: int


@dataclass(frozen=True)
class HelpFigures:
    citizens_supported: int
    distinct_keys: int
    walk_in_first_visits: int
    contacts: int
    logs: int
    minutes: int
    did_it_themselves: int
    follow_up: int


@dataclass(frozen=True)
class SessionFigures:
    held: int
    fully_staffed: int

    @property
    def staffing_rate(self) -> float | None:
        return rules.rate(self.fully_staffed, self.held)


@dataclass(frozen=True)
class Figures:
    selection: Selection
    coaches: CoachFigures
    help: HelpFigures
    sessions: SessionFigures


def _in(column: Any, ids: tuple[int, ...]) -> Any:
    return column.in_(ids) if ids else literal(False)


# --- the figure cache -------------------------------------------------------------------------
#
# A whole-programme dashboard reads every help log of the period (a million at Flanders scale)
# a dozen times: seconds, not milliseconds. So the figures are computed "as of" the start of
# the current PROGRESS_CACHE_SECONDS window (`figures_moment`), and the plain results (numbers
# and tuples, never ORM objects) of the heavy statements are kept in the app's cache
# (Flask-Caching: per process by default, Redis shared by every worker in production) for that
# moment. The moment is part of the key, so a new window computes afresh and nothing needs
# invalidating; the pages and the API say which moment their figures are of. 0 turns it off.


def _cache_seconds() -> int:
    if not has_app_context():
        return 0
    return int(current_app.config.get("PROGRESS_CACHE_SECONDS") or 0)


def figures_moment(now: datetime) -> datetime:
    """The moment figures asked for at `now` are computed as of: the start of its window."""
    seconds = _cache_seconds()
    if seconds <= 0:
        return now
    stamp = now.timestamp()
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=UTC)


def _remembered(selection: Selection, name: str, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave for the same selection and moment (from the cache)."""
    seconds = _cache_seconds()
    if seconds <= 0:
        return compute()
    key = ":".join(
        str(part)
        for part in (
            "progress",
            name,
            selection.programme.id,
            ",".join(str(i) for i in sorted(selection.municipality_ids)),
            selection.starts_on,
            selection.ends_on,
            selection.now.isoformat(),
        )
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=2 * seconds)
    return value


def coach_figures(selection: Selection) -> CoachFigures:
    """The coach funnel, in two statements."""
    ids = selection.municipality_ids
    end = selection.end_moment
    change = aliased(CoachStatusChange)
    funnel = db.session.execute(
        select(
            func.count(distinct(Coach.id)),
            func.count(
                distinct(case((change.to_status.in_(APPROVED_OR_LATER), Coach.id), else_=None))
            ),
            func.count(
                distinct(case((change.to_status.in_(CERTIFIED_OR_LATER), Coach.id), else_=None))
            ),
            func.count(
                distinct(case((Coach.status == CoachStatus.IN_TRAINING, Coach.id), else_=None))
            ),
        )
        .select_from(Coach)
        .outerjoin(change, and_(change.coach_id == Coach.id, change.changed_at <= end))
        .where(_in(Coach.municipality_id, ids), Coach.applied_at <= end)
    ).one()
    active = db.session.scalar(select(func.count()).select_from(_active_coaches(selection)))
    return CoachFigures(
        applied=funnel[0],
        approved=funnel[1],
        in_training=funnel[3],
        certified=funnel[2],
        active=active or 0,
    )


def _active_coaches(selection: Selection) -> Any:
    """Coaches of the selection with a shift or a help log in the 90 days before its end."""
    end = selection.end_moment
    since = end - timedelta(days=rules.ACTIVE_DAYS)
    on_shift = (
        select(Shift.coach_id.label("coach_id"))
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .join(Coach, Coach.id == Shift.coach_id)
        .where(
            Shift.status.in_([ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED]),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at >= since,
            HelpSession.starts_at < end,
            _in(Coach.municipality_id, selection.municipality_ids),
        )
        # Distinct per branch: hashing ~10,000 coaches beats sorting ~350,000 rows for UNION.
        .distinct()
    )
    logged = (
        select(HelpLog.coach_id.label("coach_id"))
        .join(Coach, Coach.id == HelpLog.coach_id)
        .where(
            HelpLog.helped_on >= clock.local(since).date(),
            HelpLog.helped_on <= clock.local(end).date(),
            _in(Coach.municipality_id, selection.municipality_ids),
        )
        .distinct()
    )
    return union(on_shift, logged).subquery()


def _logs(selection: Selection, *columns: Any) -> Select:
    return select(*columns).where(
        _in(HelpLog.municipality_id, selection.municipality_ids),
        HelpLog.helped_on >= selection.starts_on,
        HelpLog.helped_on <= selection.ends_on,
    )


def help_figures(selection: Selection) -> HelpFigures:
    """Citizens, contacts and minutes, in one statement (the counting rule: progress.rules)."""
    walk_in_first = case(
        (and_(HelpLog.citizen_key.is_(None), HelpLog.first_visit.is_(True)), HelpLog.citizens),
        else_=0,
    )
    row = db.session.execute(
        _logs(
            selection,
            func.count(distinct(HelpLog.citizen_key)),
            func.coalesce(func.sum(walk_in_first), 0),
            func.coalesce(func.sum(HelpLog.citizens), 0),
            func.count(HelpLog.id),
            func.coalesce(func.sum(HelpLog.minutes), 0),
            func.coalesce(
                func.sum(case((HelpLog.did_it_themselves.is_(True), HelpLog.citizens), else_=0)),
                0,
            ),
            func.coalesce(func.sum(case((HelpLog.follow_up.is_(True), 1), else_=0)), 0),
        )
    ).one()
    keys, walk_ins, contacts, logs, minutes, themselves, follow_up = (int(v) for v in row)
    return HelpFigures(
        citizens_supported=rules.citizens_supported(keys, walk_ins),
        distinct_keys=keys,
        walk_in_first_visits=walk_ins,
        contacts=contacts,
        logs=logs,
        minutes=minutes,
        did_it_themselves=themselves,
        follow_up=follow_up,
    )


def session_figures(selection: Selection) -> SessionFigures:
    """Sessions held (planned, not cancelled, ended) and how many had the coaches their mode
    needs (helpdesk.rules.staffing), in one statement."""
    row = db.session.execute(
        select(
            func.count(HelpSession.id),
            func.coalesce(
                func.sum(case((helpdesk_queries.understaffed_sql(), 0), else_=1)),
                0,
            ),
        )
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            _in(Location.municipality_id, selection.municipality_ids),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at >= selection.start_moment,
            HelpSession.ends_at <= selection.end_moment,
        )
    ).one()
    return SessionFigures(held=int(row[0]), fully_staffed=int(row[1]))


def figures(selection: Selection) -> Figures:
    """Every headline figure of a selection, in five statements."""
    return Figures(
        selection=selection,
        coaches=_remembered(selection, "coaches", lambda: coach_figures(selection)),
        help=_remembered(selection, "help", lambda: help_figures(selection)),
        sessions=_remembered(selection, "sessions", lambda: session_figures(selection)),
    )


# --- the programme as a whole (the JSON API) ---------------------------------------------------


def programme_municipality_ids(programme_id: int) -> tuple[int, ...]:
    return tuple(
        db.session.scalars(
            select(programme_municipality.c.municipality_id)
            .where(programme_municipality.c.programme_id == programme_id)
            .order_by(programme_municipality.c.municipality_id)
        )
    )


def whole_programme(programme_id: Any, *, now: datetime) -> Selection:
    """The whole programme over its whole period, as of `figures_moment(now)`.

    Raises NotFound for an unknown id."""
    if not valid_id(programme_id):
        raise NotFound(programme_id)
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(programme_id)
    return Selection(
        programme=programme,
        municipality_ids=programme_municipality_ids(programme.id),
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        now=figures_moment(now),
    )


def programme_progress(programme_id: int, *, now: datetime) -> dict:
    """The programme's progress toward its targets, for the JSON API (GET /api/v1/progress).

    Counts every municipality of the programme over its whole period, as of
    `figures_moment(now)` (which `as_of` gives); anonymous totals only. Raises NotFound for
    an unknown programme. A fixed number of statements.
    """
    selection = whole_programme(programme_id, now=now)
    result = figures(selection)
    programme = selection.programme
    return {
        "programme": {"id": programme.id, "name": programme.name},
        "period": {"start": programme.starts_on.isoformat(), "end": programme.ends_on.isoformat()},
        "as_of": clock.local(selection.now).isoformat(timespec="seconds"),
        "coaches": {
            "applied": result.coaches.applied,
            "approved": result.coaches.approved,
            "in_training": result.coaches.in_training,
            "certified": result.coaches.certified,
            "active": result.coaches.active,
            "target": programme.coach_target,
        },
        "citizens": {
            "supported": result.help.citizens_supported,
            "contacts": result.help.contacts,
            "target": programme.citizen_target,
        },
        "help_minutes": result.help.minutes,
        "sessions_held": result.sessions.held,
    }


# --- the dashboard and the impact page --------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """One row of a breakdown: a label with its help figures."""

    key: str
    label: str
    logs: int
    contacts: int
    minutes: int
    new_citizens: int = 0


@dataclass(frozen=True)
class Trend:
    """A burn-up: running totals per week, the line needed to reach the target, the pace."""

    points: list[tuple[date, int]]
    needed: list[tuple[date, float]]
    projection: rules.Projection

    @property
    def rows(self) -> list[tuple[date, int, float]]:
        """(week, reached, needed) for the table behind the chart."""
        return [(d, v, n) for (d, v), (_d, n) in zip(self.points, self.needed, strict=True)]


@dataclass(frozen=True)
class SnapshotRow:
    """What the dashboard shows of one nightly snapshot (plain values, kept in the cache)."""

    taken_on: date
    coaches_active: int
    coaches_in_training: int
    citizens_supported: int


@dataclass(frozen=True)
class Dashboard:
    figures: Figures
    no_show_rate: float | None
    appointments_closed: int
    citizens: Trend
    coaches: Trend
    by_month: list[Breakdown]
    by_topic: list[Breakdown]
    by_language: list[Breakdown]
    by_neighbourhood: list[Breakdown]
    by_municipality: list[Breakdown]
    snapshots: list[SnapshotRow]


def no_shows(selection: Selection) -> tuple[int, int]:
    """(no-shows, appointments that came or not) of sessions in the selection, in one statement."""
    row = db.session.execute(
        select(
            func.coalesce(
                func.sum(case((Appointment.status == AppointmentStatus.NO_SHOW, 1), else_=0)), 0
            ),
            func.count(Appointment.id),
        )
        .join(Location, Location.id == Appointment.location_id)
        .where(
            _in(Location.municipality_id, selection.municipality_ids),
            Appointment.status.in_([AppointmentStatus.NO_SHOW, AppointmentStatus.ATTENDED]),
            Appointment.start >= selection.start_moment,
            Appointment.start < selection.end_moment,
        )
    ).one()
    return int(row[0]), int(row[1])


def _by_day(selection: Selection) -> list[Any]:
    walk_in_first = case(
        (and_(HelpLog.citizen_key.is_(None), HelpLog.first_visit.is_(True)), HelpLog.citizens),
        else_=0,
    )
    return [
        tuple(row)
        for row in db.session.execute(
            _logs(
                selection,
                HelpLog.helped_on,
                func.count(HelpLog.id),
                func.sum(HelpLog.citizens),
                func.sum(HelpLog.minutes),
                func.sum(walk_in_first),
            ).group_by(HelpLog.helped_on)
        )
    ]


def _first_days_of_keys(selection: Selection) -> dict[date, int]:
    """How many citizen keys were seen for the first time on each day of the selection."""
    firsts = (
        _logs(selection, func.min(HelpLog.helped_on).label("first_day"))
        .where(HelpLog.citizen_key.is_not(None))
        .group_by(HelpLog.citizen_key)
        .subquery()
    )
    return {
        day: int(count)
        for day, count in db.session.execute(
            select(firsts.c.first_day, func.count()).group_by(firsts.c.first_day)
        )
    }


def _certified_days(selection: Selection) -> dict[date, int]:
    """The local day each coach of the selection was first certified, counted per day."""
    firsts = db.session.scalars(
        select(func.min(CoachStatusChange.changed_at))
        .join(Coach, Coach.id == CoachStatusChange.coach_id)
        .where(
            _in(Coach.municipality_id, selection.municipality_ids),
            CoachStatusChange.to_status.in_(CERTIFIED_OR_LATER),
            CoachStatusChange.changed_at <= selection.end_moment,
        )
        .group_by(CoachStatusChange.coach_id)
    )
    days: dict[date, int] = {}
    for moment in firsts:
        if moment is None:
            continue
        if moment.tzinfo is None:  # SQLite returns an aggregate without the type's processing
            moment = datetime.fromisoformat(str(moment)).replace(tzinfo=UTC)
        day = clock.local(moment).date()
        days[day] = days.get(day, 0) + 1
    return days


def _trend(
    increments: dict[date, int], *, target: int, selection: Selection, reached: int
) -> Trend:
    starts_on = selection.starts_on
    until = selection.last_day
    points = rules.cumulative_by_week(increments, starts_on=starts_on, until=until)
    if points:
        # The last point is today's live figure, not the end of its week.
        points[-1] = (points[-1][0], reached)
    programme = selection.programme
    needed = [
        (
            day,
            rules.needed_line(
                target=target, starts_on=programme.starts_on, ends_on=programme.ends_on, on=day
            ),
        )
        for day, _value in points
    ]
    weeks = min(rules.PACE_WEEKS, len(points) - 1) if points else 0
    before = points[-1 - weeks][1] if points else 0
    pace = rules.weekly_pace(reached=reached, reached_weeks_ago=before, weeks=weeks)
    projection = rules.project(
        target=target,
        reached=reached,
        pace_per_week=pace,
        today=until,
        ends_on=programme.ends_on,
    )
    return Trend(points=points, needed=needed, projection=projection)


def _rows(selection: Selection, name: str, query: Select) -> list[tuple]:
    return _remembered(selection, name, lambda: [tuple(row) for row in db.session.execute(query)])


def _grouped(result: list[tuple], labeller: Any) -> list[Breakdown]:
    rows = []
    for key, logs, contacts, minutes in result:
        rows.append(
            Breakdown(
                key="" if key is None else str(key),
                label=labeller(key),
                logs=int(logs),
                contacts=int(contacts or 0),
                minutes=int(minutes or 0),
            )
        )
    return sorted(rows, key=lambda row: (-row.contacts, row.label))


def _help_totals(selection: Selection, *group: Any) -> Select:
    return _logs(
        selection,
        *group,
        func.count(HelpLog.id),
        func.sum(HelpLog.citizens),
        func.sum(HelpLog.minutes),
    ).group_by(*group)


def dashboard(selection: Selection, *, topic_label: Any, language_label: Any) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of statements (about fifteen), all
    kept in the figure cache: the nightly snapshots too, as of the figures' moment."""
    result = figures(selection)
    no_show, closed = _remembered(selection, "no_shows", lambda: no_shows(selection))
    by_day = _remembered(selection, "by_day", lambda: _by_day(selection))
    key_firsts = _remembered(selection, "key_firsts", lambda: _first_days_of_keys(selection))
    citizen_increments = dict(key_firsts)
    months: dict[str, list[int]] = {}
    for day, logs, contacts, minutes, walk_ins in by_day:
        citizen_increments[day] = citizen_increments.get(day, 0) + int(walk_ins or 0)
        month = months.setdefault(rules.month_key(day), [0, 0, 0, 0])
        month[0] += int(logs)
        month[1] += int(contacts or 0)
        month[2] += int(minutes or 0)
        month[3] += int(walk_ins or 0)
    for day, count in key_firsts.items():
        months.setdefault(rules.month_key(day), [0, 0, 0, 0])[3] += count
    by_month = [Breakdown(key, key, *values) for key, values in sorted(months.items())]
    programme = selection.programme
    citizens = _trend(
        citizen_increments,
        target=programme.citizen_target,
        selection=selection,
        reached=result.help.citizens_supported,
    )
    coaches = _trend(
        _remembered(selection, "certified_days", lambda: _certified_days(selection)),
        target=programme.coach_target,
        selection=selection,
        reached=result.coaches.certified,
    )
    topic_query = _help_totals(selection, HelpLogTopic.code).join(
        HelpLog, HelpLog.id == HelpLogTopic.log_id
    )
    neighbourhoods = _help_totals(
        selection, HelpLog.neighbourhood_id, Neighbourhood.name
    ).outerjoin(Neighbourhood, Neighbourhood.id == HelpLog.neighbourhood_id)
    municipalities = _help_totals(selection, HelpLog.municipality_id, Municipality.name).join(
        Municipality, Municipality.id == HelpLog.municipality_id
    )
    return Dashboard(
        figures=result,
        no_show_rate=rules.rate(no_show, closed),
        appointments_closed=closed,
        citizens=citizens,
        coaches=coaches,
        by_month=by_month,
        by_topic=_grouped(
            _rows(selection, "by_topic", topic_query.select_from(HelpLogTopic)), topic_label
        ),
        by_language=_grouped(
            _rows(selection, "by_language", _help_totals(selection, HelpLog.language)),
            language_label,
        ),
        by_neighbourhood=_named(_rows(selection, "by_neighbourhood", neighbourhoods)),
        by_municipality=_named(_rows(selection, "by_municipality", municipalities)),
        snapshots=_remembered(selection, "snapshots", lambda: snapshot_rows(selection)),
    )


def _named(result: list[tuple]) -> list[Breakdown]:
    rows = [
        Breakdown(
            key="" if key is None else str(key),
            label=name or "",
            logs=int(logs),
            contacts=int(contacts or 0),
            minutes=int(minutes or 0),
        )
        for key, name, logs, contacts, minutes in result
    ]
    return sorted(rows, key=lambda row: (-row.contacts, row.label))


def snapshot_scope(selection: Selection) -> str | None:
    """The snapshot scope matching the selection: the whole programme or one municipality."""
    everything = programme_municipality_ids(selection.programme.id)
    if tuple(sorted(selection.municipality_ids)) == tuple(sorted(everything)):
        return ALL
    if len(selection.municipality_ids) == 1:
        return str(selection.municipality_ids[0])
    return None


def snapshots(selection: Selection) -> list[ProgressSnapshot]:
    scope = snapshot_scope(selection)
    if scope is None:
        return []
    return list(
        db.session.scalars(
            select(ProgressSnapshot)
            .where(
                ProgressSnapshot.programme_id == selection.programme.id,
                ProgressSnapshot.scope == scope,
                ProgressSnapshot.taken_on >= selection.starts_on,
                ProgressSnapshot.taken_on <= selection.ends_on,
            )
            .order_by(ProgressSnapshot.taken_on)
        )
    )


def snapshot_rows(selection: Selection) -> list[SnapshotRow]:
    return [
        SnapshotRow(s.taken_on, s.coaches_active, s.coaches_in_training, s.citizens_supported)
        for s in snapshots(selection)
    ]


# --- scope ------------------------------------------------------------------------------------


def programmes_for(actor: User) -> list[Programme]:
    """Programmes the actor may see figures of."""
    return list(
        db.session.scalars(
            select(Programme)
            .where(programme_scope_condition(actor))
            .order_by(Programme.starts_on.desc(), Programme.name)
        )
    )


def municipalities_for(actor: User, programme: Programme) -> list[Municipality]:
    """The programme's municipalities in the actor's scope (a coordinator never sees others)."""
    return list(
        db.session.scalars(
            select(Municipality)
            .join(
                programme_municipality, programme_municipality.c.municipality_id == Municipality.id
            )
            .where(
                programme_municipality.c.programme_id == programme.id,
                scope_condition(actor, Municipality.id),
            )
            .order_by(Municipality.name)
        )
    )


def all_programmes() -> list[Programme]:
    return list(
        db.session.scalars(select(Programme).order_by(Programme.starts_on.desc(), Programme.name))
    )


def public_municipalities(programme: Programme) -> list[Municipality]:
    return list(
        db.session.scalars(
            select(Municipality)
            .join(
                programme_municipality, programme_municipality.c.municipality_id == Municipality.id
            )
            .where(programme_municipality.c.programme_id == programme.id)
            .order_by(Municipality.name)
        )
    )


def anonymous_logs(selection: Selection) -> list[HelpLog]:
    """The help logs of the selection, for the export (no coach, no key)."""
    return list(
        db.session.scalars(
            select(HelpLog)
            .where(
                _in(HelpLog.municipality_id, selection.municipality_ids),
                HelpLog.helped_on >= selection.starts_on,
                HelpLog.helped_on <= selection.ends_on,
            )
            .order_by(HelpLog.helped_on, HelpLog.id)
        )
    )


def parse_day(value: Any) -> date | None:
    """An ISO day from a query string, or None for anything else."""
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def selection_for(
    programmes: list[Programme],
    municipalities_of: Any,
    *,
    programme_id: Any,
    municipality_id: Any,
    starts_on: date | None,
    ends_on: date | None,
    now: datetime,
) -> Selection | None:
    """The selection asked for, within what the reader may see. `programmes` are those in the
    reader's scope and `municipalities_of(programme)` the municipalities they may see of one.
    An id outside them raises NotFound; None when there is no programme at all. The period
    defaults to the programme's and is clipped to it. The figures are as of
    `figures_moment(now)`."""
    if programme_id in (None, ""):
        if not programmes:
            return None
        programme = programmes[0]
    else:
        programme = next((p for p in programmes if str(p.id) == str(programme_id)), None)
        if programme is None:
            raise NotFound(programme_id)
    visible = municipalities_of(programme)
    if municipality_id in (None, ""):
        ids = tuple(m.id for m in visible)
    else:
        chosen = next((m for m in visible if str(m.id) == str(municipality_id)), None)
        if chosen is None:
            raise NotFound(municipality_id)
        ids = (chosen.id,)
    start = max(starts_on or programme.starts_on, programme.starts_on)
    end = min(ends_on or programme.ends_on, programme.ends_on)
    if end < start:
        start, end = programme.starts_on, programme.ends_on
    return Selection(
        programme=programme,
        municipality_ids=ids,
        starts_on=start,
        ends_on=end,
        now=figures_moment(now),
    )
