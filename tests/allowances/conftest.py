"""An allowances world on a frozen clock (Monday 15 June 2026, noon in Brussels): Gent and
Kortrijk, their coordinators, an admin, a coach in Gent, and the caps of 2026 (2024's official
figures, as the demo data carries them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask_babel import force_locale

from digicoach.accounts.models import User
from digicoach.allowances import services
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality
from tests.factories import make_admin, make_coordinator, make_location, make_municipality
from tests.helpdesk.factories import make_working_coach

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


@dataclass
class AllowanceWorld:
    admin: User
    coordinator: User
    other_coordinator: User
    gent: Municipality
    kortrijk: Municipality
    location: Location
    coach: Coach

    def another_coach(self, **values: Any) -> Coach:
        return make_working_coach(values.pop("municipality", self.gent), **values)


def set_caps(admin: User, year: int = 2026, **values: Any) -> None:
    data = services.CapsInput(
        year=year,
        daily_cap=values.get("daily_cap", "41,48"),
        yearly_cap=values.get("yearly_cap", "1.659,29"),
        car_rate=values.get("car_rate", "0,4269"),
        bicycle_rate=values.get("bicycle_rate", "0,35"),
        km_cap=values.get("km_cap", 2000),
        source="test",
    )
    services.set_caps(actor=admin, data=data, now=clock.now())


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


@pytest.fixture
def in_request(app: Any, frozen: datetime) -> Iterator[None]:
    with app.test_request_context("/"), force_locale("en"):
        yield


@pytest.fixture
def world(app: Any, in_request: None) -> AllowanceWorld:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    admin = make_admin(name="Anna Admin", language="en")
    built = AllowanceWorld(
        admin=admin,
        coordinator=make_coordinator([gent], name="Koen Gent", language="en"),
        other_coordinator=make_coordinator([kortrijk], name="Kim Kortrijk", language="en"),
        gent=gent,
        kortrijk=kortrijk,
        location=make_location(gent, name="De Krook"),
        coach=make_working_coach(
            gent, status=CoachStatus.ACTIVE, first_name="Sara", last_name="Peeters"
        ),
    )
    set_caps(admin)
    db.session.commit()
    return built
