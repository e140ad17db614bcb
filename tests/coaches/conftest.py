"""Fixtures for the coach tests: a request context for services that build mail links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from digicoach.coaches.models import Coach
from digicoach.extensions import db
from digicoach.places.models import Municipality
from tests.coaches.factories import make_coach
from tests.factories import make_coordinator, make_municipality, make_neighbourhood


@pytest.fixture
def in_request(app: Flask) -> Iterator[None]:
    """Services queue mail with links, which url_for builds inside a request."""
    with app.test_request_context("/"):
        yield


@pytest.fixture
def gent(app: Flask) -> Municipality:
    municipality = make_municipality(name="Gent", nis_code="44021")
    make_neighbourhood(municipality, name="Ledeberg")
    make_neighbourhood(municipality, name="Rabot")
    db.session.commit()
    return municipality


@pytest.fixture
def kortrijk(app: Flask) -> Municipality:
    municipality = make_municipality(name="Kortrijk", nis_code="34022")
    make_neighbourhood(municipality, name="Heule")
    db.session.commit()
    return municipality


@pytest.fixture
def coordinator(gent: Municipality):
    user = make_coordinator([gent], name="Cora Coördinator")
    db.session.commit()
    return user


@pytest.fixture
def applicant(gent: Municipality) -> Coach:
    coach = make_coach(gent)
    db.session.commit()
    return coach
