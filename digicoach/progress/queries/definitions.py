"""The one definition of each counted thing, as SQL building blocks: which help logs a
selection covers and what is summed over them, which help sessions were held and what is
summed over those. The live figures (`figures`, `dashboard`) and the daily rollups
(`rollups`) are both built from these, only grouped differently."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.helplog.models import HelpLog
from digicoach.loans.models import Loan
from digicoach.places.models import Location
from digicoach.progress.queries.selection import Selection, _in


def logs_in(selection: Selection, *columns: Any) -> Select:
    """`columns` over the help logs of the selection's municipalities and days."""
    return select(*columns).where(
        _in(HelpLog.municipality_id, selection.municipality_ids),
        HelpLog.helped_on >= selection.starts_on,
        HelpLog.helped_on <= selection.ends_on,
    )


def help_sums() -> list[Any]:
    """The additive help figures, in this order: logs, contacts, minutes, walk-in first
    visits (citizens without a key on a first visit), did it themselves, follow-ups."""
    walk_in_first = case(
        (and_(HelpLog.citizen_key.is_(None), HelpLog.first_visit.is_(True)), HelpLog.citizens),
        else_=0,
    )
    return [
        func.count(HelpLog.id),
        func.coalesce(func.sum(HelpLog.citizens), 0),
        func.coalesce(func.sum(HelpLog.minutes), 0),
        func.coalesce(func.sum(walk_in_first), 0),
        func.coalesce(
            func.sum(case((HelpLog.did_it_themselves.is_(True), HelpLog.citizens), else_=0)), 0
        ),
        func.coalesce(func.sum(case((HelpLog.follow_up.is_(True), 1), else_=0)), 0),
    ]


def key_first_days(selection: Selection, *, seen_from: date | None = None) -> Select:
    """(day, how many citizen keys were seen for the first time that day) over the selection:
    summed, the distinct keys. With `seen_from`, only keys not seen in the selection's
    municipalities from its first day up to (not including) `seen_from`: the days before it
    are rolled up (see `rollups.key_first_days`)."""
    firsts = (
        logs_in(selection, func.min(HelpLog.helped_on).label("first_day"))
        .where(HelpLog.citizen_key.is_not(None))
        .group_by(HelpLog.citizen_key)
    )
    if seen_from is not None:
        earlier = aliased(HelpLog)
        firsts = firsts.where(
            ~select(earlier.id)
            .where(
                earlier.citizen_key == HelpLog.citizen_key,
                _in(earlier.municipality_id, selection.municipality_ids),
                earlier.helped_on >= selection.programme.starts_on,
                earlier.helped_on < seen_from,
            )
            .exists()
        )
    subquery = firsts.subquery()
    return select(subquery.c.first_day, func.count()).group_by(subquery.c.first_day)


def logged_against_session() -> Any:
    return select(HelpLog.id).where(HelpLog.help_session_id == HelpSession.id).exists()


def held_condition(selection: Selection, *, ended_by: datetime | None = None) -> Any:
    """THE definition of a help session held in the selection, for every figure that counts
    sessions: not cancelled, started in the period, and either ended by the end of the period
    or with help already logged against it (help given means it took place). `ended_by`
    replaces the end of the period in the last test only (the rollups count every session
    that will have ended, and correct for those that have not: see `rollups`)."""
    return and_(
        HelpSession.status == SessionStatus.PLANNED,
        HelpSession.starts_at >= selection.start_moment,
        HelpSession.starts_at < selection.end_moment,
        or_(HelpSession.ends_at <= (ended_by or selection.end_moment), logged_against_session()),
    )


def session_sums(selection: Selection, *group: Any, ended_by: datetime | None = None) -> Select:
    """Sessions held (`held_condition`), how many had the coaches their mode needs
    (helpdesk.rules.staffing) and the help contacts logged against them, grouped by `group`."""
    contacts = (
        select(func.coalesce(func.sum(HelpLog.citizens), 0))
        .where(HelpLog.help_session_id == HelpSession.id)
        .scalar_subquery()
    )
    query = (
        select(
            *group,
            func.count(HelpSession.id),
            func.coalesce(
                func.sum(case((helpdesk_queries.understaffed_sql(), 0), else_=1)),
                0,
            ),
            func.coalesce(func.sum(contacts), 0),
        )
        .select_from(HelpSession)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            _in(Location.municipality_id, selection.municipality_ids),
            held_condition(selection, ended_by=ended_by),
        )
    )
    return query.group_by(*group) if group else query


def appointment_sums(selection: Selection, *group: Any) -> Select:
    """No-shows and the appointments that came or not (attended or no-show) that started in
    the selection, grouped by `group`: the no-show rate's two terms."""
    query = (
        select(
            *group,
            func.coalesce(
                func.sum(case((Appointment.status == AppointmentStatus.NO_SHOW, 1), else_=0)), 0
            ),
            func.count(Appointment.id),
        )
        .select_from(Appointment)
        .join(Location, Location.id == Appointment.location_id)
        .where(
            _in(Location.municipality_id, selection.municipality_ids),
            Appointment.status.in_([AppointmentStatus.NO_SHOW, AppointmentStatus.ATTENDED]),
            Appointment.start >= selection.start_moment,
            Appointment.start < selection.end_moment,
        )
    )
    return query.group_by(*group) if group else query


def loan_sums(selection: Selection) -> Select:
    """THE definition of what device loans count for: loans lent at the selection's digipunten
    in its period (`lent_at` from its start up to its end), as (loans, distinct devices lent,
    distinct citizens reached, by citizen key). A loan keeps its key when its contact data is
    erased, so a citizen is counted once however often they borrow, before and after."""
    return (
        select(
            func.count(Loan.id),
            func.count(func.distinct(Loan.device_id)),
            func.count(func.distinct(Loan.citizen_key)),
        )
        .select_from(Loan)
        .join(Location, Location.id == Loan.location_id)
        .where(
            _in(Location.municipality_id, selection.municipality_ids),
            Loan.lent_at >= selection.start_moment,
            Loan.lent_at < selection.end_moment,
        )
    )
