"""Per-coach rollups for the coach funnel, the certified burn-up and the active coaches, so
those figures read one row per coach (about 20,000 at Flanders scale) instead of the status
history, the certificates, 150,000 shifts and a million help logs.

`CoachRollup` keeps, per coach, the moments the funnel counts (first approved, certified: the
same definitions as the live `figures.coach_figures`) and the coach's last help log and last
shift before `CoachRollupState.rolled_until`. Every ORM write to a status change, a
certificate, a help log, a shift or a help session refreshes the rows of the coaches it
concerns (`_after_flush`), so the milestones are always exact and the last activity is exact
for the rolled days; the nightly job (`roll_up`) rebuilds every row and moves the rolled day
to today. Writes that bypass the ORM (the Flanders seeder) must be followed by `roll_up`.

Two writers refreshing the same coach at the same moment each write what their own
transaction sees (an upsert, so neither fails); the next night makes the row exact again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, event, func, inspect, select, union
from sqlalchemy.orm import Session

from digicoach.coaches.models import Coach, CoachStatus, CoachStatusChange
from digicoach.core import clock
from digicoach.core.db import insert_for_dialect
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, SessionStatus, Shift, ShiftStatus
from digicoach.helplog.models import HelpLog
from digicoach.progress import rules
from digicoach.progress.models import CoachRollup, CoachRollupState
from digicoach.progress.queries.rollups import _as_date, _aware
from digicoach.progress.queries.selection import Selection, _in, _local_midnight
from digicoach.progress.queries.touching import _values
from digicoach.training.models import Certification

STATE_ID = 1
APPROVED_OR_LATER = (
    CoachStatus.APPROVED,
    CoachStatus.IN_TRAINING,
    CoachStatus.CERTIFIED,
    CoachStatus.ACTIVE,
    CoachStatus.DORMANT,
)
CERTIFIED_OR_LATER = (CoachStatus.CERTIFIED, CoachStatus.ACTIVE, CoachStatus.DORMANT)
ACTIVE_SHIFTS = (ShiftStatus.SIGNED_UP, ShiftStatus.ATTENDED)


def _optional(moment: datetime | str | None) -> datetime | None:
    return None if moment is None else _aware(moment)


def rolled_until() -> date | None:
    """The first day whose activity is not rolled up (None: the coaches are not rolled up)."""
    state = db.session.get(CoachRollupState, STATE_ID)
    return _as_date(state.rolled_until) if state is not None else None


# --- computing the rows -----------------------------------------------------------------------


def _grouped(query: Any, coach_ids: Iterable[int] | None, column: Any) -> dict[int, Any]:
    if coach_ids is not None:
        query = query.where(column.in_(list(coach_ids)))
    return {coach_id: value for coach_id, value in db.session.execute(query.group_by(column))}


def _rows(coach_ids: Iterable[int] | None, *, until: date) -> list[dict[str, Any]]:
    """The rollup rows of these coaches (all when None), the activity before `until`."""
    wanted = None if coach_ids is None else sorted(set(coach_ids))
    approved = _grouped(
        select(CoachStatusChange.coach_id, func.min(CoachStatusChange.changed_at)).where(
            CoachStatusChange.to_status.in_(APPROVED_OR_LATER)
        ),
        wanted,
        CoachStatusChange.coach_id,
    )
    certified_status = _grouped(
        select(CoachStatusChange.coach_id, func.min(CoachStatusChange.changed_at)).where(
            CoachStatusChange.to_status.in_(CERTIFIED_OR_LATER)
        ),
        wanted,
        CoachStatusChange.coach_id,
    )
    certificate = _grouped(
        select(Certification.coach_id, func.min(Certification.issued_at)),
        wanted,
        Certification.coach_id,
    )
    logged = _grouped(
        select(HelpLog.coach_id, func.max(HelpLog.helped_on)).where(HelpLog.helped_on < until),
        wanted,
        HelpLog.coach_id,
    )
    on_shift = _grouped(
        select(Shift.coach_id, func.max(HelpSession.starts_at))
        .join(HelpSession, HelpSession.id == Shift.session_id)
        .where(
            Shift.status.in_(ACTIVE_SHIFTS),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.starts_at < _local_midnight(until),
        ),
        wanted,
        Shift.coach_id,
    )
    coaches = select(Coach.id, Coach.municipality_id, Coach.applied_at, Coach.status)
    if wanted is not None:
        coaches = coaches.where(Coach.id.in_(wanted))
    rows = []
    for coach_id, municipality_id, applied_at, status in db.session.execute(coaches):
        first_status, first_certificate = (
            _optional(certified_status.get(coach_id)),
            _optional(certificate.get(coach_id)),
        )
        certified_at = (
            max(first_status, first_certificate) if first_status and first_certificate else None
        )
        logged_on = logged.get(coach_id)
        rows.append(
            {
                "coach_id": coach_id,
                "municipality_id": municipality_id,
                "applied_at": _aware(applied_at),
                "in_training": status == CoachStatus.IN_TRAINING,
                "approved_at": _optional(approved.get(coach_id)),
                "certified_at": certified_at,
                "certified_on": clock.local(certified_at).date() if certified_at else None,
                "last_logged_on": (
                    date.fromisoformat(logged_on) if isinstance(logged_on, str) else logged_on
                ),
                "last_shift_at": _optional(on_shift.get(coach_id)),
            }
        )
    return rows


def _upsert(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    statement = insert_for_dialect(CoachRollup.__table__)
    columns = {name: statement.excluded[name] for name in rows[0] if name != "coach_id"}
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["coach_id"], set_=columns), rows
    )


def roll_up(*, now: datetime) -> int:
    """Rebuild every coach's row with the activity before today; returns how many rows.
    Service-level: flushes."""
    until = clock.local(now).date()
    rows = _rows(None, until=until)
    db.session.execute(delete(CoachRollup))
    if rows:
        db.session.execute(CoachRollup.__table__.insert(), rows)
    state = db.session.get(CoachRollupState, STATE_ID)
    if state is None:
        db.session.add(CoachRollupState(id=STATE_ID, rolled_until=until))
    else:
        state.rolled_until = until
    db.session.flush()
    return len(rows)


# --- reading them -----------------------------------------------------------------------------


def funnel(selection: Selection) -> tuple[int, int, int, int] | None:
    """(applied, approved, certified, in training) from the rollups, or None when the coaches
    are not rolled up. The same counts as the live `figures.coach_figures`."""
    if rolled_until() is None:
        return None
    end = selection.end_moment
    row = db.session.execute(
        select(
            func.count(),
            func.count(case((CoachRollup.approved_at <= end, 1), else_=None)),
            func.count(case((CoachRollup.certified_at <= end, 1), else_=None)),
            func.count(case((CoachRollup.in_training.is_(True), 1), else_=None)),
        ).where(
            _in(CoachRollup.municipality_id, selection.municipality_ids),
            CoachRollup.applied_at <= end,
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def certified_days(selection: Selection) -> dict[date, int] | None:
    """Coaches of the selection first certified on each local day, or None when not rolled up."""
    if rolled_until() is None:
        return None
    query = (
        select(CoachRollup.certified_on, func.count())
        .where(
            _in(CoachRollup.municipality_id, selection.municipality_ids),
            CoachRollup.certified_at <= selection.end_moment,
        )
        .group_by(CoachRollup.certified_on)
    )
    return {_as_date(day): int(count) for day, count in db.session.execute(query)}


def active_coaches(selection: Selection, live: Any) -> int | None:
    """Coaches with a shift or a help log in the `rules.ACTIVE_DAYS` days before the end of the
    selection: their rolled-up last activity, and the days from the rolled day on live
    (`live(selection, since, since_day)` gives the SELECTs of coach ids for that part). None
    when the coaches are not rolled up or rolled beyond the end of the selection (a past
    period)."""
    until = rolled_until()
    end = selection.end_moment
    if until is None or _local_midnight(until) > end:
        return None
    since = end - timedelta(days=rules.ACTIVE_DAYS)
    since_day = clock.local(since).date()
    rolled = select(CoachRollup.coach_id.label("coach_id")).where(
        _in(CoachRollup.municipality_id, selection.municipality_ids),
        (CoachRollup.last_logged_on >= since_day) | (CoachRollup.last_shift_at >= since),
    )
    recent = live(selection, max(since, _local_midnight(until)), max(since_day, until))
    counted = union(rolled, *recent).subquery()
    return int(db.session.scalar(select(func.count()).select_from(counted)) or 0)


# --- keeping them exact on write ----------------------------------------------------------------


def _touched_coaches(session: Session, until: date) -> set[int]:
    """The coaches whose row the pending writes change: any status change or certificate;
    help logs, shifts and sessions only when they concern a day before `until` (today's
    help and future shifts are counted live anyway)."""
    boundary = _local_midnight(until)
    coaches: set[int] = set()
    shift_sessions: dict[int, set[int]] = {}
    moved_sessions: set[int] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, CoachStatusChange | Certification):
            coaches.update(_values(instance, "coach_id"))
        elif isinstance(instance, Coach):
            if instance.id is not None and _funnel_changed(instance, session):
                coaches.add(instance.id)
        elif isinstance(instance, HelpLog):
            if any(_as_date(day) < until for day in _values(instance, "helped_on")):
                coaches.update(_values(instance, "coach_id"))
        elif isinstance(instance, Shift):
            for session_id in _values(instance, "session_id"):
                shift_sessions.setdefault(session_id, set()).update(_values(instance, "coach_id"))
        elif (
            isinstance(instance, HelpSession)
            and instance not in session.new
            and any(_aware(moment) < boundary for moment in _values(instance, "starts_at"))
        ):
            moved_sessions.add(instance.id)
    if shift_sessions:
        past = session.scalars(
            select(HelpSession.id).where(
                HelpSession.id.in_(list(shift_sessions)), HelpSession.starts_at < boundary
            )
        )
        for session_id in past:
            coaches.update(shift_sessions[session_id])
    if moved_sessions:
        coaches.update(
            session.scalars(select(Shift.coach_id).where(Shift.session_id.in_(moved_sessions)))
        )
    return coaches


def _funnel_changed(coach: Coach, session: Session) -> bool:
    """A coach added, or one whose municipality, application moment or status changed."""
    if coach in session.new:
        return True
    state = inspect(coach)
    return any(
        state.attrs[name].history.has_changes()
        for name in ("municipality_id", "applied_at", "status")
    )


def _after_flush(session: Session, _context: Any) -> None:
    if not any(
        isinstance(
            instance, Coach | CoachStatusChange | Certification | HelpLog | Shift | HelpSession
        )
        for instance in (*session.new, *session.dirty, *session.deleted)
    ):
        return
    until = session.scalar(
        select(CoachRollupState.rolled_until).where(CoachRollupState.id == STATE_ID)
    )
    if until is None:
        return
    coaches = _touched_coaches(session, _as_date(until))
    if coaches:
        _upsert(_rows(coaches, until=_as_date(until)))


def listen() -> None:
    """Keep the coach rollups exact on every ORM write (called once by the app factory)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


__all__ = [
    "active_coaches",
    "certified_days",
    "funnel",
    "listen",
    "roll_up",
    "rolled_until",
]
