"""Read models for the home-visit pages: the digipunten an actor books for, the coaches they may
send, and the coming visits in scope with their staffing (three statements whatever the number
of visits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.coaches.queries import serves_any
from digicoach.extensions import db
from digicoach.helpdesk import queries as helpdesk_queries
from digicoach.helpdesk import rules as helpdesk_rules
from digicoach.helpdesk.models import HelpSession, SessionStatus
from digicoach.homevisits import permissions
from digicoach.homevisits.models import HomeVisit
from digicoach.places.models import Location


@dataclass(frozen=True)
class VisitRow:
    visit: HomeVisit
    staffing: helpdesk_rules.Staffing


def bookable_locations(actor: User) -> list[Location]:
    """Active digipunten the actor books home visits for, by name."""
    locations = db.session.scalars(
        select(Location).where(Location.active.is_(True)).order_by(Location.name, Location.id)
    )
    return [location for location in locations if permissions.can_book_at(actor, location)]


# Who may take a shift (dormant coaches become active again by taking one).
SENDABLE_STATUSES = (CoachStatus.CERTIFIED, CoachStatus.ACTIVE, CoachStatus.DORMANT)


def home_visit_coaches(actor: User) -> list[Coach]:
    """Coaches the actor may send on a home visit: they chose to do home visits, may take
    shifts, and serve a municipality of a digipunt the actor books for; by name. Whether they
    are free at the visit's time is checked when the visit is booked."""
    municipality_ids = {location.municipality_id for location in bookable_locations(actor)}
    if not municipality_ids:
        return []
    return list(
        db.session.scalars(
            select(Coach)
            .join(User, User.id == Coach.user_id)
            .where(
                serves_any(municipality_ids),
                Coach.home_visits.is_(True),
                Coach.status.in_([status.value for status in SENDABLE_STATUSES]),
                Coach.erased_at.is_(None),
                User.active.is_(True),
            )
            .order_by(User.name, Coach.id)
        )
    )


def coming_visits(actor: User, *, now: datetime) -> list[VisitRow]:
    """Planned visits that have not ended, at digipunten the actor books for, by time."""
    ids = [location.id for location in bookable_locations(actor)]
    if not ids:
        return []
    visits = db.session.scalars(
        select(HomeVisit)
        .join(HelpSession, HelpSession.id == HomeVisit.help_session_id)
        .where(
            HelpSession.location_id.in_(ids),
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.ends_at > now,
        )
        .order_by(HelpSession.starts_at, HomeVisit.id)
    )
    return [VisitRow(v, helpdesk_queries.staffing_of(v.session)) for v in visits]
