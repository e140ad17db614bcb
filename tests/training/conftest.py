"""A small training world: two municipalities, a programme with a curriculum, staff and
coaches, and an open cohort in Gent with three sessions ahead."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Programme
from digicoach.training.models import Cohort, TrainingModule, TrainingSession
from tests.coaches.factories import make_coach
from tests.factories import (
    make_admin,
    make_coordinator,
    make_location,
    make_municipality,
    make_programme,
    make_user,
)
from tests.training.factories import make_cohort, make_module, make_session


@dataclass
class TrainingWorld:
    admin: User
    coordinator: User
    other_coordinator: User
    trainer: User
    gent: Municipality
    kortrijk: Municipality
    location: Location
    programme: Programme
    basics: TrainingModule
    safety: TrainingModule
    extra: TrainingModule
    cohort: Cohort
    sessions: list[TrainingSession]
    coaches: list[Coach] = field(default_factory=list)

    def coach(self, status: str = CoachStatus.APPROVED, **values: Any) -> Coach:
        coach = make_coach(self.gent, status=CoachStatus(status), **values)
        self.coaches.append(coach)
        return coach


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    """Services translate their messages, which needs a request (English: the msgids)."""
    with app.test_request_context("/"), force_locale("en"):
        yield


@pytest.fixture
def world(app: Any, in_request: None) -> TrainingWorld:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    programme = make_programme([gent, kortrijk], name="Digibank")
    basics = make_module(programme, title="Basis", required=True)
    safety = make_module(programme, title="Veilig online", required=True)
    extra = make_module(programme, title="Extra", required=False)
    trainer = make_user(name="Tina Trainer", language="en")
    cohort = make_cohort(programme, [gent], name="Gent voorjaar", capacity=3, trainer=trainer)
    start = clock.now() + timedelta(days=10)
    sessions = [
        make_session(cohort, starts_at=start, modules=[basics]),
        make_session(cohort, starts_at=start + timedelta(days=7), modules=[safety]),
        make_session(cohort, starts_at=start + timedelta(days=14), modules=[extra]),
    ]
    built = TrainingWorld(
        admin=make_admin(name="Anna Admin", language="en"),
        coordinator=make_coordinator([gent], name="Koen Gent", language="en"),
        other_coordinator=make_coordinator([kortrijk], name="Kim Kortrijk", language="en"),
        trainer=trainer,
        gent=gent,
        kortrijk=kortrijk,
        location=make_location(gent, name="De Krook"),
        programme=programme,
        basics=basics,
        safety=safety,
        extra=extra,
        cohort=cohort,
        sessions=sessions,
    )
    db.session.commit()
    return built
