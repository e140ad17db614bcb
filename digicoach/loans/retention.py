"""Retention: a citizen's contact data on a loan is erased some days after the loan closed.

The first name, phone number, e-mail address, the return note and the notes of calls go, in
the loan and in its outbox messages; the loan stays (device, dates, citizen key) so the figures
still count it. The nightly job records one audit event with the count, never who.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from digicoach.core import audit
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.loans.models import Loan, LoanCall, LoanStatus
from digicoach.loans.services import notice_prefix

ERASED_FIELDS = ("first_name", "phone", "email", "return_note", "calls.note")


def purge_contact_data(*, now: datetime, retention_days: int) -> int:
    """Erase the contact data of loans closed (returned or lost) `retention_days` or more
    before `now`. Returns how many loans were erased; safe to run as often as wanted."""
    limit = now - timedelta(days=retention_days)
    ids = list(
        db.session.scalars(
            select(Loan.id).where(
                Loan.contact_erased_at.is_(None),
                Loan.status != LoanStatus.OPEN,
                Loan.closed_at <= limit,
            )
        )
    )
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        db.session.execute(
            update(Loan)
            .where(Loan.id.in_(chunk))
            .values(first_name="", phone=None, email=None, return_note="", contact_erased_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(LoanCall)
            .where(LoanCall.loan_id.in_(chunk))
            .values(note="")
            .execution_options(synchronize_session=False)
        )
        for loan_id in chunk:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.dedupe_key.like(f"{notice_prefix(loan_id)}%"))
                .values(recipient="", subject="", body_text="", body_html=None, attachment=None)
                .execution_options(synchronize_session=False)
            )
    if ids:
        audit.record(
            None,
            "loans.loan.erase_contact",
            object_type="Loan",
            object_id="*",
            fields=[f"count={len(ids)}"],
        )
    db.session.flush()
    db.session.expire_all()
    return len(ids)
