"""Fixtures for progress: a frozen clock, a programme of two municipalities, a statement counter."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import event

from digicoach.accounts.models import User
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme
from tests.factories import (
    make_admin,
    make_coordinator,
    make_location,
    make_municipality,
    make_neighbourhood,
    make_programme,
)

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr("digicoach.core.clock.now", lambda: NOW)
    return NOW


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    with app.test_request_context("/"), force_locale("en"):
        yield


@dataclass
class ProgressWorld:
    admin: User
    coordinator: User
    other_coordinator: User
    gent: Municipality
    kortrijk: Municipality
    elsewhere: Municipality
    ledeberg: Neighbourhood
    location: Location
    kortrijk_location: Location
    programme: Programme


@pytest.fixture
def world(app: Any, frozen: datetime) -> ProgressWorld:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    elsewhere = make_municipality(name="Brugge", nis_code="31005")
    ledeberg = make_neighbourhood(gent, name="Ledeberg")
    built = ProgressWorld(
        admin=make_admin(name="Anna Admin", language="en"),
        coordinator=make_coordinator([gent], name="Koen Gent", language="en"),
        other_coordinator=make_coordinator([elsewhere], name="Bea Brugge", language="en"),
        gent=gent,
        kortrijk=kortrijk,
        elsewhere=elsewhere,
        ledeberg=ledeberg,
        location=make_location(gent, name="Dienstencentrum Ledeberg", neighbourhood=ledeberg),
        kortrijk_location=make_location(kortrijk, name="Bib Kortrijk"),
        programme=make_programme(
            [gent, kortrijk],
            name="Digibank Leie-Schelde",
            starts_on=date(2026, 1, 1),
            ends_on=date(2027, 12, 31),
            coach_target=100,
            citizen_target=3000,
        ),
    )
    db.session.commit()
    return built


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any, **_kwargs: Any) -> None:
        self.count += 1


@pytest.fixture
def count_statements(app: Any):
    """`with count_statements() as counter: ...` counts the SQL statements sent."""

    class _Counting:
        def __enter__(self) -> StatementCounter:
            self.counter = StatementCounter()
            event.listen(db.engine, "before_cursor_execute", self.counter)
            return self.counter

        def __exit__(self, *_exc: Any) -> None:
            event.remove(db.engine, "before_cursor_execute", self.counter)

    return _Counting
