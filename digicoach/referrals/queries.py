"""Read models for the referral pages, scoped inside the query.

The inbox holds the referrals of the actor's own organisations only, and for coordinators and
desk staff those to their municipalities' digipunten that no organisation runs
(`receivable_condition`, the SQL twin of `permissions.can_handle_referral`); `get_incoming`
answers NotFound (404) for any other id, exactly as for an id that does not exist. The
referrer's list holds their own referrals only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import selectinload

from digicoach.accounts.models import User, UserOrganisation
from digicoach.core.errors import NotFound
from digicoach.extensions import db
from digicoach.places.models import Location
from digicoach.places.queries import valid_id
from digicoach.referrals.models import Referral, ReferralStatus
from digicoach.referrals.permissions import receives_for_municipalities

_OPEN_FIRST = case((Referral.status == ReferralStatus.CLOSED, 1), else_=0)


def _own_organisations(actor: User) -> Any:
    return select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == actor.id)


def receivable_condition(actor: User) -> Any:
    """The referrals the actor receives: to their organisations (partner staff), and to the
    digipunten without organisation of their municipalities (coordinators and desk staff)."""
    conditions = []
    if actor.organisation_ids:
        conditions.append(Referral.organisation_id.in_(_own_organisations(actor)))
    if receives_for_municipalities(actor):
        conditions.append(
            and_(
                Referral.organisation_id.is_(None),
                Referral.municipality_id.in_(sorted(actor.municipality_ids)),
            )
        )
    return or_(*conditions) if conditions else false()


def incoming(actor: User, *, limit: int = 200) -> list[Referral]:
    """The referrals the actor receives: open ones first, the newest first."""
    return list(
        db.session.scalars(
            select(Referral)
            .where(receivable_condition(actor))
            .options(
                selectinload(Referral.offer),
                selectinload(Referral.location),
                selectinload(Referral.organisation),
            )
            .order_by(_OPEN_FIRST, Referral.sent_at.desc(), Referral.id.desc())
            .limit(limit)
        )
    )


def open_to_municipalities(actor: User) -> int:
    """How many referrals to the actor's municipalities' own digipunten are not closed yet
    (coordinators and desk staff; 0 for anyone else)."""
    if not receives_for_municipalities(actor):
        return 0
    return int(
        db.session.scalar(
            select(func.count(Referral.id)).where(
                Referral.organisation_id.is_(None),
                Referral.municipality_id.in_(sorted(actor.municipality_ids)),
                Referral.status != ReferralStatus.CLOSED,
            )
        )
        or 0
    )


def get_incoming(actor: User, referral_id: Any) -> Referral:
    found = None
    if valid_id(referral_id):
        found = db.session.scalar(
            select(Referral).where(
                Referral.id == referral_id,
                receivable_condition(actor),
            )
        )
    if found is None:
        raise NotFound(referral_id)
    return found


def made_by(actor: User, *, limit: int = 200) -> list[Referral]:
    """The referrals the actor made, the newest first."""
    return list(
        db.session.scalars(
            select(Referral)
            .where(Referral.from_user_id == actor.id)
            .options(
                selectinload(Referral.offer),
                selectinload(Referral.location),
                selectinload(Referral.organisation),
            )
            .order_by(_OPEN_FIRST, Referral.sent_at.desc(), Referral.id.desc())
            .limit(limit)
        )
    )


def referrals_of_help_logs(log_ids: list[int]) -> dict[int, Referral]:
    """The latest referral made from each of these help logs."""
    if not log_ids:
        return {}
    rows = db.session.scalars(
        select(Referral).where(Referral.help_log_id.in_(log_ids)).order_by(Referral.id)
    )
    return {row.help_log_id: row for row in rows if row.help_log_id is not None}


def desk_locations(actor: User) -> list[Location]:
    """The active digipunten whose desk the actor works at (their municipalities; admins all)."""
    query = select(Location).where(Location.active.is_(True)).order_by(Location.name)
    if not actor.is_admin:
        query = query.where(Location.municipality_id.in_(actor.municipality_ids or {0}))
    return list(db.session.scalars(query))
