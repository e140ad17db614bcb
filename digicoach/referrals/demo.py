"""Demo referrals: in every demo municipality a few citizens referred from the coaches' recent
help logs to the partner organisations' offers, open and closed.

Each referral is made through `services.refer` by the coach of the help log it starts from, on
the day of that log, so names, reasons and dates agree with the help logs (whose "referred to"
tick follows). What the receiving organisation did next (accepted, contacted, closed with an
outcome) is written as the history it is, a day or two later and never after `now`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog
from digicoach.partners.models import Offer, Organisation
from digicoach.referrals import retention, services
from digicoach.referrals.models import ReferralStatus

# (first name, reason) of the citizens referred: Flemish names, everyday reasons.
CITIZENS = (
    ("Marcel", "Sociaal tarief voor internet aanvragen"),
    ("Germaine", "Wil een laptop lenen om te oefenen"),
    ("Youssef", "Hulp bij formulieren van het OCMW"),
    ("Rita", "Zoekt een computercursus voor beginners"),
    ("Ahmed", "Heeft geen toestel thuis, wil tablet lenen"),
    ("Lutgarde", "Vragen over energiefactuur en premies"),
    ("Dirk", "Wil leren solliciteren via internet"),
    ("Fatima", "Hulp bij het sociaal tarief gsm"),
)
# What the receiving organisation did: (status, outcome, days after sending it moved on).
PLANS = (
    (ReferralStatus.SENT, None, 0),
    (ReferralStatus.ACCEPTED, None, 1),
    (ReferralStatus.CLOSED, "helped", 2),
    (ReferralStatus.CLOSED, "unreachable", 3),
)


def seed_referrals(*, now: datetime) -> dict[str, int]:
    """Four referrals per demo municipality with partner offers, from its latest help logs.
    Returns counts per status (for the demo's own test)."""
    rng = random.Random(18)  # its own source: the other demo steps keep theirs
    counts = {status.value: 0 for status in ReferralStatus}
    municipality_ids = db.session.scalars(
        select(Organisation.municipality_id)
        .join(Offer, Offer.organisation_id == Organisation.id)
        .where(Offer.active.is_(True))
        .distinct()
        .order_by(Organisation.municipality_id)
    ).all()
    person = 0
    for municipality_id in municipality_ids:
        logs = db.session.scalars(
            select(HelpLog)
            .where(
                HelpLog.municipality_id == municipality_id,
                # A log ticked "referred to" somewhere else already is not this referral's.
                HelpLog.referred_to.is_(None),
                HelpLog.helped_on <= clock.local(now).date() - timedelta(days=1),
                HelpLog.helped_on >= clock.local(now).date() - timedelta(days=30),
            )
            .order_by(HelpLog.helped_on.desc(), HelpLog.id.desc())
            .limit(len(PLANS))
        ).all()
        targets = services.targets(municipality_id)
        if not targets:
            continue
        for log, (status, outcome, days_later) in zip(logs, PLANS, strict=False):
            name, reason = CITIZENS[person % len(CITIZENS)]
            person += 1
            target = _target_for(reason, targets, rng)
            sent_at = _end_of_help(log)
            actor = log.coach.user
            referral = services.refer(
                actor=actor,
                source=services.Source(log.municipality_id, log.neighbourhood_id, help_log=log),
                data=services.ReferralInput(
                    target=target.key,
                    consent=True,
                    reason=reason,
                    first_name=name,
                    phone=f"+3247{rng.randrange(10**7):07d}",
                    email="",
                ),
                now=sent_at,
            )
            moved_at = min(sent_at + timedelta(days=days_later, hours=2), now)
            if status != ReferralStatus.SENT:
                referral.status = status
                referral.accepted_at = moved_at
            if status == ReferralStatus.CLOSED:
                referral.contacted_at = moved_at
                referral.closed_at = moved_at
                referral.outcome = outcome
            counts[status.value] += 1
    db.session.flush()
    retention.purge_contact_data(
        now=now, retention_days=int(current_app.config["REFERRAL_RETENTION_DAYS"])
    )
    return counts


def _end_of_help(log: HelpLog) -> datetime:
    """The moment the help ended: the log's local day at 16.00, Brussels time."""
    local = datetime.combine(log.helped_on, time(16, 0), tzinfo=clock.LOCAL_ZONE)
    return local.astimezone(UTC)


def _target_for(reason: str, targets: list[Any], rng: random.Random) -> Any:
    """An offer whose kind fits the reason when there is one (the social tariff goes to social
    services, a loan to a library's loan), else any offer."""
    wanted = (
        "social_tariff"
        if "tarief" in reason or "OCMW" in reason or "energie" in reason
        else "device_loan"
        if "lenen" in reason
        else "course"
    )
    fitting = [t for t in targets if t.offer is not None and t.offer.kind == wanted]
    return rng.choice(fitting or targets)
