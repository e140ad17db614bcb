"""Warm referrals (doorverwijzingen): a citizen referred to a partner organisation's offer.

A coach (from a help log) or the desk refers a citizen, with their consent, to an offer of a
partner organisation, or to a digipunt run by one. The receiving organisation's staff accept,
contact and close it with an outcome. Only the contact data the partner needs is kept (first
name, phone or e-mail) and erased some days after the referral closed (retention.py); the row
stays for the figures, with the citizen key that links it to the help logs without a name.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from digicoach.core.db import UTCDateTime
from digicoach.extensions import db
from digicoach.partners.models import Offer, Organisation
from digicoach.places.models import Location

REASON_MAX = 200


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    CONTACTED = "contacted"
    CLOSED = "closed"


STATUS_LABELS = {
    ReferralStatus.SENT: _l("Sent"),
    ReferralStatus.ACCEPTED: _l("Accepted"),
    ReferralStatus.CONTACTED: _l("Contacted"),
    ReferralStatus.CLOSED: _l("Closed"),
}


class ReferralOutcome(StrEnum):
    HELPED = "helped"
    UNREACHABLE = "unreachable"
    DECLINED = "declined"
    ELSEWHERE = "elsewhere"


OUTCOME_LABELS = {
    ReferralOutcome.HELPED: _l("Helped"),
    ReferralOutcome.UNREACHABLE: _l("Could not reach the citizen"),
    ReferralOutcome.DECLINED: _l("The citizen declined"),
    ReferralOutcome.ELSEWHERE: _l("Not for us: referred elsewhere"),
}


class Referral(db.Model):
    """One citizen referred to one organisation (through an offer or a digipunt it runs), or
    to a digipunt no organisation runs (its municipality's coordinators and desk receive it)."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a digipunt no partner organisation runs: the municipality's coordinators and
    # desk staff receive it (permissions.can_handle_referral).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id", ondelete="SET NULL"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"))
    # Copied for scope and figures: the receiving organisation's municipality, and the
    # neighbourhood of the digipunt the citizen was helped at (None when unknown).
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="SET NULL"), index=True
    )
    from_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    help_log_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_log.id", ondelete="SET NULL"), index=True
    )
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="SET NULL")
    )
    consent: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    first_name: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    citizen_key: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ReferralStatus.SENT)
    outcome: Mapped[str | None] = mapped_column(String(12))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()
    offer: Mapped[Offer | None] = relationship()
    location: Mapped[Location | None] = relationship()

    __table_args__ = (
        CheckConstraint("consent", name="consent_given"),
        CheckConstraint(
            "status IN ('sent', 'accepted', 'contacted', 'closed')", name="status_known"
        ),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('helped', 'unreachable', 'declined', 'elsewhere')",
            name="outcome_known",
        ),
        CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL AND outcome IS NOT NULL)",
            name="closed_with_outcome",
        ),
        CheckConstraint(
            "contact_erased_at IS NOT NULL OR phone IS NOT NULL OR email IS NOT NULL",
            name="contact_known",
        ),
        CheckConstraint("offer_id IS NOT NULL OR location_id IS NOT NULL", name="target_known"),
        CheckConstraint(
            "organisation_id IS NOT NULL OR offer_id IS NULL", name="offer_with_organisation"
        ),
        Index("ix_referral_status_sent_at", "status", "sent_at"),
    )

    @property
    def target_name(self) -> str:
        if self.offer is not None:
            return self.offer.title
        return self.location.name if self.location is not None else ""

    @property
    def to_municipality(self) -> bool:
        """Sent to a digipunt no partner organisation runs: its municipality receives it."""
        return self.organisation_id is None

    @property
    def receiver_name(self) -> str:
        """Who receives it: the organisation, or the digipunt itself."""
        if self.organisation is not None:
            return self.organisation.name
        return self.location.name if self.location is not None else ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[ReferralStatus(self.status)])

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[ReferralOutcome(self.outcome)]) if self.outcome else ""


__all__ = ["Referral", "ReferralOutcome", "ReferralStatus"]
