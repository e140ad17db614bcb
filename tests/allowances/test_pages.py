"""The pages: a coordinator records through the form and sees the list; the export is a
workbook; admins enter caps and insurance, and the volunteer note shows the insurance."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import func, select

from digicoach.allowances.models import Allowance, AllowanceCaps, ProgrammeInsurance
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_programme


def test_a_coordinator_records_an_allowance_and_sees_it_in_the_list(world, client):
    sign_in(client, world.coordinator)
    page = client.get(f"/allowances/coaches/{world.coach.id}")
    assert page.status_code == 200
    response = client.post(
        f"/allowances/coaches/{world.coach.id}",
        data={"kind": "flat", "day": "2026-06-10", "amount": "12,50", "shift": ""},
    )
    assert response.status_code == 302
    listing = client.get("/allowances/?year=2026").get_data(as_text=True)
    assert "Sara Peeters" in listing
    assert "12.50" in listing


def test_a_refusal_is_shown_next_to_the_amount_and_nothing_is_saved(world, client):
    sign_in(client, world.coordinator)
    response = client.post(
        f"/allowances/coaches/{world.coach.id}",
        data={"kind": "flat", "day": "2026-06-10", "amount": "41,49", "shift": ""},
    )
    assert response.status_code == 422
    assert "cap per day" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Allowance)) == 0


def test_the_export_is_a_workbook_that_is_never_cached(world, client):
    sign_in(client, world.coordinator)
    client.post(
        f"/allowances/coaches/{world.coach.id}",
        data={"kind": "car", "day": "2026-06-10", "km": "12", "shift": ""},
    )
    response = client.get("/allowances/export.xlsx?year=2026")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [cell.value for cell in sheet[2]][:5][3:] == [12, 5.12]


def test_another_municipality_gets_not_found(world, client):
    sign_in(client, world.other_coordinator)
    assert client.get(f"/allowances/coaches/{world.coach.id}").status_code == 404
    assert client.get("/allowances/coaches/987654").status_code == 404


def test_coaches_do_not_reach_the_allowance_pages(world, client):
    sign_in(client, world.coach.user)
    assert client.get("/allowances/").status_code in (403, 404)
    assert client.get("/allowances/caps").status_code in (403, 404)


def test_an_admin_enters_the_caps_of_a_year(world, client):
    sign_in(client, world.admin)
    response = client.post(
        "/allowances/caps",
        data={
            "year": "2027",
            "daily_cap": "43,00",
            "yearly_cap": "1.720,00",
            "car_rate": "0,4",
            "bicycle_rate": "0,35",
            "km_cap": "2000",
            "source": "test",
        },
    )
    assert response.status_code == 302
    assert db.session.get(AllowanceCaps, 2027).yearly_cap_cents == 172000
    assert "2027" in client.get("/allowances/caps").get_data(as_text=True)


def test_the_volunteer_note_shows_the_programme_insurance(world, client):
    programme = make_programme([world.gent], name="Digibank Gent")
    db.session.commit()
    sign_in(client, world.admin)
    response = client.post(
        f"/allowances/insurance/{programme.id}",
        data={"insurer": "Ethias", "policy_number": "45.123.456", "cover": "Burgerlijke"},
    )
    assert response.status_code == 302
    assert db.session.get(ProgrammeInsurance, programme.id).insurer == "Ethias"
    note = client.get("/volunteer-note").get_data(as_text=True)
    assert "Ethias" in note
    assert "45.123.456" in note
