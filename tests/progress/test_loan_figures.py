"""Device loans count in progress: loans lent, devices lent and citizens reached (one per
citizen key, however often they borrow), per municipality and period, on the dashboard and in
its export."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.loans.models import Device, Loan
from digicoach.progress import queries
from tests.conftest import sign_in
from tests.factories import make_location
from tests.loans.conftest import publish_agreement
from tests.spreadsheets import as_reader, belgian_csv


def _loan(device: Device, key: str, lent_at: datetime, **values) -> Loan:
    loan = Loan(
        device_id=device.id,
        location_id=device.location_id,
        first_name="Marcel",
        phone="+32470123456",
        citizen_key=key,
        language="nl",
        agreement_version_id=values.pop("agreement_id"),
        agreement_method="on_screen",
        agreement_accepted_at=lent_at,
        lent_at=lent_at,
        due_on=lent_at.date() + timedelta(days=28),
        status=values.pop("status", "returned"),
        closed_at=values.pop("closed_at", lent_at + timedelta(days=20)),
        **values,
    )
    db.session.add(loan)
    return loan


@pytest.fixture
def lent(world):
    """Gent: two laptops, lent three times to two citizens (one borrowed twice, the second
    time still open, her contact erased no matter); Kortrijk: one tablet; Brugge (outside
    the programme): one; and one Gent loan from before the period."""
    agreement = publish_agreement().id
    laptop = Device(location_id=world.location.id, kind="laptop", label="Laptop 1")
    other = Device(location_id=world.location.id, kind="laptop", label="Laptop 2")
    tablet = Device(location_id=world.kortrijk_location.id, kind="tablet", label="Tablet 1")
    brugge = Device(location_id=_brugge_location(world).id, kind="laptop", label="Laptop 1")
    db.session.add_all([laptop, other, tablet, brugge])
    db.session.flush()
    march = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    _loan(laptop, "key-a", march, agreement_id=agreement)
    _loan(other, "key-b", march + timedelta(days=1), agreement_id=agreement)
    _loan(
        laptop,
        "key-a",
        datetime(2026, 5, 5, 9, 0, tzinfo=UTC),
        agreement_id=agreement,
        status="open",
        closed_at=None,
    )
    _loan(tablet, "key-c", march, agreement_id=agreement)
    _loan(brugge, "key-d", march, agreement_id=agreement)
    _loan(other, "key-e", datetime(2025, 11, 3, 9, 0, tzinfo=UTC), agreement_id=agreement)
    db.session.commit()


def _brugge_location(world):
    return make_location(world.elsewhere, name="Bibliotheek Brugge")


def test_loans_devices_and_citizens_are_counted_per_programme_and_period(world, lent):
    whole = queries.whole_programme(world.programme.id, now=clock.now())
    figures = queries.loan_figures(whole)
    assert (figures.loans, figures.devices_lent, figures.citizens_reached) == (4, 3, 3)


def test_a_municipality_and_a_period_narrow_them(world, lent):
    whole = queries.whole_programme(world.programme.id, now=clock.now())
    gent = replace(whole, municipality_ids=(world.gent.id,))
    assert queries.loan_figures(gent).loans == 3
    april_on = replace(whole, starts_on=date(2026, 4, 1))
    assert queries.loan_figures(april_on).citizens_reached == 1


def test_the_dashboard_and_its_export_show_them(app, client, world, lent):
    sign_in(client, world.coordinator)
    page = client.get("/progress/").get_data(as_text=True)
    assert "devices lent" in page and "citizens reached by loans" in page
    rows = belgian_csv(
        as_reader(app, world.coordinator, "nl").get("/progress/export.csv?kind=figures").data
    )
    loans = {row[1]: row[2] for row in rows if row[0] == "Uitleningen"}
    # The coordinator sees Gent only: three loans of two laptops to two citizens.
    assert loans == {
        "Uitleningen": "3",
        "Uitgeleende toestellen": "2",
        "Burgers bereikt met uitleningen": "2",
    }
