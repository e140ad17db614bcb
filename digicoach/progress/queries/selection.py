"""Which figures: a selection (programme, municipalities, period, moment) within what the
reader may see, and the figure cache that keeps heavy results per selection and moment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from flask import current_app, has_app_context
from sqlalchemy import literal, select

from digicoach.accounts.models import User
from digicoach.core import clock
from digicoach.core.errors import NotFound
from digicoach.extensions import cache, db
from digicoach.helplog.models import HelpLog
from digicoach.places.models import (
    Municipality,
    Programme,
    programme_municipality,
)
from digicoach.places.queries import programme_scope_condition, scope_condition, valid_id

T = TypeVar("T")


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
