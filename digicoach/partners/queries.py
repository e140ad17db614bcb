"""Read models for the organisation and offer pages, scoped inside the query.

Every staff query goes through `organisation_condition(actor)` (the SQL twin of
`accounts.permissions.acts_for`): a coordinator's rows are those of their municipalities, a
partner staff member's those of their own organisation. A scoped `get_*` raises NotFound for an
id outside the scope exactly as for an id that does not exist, so guessing ids reveals nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from digicoach.accounts.models import User, UserOrganisation
from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.partners.models import Offer, Organisation
from digicoach.places.models import Location
from digicoach.places.queries import organisation_scope_condition, valid_id


def organisation_condition(actor: User) -> ColumnElement[bool]:
    """The one scope of everything an organisation owns."""
    return organisation_scope_condition(actor, Organisation.municipality_id, Organisation.id)


def organisations_in_scope(
    actor: User, *, municipality_id: int | None = None
) -> list[Organisation]:
    query = (
        select(Organisation)
        .where(organisation_condition(actor))
        .options(selectinload(Organisation.municipality), selectinload(Organisation.offers))
        .order_by(Organisation.name, Organisation.id)
    )
    if municipality_id is not None:
        query = query.where(Organisation.municipality_id == municipality_id)
    return list(db.session.scalars(query))


def get_organisation(actor: User, organisation_id: Any) -> Organisation:
    found = None
    if valid_id(organisation_id):
        found = db.session.scalar(
            select(Organisation).where(
                Organisation.id == organisation_id, organisation_condition(actor)
            )
        )
    if found is None:
        raise NotFound(organisation_id)
    return found


def get_offer(actor: User, offer_id: Any) -> Offer:
    found = None
    if valid_id(offer_id):
        found = db.session.scalar(
            select(Offer)
            .join(Organisation, Organisation.id == Offer.organisation_id)
            .where(Offer.id == offer_id, organisation_condition(actor))
        )
    if found is None:
        raise NotFound(offer_id)
    return found


def own_organisation(actor: User) -> Organisation | None:
    """The organisation a partner staff member works for (the first, should there be more)."""
    return db.session.scalar(
        select(Organisation)
        .join(UserOrganisation, UserOrganisation.organisation_id == Organisation.id)
        .where(UserOrganisation.user_id == actor.id)
        .order_by(Organisation.id)
        .limit(1)
    )


def locations_of_municipality(municipality_id: int) -> list[Location]:
    """The digipunten an organisation of this municipality may run or hold an offer at."""
    return list(
        db.session.scalars(
            select(Location)
            .where(Location.municipality_id == municipality_id)
            .order_by(Location.name, Location.id)
        )
    )


def staff_of(organisation: Organisation) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserOrganisation, UserOrganisation.user_id == User.id)
            .where(UserOrganisation.organisation_id == organisation.id)
            .order_by(User.name, User.email)
        )
    )
