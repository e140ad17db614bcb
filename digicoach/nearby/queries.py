"""What digital help is near: the active offers of a municipality's partner organisations and
the planned help sessions at its digipunten, narrowed to a neighbourhood, a topic, a language.

Public data only: names, places, hours, topics. A few queries per page (offers with their hours,
topics and languages eagerly loaded; sessions with theirs), never one per row.

Near a neighbourhood means: at a digipunt in it, or run by an organisation that serves it, or by
one that serves the whole municipality (lists no neighbourhood).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.orm import selectinload

from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.helpdesk.models import (
    HelpSession,
    HelpSessionLanguage,
    HelpSessionTopic,
    SessionMode,
    SessionStatus,
)
from digicoach.partners.models import (
    Offer,
    OfferLanguage,
    OfferTopic,
    Organisation,
    organisation_neighbourhood,
)
from digicoach.places.models import Location, Municipality, Neighbourhood
from digicoach.places.queries import valid_id

SESSION_DAYS = 7
SESSION_LIMIT = 80


@dataclass(frozen=True)
class Filters:
    municipality_id: int | None = None
    neighbourhood_id: int | None = None
    topic: str | None = None
    language: str | None = None


def municipality(municipality_id: Any) -> Municipality:
    found = db.session.get(Municipality, municipality_id) if valid_id(municipality_id) else None
    if found is None:
        raise NotFound(municipality_id)
    return found


def neighbourhood(neighbourhood_id: Any) -> Neighbourhood:
    found = db.session.get(Neighbourhood, neighbourhood_id) if valid_id(neighbourhood_id) else None
    if found is None:
        raise NotFound(neighbourhood_id)
    return found


def municipalities() -> list[Municipality]:
    return list(
        db.session.scalars(
            select(Municipality)
            .options(selectinload(Municipality.neighbourhoods))
            .order_by(Municipality.name)
        )
    )


def offers(filters: Filters) -> list[Offer]:
    """Active offers matching the filters, by title."""
    query = (
        select(Offer)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .outerjoin(Location, Location.id == Offer.location_id)
        .where(Offer.active.is_(True))
        .options(
            selectinload(Offer.organisation),
            selectinload(Offer.location),
        )
        .order_by(Offer.title, Offer.id)
    )
    if filters.municipality_id is not None:
        query = query.where(Organisation.municipality_id == filters.municipality_id)
    if filters.neighbourhood_id is not None:
        serves = organisation_neighbourhood.c
        query = query.where(
            Organisation.municipality_id
            == select(Neighbourhood.municipality_id)
            .where(Neighbourhood.id == filters.neighbourhood_id)
            .scalar_subquery(),
            or_(
                Location.neighbourhood_id == filters.neighbourhood_id,
                exists().where(
                    serves.organisation_id == Organisation.id,
                    serves.neighbourhood_id == filters.neighbourhood_id,
                ),
                not_(exists().where(serves.organisation_id == Organisation.id)),
            ),
        )
    if filters.topic is not None:
        query = query.where(
            exists().where(OfferTopic.offer_id == Offer.id, OfferTopic.code == filters.topic)
        )
    if filters.language is not None:
        query = query.where(
            exists().where(
                OfferLanguage.offer_id == Offer.id, OfferLanguage.code == filters.language
            )
        )
    return list(db.session.scalars(query))


def sessions(
    filters: Filters, *, now: datetime, days: int = SESSION_DAYS, limit: int | None = SESSION_LIMIT
) -> list[HelpSession]:
    """Planned help sessions that have not ended, in the next `days` days, at active digipunten
    (a session without topics or languages takes any)."""
    query = (
        select(HelpSession)
        .join(Location, Location.id == HelpSession.location_id)
        .where(
            HelpSession.status == SessionStatus.PLANNED,
            HelpSession.mode != SessionMode.AT_HOME,
            HelpSession.ends_at > now,
            HelpSession.starts_at < now + timedelta(days=days),
            Location.active.is_(True),
        )
        .order_by(HelpSession.starts_at, HelpSession.id)
        .limit(limit)
    )
    if filters.municipality_id is not None:
        query = query.where(Location.municipality_id == filters.municipality_id)
    if filters.neighbourhood_id is not None:
        query = query.where(Location.neighbourhood_id == filters.neighbourhood_id)
    if filters.topic is not None:
        query = query.where(
            or_(
                not_(exists().where(HelpSessionTopic.session_id == HelpSession.id)),
                exists().where(
                    and_(
                        HelpSessionTopic.session_id == HelpSession.id,
                        HelpSessionTopic.code == filters.topic,
                    )
                ),
            )
        )
    if filters.language is not None:
        query = query.where(
            or_(
                not_(exists().where(HelpSessionLanguage.session_id == HelpSession.id)),
                exists().where(
                    and_(
                        HelpSessionLanguage.session_id == HelpSession.id,
                        HelpSessionLanguage.code == filters.language,
                    )
                ),
            )
        )
    return list(db.session.scalars(query))


def locations(filters: Filters) -> list[Location]:
    """Active digipunten of the municipality (and neighbourhood), for the open data export."""
    query = (
        select(Location)
        .where(Location.active.is_(True))
        .options(selectinload(Location.municipality))
        .order_by(Location.name, Location.id)
    )
    if filters.municipality_id is not None:
        query = query.where(Location.municipality_id == filters.municipality_id)
    if filters.neighbourhood_id is not None:
        query = query.where(Location.neighbourhood_id == filters.neighbourhood_id)
    return list(db.session.scalars(query))
