"""Helpers for the account tests: a frozen clock, signing in through the real form, codes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.accounts import twofactor
from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from tests.factories import DEFAULT_PASSWORD

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# The factories' secret has 80 bits; pyotp (rightly) wants at least 112, as our own secrets have.
STRONG_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class FrozenClock:
    """`clock.now()` stands still until a test moves it."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(START)
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture
def client(app: Any) -> FlaskClient:
    """A visitor who reads English (the catalogues may translate everything else)."""
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    return visitor


def english_client(app: Any) -> FlaskClient:
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    return visitor


@pytest.fixture
def in_english(app: Any) -> Iterator[None]:
    """Service messages are translated; the tests read them in English."""
    with force_locale("en"):
        yield


def log_in(
    client: FlaskClient,
    email: str,
    password: str = DEFAULT_PASSWORD,
    *,
    remember: bool = False,
    next_path: str | None = None,
    **kwargs: Any,
) -> Any:
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    if next_path is not None:
        data["next"] = next_path
    return client.post("/login", data=data, headers={"Accept-Language": "en"}, **kwargs)


def with_strong_secret(user: Any) -> Any:
    user.totp_secret = STRONG_SECRET
    db.session.commit()
    return user


def current_code(secret: str = STRONG_SECRET) -> str:
    return twofactor.code_at(secret, clock.now())


def is_signed_in(client: FlaskClient) -> bool:
    """/account answers 200 only to a signed-in client (others are sent to /login)."""
    return client.get("/account").status_code == 200


def audit_actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0
