"""The hourly cap on password-reset mails holds when many requests for one account arrive at
once (real processes, SQLite and PostgreSQL): counted, then written, one at a time."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from digicoach.accounts import services
from digicoach.accounts.models import OneTimeToken
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from tests.factories import make_user

pytestmark = pytest.mark.concurrency

RACERS = 12


def ask_for_a_reset(_index: int, email: str) -> str:
    with current_app.test_request_context("/", method="POST"), unit_of_work():
        services.request_password_reset(email, now=clock.now())
    return "asked"


def test_twelve_reset_requests_at_once_send_at_most_the_hourly_cap(app, racing_processes):
    with app.test_request_context("/"):
        user = make_user(email="lies@example.be")
        db.session.commit()

    outcomes = racing_processes(RACERS, ask_for_a_reset, user.email)

    assert outcomes == ["asked"] * RACERS, outcomes
    db.session.rollback()
    issued = db.session.scalar(
        select(func.count())
        .select_from(OneTimeToken)
        .where(OneTimeToken.purpose == services.PASSWORD_RESET)
    )
    assert issued == services.RESET_MAILS_PER_HOUR
