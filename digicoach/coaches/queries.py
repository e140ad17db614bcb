"""Read models for the review queue and the directory: filtered, scoped, paginated lists.

Scope is applied here, in the one query every list and export uses, so no list can show a
coach of a municipality the actor does not coordinate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from digicoach.accounts.models import User
from digicoach.coaches import rules
from digicoach.coaches.models import (
    Coach,
    CoachLanguage,
    CoachMunicipality,
    CoachNeighbourhood,
    CoachTopic,
    ScreeningCheck,
)
from digicoach.core.paging import Page, paginate
from digicoach.extensions import db
from digicoach.places.models import Municipality, Neighbourhood, programme_municipality

PER_PAGE = 25
# The queue's `?screening=unfinished`: screening started (an item checked) but not complete.
SCREENING_UNFINISHED = "unfinished"
# "Current" coaches: everyone except declined applicants and people who left.
CURRENT_STATUSES = tuple(s for s in rules.STATUSES if s not in rules.FINAL_STATUSES)


@dataclass(frozen=True)
class CoachFilters:
    statuses: Sequence[str] = ()
    municipality_id: int | None = None
    language: str | None = None
    topic: str | None = None
    neighbourhood_id: int | None = None
    search: str = ""
    # SCREENING_UNFINISHED: only applicants with some but not all screening items checked.
    screening: str | None = None


def serves_in(municipality_id: Any) -> ColumnElement[bool]:
    """The coach of the query serves `municipality_id` (a value or a column): it is their home
    municipality or one they chose in a shared programme (the coach pool)."""
    return or_(
        Coach.municipality_id == municipality_id,
        Coach.id.in_(
            select(CoachMunicipality.coach_id).where(
                CoachMunicipality.municipality_id == municipality_id
            )
        ),
    )


def serves_any(municipality_ids: Iterable[int]) -> ColumnElement[bool]:
    """The coach of the query serves one of `municipality_ids` (home or chosen)."""
    ids = sorted(municipality_ids)
    return or_(
        Coach.municipality_id.in_(ids),
        Coach.id.in_(
            select(CoachMunicipality.coach_id).where(CoachMunicipality.municipality_id.in_(ids))
        ),
    )


def scoped_municipalities(actor: User) -> list[Municipality]:
    """The municipalities the actor may filter on: all for admins, their own otherwise."""
    query = select(Municipality).order_by(Municipality.name)
    if not actor.is_admin:
        query = query.where(Municipality.id.in_(actor.municipality_ids))
    return list(db.session.scalars(query))


def scoped_neighbourhoods(actor: User) -> list[Neighbourhood]:
    query = select(Neighbourhood).join(Municipality).order_by(Municipality.name, Neighbourhood.name)
    if not actor.is_admin:
        query = query.where(Neighbourhood.municipality_id.in_(actor.municipality_ids))
    return list(db.session.scalars(query))


def _filtered(actor: User, filters: CoachFilters) -> Select:
    query = select(Coach).join(Coach.user)
    if not actor.is_admin:
        query = query.where(serves_any(actor.municipality_ids))
    if filters.statuses:
        query = query.where(Coach.status.in_(list(filters.statuses)))
    if filters.municipality_id is not None:
        query = query.where(serves_in(filters.municipality_id))
    if filters.language:
        query = query.where(
            Coach.id.in_(
                select(CoachLanguage.coach_id).where(CoachLanguage.code == filters.language)
            )
        )
    if filters.topic:
        query = query.where(
            Coach.id.in_(select(CoachTopic.coach_id).where(CoachTopic.code == filters.topic))
        )
    if filters.neighbourhood_id is not None:
        query = query.where(
            Coach.id.in_(
                select(CoachNeighbourhood.coach_id).where(
                    CoachNeighbourhood.neighbourhood_id == filters.neighbourhood_id
                )
            )
        )
    if filters.screening == SCREENING_UNFINISHED:
        checked = (
            select(func.count(ScreeningCheck.id))
            .where(ScreeningCheck.coach_id == Coach.id)
            .correlate(Coach)
            .scalar_subquery()
        )
        query = query.where(checked > 0, checked < len(rules.SCREENING_ITEMS))
    words = filters.search.strip()[:100]
    if words:
        pattern = "%" + _escape_like(words.lower()) + "%"
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                User.email_key.like(pattern, escape="\\"),
            )
        )
    return query


def search_coaches(
    actor: User,
    filters: CoachFilters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    by_name: bool = False,
) -> Page[Coach]:
    """One page of coaches within the actor's scope: by name for the directory, otherwise
    oldest application first (the queue: who has waited longest comes first)."""
    query = _filtered(actor, filters)
    order = (
        (Coach.last_name, Coach.first_name, Coach.id) if by_name else (Coach.applied_at, Coach.id)
    )
    # The count is the queue's own definition, which the workspace home shows too.
    return paginate(
        query.order_by(*order),
        page=page,
        per_page=per_page,
        total=count_coaches(actor, filters),
    )


def count_coaches(actor: User, filters: CoachFilters) -> int:
    """How many coaches in the actor's scope match: the total the queue and the directory
    show, and the count on the workspace home that links to them. One statement."""
    query = _filtered(actor, filters)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def all_matching(actor: User, filters: CoachFilters) -> Iterable[Coach]:
    """Every coach that matches, in scope, for an export (streamed, not paginated)."""
    return db.session.scalars(
        _filtered(actor, filters).order_by(Coach.last_name, Coach.first_name, Coach.id)
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def pool_municipalities(coach: Coach) -> list[Municipality]:
    """The municipalities a coach may also serve: those sharing a programme with their home
    municipality, the home municipality itself left out. Empty when no programme spans more
    than one municipality. One statement."""
    home = programme_municipality.alias("home")
    other = programme_municipality.alias("other")
    shared = (
        select(other.c.municipality_id)
        .join(home, home.c.programme_id == other.c.programme_id)
        .where(home.c.municipality_id == coach.municipality_id)
    )
    return list(
        db.session.scalars(
            select(Municipality)
            .where(Municipality.id.in_(shared), Municipality.id != coach.municipality_id)
            .order_by(Municipality.name)
        )
    )
