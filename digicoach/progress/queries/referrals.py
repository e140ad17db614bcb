"""Referral figures: made, accepted and closed as helped, per organisation and neighbourhood.

Counted over the referrals sent in the selection's period to organisations of its
municipalities. Every count goes through `rules.public_count`, the one small-number rule, so
a row with 0 to 4 shows "fewer than 5" on the dashboard and in the exports. No contact data
is ever read here: only counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from digicoach.extensions import db
from digicoach.partners.models import Organisation
from digicoach.places.models import Neighbourhood
from digicoach.progress import rules
from digicoach.progress.queries.selection import Selection
from digicoach.referrals.models import Referral, ReferralOutcome


@dataclass(frozen=True)
class ReferralRow:
    label: str
    made: int | None
    accepted: int | None
    helped: int | None


def _counts() -> tuple[Any, Any, Any]:
    return (
        func.count(Referral.id),
        func.count(Referral.accepted_at),
        func.sum(case((Referral.outcome == ReferralOutcome.HELPED, 1), else_=0)),
    )


def _rows(query: Any, *, public: bool = True, unnamed: str = "") -> list[ReferralRow]:
    shown = rules.public_count if public else (lambda value: value)
    return [
        ReferralRow(
            label or unnamed,
            shown(int(made or 0)),
            shown(int(accepted or 0)),
            shown(int(helped or 0)),
        )
        for label, made, accepted, helped in db.session.execute(query)
    ]


def _in_selection(query: Any, selection: Selection) -> Any:
    return query.where(
        Referral.municipality_id.in_(selection.municipality_ids),
        Referral.sent_at >= selection.start_moment,
        Referral.sent_at < selection.end_moment,
    )


def by_organisation(selection: Selection) -> list[ReferralRow]:
    """Per receiving organisation; the referrals to digipunten no organisation runs make one
    row of their own."""
    query = (
        select(Organisation.name, *_counts())
        .select_from(Referral)
        .outerjoin(Organisation, Organisation.id == Referral.organisation_id)
        .group_by(Organisation.id, Organisation.name)
        .order_by(func.count(Referral.id).desc(), Organisation.name)
    )
    return _rows(
        _in_selection(query, selection), unnamed=str(_("Digital help points of the municipality"))
    )


def by_neighbourhood(selection: Selection) -> list[ReferralRow]:
    query = (
        select(Neighbourhood.name, *_counts())
        .outerjoin(Neighbourhood, Neighbourhood.id == Referral.neighbourhood_id)
        .group_by(Neighbourhood.id, Neighbourhood.name)
        .order_by(func.count(Referral.id).desc(), Neighbourhood.name)
    )
    return _rows(_in_selection(query, selection))


def of_organisations(organisation_ids: frozenset[int] | set[int]) -> list[ReferralRow]:
    """An organisation's own figures, all time (the partner staff's workspace page). Not
    hidden under five: its staff see every one of these referrals in their inbox anyway."""
    if not organisation_ids:
        return []
    query = (
        select(Organisation.name, *_counts())
        .join(Organisation, Organisation.id == Referral.organisation_id)
        .where(Referral.organisation_id.in_(organisation_ids))
        .group_by(Organisation.id, Organisation.name)
        .order_by(Organisation.name)
    )
    return _rows(query, public=False)
