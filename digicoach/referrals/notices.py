"""Reminders to the receiving organisation about referrals left open.

A referral not closed REFERRAL_REMINDER_DAYS after it was sent gets a reminder to each staff
member of the organisation (or, without staff accounts, to the organisation's e-mail address),
and another every REFERRAL_REMINDER_DAYS while it stays open. A referral to a digipunt no
organisation runs reminds the coordinators and desk staff of its municipality. Each has the
dedupe key `referral:<id>:open:<n>:<recipient>`, so the outbox queues it exactly once whatever
runs twice. The message holds no contact data: it says a referral waits and links to the inbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.accounts.models import Role, User, UserMunicipality, UserOrganisation, UserRole
from digicoach.core import messages
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.referrals.models import Referral, ReferralStatus
from digicoach.referrals.services import reminder_prefix

OPEN_REMINDER = "referrals.open"


def reminder_round(sent_at: datetime, now: datetime, every_days: int) -> int:
    """How many full periods of `every_days` a referral sent at `sent_at` has been open at
    `now`: 0 means no reminder yet, 1 the first one, and so on. 0 days switches reminders off."""
    if every_days <= 0 or now < sent_at:
        return 0
    return (now - sent_at) // timedelta(days=every_days)


def queue_open_reminders(*, now: datetime, every_days: int) -> int:
    """Queue the reminders due by `now` and not queued yet. Returns how many were queued."""
    if every_days <= 0:
        return 0
    referrals = db.session.scalars(
        select(Referral).where(
            Referral.status != ReferralStatus.CLOSED,
            Referral.sent_at <= now - timedelta(days=every_days),
        )
    ).all()
    if not referrals:
        return 0
    staff = _organisation_staff({r.organisation_id for r in referrals if r.organisation_id})
    municipal = _municipal_receivers({r.municipality_id for r in referrals if r.to_municipality})
    planned = []
    for referral in referrals:
        round_ = reminder_round(referral.sent_at, now, every_days)
        prefix = f"{reminder_prefix(referral.id)}open:{round_}:"
        if referral.organisation_id is None:
            people = municipal.get(referral.municipality_id, [])
        else:
            people = staff.get(referral.organisation_id, [])
        if people:
            planned.extend((f"{prefix}user{user.id}", referral, user) for user in people)
        elif referral.organisation is not None and referral.organisation.email:
            planned.append((f"{prefix}org", referral, None))
    existing = set(
        db.session.scalars(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.in_([key for key, *_rest in planned])
            )
        )
    )
    queued = 0
    for key, referral, user in planned:
        if key in existing:
            continue
        if _queue(key, referral, user, now) is not None:
            queued += 1
    db.session.flush()
    return queued


def _organisation_staff(organisation_ids: set[int]) -> dict[int, list[User]]:
    """Per organisation, its partner staff."""
    staff: dict[int, list[User]] = {}
    if not organisation_ids:
        return staff
    for user, organisation_id in db.session.execute(
        select(User, UserOrganisation.organisation_id)
        .join(UserOrganisation, UserOrganisation.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserOrganisation.organisation_id.in_(organisation_ids),
            UserRole.role == Role.PARTNER,
        )
        .order_by(User.id)
    ):
        staff.setdefault(organisation_id, []).append(user)
    return staff


def _municipal_receivers(municipality_ids: set[int]) -> dict[int, list[User]]:
    """Per municipality, its coordinators and desk staff: they receive the referrals to the
    digipunten no organisation runs (permissions.receives_for_municipalities)."""
    receivers: dict[int, list[User]] = {}
    if not municipality_ids:
        return receivers
    for user, municipality_id in db.session.execute(
        select(User, UserMunicipality.municipality_id)
        .join(UserMunicipality, UserMunicipality.user_id == User.id)
        .where(
            UserMunicipality.municipality_id.in_(municipality_ids),
            User.id.in_(
                select(UserRole.user_id).where(UserRole.role.in_([Role.COORDINATOR, Role.DESK]))
            ),
        )
        .order_by(User.id)
    ):
        receivers.setdefault(municipality_id, []).append(user)
    return receivers


def _queue(key: str, referral: Referral, user: User | None, now: datetime) -> object:
    context = {
        "referral": referral,
        "organisation": referral.organisation,
        "receiver_name": referral.receiver_name,
        "days_open": (now - referral.sent_at).days,
        "inbox_url": messages.absolute_url("referrals.inbox"),
    }
    subject = lambda: _("A referral is waiting for you")  # noqa: E731
    if user is not None:
        return messages.queue_user_email(
            user,
            template="referrals/email/open",
            subject=subject,
            kind=OPEN_REMINDER,
            dedupe_key=key,
            **context,
        )
    return messages.queue_email(
        recipient=referral.organisation.email,
        language="nl",
        kind=OPEN_REMINDER,
        dedupe_key=key,
        template="referrals/email/open",
        subject=subject,
        **context,
    )
