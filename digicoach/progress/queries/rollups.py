"""Daily rollups of the additive figures, so a figure reads a few thousand small rows instead
of every help log: per municipality and local day, the help sums (`definitions.help_sums`)
as a whole and per topic, language and neighbourhood, and the sessions held that started that
day (`definitions.session_sums`). They are filled from those same definitions grouped by day,
so a rolled-up figure is the live figure, summed differently.

`RollupState.rolled_until` says how far a municipality is rolled up: days before it come from
the rollups, days from it on (today at least) are counted live (`split`). The nightly job
(`progress.tasks.roll_up`) rolls the days from there to yesterday up again. Any ORM write to a
help log, its topics or a help session moves the day it touches (before and after the write)
back (`touch`, an after-flush listener; a location moved to another municipality moves both
back entirely), so the figures stay exact between nights. Writes that
bypass the ORM (bulk SQL, the Flanders seeder) must be followed by `roll_up`; a municipality
without a state row is simply counted live.

Sessions: the rollup counts every session not cancelled that started that day, as if it had
ended; `session_sums` subtracts live those of the rolled-up days that had not ended by the end
of the period and have no help logged against them (few, found by the `ends_at` index).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, case, delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.places.models import Location, Programme
from digicoach.progress.models import DayFigure, KeyFirstDay, KeyRollupState, RollupState
from digicoach.progress.queries import definitions
from digicoach.progress.queries.selection import Selection, _in, programme_municipality_ids

HELP = "help"
TOPIC = "topic"
LANGUAGE = "language"
NEIGHBOURHOOD = "neighbourhood"
SESSION = "session"
# Breakdowns read from the "help" rows, by another column than the key.
DAY = "day"
MUNICIPALITY = "municipality"

HELP_COLUMNS = ("logs", "contacts", "minutes", "walk_in_first", "did_it_themselves", "follow_up")
EVERYTHING_BEFORE = date(2000, 1, 1)
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Split:
    """A selection cut in two: the days read from the rollups and the days counted live."""

    selection: Selection
    rolled: Selection | None
    live: Selection | None


def rolled_until(municipality_ids: tuple[int, ...]) -> date | None:
    """The first day not rolled up in all of these municipalities (None: not all are)."""
    if not municipality_ids:
        return None
    count, until = db.session.execute(
        select(func.count(), func.min(RollupState.rolled_until)).where(
            RollupState.municipality_id.in_(municipality_ids)
        )
    ).one()
    return until if count == len(set(municipality_ids)) else None


def split(selection: Selection) -> Split:
    """Days that are rolled up and complete within the selection (ended by its end) come from
    the rollups; the rest is counted live."""
    until = rolled_until(selection.municipality_ids)
    complete = clock.local(selection.end_moment).date()
    if until is None or min(until, complete) <= selection.starts_on:
        return Split(selection, None, selection)
    until = min(until, complete, selection.ends_on + timedelta(days=1))
    rolled = replace(selection, ends_on=until - timedelta(days=1))
    live = replace(selection, starts_on=until) if until <= selection.ends_on else None
    return Split(selection, rolled, live)


def _day_rows(rolled: Selection, kind: str, *columns: Any) -> Select:
    return select(*columns).where(
        DayFigure.kind == kind,
        _in(DayFigure.municipality_id, rolled.municipality_ids),
        DayFigure.day >= rolled.starts_on,
        DayFigure.day <= rolled.ends_on,
    )


def _sums(*names: str) -> list[Any]:
    return [func.coalesce(func.sum(getattr(DayFigure, name)), 0) for name in names]


def help_sums(parts: Split) -> list[int]:
    """`definitions.help_sums` over the whole selection, in that order."""
    total = [0] * len(HELP_COLUMNS)
    rows = []
    if parts.rolled is not None:
        rows.append(db.session.execute(_day_rows(parts.rolled, HELP, *_sums(*HELP_COLUMNS))).one())
    if parts.live is not None:
        rows.append(
            db.session.execute(definitions.logs_in(parts.live, *definitions.help_sums())).one()
        )
    for row in rows:
        total = [a + int(b or 0) for a, b in zip(total, row, strict=True)]
    return total


ROLLED_KEYS: dict[str, tuple[str, Any, Callable[[Any], Any]]] = {
    DAY: (HELP, DayFigure.day, lambda key: key),
    MUNICIPALITY: (HELP, DayFigure.municipality_id, int),
    TOPIC: (TOPIC, DayFigure.key, str),
    LANGUAGE: (LANGUAGE, DayFigure.key, str),
    NEIGHBOURHOOD: (NEIGHBOURHOOD, DayFigure.key, lambda key: int(key) if key else None),
}


def breakdown(parts: Split, kind: str, live: Callable[[Selection], Select]) -> dict[Any, list[int]]:
    """Logs, contacts, minutes and walk-in first visits per key of `kind`; `live(selection)`
    is the live query giving (key, logs, contacts, minutes[, walk-ins]) per key."""
    found: dict[Any, list[int]] = {}

    def add(key: Any, values: Any) -> None:
        held = found.setdefault(key, [0, 0, 0, 0])
        for n, value in enumerate(values):
            held[n] += int(value or 0)

    if parts.rolled is not None:
        source, column, as_key = ROLLED_KEYS[kind]
        query = _day_rows(
            parts.rolled, source, column, *_sums("logs", "contacts", "minutes", "walk_in_first")
        ).group_by(column)
        for key, *values in db.session.execute(query):
            add(as_key(key), values)
    if parts.live is not None:
        for key, *values in db.session.execute(live(parts.live)):
            add(key, values)
    return found


def session_sums(parts: Split) -> tuple[int, int, int]:
    """Sessions held, fully staffed, and the contacts logged against them (`session_sums`)."""
    held = staffed = contacts = 0
    if parts.rolled is not None:
        rolled = parts.rolled
        row = db.session.execute(
            _day_rows(rolled, SESSION, *_sums("sessions_held", "sessions_staffed", "contacts"))
        ).one()
        held, staffed, contacts = (int(v) for v in row)
        # Counted as if ended: not those still running at the end of the period, unlogged.
        running = db.session.execute(
            select(
                func.count(HelpSession.id),
                func.coalesce(func.sum(case((helpdesk_queries.understaffed_sql(), 0), else_=1)), 0),
            )
            .join(Location, Location.id == HelpSession.location_id)
            .where(
                _in(Location.municipality_id, rolled.municipality_ids),
                HelpSession.status == SessionStatus.PLANNED,
                HelpSession.starts_at >= rolled.start_moment,
                HelpSession.starts_at < rolled.end_moment,
                HelpSession.ends_at > parts.selection.end_moment,
                ~definitions.logged_against_session(),
            )
        ).one()
        held -= int(running[0])
        staffed -= int(running[1])
    if parts.live is not None:
        row = db.session.execute(definitions.session_sums(parts.live)).one()
        held += int(row[0])
        staffed += int(row[1])
        contacts += int(row[2])
    return held, staffed, contacts


def _digest(municipality_ids: tuple[int, ...]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(municipality_ids)).encode()).hexdigest()


def key_first_days(selection: Selection) -> dict[date, int]:
    """How many citizen keys were seen for the first time on each day of the selection
    (`definitions.key_first_days`); for a whole programme from its first day, the rolled-up
    days from `KeyFirstDay` and only the keys not seen before counted live."""
    programme = selection.programme
    until = None
    if selection.starts_on == programme.starts_on:
        state = db.session.get(KeyRollupState, programme.id)
        if (
            state is not None
            and state.starts_on == programme.starts_on
            and state.municipalities == _digest(selection.municipality_ids)
            and state.municipalities == _digest(programme_municipality_ids(programme.id))
        ):
            parts = split(selection)
            if parts.rolled is not None:
                until = min(state.rolled_until, parts.rolled.ends_on + timedelta(days=1))
    if until is None or until <= selection.starts_on:
        return _firsts(definitions.key_first_days(selection))
    found = {
        day: int(count)
        for day, count in db.session.execute(
            select(KeyFirstDay.day, KeyFirstDay.new_keys).where(
                KeyFirstDay.programme_id == programme.id,
                KeyFirstDay.day >= selection.starts_on,
                KeyFirstDay.day < until,
            )
        )
    }
    if until <= selection.ends_on:
        live = replace(selection, starts_on=until)
        found.update(_firsts(definitions.key_first_days(live, seen_from=until)))
    return found


def _firsts(query: Select) -> dict[date, int]:
    return {day: int(count) for day, count in db.session.execute(query)}


def roll_up_keys(*, now: datetime) -> int:
    """Roll the key first days of every programme up to yesterday, afresh (one statement per
    programme); returns how many programmes. Service-level: flushes."""
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
            for day, count in _firsts(definitions.key_first_days(days)).items()
        ]
        if rows:
            db.session.execute(insert(KeyFirstDay), rows)
        state = db.session.get(KeyRollupState, programme.id)
        if state is None:
            state = KeyRollupState(programme_id=programme.id)
            db.session.add(state)
        state.rolled_until = until
        state.starts_on = programme.starts_on
        state.municipalities = _digest(ids)
    db.session.flush()
    return len(programmes)


# --- rolling up -------------------------------------------------------------------------------


def _days(municipality_ids: tuple[int, ...], starts_on: date, ends_on: date) -> Selection:
    """A selection of days for the definitions, which read no programme."""
    return Selection(
        programme=cast(Any, None),
        municipality_ids=municipality_ids,
        starts_on=starts_on,
        ends_on=ends_on,
        now=NEVER,
    )


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


def _session_rows(days: Selection) -> list[dict[str, Any]]:
    """Per municipality and local start day, from `definitions.session_sums` per session."""
    found: dict[tuple[int, date], list[int]] = {}
    query = definitions.session_sums(
        days, Location.municipality_id, HelpSession.id, HelpSession.starts_at, ended_by=NEVER
    )
    for municipality_id, _id, starts_at, held, staffed, contacts in db.session.execute(query):
        day = clock.local(_aware(starts_at)).date()
        values = found.setdefault((municipality_id, day), [0, 0, 0])
        values[0] += int(held)
        values[1] += int(staffed)
        values[2] += int(contacts)
    return [
        {
            "municipality_id": municipality_id,
            "day": day,
            "kind": SESSION,
            "key": "",
            "sessions_held": held,
            "sessions_staffed": staffed,
            "contacts": contacts,
        }
        for (municipality_id, day), (held, staffed, contacts) in found.items()
    ]


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(moment)).replace(tzinfo=UTC)


def roll_up(*, now: datetime, municipality_ids: tuple[int, ...] | None = None) -> int:
    """Roll every day before today (local) up that is not yet, for these municipalities (all
    by default); returns how many municipalities were rolled up. Service-level: flushes."""
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
        rows = _help_rows(days) + _session_rows(days)
        if rows:
            db.session.execute(insert(DayFigure), rows)
        for municipality_id in ids:
            if municipality_id in known:
                # Only if no write moved it back meanwhile: the next night redoes those days.
                db.session.execute(
                    update(RollupState)
                    .where(
                        RollupState.municipality_id == municipality_id,
                        RollupState.rolled_until == known[municipality_id],
                    )
                    .values(rolled_until=until)
                )
            else:
                db.session.add(RollupState(municipality_id=municipality_id, rolled_until=until))
    db.session.flush()
    return sum(len(ids) for ids in by_start.values())


# --- keeping them exact on write ----------------------------------------------------------------


def touch(session: Session, municipality_id: int | None, day: date | None) -> None:
    """Days from `day` on in that municipality are no longer rolled up."""
    if municipality_id is None or day is None:
        return
    session.execute(
        update(RollupState)
        .where(RollupState.municipality_id == municipality_id, RollupState.rolled_until > day)
        .values(rolled_until=day)
    )


def _values(instance: Any, name: str) -> list[Any]:
    history = inspect(instance).attrs[name].history
    return [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]


def _touched(session: Session) -> set[tuple[int, date]]:
    """(municipality, day) pairs the pending writes change figures of, before and after."""
    touched: set[tuple[int, date]] = set()
    starts: set[tuple[int, datetime]] = set()
    session_ids: set[int] = set()
    log_ids: set[int] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, HelpLog):
            for municipality_id in _values(instance, "municipality_id"):
                for day in _values(instance, "helped_on"):
                    touched.add((municipality_id, day))
            session_ids.update(_values(instance, "help_session_id"))
        elif isinstance(instance, HelpLogTopic):
            log_ids.update(_values(instance, "log_id"))
        elif isinstance(instance, Location) and instance in session.dirty:
            # A place moved to another municipality takes its sessions along: all days.
            if inspect(instance).attrs["municipality_id"].history.has_changes():
                for municipality_id in _values(instance, "municipality_id"):
                    touched.add((municipality_id, EVERYTHING_BEFORE))
        elif isinstance(instance, HelpSession):
            for starts_at in _values(instance, "starts_at"):
                for location_id in _values(instance, "location_id"):
                    starts.add((location_id, _aware(starts_at)))
    if starts:
        municipality_of = {
            location_id: municipality_id
            for location_id, municipality_id in session.execute(
                select(Location.id, Location.municipality_id).where(
                    Location.id.in_({location for location, _s in starts})
                )
            )
        }
        for location_id, starts_at in starts:
            if location_id in municipality_of:
                touched.add((municipality_of[location_id], clock.local(starts_at).date()))
    if session_ids:
        for municipality_id, starts_at in session.execute(
            select(Location.municipality_id, HelpSession.starts_at)
            .join(Location, Location.id == HelpSession.location_id)
            .where(HelpSession.id.in_(session_ids))
        ):
            touched.add((municipality_id, clock.local(_aware(starts_at)).date()))
    if log_ids:
        touched.update(
            (municipality_id, day)
            for municipality_id, day in session.execute(
                select(HelpLog.municipality_id, HelpLog.helped_on).where(HelpLog.id.in_(log_ids))
            )
        )
    return touched


def _after_flush(session: Session, _context: Any) -> None:
    if not any(
        isinstance(instance, HelpLog | HelpLogTopic | HelpSession | Location)
        for instance in (*session.new, *session.dirty, *session.deleted)
    ):
        return
    earliest: dict[int, date] = {}
    for municipality_id, day in _touched(session):
        if municipality_id not in earliest or day < earliest[municipality_id]:
            earliest[municipality_id] = day
    for municipality_id, day in earliest.items():
        touch(session, municipality_id, day)


def listen() -> None:
    """Keep the rollups exact on every ORM write (called once by the app factory)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
