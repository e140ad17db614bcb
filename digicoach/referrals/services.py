"""Use cases of warm referrals: refer, accept, note the contact, close with an outcome.

A referral goes to a partner organisation (one of its offers, or a digipunt it runs), or to a
digipunt no organisation runs; then the municipality's coordinators and desk staff receive it
(permissions.can_handle_referral).

Services check permissions and rules, change, flush and audit; the caller commits. Moving a
referral on is one conditional UPDATE on its status (`... WHERE id = :id AND status IN (...)`),
so two staff members clicking at once move it once; the other gets `referrals.moved_on`.
The audit log names the fields that changed, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, select, update
from sqlalchemy.orm import contains_eager

from digicoach.accounts.models import User
from digicoach.accounts.permissions import in_scope, is_desk
from digicoach.bookings.models import Appointment
from digicoach.core import audit, outbox
from digicoach.core.citizens import citizen_key
from digicoach.core.contact import check_contact
from digicoach.core.errors import Conflict, FieldErrors, NotFound
from digicoach.core.permissions import ensure
from digicoach.core.text import fits_one_line
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog
from digicoach.helplog.models import Referral as HelpLogReferral
from digicoach.partners.models import Offer, Organisation, OrganisationKind
from digicoach.places.models import Location
from digicoach.places.queries import valid_id
from digicoach.referrals.models import (
    REASON_MAX,
    Referral,
    ReferralOutcome,
    ReferralStatus,
)
from digicoach.referrals.permissions import can_handle_referral, can_refer

# What the help log's "referred to" tick says for a referral to each kind of organisation.
HELP_LOG_REFERRAL = {
    OrganisationKind.SOCIAL_SERVICES: HelpLogReferral.OCMW,
    OrganisationKind.LIBRARY: HelpLogReferral.LIBRARY,
}


class MovedOn(Conflict):
    code = "referrals.moved_on"


@dataclass(frozen=True)
class Source:
    """Where a referral starts: a coach's help log, or a digipunt's front desk."""

    municipality_id: int
    neighbourhood_id: int | None
    help_log: HelpLog | None = None
    location: Location | None = None
    appointment: Appointment | None = None

    @property
    def appointment_id(self) -> int | None:
        if self.appointment is not None:
            return self.appointment.id
        return self.help_log.appointment_id if self.help_log is not None else None

    def prefill(self) -> dict[str, str]:
        """The contact data the appointment (or the one behind the help log) still holds."""
        appointment = self.appointment or (
            self.help_log.appointment if self.help_log is not None else None
        )
        if appointment is None or appointment.contact_erased_at is not None:
            return {}
        return {
            "first_name": appointment.first_name or "",
            "phone": appointment.phone or "",
            "email": appointment.email or "",
        }


def source_of(
    *, actor: User, help_log_id: Any = None, location_id: Any = None, appointment_id: Any = None
) -> Source:
    """The help log or appointment the actor may refer from (their own as a coach; desk staff
    and coordinators: of their municipalities), or the digipunt whose desk refers. Anything
    else is NotFound, a guessed id too. An appointment's help log, once logged, is linked."""
    ensure(can_refer(actor))
    if appointment_id is not None:
        appointment = (
            db.session.get(Appointment, appointment_id) if valid_id(appointment_id) else None
        )
        if appointment is not None:
            coach = appointment.assigned_coach
            own = coach is not None and coach.user_id == actor.id
            place = appointment.location
            if own or (is_desk(actor) and in_scope(actor, place.municipality_id)):
                log = db.session.scalar(
                    select(HelpLog).where(HelpLog.appointment_id == appointment.id)
                )
                return Source(
                    place.municipality_id,
                    place.neighbourhood_id,
                    help_log=log,
                    location=place,
                    appointment=appointment,
                )
        raise NotFound(appointment_id)
    if help_log_id is not None:
        log = db.session.get(HelpLog, help_log_id) if valid_id(help_log_id) else None
        own = log is not None and log.coach.user_id == actor.id
        if log is not None and (own or (is_desk(actor) and in_scope(actor, log.municipality_id))):
            return Source(log.municipality_id, log.neighbourhood_id, help_log=log)
        raise NotFound(help_log_id)
    location = db.session.get(Location, location_id) if valid_id(location_id) else None
    if location is not None and is_desk(actor) and in_scope(actor, location.municipality_id):
        return Source(location.municipality_id, location.neighbourhood_id, location=location)
    raise NotFound(location_id)


@dataclass(frozen=True)
class Target:
    """An offer or a digipunt a citizen may be referred to; `key` is what the form sends.
    `organisation` is None for a digipunt no partner organisation runs: the municipality's
    coordinators and desk staff receive the referral."""

    key: str
    label: str
    organisation: Organisation | None
    municipality_id: int
    offer: Offer | None = None
    location: Location | None = None


def targets(municipality_id: int) -> list[Target]:
    """The active offers of the municipality's organisations, then its active digipunten:
    those run by an organisation, and those the municipality runs itself."""
    offers = db.session.scalars(
        select(Offer)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .options(contains_eager(Offer.organisation))
        .where(Organisation.municipality_id == municipality_id, Offer.active.is_(True))
        .order_by(Organisation.name, Offer.title)
    ).all()
    locations = db.session.execute(
        select(Location, Organisation)
        .outerjoin(
            Organisation,
            and_(
                Organisation.id == Location.organisation_id,
                Organisation.municipality_id == municipality_id,
            ),
        )
        .where(
            Location.municipality_id == municipality_id,
            Location.active.is_(True),
            (Location.organisation_id.is_(None)) | (Organisation.id.is_not(None)),
        )
        .order_by(Location.name)
    ).all()
    found = [
        Target(
            f"offer:{o.id}",
            f"{o.title} ({o.organisation.name})",
            o.organisation,
            o.organisation.municipality_id,
            offer=o,
        )
        for o in offers
    ]
    for location, org in locations:
        label = f"{location.name} ({org.name})" if org is not None else location.name
        found.append(
            Target(f"location:{location.id}", label, org, municipality_id, location=location)
        )
    return found


@dataclass(frozen=True)
class ReferralInput:
    target: Any
    consent: Any
    reason: Any
    first_name: Any
    phone: Any
    email: Any


def refer(*, actor: User, source: Source, data: ReferralInput, now: datetime) -> Referral:
    """Refer a citizen who agreed to an offer or digipunt of the source's municipality.

    Only the first name and a phone number or e-mail address are kept, with the reason in a
    few words. The citizen key links the referral to the help logs without a name. A help
    log without a "referred to" tick gets one. Raises ValidationFailed for bad input.
    """
    ensure(can_refer(actor))
    errors = FieldErrors()
    target = next((t for t in targets(source.municipality_id) if t.key == data.target), None)
    if target is None:
        errors.add("target", _("Choose where you refer the citizen to."))
    if data.consent is not True:
        errors.add("consent", _("Refer only when the citizen agrees that we pass on their data."))
    reason = data.reason.strip() if isinstance(data.reason, str) else None
    if not reason:
        errors.add("reason", _("Say in a few words why you refer the citizen."))
    elif len(reason) > REASON_MAX or not fits_one_line(reason):
        errors.add("reason", _("Use at most %(count)d characters.", count=REASON_MAX))
    contact = check_contact(data.first_name, data.phone, data.email, errors)
    errors.raise_if_any()
    assert target is not None
    organisation = target.organisation
    referral = Referral(
        organisation_id=organisation.id if organisation is not None else None,
        offer_id=target.offer.id if target.offer else None,
        location_id=target.location.id if target.location else None,
        municipality_id=target.municipality_id,
        neighbourhood_id=source.neighbourhood_id,
        from_user_id=actor.id,
        help_log_id=source.help_log.id if source.help_log else None,
        appointment_id=source.appointment_id,
        consent=True,
        reason=reason or "",
        first_name=contact.first_name,
        phone=contact.phone,
        email=contact.email,
        citizen_key=citizen_key(phone_e164=contact.phone, email=contact.email),
        status=ReferralStatus.SENT,
        sent_at=now,
    )
    db.session.add(referral)
    log = source.help_log
    if log is not None and log.referred_to is None:
        kind = organisation.kind if organisation is not None else None
        log.referred_to = HELP_LOG_REFERRAL.get(kind, HelpLogReferral.OTHER)
    db.session.flush()
    audit.record(
        actor,
        "referrals.referral.send"
        if organisation is not None
        else "referrals.referral.send_digipunt",
        referral,
        ["organisation_id", "consent", "reason", "first_name", "phone", "email"],
    )
    return referral


def _move(referral: Referral, *, from_statuses: tuple[str, ...], **values: Any) -> None:
    result = db.session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status.in_(from_statuses))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise MovedOn(_("Someone changed this referral just now. Look again."))
    db.session.refresh(referral)


def accept(*, actor: User, referral: Referral, now: datetime) -> None:
    """The receiving organisation takes the referral on."""
    ensure(can_handle_referral(actor, referral))
    _move(
        referral,
        from_statuses=(ReferralStatus.SENT,),
        status=ReferralStatus.ACCEPTED,
        accepted_at=now,
        accepted_by_id=actor.id,
    )
    audit.record(actor, "referrals.referral.accept", referral, ["status"])


def mark_contacted(*, actor: User, referral: Referral, now: datetime) -> None:
    """The organisation reached the citizen (accepting it on the way, if need be)."""
    ensure(can_handle_referral(actor, referral))
    values: dict[str, Any] = {"status": ReferralStatus.CONTACTED, "contacted_at": now}
    if referral.accepted_at is None:
        values.update(accepted_at=now, accepted_by_id=actor.id)
    _move(referral, from_statuses=(ReferralStatus.SENT, ReferralStatus.ACCEPTED), **values)
    audit.record(actor, "referrals.referral.contact", referral, ["status"])


def close(*, actor: User, referral: Referral, outcome: Any, now: datetime) -> None:
    """Close the referral with its outcome. Reminders still waiting are skipped; the contact
    data is erased after the retention period (retention.py)."""
    ensure(can_handle_referral(actor, referral))
    if outcome not in set(ReferralOutcome):
        errors = FieldErrors()
        errors.add("outcome", _("Choose how the referral ended."))
        errors.raise_if_any()
    values: dict[str, Any] = {
        "status": ReferralStatus.CLOSED,
        "outcome": str(outcome),
        "closed_at": now,
        "closed_by_id": actor.id,
    }
    _move(
        referral,
        from_statuses=(ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.CONTACTED),
        **values,
    )
    outbox.skip_pending(reminder_prefix(referral.id))
    audit.record(actor, "referrals.referral.close", referral, ["status", "outcome"])


def reminder_prefix(referral_id: int) -> str:
    """Every outbox key about a referral starts with this."""
    return f"referral:{referral_id}:"
