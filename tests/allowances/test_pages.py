"""The pages: a coordinator records through the form and sees the list; the export is a
workbook; admins enter caps and insurance, and the volunteer note shows the insurance."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import func, select

from digicoach.allowances import services
from digicoach.allowances.models import Allowance, AllowanceCaps, ProgrammeInsurance
from digicoach.core import clock
from digicoach.extensions import db
from tests.allowances.conftest import set_caps
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


def _record(world, coach, **values) -> None:
    data = services.AllowanceInput(
        kind=values.pop("kind", "flat"), day=values.pop("day", date(2026, 6, 10)), **values
    )
    services.record(actor=world.coordinator, coach=coach, data=data, now=clock.now())
    db.session.commit()


def test_a_coach_sees_their_own_allowances_and_what_is_left_of_the_caps(world, client):
    _record(world, world.coach, amount="12,50", note="Shift De Krook")
    _record(world, world.coach, kind="bicycle", km=14, day=date(2026, 6, 11))
    someone_else = world.another_coach(first_name="Jonas", last_name="Claes")
    _record(world, someone_else, amount="33,00", note="Not Sara's")
    sign_in(client, world.coach.user)

    me = client.get("/me").get_data(as_text=True)
    assert "/me/allowances" in me
    response = client.get("/me/allowances")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Shift De Krook" in page and "14 km" in page
    assert "€12.50 of €1,659.29" in page
    assert "14 of 2,000 km" in page
    assert "Not Sara's" not in page and "33.00" not in page


def test_a_coach_chooses_an_earlier_year_and_an_unknown_year_shows_this_one(world, client):
    set_caps(world.admin, year=2025)
    _record(world, world.coach, amount="20,00", day=date(2025, 11, 3))
    sign_in(client, world.coach.user)

    earlier = client.get("/me/allowances?year=2025").get_data(as_text=True)
    assert "€20.00" in earlier and '<option value="2025" selected>' in earlier
    for wrong in ("1999", "abc", "2025.0", ""):
        page = client.get(f"/me/allowances?year={wrong}")
        assert page.status_code == 200
        assert "No allowances recorded in 2026." in page.get_data(as_text=True)


def test_staff_do_not_reach_a_coachs_own_allowance_page(world, client):
    sign_in(client, world.coordinator)
    assert client.get("/me/allowances").status_code == 403
