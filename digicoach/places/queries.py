"""Read models for the places pages, filtered to the actor's scope inside the query.

Nothing is loaded and then filtered in Python: a coordinator's query only ever returns rows of
their own municipalities, and a scoped `get_*` raises NotFound for an id outside the scope,
exactly as for an id that does not exist, so guessing ids reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, false, func, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from digicoach.accounts.models import Role, User, UserMunicipality, UserOrganisation
from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.places.models import (
    Location,
    Municipality,
    Neighbourhood,
    Programme,
    programme_municipality,
)
from digicoach.places.permissions import can_manage_places, can_view_programmes

# Ids beyond a 32-bit integer cannot exist, and PostgreSQL refuses to compare with them.
MAX_ID = 2**31 - 1


def valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def scope_condition(actor: User, municipality_column: Any) -> ColumnElement[bool]:
    """True for rows of a municipality the actor manages places in; false for everyone else."""
    if not can_manage_places(actor):
        return false()
    if actor.is_admin:
        return true()
    return municipality_column.in_(
        select(UserMunicipality.municipality_id).where(UserMunicipality.user_id == actor.id)
    )


def organisation_scope_condition(
    actor: User, municipality_column: Any, organisation_column: Any
) -> ColumnElement[bool]:
    """The SQL twin of `accounts.permissions.acts_for`: rows of the actor's municipalities
    (coordinators) or of their own organisation (partner staff); all for admins."""
    if actor.is_admin:
        return true()
    conditions = []
    if actor.has_role(Role.COORDINATOR):
        conditions.append(
            municipality_column.in_(
                select(UserMunicipality.municipality_id).where(UserMunicipality.user_id == actor.id)
            )
        )
    if actor.has_role(Role.PARTNER):
        conditions.append(
            organisation_column.in_(
                select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == actor.id)
            )
        )
    return or_(*conditions) if conditions else false()


def location_scope_condition(actor: User) -> ColumnElement[bool]:
    """Digipunten the actor works at: of their municipalities (coordinators, desk staff) or
    run by their organisation (partner staff); all for admins."""
    if actor.is_admin:
        return true()
    if actor.has_role(Role.PARTNER):
        return or_(
            scope_condition(actor, Location.municipality_id),
            Location.organisation_id.in_(
                select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == actor.id)
            ),
        )
    return scope_condition(actor, Location.municipality_id)


def programme_scope_condition(actor: User) -> ColumnElement[bool]:
    """Programmes the actor may see: all for admins, those sharing a municipality otherwise."""
    if not can_view_programmes(actor):
        return false()
    if actor.is_admin:
        return true()
    # An alias, so the condition also holds in queries that join programme_municipality.
    link = programme_municipality.alias("scope_link")
    return (
        exists()
        .where(
            link.c.programme_id == Programme.id,
            scope_condition(actor, link.c.municipality_id),
        )
        .correlate(Programme)
    )


@dataclass(frozen=True)
class MunicipalityRow:
    municipality: Municipality
    neighbourhood_count: int
    location_count: int
    active_location_count: int


def municipality_overview(actor: User) -> list[MunicipalityRow]:
    """The municipalities in scope with their neighbourhood and location counts, in one query."""
    neighbourhoods = (
        select(func.count(Neighbourhood.id))
        .where(Neighbourhood.municipality_id == Municipality.id)
        .scalar_subquery()
    )
    locations = (
        select(func.count(Location.id))
        .where(Location.municipality_id == Municipality.id)
        .scalar_subquery()
    )
    active = (
        select(func.count(Location.id))
        .where(Location.municipality_id == Municipality.id, Location.active.is_(True))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Municipality, neighbourhoods, locations, active)
        .where(scope_condition(actor, Municipality.id))
        .order_by(Municipality.name)
    ).all()
    return [MunicipalityRow(*row) for row in rows]


def get_municipality(actor: User, municipality_id: Any) -> Municipality:
    return _get_scoped(actor, Municipality, municipality_id, Municipality.id)


def get_neighbourhood(actor: User, neighbourhood_id: Any) -> Neighbourhood:
    return _get_scoped(actor, Neighbourhood, neighbourhood_id, Neighbourhood.municipality_id)


def get_location(actor: User, location_id: Any) -> Location:
    found = None
    if valid_id(location_id):
        found = db.session.scalar(
            select(Location).where(Location.id == location_id, location_scope_condition(actor))
        )
    if found is None:
        raise NotFound(location_id)
    return found


def get_programme(actor: User, programme_id: Any) -> Programme:
    if not valid_id(programme_id):
        raise NotFound(programme_id)
    programme = db.session.scalar(
        select(Programme).where(Programme.id == programme_id, programme_scope_condition(actor))
    )
    if programme is None:
        raise NotFound(programme_id)
    return programme


def _get_scoped(actor: User, model: Any, object_id: Any, municipality_column: Any) -> Any:
    if not valid_id(object_id):
        raise NotFound(object_id)
    found = db.session.scalar(
        select(model).where(model.id == object_id, scope_condition(actor, municipality_column))
    )
    if found is None:
        raise NotFound(object_id)
    return found


@dataclass(frozen=True)
class NeighbourhoodRow:
    neighbourhood: Neighbourhood
    location_count: int


def neighbourhoods_of(actor: User, municipality_id: int) -> list[NeighbourhoodRow]:
    """The neighbourhoods of one municipality in scope, with how many locations use each."""
    used_by = (
        select(func.count(Location.id))
        .where(Location.neighbourhood_id == Neighbourhood.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Neighbourhood, used_by)
        .where(
            Neighbourhood.municipality_id == municipality_id,
            scope_condition(actor, Neighbourhood.municipality_id),
        )
        .order_by(Neighbourhood.name)
    ).all()
    return [NeighbourhoodRow(*row) for row in rows]


def locations_in_scope(
    actor: User, *, municipality_id: int | None = None, active: bool | None = None
) -> list[Location]:
    """Locations in scope, optionally of one municipality and/or only (in)active ones."""
    query = (
        select(Location)
        .join(Location.municipality)
        .options(joinedload(Location.municipality), joinedload(Location.neighbourhood))
        .where(location_scope_condition(actor))
        .order_by(Municipality.name, Location.name)
    )
    if municipality_id is not None:
        query = query.where(Location.municipality_id == municipality_id)
    if active is not None:
        query = query.where(Location.active.is_(active))
    return list(db.session.scalars(query).unique())


def municipalities_in_scope(actor: User) -> list[Municipality]:
    return list(
        db.session.scalars(
            select(Municipality)
            .where(scope_condition(actor, Municipality.id))
            .order_by(Municipality.name)
        )
    )


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    # Only the municipalities the actor may see: a coordinator never learns the others.
    municipalities: list[Municipality]


def programmes_in_scope(actor: User) -> list[ProgrammeRow]:
    """Programmes the actor may see, each with its municipalities in the actor's scope."""
    programmes = list(
        db.session.scalars(
            select(Programme)
            .where(programme_scope_condition(actor))
            .order_by(Programme.starts_on.desc(), Programme.name)
        )
    )
    by_programme = _municipalities_by_programme(actor, [p.id for p in programmes])
    return [ProgrammeRow(p, by_programme.get(p.id, [])) for p in programmes]


def programme_municipalities(actor: User, programme: Programme) -> list[Municipality]:
    return _municipalities_by_programme(actor, [programme.id]).get(programme.id, [])


def programmes_of_municipality(actor: User, municipality_id: int) -> list[Programme]:
    return list(
        db.session.scalars(
            select(Programme)
            .join(programme_municipality, programme_municipality.c.programme_id == Programme.id)
            .where(
                programme_municipality.c.municipality_id == municipality_id,
                programme_scope_condition(actor),
            )
            .order_by(Programme.starts_on.desc(), Programme.name)
        )
    )


def _municipalities_by_programme(
    actor: User, programme_ids: list[int]
) -> dict[int, list[Municipality]]:
    if not programme_ids:
        return {}
    rows = db.session.execute(
        select(programme_municipality.c.programme_id, Municipality)
        .join(Municipality, Municipality.id == programme_municipality.c.municipality_id)
        .where(
            programme_municipality.c.programme_id.in_(programme_ids),
            scope_condition(actor, Municipality.id),
        )
        .order_by(Municipality.name)
    ).all()
    result: dict[int, list[Municipality]] = {}
    for programme_id, municipality in rows:
        result.setdefault(programme_id, []).append(municipality)
    return result


def all_municipalities() -> list[Municipality]:
    """Every municipality, for admin choices such as a programme's municipalities."""
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


# --- public: digipunten as citizens see them ----------------------------------------------------


@dataclass(frozen=True)
class MunicipalityLocations:
    municipality: Municipality
    locations: list[Location]


def active_locations_by_municipality() -> list[MunicipalityLocations]:
    """Every active digipunt, grouped by municipality, both by name (the public list of
    digipunten, the booking wizard's first steps, the API's locations)."""
    locations = db.session.scalars(
        select(Location)
        .join(Municipality, Municipality.id == Location.municipality_id)
        .options(selectinload(Location.municipality), selectinload(Location.neighbourhood))
        .where(Location.active.is_(True))
        .order_by(Municipality.name, Location.name)
    ).all()
    groups: list[MunicipalityLocations] = []
    for location in locations:
        if not groups or groups[-1].municipality.id != location.municipality_id:
            groups.append(MunicipalityLocations(location.municipality, []))
        groups[-1].locations.append(location)
    return groups


def active_location(location_id: Any) -> Location:
    """An active digipunt. Raises NotFound for an unknown or inactive one."""
    if not valid_id(location_id):
        raise NotFound(location_id)
    location = db.session.get(Location, location_id)
    if location is None or not location.active:
        raise NotFound(location_id)
    return location
