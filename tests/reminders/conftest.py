"""A small world for reminders: one municipality with a digipunt, its coordinator, an admin,
and a frozen clock that tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from digicoach.accounts.models import User
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality
from digicoach.reminders.services.run import queue_due
from digicoach.reminders.services.settings import Settings
from tests.factories import make_admin, make_coordinator, make_location, make_municipality


class FrozenClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen_clock = FrozenClock(datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
    monkeypatch.setattr(clock, "now", frozen_clock)
    return frozen_clock


@dataclass
class World:
    municipality: Municipality
    location: Location
    coordinator: User
    admin: User


@pytest.fixture
def world(app: Any, frozen: FrozenClock) -> World:
    municipality = make_municipality(name="Gent")
    location = make_location(
        municipality, name="Bibliotheek De Krook", front_desk_phone="09 323 68 00"
    )
    result = World(
        municipality=municipality,
        location=location,
        coordinator=make_coordinator([municipality], email="coordinator@example.org"),
        admin=make_admin(email="admin@example.org"),
    )
    db.session.commit()
    return result


def queue(now: datetime, **settings: Any) -> dict[str, int]:
    """Run the reminder service as the job does, and commit."""
    counts = queue_due(now=now, settings=Settings(**settings))
    db.session.commit()
    return counts
