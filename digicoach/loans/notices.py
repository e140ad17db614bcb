"""Reminders to citizens about a borrowed device: one some days before the due date, then
overdue notices (the due date + N days, then weekly, up to a number), by SMS to a mobile
number or else by e-mail, in the language chosen at the desk.

Planned like the other reminders (reminders/): a scheduler job asks "which notices are due by
`now` and not queued yet?". Each notice has a dedupe key `loan:<id>:<what>:<due date>:<channel>`
and the outbox's unique key queues it exactly once, whatever runs twice. A loan that is
extended gets keys with its new due date; returning it or marking it lost skips what is still
pending (services.skip_pending_notices). A loan whose contact data was erased gets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from digicoach.core import messages, phones, sms
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.loans import rules
from digicoach.loans.models import Loan, LoanStatus
from digicoach.loans.services import notice_prefix

DUE_SOON = "loans.due_soon"
OVERDUE = "loans.overdue"


@dataclass(frozen=True)
class Settings:
    """The LOAN_* settings (config.py), read once per run."""

    plan: rules.ReminderPlan
    enabled: bool = True

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        hours, minutes = (int(part) for part in str(config["LOAN_REMINDER_AT"]).split(":"))
        return cls(
            plan=rules.ReminderPlan(
                days_before=int(config["LOAN_REMINDER_DAYS_BEFORE"]),
                first_after_days=int(config["LOAN_OVERDUE_FIRST_AFTER_DAYS"]),
                notices=int(config["LOAN_OVERDUE_NOTICES"]),
                at=time(hours, minutes),
            ),
            enabled=bool(config["REMINDERS_ENABLED"]) and bool(config["LOAN_REMINDERS_ENABLED"]),
        )


def notice_key(loan: Loan, what: str, channel: str) -> str:
    return f"{notice_prefix(loan.id)}{what}:{loan.due_on:%Y%m%d}:{channel}"


def queue_due_notices(*, now: datetime, settings: Settings) -> int:
    """Queue every loan notice due by `now` and not queued yet. Returns how many."""
    if not settings.enabled:
        return 0
    plan = settings.plan
    # The furthest a notice lies from the due date, either side.
    earliest_due = (
        now - timedelta(days=plan.first_after_days + rules.OVERDUE_INTERVAL_DAYS * plan.notices + 1)
    ).date()
    latest_due = (now + timedelta(days=plan.days_before + 1)).date()
    loans = db.session.scalars(
        select(Loan).where(
            Loan.status == LoanStatus.OPEN,
            Loan.contact_erased_at.is_(None),
            Loan.due_on >= earliest_due,
            Loan.due_on <= latest_due,
        )
    ).all()
    candidates: list[tuple[str, Loan, rules.Notice, str]] = []
    for loan in loans:
        channel = rules.contact_channel(sms.can_receive_sms(loan.phone), loan.email)
        if channel is None:
            continue
        for notice in rules.due_notices(
            rules.planned_notices(loan.due_on, plan), now=now, lent_at=loan.lent_at
        ):
            candidates.append((notice_key(loan, notice.what, channel), loan, notice, channel))
    if not candidates:
        return 0
    keys = [key for key, *_rest in candidates]
    existing = set(
        db.session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
        )
    )
    queued = 0
    for key, loan, notice, channel in candidates:
        if key not in existing and _queue(key, loan, notice, channel) is not None:
            queued += 1
    db.session.flush()
    return queued


def _queue(key: str, loan: Loan, notice: rules.Notice, channel: str) -> OutboxMessage | None:
    overdue = notice.what != "due_soon"
    which = "overdue" if overdue else "due_soon"
    context = {
        "loan": loan,
        "device": loan.device,
        "location": loan.location,
        "phone": phones.front_desk_phone(loan.location),
    }
    if channel == rules.SMS:
        return messages.queue_sms(
            recipient=loan.phone,
            language=loan.language,
            kind=OVERDUE if overdue else DUE_SOON,
            dedupe_key=key,
            template=f"loans/sms/{which}.txt",
            due_at=notice.due_at,
            send_not_after=notice.send_not_after,
            **context,
        )
    return messages.queue_email(
        recipient=loan.email or "",
        language=loan.language,
        kind=OVERDUE if overdue else DUE_SOON,
        dedupe_key=key,
        template=f"loans/email/{which}",
        subject=(
            (lambda: _("Please bring back the device you borrowed"))
            if overdue
            else (lambda: _("Reminder: bring back the device you borrowed"))
        ),
        due_at=notice.due_at,
        send_not_after=notice.send_not_after,
        **context,
    )
