"""The loan pages: the desk lends in two steps and takes back; ids of another municipality
are "not found"; bad input shows the form again and changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from digicoach.accounts.models import Role
from digicoach.extensions import db
from digicoach.loans.models import Device, Loan
from tests.conftest import sign_in
from tests.factories import make_user
from tests.loans.conftest import lend

DETAILS = {
    "step": "details",
    "first_name": "Marcel",
    "phone": "0470 12 34 56",
    "email": "",
    "language": "nl",
    "due_on": "2026-12-29",
}


def test_the_desk_lends_in_two_steps_and_takes_back(world, client):
    sign_in(client, world.desk)
    url = f"/loans/devices/{world.laptop.id}/lend"
    assert client.get(url).status_code == 200
    step_two = client.post(url, data=DETAILS)
    assert step_two.status_code == 200
    assert "Ik breng het toestel terug" in step_two.get_data(as_text=True)
    refused = client.post(
        url, data={**DETAILS, "step": "agreement", "agreement_method": "on_screen"}
    )
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Loan)) == 0
    done = client.post(
        url,
        data={
            **DETAILS,
            "step": "agreement",
            "agreement_method": "on_screen",
            "accepted": "y",
            "agreement_version_id": str(world.agreement.id),
        },
    )
    assert done.status_code == 302
    loan = db.session.scalar(select(Loan))
    assert done.headers["Location"].endswith(f"/loans/{loan.id}")
    back = client.post(f"/loans/{loan.id}/return", data={"condition": "good", "note": ""})
    assert back.status_code == 302
    db.session.expire_all()
    assert db.session.get(Device, world.laptop.id).status == "available"


def test_pages_of_another_municipality_are_not_found(world, client):
    loan = lend(world)
    sign_in(client, world.kortrijk_desk)
    for url in (
        f"/loans/devices/{world.laptop.id}",
        f"/loans/devices/{world.laptop.id}/edit",
        f"/loans/devices/{world.laptop.id}/lend",
        f"/loans/{loan.id}",
        f"/loans/locations/{world.location.id}/devices/new",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/loans/{loan.id}/lost").status_code == 404
    assert "Marcel" not in client.get("/loans/overdue").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).status == "open"


def test_a_coach_may_not_open_the_loan_pages(world, client):
    sign_in(client, make_user(roles=[Role.COACH]))
    assert client.get("/loans").status_code == 403


def test_the_overdue_list_shows_the_longest_overdue_first_with_the_phone(
    world, client, monkeypatch
):
    first = lend(world, due_on=date(2026, 12, 10))
    tablet = Device(location_id=world.location.id, kind="tablet", label="Tablet 1")
    db.session.add(tablet)
    db.session.commit()
    lend(world, tablet, first_name="Rita", phone="0471 22 33 44", due_on=date(2026, 12, 5))
    monkeypatch.setattr("digicoach.core.clock.now", lambda: datetime(2026, 12, 20, 9, tzinfo=UTC))
    sign_in(client, world.desk)
    page = client.get("/loans/overdue").get_data(as_text=True)
    assert page.index("Rita") < page.index("Marcel")
    assert 'href="tel:+32471223344"' in page
    called = client.post(f"/loans/{first.id}/calls", data={"note": "", "back": "overdue"})
    assert called.status_code == 302 and called.headers["Location"].endswith("/loans/overdue")
    assert "not called yet" in client.get("/loans/overdue").get_data(as_text=True)
