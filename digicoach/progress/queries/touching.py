"""Keeping the daily rollups (`rollups`) exact between nights: every ORM write to a help log,
its topics, a help session, a place or an appointment that came or not moves the days it
touches (before and after the write) back (`touch`, an after-flush listener), so those days
are counted live until the nightly job rolls them up again. A place moved to another
municipality moves both back entirely."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.core import clock
from digicoach.helpdesk.models import HelpSession
from digicoach.helplog.models import HelpLog, HelpLogTopic
from digicoach.places.models import Location
from digicoach.progress.models import RollupState
from digicoach.progress.queries.rollups import EVERYTHING_BEFORE, _aware, forget

CLOSED = (AppointmentStatus.NO_SHOW, AppointmentStatus.ATTENDED)


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
        elif isinstance(instance, Appointment) and _closes(instance):
            # Only an appointment that came or not (before or after the write) counts.
            for starts_at in _values(instance, "start"):
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


def _closes(appointment: Appointment) -> bool:
    return any(status in CLOSED for status in _values(appointment, "status"))


def _after_flush(session: Session, _context: Any) -> None:
    forget(session)
    if not any(
        isinstance(instance, HelpLog | HelpLogTopic | HelpSession | Location | Appointment)
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
