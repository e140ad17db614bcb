"""Using an invitation link to take a shift (the inviting itself is in helpdesk.invitations)."""

from __future__ import annotations

from datetime import datetime

from digicoach.accounts import tokens
from digicoach.accounts.models import User
from digicoach.coaches import services as coach_services
from digicoach.core.db import get_or_not_found, parse_id
from digicoach.core.errors import NotFound
from digicoach.helpdesk.models import HelpSession, Shift
from digicoach.helpdesk.services.shifts import sign_up

INVITE_PURPOSE = "shift_invite"


def invitation_session(*, actor: User, token: str, now: datetime) -> HelpSession:
    """The session an invitation link is for, without using the link. Raises NotFound when
    the link is unknown, used, expired or meant for someone else."""
    row = tokens.peek(INVITE_PURPOSE, token, now=now)
    if row is None or row.user_id != actor.id or parse_id(row.payload) is None:
        raise NotFound("invitation")
    return get_or_not_found(HelpSession, row.payload)


def accept_invitation(*, actor: User, token: str, now: datetime) -> Shift:
    """Use an invitation link once to sign up (see `sign_up` for the rules and errors).
    If the sign-up is refused, the transaction rolls back and the link stays usable."""
    session = invitation_session(actor=actor, token=token, now=now)
    coach = coach_services.coach_of(actor)
    if coach is None or tokens.redeem(INVITE_PURPOSE, token, now=now) is None:
        raise NotFound("invitation")
    return sign_up(actor=actor, coach=coach, session=session, now=now)
