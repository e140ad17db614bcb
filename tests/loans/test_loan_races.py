"""Twenty real processes lend the same laptop at once: exactly one loan, the others hear
"not available", the device is on loan once. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from digicoach.accounts.models import User
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import DomainError
from digicoach.extensions import db
from digicoach.loans import services
from digicoach.loans.models import Device, Loan

pytestmark = pytest.mark.concurrency

RACERS = 20


def lend_the_laptop(index: int, device_id: int, desk_id: int, due_iso: str) -> str:
    """Racer `index` lends the laptop to a different citizen (its own phone number)."""
    with current_app.test_request_context("/", method="POST"), force_locale("en"):
        try:
            with unit_of_work():
                services.lend(
                    actor=db.session.get(User, desk_id),
                    device=db.session.get(Device, device_id),
                    data=services.LoanInput(
                        first_name=f"Racer {index}",
                        phone=f"+3247{index + 1:07d}",
                        email="",
                        language="nl",
                        due_on=date.fromisoformat(due_iso),
                        agreement_method="on_screen",
                        accepted=True,
                    ),
                    now=clock.now(),
                    max_days=90,
                )
                return "lent"
        except services.DeviceUnavailable:
            return "unavailable"
        except DomainError as error:
            return f"refused: {error.code}"


def test_twenty_desks_lending_one_laptop_at_once_make_one_loan(world, racing_processes):
    due = clock.local_today().toordinal() + 14
    device_id, desk_id = world.laptop.id, world.desk.id
    db.session.commit()

    outcomes = racing_processes(
        RACERS, lend_the_laptop, device_id, desk_id, date.fromordinal(due).isoformat()
    )

    assert outcomes.count("lent") == 1, outcomes
    assert outcomes.count("unavailable") == RACERS - 1, outcomes
    db.session.rollback()  # a fresh snapshot: ours began before the race
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 1
    assert db.session.get(Device, device_id).status == "on_loan"


def test_the_partial_unique_index_refuses_a_second_open_loan_of_one_device(world):
    """The second line: even past the conditional update, the database refuses."""
    loan = services.lend(
        actor=world.desk,
        device=world.laptop,
        data=services.LoanInput(
            first_name="Marcel",
            phone="0470 12 34 56",
            email="",
            language="nl",
            due_on=date(2026, 12, 29),
            agreement_method="on_screen",
            accepted=True,
        ),
        now=clock.now(),
        max_days=90,
    )
    db.session.commit()
    copy = Loan(
        device_id=loan.device_id,
        location_id=loan.location_id,
        first_name="Rita",
        phone="+32471000000",
        language="nl",
        agreement_version_id=loan.agreement_version_id,
        agreement_method="on_screen",
        agreement_accepted_at=loan.lent_at,
        lent_at=loan.lent_at,
        due_on=loan.due_on,
        status="open",
    )
    db.session.add(copy)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 1
