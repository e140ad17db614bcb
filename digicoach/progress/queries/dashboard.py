"""What the dashboard and the impact page show besides the headline figures: burn-ups,
breakdowns and the nightly snapshots, in a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, func, select

from digicoach.coaches.models import Coach, CoachStatusChange
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.places.models import (
    Municipality,
    Neighbourhood,
)
from digicoach.progress import rules
from digicoach.progress.models import ALL, ProgressSnapshot
from digicoach.progress.queries import coach_rollups, definitions, rollups
from digicoach.progress.queries.figures import (
    CERTIFIED_OR_LATER,
    Figures,
    LoanFigures,
    figures,
    has_certificate,
    loan_figures,
)
from digicoach.progress.queries.selection import (
    Selection,
    _in,
    _remembered,
    programme_municipality_ids,
)
from digicoach.training.models import Certification

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
    loans: LoanFigures
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
    """(no-shows, appointments that came or not) of sessions in the selection
    (`definitions.appointment_sums`): rolled-up days from the rollups, the rest live."""
    return rollups.appointment_sums(rollups.split(selection))


def _by_day(selection: Selection) -> list[Any]:
    """(day, logs, contacts, minutes, walk-in first visits) per day with help logged."""
    found = rollups.breakdown(
        rollups.split(selection),
        rollups.DAY,
        lambda live: _help_totals(live, HelpLog.helped_on, walk_ins=True),
    )
    return [(day, *values) for day, values in sorted(found.items())]


def _certified_days(selection: Selection) -> dict[date, int]:
    """The local day each coach of the selection was first certified, counted per day: the later
    of the first certified status and the first certificate (`figures.has_certificate`); from
    the per-coach rollups once they exist."""
    rolled = coach_rollups.certified_days(selection)
    return rolled if rolled is not None else live_certified_days(selection)


def live_certified_days(selection: Selection) -> dict[date, int]:
    """`_certified_days` counted from the status history and the certificates."""
    issued = (
        select(func.min(Certification.issued_at))
        .where(Certification.coach_id == CoachStatusChange.coach_id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(func.min(CoachStatusChange.changed_at), issued)
        .join(Coach, Coach.id == CoachStatusChange.coach_id)
        .where(
            _in(Coach.municipality_id, selection.municipality_ids),
            CoachStatusChange.to_status.in_(CERTIFIED_OR_LATER),
            CoachStatusChange.changed_at <= selection.end_moment,
            has_certificate(CoachStatusChange.coach_id, selection.end_moment),
        )
        .group_by(CoachStatusChange.coach_id)
    )
    days: dict[date, int] = {}
    for first_status, first_certificate in rows:
        if first_status is None or first_certificate is None:
            continue
        day = clock.local(max(_aware(first_status), _aware(first_certificate))).date()
        days[day] = days.get(day, 0) + 1
    return days


def _aware(moment: datetime | str) -> datetime:
    """SQLite returns an aggregate (and a scalar subquery) without the type's processing."""
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment
    return datetime.fromisoformat(str(moment)).replace(tzinfo=UTC)


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


def _grouped(found: dict[Any, list[int]], labeller: Any) -> list[Breakdown]:
    rows = [
        Breakdown(
            key="" if key is None else str(key),
            label=labeller(key),
            logs=logs,
            contacts=contacts,
            minutes=minutes,
        )
        for key, (logs, contacts, minutes, _walk_ins) in found.items()
    ]
    return sorted(rows, key=lambda row: (-row.contacts, row.label))


def _help_totals(selection: Selection, *group: Any, walk_ins: bool = False) -> Select:
    """Logs, contacts and minutes (and walk-in first visits) per `group`, live."""
    sums = definitions.help_sums()[: 4 if walk_ins else 3]
    return definitions.logs_in(selection, *group, *sums).group_by(*group)


def _breakdown(selection: Selection, kind: str, live: Any, labeller: Any) -> list[Breakdown]:
    found = _remembered(
        selection, f"by_{kind}", lambda: rollups.breakdown(rollups.split(selection), kind, live)
    )
    return _grouped(found, labeller)


def _names(model: Any, ids: Any) -> dict[Any, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    query = select(model.id, model.name).where(model.id.in_(wanted))
    return {key: name for key, name in db.session.execute(query)}


def dashboard(selection: Selection, *, topic_label: Any, language_label: Any) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of statements (about forty, most of
    them on the rollups), all kept in the figure cache: the nightly snapshots too, as of the
    figures' moment."""
    result = figures(selection)
    no_show, closed = _remembered(selection, "no_shows", lambda: no_shows(selection))
    by_day = _remembered(selection, "by_day", lambda: _by_day(selection))
    key_firsts = _remembered(selection, "key_firsts", lambda: rollups.key_first_days(selection))
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
    by_neighbourhood = _breakdown(
        selection,
        rollups.NEIGHBOURHOOD,
        lambda live: _help_totals(live, HelpLog.neighbourhood_id),
        str,
    )
    neighbourhood_names = _names(
        Neighbourhood, [int(row.key) for row in by_neighbourhood if row.key]
    )
    by_municipality = _breakdown(
        selection,
        rollups.MUNICIPALITY,
        lambda live: _help_totals(live, HelpLog.municipality_id),
        str,
    )
    municipality_names = _names(Municipality, [int(row.key) for row in by_municipality])
    return Dashboard(
        figures=result,
        loans=loan_figures(selection),
        no_show_rate=rules.rate(no_show, closed),
        appointments_closed=closed,
        citizens=citizens,
        coaches=coaches,
        by_month=by_month,
        by_topic=_breakdown(
            selection,
            rollups.TOPIC,
            lambda live: (
                _help_totals(live, HelpLogTopic.code)
                .select_from(HelpLogTopic)
                .join(HelpLog, HelpLog.id == HelpLogTopic.log_id)
            ),
            topic_label,
        ),
        by_language=_breakdown(
            selection,
            rollups.LANGUAGE,
            lambda live: _help_totals(live, HelpLog.language),
            language_label,
        ),
        by_neighbourhood=_renamed(by_neighbourhood, neighbourhood_names),
        by_municipality=_renamed(by_municipality, municipality_names),
        snapshots=_remembered(selection, "snapshots", lambda: snapshot_rows(selection)),
    )


def _renamed(rows: list[Breakdown], names: dict[Any, str]) -> list[Breakdown]:
    named = [replace(row, label=names.get(int(row.key), "") if row.key else "") for row in rows]
    return sorted(named, key=lambda row: (-row.contacts, row.label))


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
