"""Messages about a home visit, through the outbox: an e-mail to each coach put on it by staff
(the address is on the visit's page, never in the mail), and an SMS to the citizen in their
language when the visit is booked, moved or cancelled (nothing for a landline or after the
address was erased)."""

from __future__ import annotations

from flask_babel import gettext as _

from digicoach.core import messages, phones
from digicoach.helpdesk.models import Shift
from digicoach.homevisits.models import HomeVisit

CITIZEN_KINDS = ("booked", "moved", "cancelled")


def tell_coach(visit: HomeVisit, shift: Shift) -> None:
    """E-mail a coach whom someone else put on the visit (at booking or a change)."""
    coach = shift.coach
    if coach.erased_at is not None:
        return
    session = visit.session
    messages.queue_user_email(
        coach.user,
        kind="homevisits.assigned",
        # Taken off and put on again later is a new message: the sign-up moment tells them apart.
        dedupe_key=f"shift:{shift.id}:homevisits.assigned:{shift.signed_up_at.isoformat()}",
        template="homevisits/email/assigned",
        subject=lambda: _("You go on a home visit"),
        session=session,
        visit_url=messages.absolute_url("homevisits.detail", visit_id=visit.id),
        my_shifts=messages.absolute_url("helpdesk.my_shifts"),
    )


def citizen_message_prefix(session_id: int) -> str:
    """Every outbox key of a message to the citizen of a visit starts with this (retention
    blanks them with the visit's address)."""
    return f"help_session:{session_id}:homevisits."


def tell_citizen(visit: HomeVisit, kind: str) -> None:
    """SMS the citizen that the visit is booked, has a new time or is cancelled."""
    assert kind in CITIZEN_KINDS
    if visit.address_erased_at is not None:
        return
    session = visit.session
    messages.queue_sms(
        recipient=visit.phone,
        language=visit.language,
        kind=f"homevisits.{kind}",
        dedupe_key=f"{citizen_message_prefix(session.id)}{kind}:{session.starts_at.isoformat()}:sms",
        template=f"homevisits/sms/{kind}.txt",
        visit=visit,
        session=session,
        phone=phones.front_desk_phone(session.location),
    )
