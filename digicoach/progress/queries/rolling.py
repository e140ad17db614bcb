"""Filling the daily rollups (`rollups`) at night: per municipality the days not rolled up yet
(or moved back by a write), then per programme the citizen keys' first days and the totals
of its municipalities' rollups up to the rolled day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, delete, func, insert, select, update

from digicoach.bookings.models import Appointment
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.places.models import Location, Programme, programme_municipality
from digicoach.progress.models import (
    DayFigure,
    KeyFirstDay,
    KeyRollupState,
    ProgrammeTotal,
    RollupState,
)
from digicoach.progress.queries import definitions
from digicoach.progress.queries.rollups import (
    APPOINTMENT,
    DAY,
    EVERYTHING_BEFORE,
    HELP,
    HELP_COLUMNS,
    LANGUAGE,
    MUNICIPALITY,
    NEIGHBOURHOOD,
    NEVER,
    NO_SESSION_ENDS,
    SESSION,
    TOPIC,
    VALUE_COLUMNS,
    _aware,
    digest,
    firsts,
    rolled_until,
)
from digicoach.progress.queries.selection import Selection, programme_municipality_ids


def _days(municipality_ids: tuple[int, ...], starts_on: date, ends_on: date) -> Selection:
    """A selection of days for the definitions, which read no programme."""
    return Selection(
        programme=cast(Any, None),
        municipality_ids=municipality_ids,
        starts_on=starts_on,
        ends_on=ends_on,
        now=NEVER,
    )


# --- per municipality and day -----------------------------------------------------------------


def _help_rows(days: Selection) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    grouped: list[tuple[str, Any, Callable[[Select], Select]]] = [
        (HELP, None, lambda query: query),
        (
            TOPIC,
            HelpLogTopic.code,
            lambda query: query.select_from(HelpLogTopic).join(
                HelpLog, HelpLog.id == HelpLogTopic.log_id
            ),
        ),
        (LANGUAGE, HelpLog.language, lambda query: query),
        (NEIGHBOURHOOD, HelpLog.neighbourhood_id, lambda query: query),
    ]
    for kind, column, joined in grouped:
        group = [HelpLog.municipality_id, HelpLog.helped_on]
        if column is not None:
            group.append(column)
        query = joined(definitions.logs_in(days, *group, *definitions.help_sums())).group_by(*group)
        for row in db.session.execute(query):
            municipality_id, day = row[0], row[1]
            key = "" if column is None or row[2] is None else str(row[2])
            values = row[3:] if column is not None else row[2:]
            rows.append(
                {
                    "municipality_id": municipality_id,
                    "day": day,
                    "kind": kind,
                    "key": key,
                    **{name: int(v or 0) for name, v in zip(HELP_COLUMNS, values, strict=True)},
                }
            )
    return rows


def _per_local_day(query: Select, kind: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of (municipality, moment, *values) summed per municipality and local day."""
    found: dict[tuple[int, date], list[int]] = {}
    for municipality_id, moment, *values in db.session.execute(query):
        day = clock.local(_aware(moment)).date()
        held = found.setdefault((municipality_id, day), [0] * len(names))
        for n, value in enumerate(values):
            held[n] += int(value or 0)
    return [
        {
            "municipality_id": municipality_id,
            "day": day,
            "kind": kind,
            "key": "",
            **dict(zip(names, values, strict=True)),
        }
        for (municipality_id, day), values in found.items()
    ]


def _session_rows(days: Selection) -> list[dict[str, Any]]:
    """Per municipality and local start day, from `definitions.session_sums`."""
    query = definitions.session_sums(
        days, Location.municipality_id, HelpSession.starts_at, ended_by=NEVER
    )
    return _per_local_day(query, SESSION, ("sessions_held", "sessions_staffed", "contacts"))


def _appointment_rows(days: Selection) -> list[dict[str, Any]]:
    """Per municipality and local day, from `definitions.appointment_sums`."""
    query = definitions.appointment_sums(days, Location.municipality_id, Appointment.start)
    return _per_local_day(query, APPOINTMENT, ("no_shows", "appointments_closed"))


def _sessions_end_by(municipality_ids: tuple[int, ...], until: date) -> dict[int, datetime]:
    """Per municipality, the latest end of a session (not cancelled) that started before
    `until`: once that moment has passed, no rolled-up session is still running."""
    query = (
        select(Location.municipality_id, func.max(HelpSession.ends_at))
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            Location.municipality_id.in_(municipality_ids),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at < _days(municipality_ids, until, until).start_moment,
        )
        .group_by(Location.municipality_id)
    )
    return {
        municipality_id: _aware(ends_at)
        for municipality_id, ends_at in db.session.execute(query)
        if ends_at is not None
    }


def _with_defaults(row: dict[str, Any]) -> dict[str, Any]:
    return {**dict.fromkeys(VALUE_COLUMNS, 0), **row}


def roll_up(*, now: datetime, municipality_ids: tuple[int, ...] | None = None) -> int:
    """Roll every day before today (local) up that is not yet, for these municipalities (all
    by default); returns how many municipalities were rolled up. The totals of the programmes
    they belong to are void until `roll_up_programmes`. Service-level: flushes."""
    until = clock.local(now).date()
    if municipality_ids is None:
        municipality_ids = tuple(db.session.scalars(select(Location.municipality_id).distinct()))
        municipality_ids += tuple(db.session.scalars(select(HelpLog.municipality_id).distinct()))
    known = {
        municipality_id: rolled
        for municipality_id, rolled in db.session.execute(
            select(RollupState.municipality_id, RollupState.rolled_until).where(
                RollupState.municipality_id.in_(set(municipality_ids))
            )
        )
    }
    by_start: dict[date, list[int]] = {}
    for municipality_id in sorted(set(municipality_ids)):
        since = known.get(municipality_id, EVERYTHING_BEFORE)
        if since < until:
            by_start.setdefault(since, []).append(municipality_id)
    for since, ids in by_start.items():
        days = _days(tuple(ids), since, until - timedelta(days=1))
        db.session.execute(
            delete(DayFigure).where(
                DayFigure.municipality_id.in_(ids), DayFigure.day >= since, DayFigure.day < until
            )
        )
        rows = _help_rows(days) + _session_rows(days) + _appointment_rows(days)
        if rows:
            db.session.execute(insert(DayFigure), [_with_defaults(row) for row in rows])
        end_by = _sessions_end_by(tuple(ids), until)
        for municipality_id in ids:
            ends = end_by.get(municipality_id, NO_SESSION_ENDS)
            if municipality_id in known:
                # Only if no write moved it back meanwhile: the next night redoes those days.
                db.session.execute(
                    update(RollupState)
                    .where(
                        RollupState.municipality_id == municipality_id,
                        RollupState.rolled_until == known[municipality_id],
                    )
                    .values(rolled_until=until, sessions_end_by=ends)
                )
            else:
                db.session.add(
                    RollupState(
                        municipality_id=municipality_id, rolled_until=until, sessions_end_by=ends
                    )
                )
        db.session.execute(
            update(KeyRollupState)
            .where(
                KeyRollupState.programme_id.in_(
                    select(programme_municipality.c.programme_id).where(
                        programme_municipality.c.municipality_id.in_(ids)
                    )
                )
            )
            .values(totals_until=None)
        )
    db.session.flush()
    return sum(len(ids) for ids in by_start.values())


# --- per programme ----------------------------------------------------------------------------


def _totals(programme: Programme, ids: tuple[int, ...], until: date) -> list[dict[str, Any]]:
    """The programme's totals: its municipalities' rollups from its first day to `until`,
    per kind and key, and the help rows per municipality and per day."""
    sums = [func.coalesce(func.sum(getattr(DayFigure, name)), 0) for name in VALUE_COLUMNS]
    covered = (
        DayFigure.municipality_id.in_(ids),
        DayFigure.day >= programme.starts_on,
        DayFigure.day < until,
    )
    found: list[tuple[str, Any, Any]] = [
        (kind, key, values)
        for kind, key, *values in db.session.execute(
            select(DayFigure.kind, DayFigure.key, *sums)
            .where(*covered)
            .group_by(DayFigure.kind, DayFigure.key)
        )
    ]
    for kind, column in ((MUNICIPALITY, DayFigure.municipality_id), (DAY, DayFigure.day)):
        found += [
            (kind, key, values)
            for key, *values in db.session.execute(
                select(column, *sums).where(*covered, DayFigure.kind == HELP).group_by(column)
            )
        ]
    return [
        {
            "programme_id": programme.id,
            "kind": kind,
            "key": key.isoformat() if isinstance(key, date) else str(key),
            **{name: int(v) for name, v in zip(VALUE_COLUMNS, values, strict=True)},
        }
        for kind, key, values in found
    ]


def roll_up_programmes(*, now: datetime) -> int:
    """For every programme, afresh: the citizen keys' first days up to yesterday, and the
    totals of its municipalities' rollups up to the day they are all rolled up to (none when
    one is not rolled up). One or two statements each; returns how many programmes.
    Service-level: flushes."""
    until = clock.local(now).date()
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.id)))
    for programme in programmes:
        ids = programme_municipality_ids(programme.id)
        days = replace(
            _days(ids, programme.starts_on, until - timedelta(days=1)), programme=programme
        )
        db.session.execute(delete(KeyFirstDay).where(KeyFirstDay.programme_id == programme.id))
        rows = [
            {"programme_id": programme.id, "day": day, "new_keys": count}
            for day, count in firsts(definitions.key_first_days(days)).items()
        ]
        if rows:
            db.session.execute(insert(KeyFirstDay), rows)
        db.session.execute(
            delete(ProgrammeTotal).where(ProgrammeTotal.programme_id == programme.id)
        )
        totals_until = rolled_until(ids)
        if totals_until is not None:
            totals = _totals(programme, ids, totals_until)
            if totals:
                db.session.execute(insert(ProgrammeTotal), totals)
        state = db.session.get(KeyRollupState, programme.id)
        if state is None:
            state = KeyRollupState(programme_id=programme.id)
            db.session.add(state)
        state.rolled_until = until
        state.starts_on = programme.starts_on
        state.municipalities = digest(ids)
        state.totals_until = totals_until
    db.session.flush()
    return len(programmes)


__all__ = ["roll_up", "roll_up_programmes"]
