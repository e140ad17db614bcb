"""A certified coach on a frozen clock (15 June 2026): Sara Peeters of Gent holds the Digibank
certificate of the group that met at De Krook, and did two shifts this year."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask_babel import force_locale

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helpdesk.models import SessionStatus
from digicoach.places.models import Municipality
from digicoach.training import rules as training_rules
from digicoach.training.models import Certification
from tests.factories import (
    make_admin,
    make_coordinator,
    make_location,
    make_municipality,
    make_programme,
)
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.training.factories import make_cohort, make_module, make_session

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
CODE = "Vq3-verify-code-4821"


@dataclass
class RecognitionWorld:
    admin: User
    coordinator: User
    other_coordinator: User
    gent: Municipality
    coach: Coach
    other_coach: Coach
    certification: Certification


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


@pytest.fixture
def world(app: Any, frozen: datetime) -> Iterator[RecognitionWorld]:
    yield build_world(app)


def build_world(app: Any) -> RecognitionWorld:
    """The world, committed (the browser tests build it too)."""
    with app.test_request_context("/"), force_locale("en"):
        gent = make_municipality(name="Gent", nis_code="44021")
        kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
        krook = make_location(gent, name="De Krook", city="Gent")
        programme = make_programme([gent, kortrijk], name="Digibank Oost-Vlaanderen")
        basics = make_module(programme, title="Basisvaardigheden")
        safety = make_module(programme, title="Veilig online")
        cohort = make_cohort(
            programme, [gent], name="Gent voorjaar", status=training_rules.FINISHED
        )
        cohort.location_id = krook.id
        for module in (basics, safety):
            make_session(
                cohort, starts_at=NOW - timedelta(days=60), modules=[module], status="held"
            )
        coach = make_working_coach(
            gent, status=CoachStatus.ACTIVE, first_name="Sara", last_name="Peeters"
        )
        certification = Certification(
            coach_id=coach.id,
            programme_id=programme.id,
            cohort_id=cohort.id,
            number="DC-2026-000042",
            verification_code=CODE,
            issued_at=NOW - timedelta(days=40),
        )
        db.session.add(certification)
        for day, hours in ((date(2026, 3, 3), 2), (date(2026, 5, 12), 3)):
            session = make_help_session(
                krook, starts_at=timeslots.local_moment(day, time(14)), hours=hours
            )
            make_shift(session, coach)
        cancelled = make_help_session(
            krook,
            starts_at=timeslots.local_moment(date(2026, 4, 1), time(9)),
            status=SessionStatus.CANCELLED,
        )
        make_shift(cancelled, coach)
        make_shift(make_help_session(krook), coach)  # in three days: not worked yet
        built = RecognitionWorld(
            admin=make_admin(name="Anna Admin", language="en"),
            coordinator=make_coordinator([gent], name="Koen Gent", language="en"),
            other_coordinator=make_coordinator([kortrijk], name="Kim Kortrijk", language="en"),
            gent=gent,
            coach=coach,
            other_coach=make_working_coach(gent, first_name="Ahmed", last_name="Benali"),
            certification=certification,
        )
        db.session.commit()
    return built
