"""Daily rollups of the additive figures, so a figure reads a few thousand small rows instead
of every help log: per municipality and local day, the help sums (`definitions.help_sums`)
as a whole and per topic, language and neighbourhood, the sessions held that started that day
(`definitions.session_sums`) and the appointments that came or not. They are filled from those
same definitions grouped by day (`rolling`), so a rolled-up figure is the live figure, summed
differently. This module reads them.

`RollupState.rolled_until` says how far a municipality is rolled up: days before it come from
the rollups, days from it on (today at least) are counted live (`split`). The nightly job
(`progress.tasks.roll_up`) rolls the days from there to yesterday up again. Any ORM write that
changes a figure moves the day it touches back (`touching`), so the figures stay exact between
nights. Writes that bypass the ORM (bulk SQL, the Flanders seeder) must be followed by a
roll-up; a municipality without a state row is simply counted live.

A whole programme from its first day (the API, the dashboard's default) reads the programme's
totals (`ProgrammeTotal`: the rollups summed up to the programme's rolled day, one row per
key) instead of a row per municipality and day; days from the first day a municipality was
moved back to are taken off those totals again and counted live.

Sessions: the rollup counts every session not cancelled that started that day, as if it had
ended; `session_sums` subtracts live those of the rolled-up days that had not ended by the end
of the period and have no help logged against them (none once every rolled-up session ended,
`RollupState.sessions_end_by`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, select

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.places.models import Location
from digicoach.progress.models import (
    DayFigure,
    KeyFirstDay,
    KeyRollupState,
    ProgrammeTotal,
    RollupState,
)
from digicoach.progress.queries import definitions
from digicoach.progress.queries.selection import Selection, _in

T = TypeVar("T")

HELP = "help"
TOPIC = "topic"
LANGUAGE = "language"
NEIGHBOURHOOD = "neighbourhood"
SESSION = "session"
APPOINTMENT = "appointment"
# Breakdowns read from the "help" rows, by another column than the key.
DAY = "day"
MUNICIPALITY = "municipality"

HELP_COLUMNS = ("logs", "contacts", "minutes", "walk_in_first", "did_it_themselves", "follow_up")
SESSION_COLUMNS = ("sessions_held", "sessions_staffed", "contacts")
APPOINTMENT_COLUMNS = ("no_shows", "appointments_closed")
BREAKDOWN_COLUMNS = ("logs", "contacts", "minutes", "walk_in_first")
VALUE_COLUMNS = (*HELP_COLUMNS, "sessions_held", "sessions_staffed", *APPOINTMENT_COLUMNS)
EVERYTHING_BEFORE = date(2000, 1, 1)
NEVER = datetime(9999, 1, 1, tzinfo=UTC)
# `RollupState.sessions_end_by` of a municipality without rolled-up sessions.
NO_SESSION_ENDS = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Split:
    """A selection cut in two: the days read from the rollups and the days counted live."""

    selection: Selection
    rolled: Selection | None
    live: Selection | None
    # No rolled-up session ends after this (None: unknown), see `RollupState.sessions_end_by`.
    sessions_end_by: datetime | None = None
    # The programme's totals cover the rolled days up to (not including) this day.
    totals_until: date | None = None


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(moment)).replace(tzinfo=UTC)


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def digest(municipality_ids: tuple[int, ...]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(municipality_ids)).encode()).hexdigest()


def _rolled_state(municipality_ids: tuple[int, ...]) -> tuple[date | None, datetime | None]:
    """The first day not rolled up in all of these municipalities (None: not all are), and
    the latest end of their rolled-up sessions (None: not known for all)."""
    if not municipality_ids:
        return None, None
    count, until, known, end_by = db.session.execute(
        select(
            func.count(),
            func.min(RollupState.rolled_until),
            func.count(RollupState.sessions_end_by),
            func.max(RollupState.sessions_end_by),
        ).where(RollupState.municipality_id.in_(municipality_ids))
    ).one()
    if count != len(set(municipality_ids)):
        return None, None
    return _as_date(until), _aware(end_by) if end_by is not None and known == count else None


def rolled_until(municipality_ids: tuple[int, ...]) -> date | None:
    """The first day not rolled up in all of these municipalities (None: not all are)."""
    return _rolled_state(municipality_ids)[0]


def _totals_until(selection: Selection, rolled_end: date) -> date | None:
    """How far the programme's totals go when they fit the selection: from the programme's
    first day, for exactly these municipalities, and not short of the rolled days."""
    programme = selection.programme
    if programme is None or selection.starts_on != programme.starts_on:
        return None
    state = db.session.get(KeyRollupState, programme.id)
    if (
        state is None
        or state.starts_on != programme.starts_on
        or state.municipalities != digest(selection.municipality_ids)
        or state.totals_until is None
        or state.totals_until <= rolled_end
    ):
        return None
    return state.totals_until


# The splits and key first days found in the current transaction, per selection: a dashboard
# asks for them a dozen times. Forgotten on every flush (`touching`) and with the transaction.
MEMO = "progress_rollups"


def _memo(name: str, selection: Selection, compute: Callable[[], T]) -> T:
    transaction = db.session().get_transaction()
    memo = db.session.info.setdefault(MEMO, {})
    found = memo.get((name, selection))
    if found is not None and found[0] is transaction and transaction is not None:
        return found[1]
    value = compute()
    memo[(name, selection)] = (transaction, value)
    return value


def forget(session: Any) -> None:
    """Drop what `_memo` kept: the session is about to write."""
    session.info.pop(MEMO, None)


def split(selection: Selection) -> Split:
    """Days that are rolled up and complete within the selection (ended by its end) come from
    the rollups; the rest is counted live."""
    return _memo("split", selection, lambda: _split(selection))


def _split(selection: Selection) -> Split:
    until, sessions_end_by = _rolled_state(selection.municipality_ids)
    complete = clock.local(selection.end_moment).date()
    if until is None or min(until, complete) <= selection.starts_on:
        return Split(selection, None, selection)
    until = min(until, complete, selection.ends_on + timedelta(days=1))
    rolled = replace(selection, ends_on=until - timedelta(days=1))
    live = replace(selection, starts_on=until) if until <= selection.ends_on else None
    totals_until = _totals_until(selection, rolled.ends_on)
    return Split(selection, rolled, live, sessions_end_by, totals_until)


# --- reading the rolled-up days ---------------------------------------------------------------


def _day_rows(rolled: Selection, kind: str, *columns: Any) -> Select:
    return select(*columns).where(
        DayFigure.kind == kind,
        _in(DayFigure.municipality_id, rolled.municipality_ids),
        DayFigure.day >= rolled.starts_on,
        DayFigure.day <= rolled.ends_on,
    )


ROLLED_KEYS: dict[str, tuple[str, Any, Callable[[Any], Any]]] = {
    HELP: (HELP, None, lambda key: ""),
    SESSION: (SESSION, None, lambda key: ""),
    APPOINTMENT: (APPOINTMENT, None, lambda key: ""),
    DAY: (HELP, DayFigure.day, _as_date),
    MUNICIPALITY: (HELP, DayFigure.municipality_id, int),
    TOPIC: (TOPIC, DayFigure.key, str),
    LANGUAGE: (LANGUAGE, DayFigure.key, str),
    NEIGHBOURHOOD: (NEIGHBOURHOOD, DayFigure.key, lambda key: int(key) if key else None),
}


def _add(found: dict[Any, list[int]], key: Any, values: Any, sign: int = 1) -> None:
    held = found.setdefault(key, [0] * len(values))
    for n, value in enumerate(values):
        held[n] += sign * int(value or 0)


def rolled_sums(parts: Split, kind: str, names: tuple[str, ...]) -> dict[Any, list[int]]:
    """The sums of `names` over the rolled-up days, per key of `kind` ("" when it has none):
    the programme's totals less the days after the rolled part when they fit, else the rows
    per municipality and day."""
    found: dict[Any, list[int]] = {}
    rolled = parts.rolled
    if rolled is None:
        return found
    source, column, as_key = ROLLED_KEYS[kind]
    grouped = [column] if column is not None else []
    if parts.totals_until is not None:
        columns = [VALUE_COLUMNS.index(name) for name in names]
        for key, values in programme_totals(parts).get(kind, {}).items():
            _add(found, as_key(key), [values[n] for n in columns])
        after = replace(
            rolled,
            starts_on=rolled.ends_on + timedelta(days=1),
            ends_on=parts.totals_until - timedelta(days=1),
        )
        if after.starts_on <= after.ends_on:
            query = _day_rows(after, source, *grouped, *_sums(*names))
            for row in db.session.execute(query.group_by(*grouped) if grouped else query):
                _add(found, as_key(row[0]) if grouped else "", row[1:] if grouped else row, -1)
        return found
    query = _day_rows(rolled, source, *grouped, *_sums(*names))
    for row in db.session.execute(query.group_by(*grouped) if grouped else query):
        _add(found, as_key(row[0]) if grouped else "", row[1:] if grouped else row)
    return found


def programme_totals(parts: Split) -> dict[str, dict[str, tuple[int, ...]]]:
    """Every `ProgrammeTotal` row of the selection's programme, per kind and key (in
    VALUE_COLUMNS order): one statement for all the figures of a dashboard."""

    def load() -> dict[str, dict[str, tuple[int, ...]]]:
        found: dict[str, dict[str, tuple[int, ...]]] = {}
        query = select(
            ProgrammeTotal.kind,
            ProgrammeTotal.key,
            *(getattr(ProgrammeTotal, name) for name in VALUE_COLUMNS),
        ).where(ProgrammeTotal.programme_id == parts.selection.programme.id)
        for kind, key, *values in db.session.execute(query):
            found.setdefault(kind, {})[key] = tuple(int(v) for v in values)
        return found

    return _memo("programme_totals", parts.selection, load)


def _sums(*names: str) -> list[Any]:
    return [func.coalesce(func.sum(getattr(DayFigure, name)), 0) for name in names]


def help_sums(parts: Split) -> list[int]:
    """`definitions.help_sums` over the whole selection, in that order."""
    total = rolled_sums(parts, HELP, HELP_COLUMNS).get("", [0] * len(HELP_COLUMNS))
    if parts.live is not None:
        row = db.session.execute(definitions.logs_in(parts.live, *definitions.help_sums())).one()
        total = [a + int(b or 0) for a, b in zip(total, row, strict=True)]
    return total


def breakdown(parts: Split, kind: str, live: Callable[[Selection], Select]) -> dict[Any, list[int]]:
    """Logs, contacts, minutes and walk-in first visits per key of `kind`; `live(selection)`
    is the live query giving (key, logs, contacts, minutes[, walk-ins]) per key."""
    found = rolled_sums(parts, kind, BREAKDOWN_COLUMNS)
    if parts.live is not None:
        for key, *values in db.session.execute(live(parts.live)):
            _add(found, key, [*values, 0][: len(BREAKDOWN_COLUMNS)])
    return {key: values for key, values in found.items() if any(values)}


def session_sums(parts: Split) -> tuple[int, int, int]:
    """Sessions held, fully staffed, and the contacts logged against them (`session_sums`)."""
    held, staffed, contacts = rolled_sums(parts, SESSION, SESSION_COLUMNS).get("", [0, 0, 0])
    if parts.rolled is not None:
        rolled = parts.rolled
        # Counted as if ended: not those still running at the end of the period, unlogged
        # (none can be when every rolled-up session ended by then).
        ended = parts.sessions_end_by is not None and (
            parts.sessions_end_by <= parts.selection.end_moment
        )
        if not ended:
            running = db.session.execute(
                select(
                    func.count(HelpSession.id),
                    func.coalesce(
                        func.sum(case((helpdesk_queries.understaffed_sql(), 0), else_=1)), 0
                    ),
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


def appointment_sums(parts: Split) -> tuple[int, int]:
    """(no-shows, appointments that came or not) of the selection
    (`definitions.appointment_sums`)."""
    no_shows, closed = rolled_sums(parts, APPOINTMENT, APPOINTMENT_COLUMNS).get("", [0, 0])
    if parts.live is not None:
        row = db.session.execute(definitions.appointment_sums(parts.live)).one()
        no_shows += int(row[0])
        closed += int(row[1])
    return no_shows, closed


def key_first_days(selection: Selection) -> dict[date, int]:
    """How many citizen keys were seen for the first time on each day of the selection
    (`definitions.key_first_days`); for a whole programme from its first day, the rolled-up
    days from `KeyFirstDay` and only the keys not seen before counted live."""
    return dict(_memo("key_first_days", selection, lambda: _key_first_days(selection)))


def _key_first_days(selection: Selection) -> dict[date, int]:
    programme = selection.programme
    until = None
    if selection.starts_on == programme.starts_on:
        state = db.session.get(KeyRollupState, programme.id)
        if (
            state is not None
            and state.starts_on == programme.starts_on
            # The first days are of these municipalities: the programme may have more now.
            and state.municipalities == digest(selection.municipality_ids)
        ):
            parts = split(selection)
            if parts.rolled is not None:
                until = min(state.rolled_until, parts.rolled.ends_on + timedelta(days=1))
    if until is None or until <= selection.starts_on:
        return firsts(definitions.key_first_days(selection))
    found = {
        _as_date(day): int(count)
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
        found.update(firsts(definitions.key_first_days(live, seen_from=until)))
    return found


def firsts(query: Select) -> dict[date, int]:
    return {_as_date(day): int(count) for day, count in db.session.execute(query)}


__all__ = [
    "APPOINTMENT",
    "DAY",
    "HELP",
    "LANGUAGE",
    "MUNICIPALITY",
    "NEIGHBOURHOOD",
    "SESSION",
    "TOPIC",
    "Split",
    "appointment_sums",
    "breakdown",
    "forget",
    "help_sums",
    "key_first_days",
    "rolled_sums",
    "rolled_until",
    "session_sums",
    "split",
]
