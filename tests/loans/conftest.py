"""A small loans world: Gent with a digipunt and its desk, Kortrijk with one of its own, a
published loan agreement in Dutch and French, and a laptop on Gent's shelf."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask_babel import force_locale

from digicoach.accounts.models import User
from digicoach.content.models import PageSlug, PageVersion
from digicoach.extensions import db
from digicoach.loans import services
from digicoach.loans.models import Device, Loan
from digicoach.places.models import Location
from tests.factories import (
    make_admin,
    make_coordinator,
    make_desk,
    make_location,
    make_municipality,
)

# A Tuesday morning in Brussels (09:00 CET).
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass
class LoansWorld:
    admin: User
    coordinator: User
    desk: User
    kortrijk_desk: User
    location: Location
    kortrijk_location: Location
    laptop: Device
    agreement: PageVersion


def publish_agreement(language: str = "nl", version: int = 1) -> PageVersion:
    page = PageVersion(
        slug=PageSlug.LOAN_AGREEMENT.value,
        language=language,
        version=version,
        title={"nl": "Leenovereenkomst", "fr": "Contrat de prêt"}.get(language, "Loan agreement"),
        body="Ik breng het toestel terug in de staat waarin ik het kreeg.",
        published_at=NOW,
    )
    db.session.add(page)
    db.session.flush()
    return page


def build_loans_world() -> LoansWorld:
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    location = make_location(gent, name="Bibliotheek De Krook")
    kortrijk_location = make_location(kortrijk, name="Bibliotheek Kortrijk")
    desk = make_desk([gent], name="Sofie Maes", language="en")
    agreement = publish_agreement("nl")
    publish_agreement("fr")
    laptop = services.add_device(
        actor=desk,
        location=location,
        data=services.DeviceInput(
            kind="laptop", label="Laptop 1", serial="PF3X91", accessories="charger"
        ),
    )
    world = LoansWorld(
        admin=make_admin(name="Anna Admin", language="en"),
        coordinator=make_coordinator([gent], name="Koen Claes", language="en"),
        desk=desk,
        kortrijk_desk=make_desk([kortrijk], name="Lies Kortrijk", language="en"),
        location=location,
        kortrijk_location=kortrijk_location,
        laptop=laptop,
        agreement=agreement,
    )
    db.session.commit()
    return world


@pytest.fixture
def world(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoansWorld]:
    monkeypatch.setattr("digicoach.core.clock.now", lambda: NOW)
    with app.test_request_context("/"), force_locale("en"):
        yield build_loans_world()


def loan_input(**values: Any) -> services.LoanInput:
    data = {
        "first_name": "Marcel",
        "phone": "0470 12 34 56",
        "email": "",
        "language": "nl",
        "due_on": date(2026, 12, 29),
        "agreement_method": "on_screen",
        "accepted": True,
    }
    data.update(values)
    return services.LoanInput(**data)


def lend(
    world: LoansWorld, device: Device | None = None, *, now: datetime = NOW, **values: Any
) -> Loan:
    loan = services.lend(
        actor=world.desk,
        device=device or world.laptop,
        data=loan_input(**values),
        now=now,
        max_days=90,
    )
    db.session.commit()
    return loan
