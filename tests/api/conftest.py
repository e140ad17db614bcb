"""The API tests share the booking world (tests/bookings/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask_babel import force_locale

from tests.bookings.conftest import BookingWorld, build_world


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    with app.test_request_context("/"), force_locale("en"):
        yield


@pytest.fixture
def world(app: Any, in_request: None) -> BookingWorld:
    return build_world()
