"""Retention: a citizen's contact data on a loan is erased some days after the loan closed.

The first name, phone number, e-mail address, the return note and the notes of calls go, in
the loan and in its outbox messages; the loan stays (device, dates, citizen key) so the figures
still count it. The nightly job records one audit event with the count, never who.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from digicoach.core.retention import erase_contact_data
from digicoach.extensions import db
from digicoach.loans.models import Loan, LoanCall, LoanStatus
from digicoach.loans.services import notice_prefix

ERASED_FIELDS = ("first_name", "phone", "email", "return_note", "calls.note")


def purge_contact_data(*, now: datetime, retention_days: int) -> int:
    """Erase the contact data of loans closed (returned or lost) `retention_days` or more
    before `now`. Returns how many loans were erased; safe to run as often as wanted."""
    limit = now - timedelta(days=retention_days)
    ids = db.session.scalars(
        select(Loan.id).where(
            Loan.contact_erased_at.is_(None),
            Loan.status != LoanStatus.OPEN,
            Loan.closed_at <= limit,
        )
    ).all()
    return erase_contact_data(
        Loan,
        ids,
        dict(first_name="", phone=None, email=None, return_note="", contact_erased_at=now),
        action="loans.loan.erase_contact",
        message_prefix=notice_prefix,
        also=_erase_call_notes,
    )


def _erase_call_notes(loan_ids: list[int]) -> None:
    db.session.execute(
        update(LoanCall)
        .where(LoanCall.loan_id.in_(loan_ids))
        .values(note="")
        .execution_options(synchronize_session=False)
    )
