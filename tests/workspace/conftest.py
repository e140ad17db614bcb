"""The workspace world: Gent (two digipunten) and Kortrijk (one), a programme over both, one
user per role (the coordinator and the desk of Gent), a digicoach of Gent, and a clock frozen
at 10:00 Brussels time today."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask_babel import force_locale

from digicoach.accounts.models import User
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Programme
from tests.bookings.factories import in_days
from tests.conftest import sign_in
from tests.factories import (
    make_admin,
    make_coordinator,
    make_desk,
    make_location,
    make_municipality,
    make_programme,
)
from tests.helpdesk.factories import make_working_coach


@dataclass
class WorkspaceWorld:
    admin: User
    coordinator: User
    desk: User
    coach: Coach
    gent: Municipality
    kortrijk: Municipality
    location: Location
    other_location: Location
    kortrijk_location: Location
    programme: Programme

    def working_coach(self, **values: Any) -> Coach:
        return make_working_coach(values.pop("municipality", self.gent), **values)


@pytest.fixture
def morning(monkeypatch: pytest.MonkeyPatch):
    """Today at 10:00 Brussels time."""
    moment = in_days(0, 10)
    monkeypatch.setattr(clock, "now", lambda: moment)
    return moment


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    with app.test_request_context("/"), force_locale("en"):
        yield


@pytest.fixture
def world(app: Any, morning: Any, in_request: None) -> WorkspaceWorld:
    return build_world()


def build_world() -> WorkspaceWorld:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    found = WorkspaceWorld(
        admin=make_admin(name="Anna Admin"),
        coordinator=make_coordinator([gent], name="Sofie Peeters"),
        desk=make_desk([gent], name="Dirk Desk"),
        coach=make_working_coach(gent, status=CoachStatus.ACTIVE, first_name="Yusuf"),
        gent=gent,
        kortrijk=kortrijk,
        location=make_location(gent, name="De Krook"),
        other_location=make_location(gent, name="Bibliotheek Rabot"),
        kortrijk_location=make_location(kortrijk, name="Bib Kortrijk"),
        programme=make_programme([gent, kortrijk], name="Cross & Learn"),
    )
    db.session.commit()
    return found


def home_page(client: Any, user: User) -> str:
    sign_in(client, user)
    response = client.get("/work")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def count_of(page: str, key: str) -> int | None:
    """The big number of item `key` on the home, or None when the item is not there."""
    found = re.search(
        rf'data-item="{re.escape(key)}">.*?class="work-count">([^<]+)<', page, re.DOTALL
    )
    if found is None:
        return None
    # The item must be the one the number belongs to: no other item opened in between.
    between = page[found.start() + 1 : found.end()]
    if "data-item=" in between[len(f'data-item="{key}"') :]:
        return None
    return int(re.sub(r"\D", "", found.group(1)))


def figure_of(page: str, item: str, figure: str) -> int | None:
    """A figure (data-figure) inside item `item` (a digipunt card)."""
    block = re.search(rf'data-item="{re.escape(item)}">(.*?)</li>', page, re.DOTALL)
    if block is None:
        return None
    found = re.search(rf'data-figure="{re.escape(figure)}">([^<]+)<', block.group(1))
    return int(re.sub(r"\D", "", found.group(1))) if found else None
