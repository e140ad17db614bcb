"""The /places pages through HTTP: happy paths, and bad input that writes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from digicoach.extensions import db
from digicoach.places.models import Location, Municipality, Neighbourhood, Programme
from tests.conftest import sign_in
from tests.places.conftest import VALID_POSTS, snapshot

LOCATION = {
    "name": "Lokaal dienstencentrum Ledeberg",
    "street": "Hundelgemsesteenweg 82",
    "postcode": "9050",
    "city": "Gent",
    "neighbourhood_id": "",
    "front_desk_phone": "+32 9 235 37 50",
    "opening_notes": "Maandag 13.30 tot 16.00 uur",
    "accessibility_notes": "Drempelvrij",
}
PROGRAMME = {
    "name": "Cross & Learn",
    "starts_on": "2025-01-01",
    "ends_on": "2027-12-31",
    "coach_target": "1000",
    "citizen_target": "30000",
    "description": "Samen digitaal.",
}


def field_errors(html: bytes) -> set[str]:
    """The ids of the fields that show an error message."""
    return set(re.findall(r'id="([a-z_]+)-error"', html.decode()))


def test_the_overview_counts_neighbourhoods_and_locations(client, world):
    sign_in(client, world.coordinator_a)
    page = client.get("/places/").data.decode()
    row = re.search(r"Gent</a></th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r'<td[^>]* class="numeric">(\d+)</td>', row) == ["1", "1", "1"]
    assert page.count("<h1") == 1


def test_an_admin_adds_a_municipality(client, world):
    sign_in(client, world.admin)
    response = client.post(
        "/places/municipalities/new", data={"name": "Antwerpen", "nis_code": " 11002 "}
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Municipality).where(Municipality.name == "Antwerpen"))
    assert created.nis_code == "11002"
    assert response.headers["Location"].endswith(f"/places/municipalities/{created.id}")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "nis_code": "11002"}, "name"),
        ({"name": "Antwerpen", "nis_code": "1100"}, "nis_code"),
        ({"name": "Antwerpen", "nis_code": "1100A"}, "nis_code"),
        ({"name": "Gent", "nis_code": "11002"}, "name"),
        ({"name": "Antwerpen", "nis_code": "34022"}, "nis_code"),
        ({"name": "A" * 121, "nis_code": "11002"}, "name"),
    ],
)
def test_bad_municipality_input_is_shown_next_to_the_field(client, world, data, field):
    sign_in(client, world.admin)
    before = snapshot()
    response = client.post("/places/municipalities/new", data=data)
    assert response.status_code == 422
    assert field_errors(response.data) == {field}
    assert b'class="error-summary"' in response.data
    assert snapshot() == before


def test_a_coordinator_adds_renames_and_deletes_a_neighbourhood(client, world):
    sign_in(client, world.coordinator_a)
    gent = world.gent.id
    assert (
        client.post(
            f"/places/municipalities/{gent}/neighbourhoods", data={"name": "Muide"}
        ).status_code
        == 302
    )
    muide = db.session.scalar(select(Neighbourhood).where(Neighbourhood.name == "Muide"))
    assert client.get(f"/places/neighbourhoods/{muide.id}/edit").status_code == 200
    assert (
        client.post(
            f"/places/neighbourhoods/{muide.id}/edit", data={"name": "Muide-Meulestede"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert muide.name == "Muide-Meulestede"
    assert client.get(f"/places/neighbourhoods/{muide.id}/delete").status_code == 200
    assert client.post(f"/places/neighbourhoods/{muide.id}/delete").status_code == 302
    assert db.session.get(Neighbourhood, muide.id) is None


def test_a_bad_neighbourhood_name_is_shown_on_the_municipality_page(client, world):
    sign_in(client, world.coordinator_a)
    before = snapshot()
    for name in ("", "Ledeberg", "x" * 121):
        response = client.post(
            f"/places/municipalities/{world.gent.id}/neighbourhoods", data={"name": name}
        )
        assert response.status_code == 422
        assert field_errors(response.data) == {"name"}
    assert snapshot() == before


def test_deleting_a_neighbourhood_in_use_is_refused_with_a_clear_message(client, world):
    sign_in(client, world.coordinator_a)
    before = snapshot()
    response = client.post(
        f"/places/neighbourhoods/{world.gent_neighbourhood.id}/delete", follow_redirects=True
    )
    assert response.status_code == 200
    assert "Ledeberg cannot be deleted: 1 location lies in it." in response.data.decode()
    assert snapshot() == before


def test_a_coordinator_adds_a_location_and_the_phone_is_stored_in_national_format(client, world):
    sign_in(client, world.coordinator_a)
    form = client.get(f"/places/municipalities/{world.gent.id}/locations/new")
    assert form.status_code == 200
    response = client.post(
        f"/places/municipalities/{world.gent.id}/locations/new",
        data={**LOCATION, "neighbourhood_id": str(world.gent_neighbourhood.id)},
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Location).where(Location.name == LOCATION["name"]))
    assert created.front_desk_phone == "09 235 37 50"
    assert created.neighbourhood_id == world.gent_neighbourhood.id
    assert created.municipality_id == world.gent.id


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"name": ""}, {"name"}),
        ({"postcode": "900"}, {"postcode"}),
        ({"postcode": "09000"}, {"postcode"}),
        ({"front_desk_phone": "12345"}, {"front_desk_phone"}),
        ({"front_desk_phone": "+44 20 7946 0958"}, {"front_desk_phone"}),
        ({"neighbourhood_id": "abc"}, {"neighbourhood_id"}),
        ({"neighbourhood_id": "99999999999999"}, {"neighbourhood_id"}),
        ({"street": "x" * 201}, {"street"}),
        ({"opening_notes": "x" * 2001}, {"opening_notes"}),
        (
            {"name": "", "postcode": "1", "front_desk_phone": "1"},
            {"name", "postcode", "front_desk_phone"},
        ),
    ],
)
def test_bad_location_input_gives_field_errors_and_writes_nothing(client, world, changes, fields):
    sign_in(client, world.coordinator_a)
    before = snapshot()
    for url in (
        f"/places/municipalities/{world.gent.id}/locations/new",
        f"/places/locations/{world.gent_location.id}/edit",
    ):
        response = client.post(url, data={**LOCATION, **changes})
        assert response.status_code == 422, url
        assert field_errors(response.data) == fields, url
        assert b'aria-invalid="true"' in response.data
    assert snapshot() == before


def test_the_location_form_labels_every_field_and_has_one_heading(client, world):
    sign_in(client, world.coordinator_a)
    page = client.get(f"/places/locations/{world.gent_location.id}/edit").data.decode()
    assert page.count("<h1") == 1
    controls = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page)
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', page))
    visible = [c for c in controls if c != "csrf_token"]
    assert visible and set(visible) <= labelled
    # The CSP allows neither: no inline style attribute, no inline script (files are fine).
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)


def test_a_location_is_deactivated_and_activated_again(client, world):
    sign_in(client, world.coordinator_a)
    location = world.gent_location.id
    assert client.post(f"/places/locations/{location}/deactivate").status_code == 302
    assert not db.session.get(Location, location, populate_existing=True).active
    page = client.get("/places/locations?show=inactive").data.decode()
    assert "De Krook" in page
    assert "De Krook" not in client.get("/places/locations").data.decode()
    assert client.post(f"/places/locations/{location}/activate").status_code == 302
    assert db.session.get(Location, location, populate_existing=True).active


def test_an_admin_creates_and_edits_a_programme(client, world):
    sign_in(client, world.admin)
    response = client.post(
        "/places/programmes/new",
        data={**PROGRAMME, "municipality_ids": [str(world.gent.id), str(world.kortrijk.id)]},
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Programme).where(Programme.name == "Cross & Learn"))
    assert {m.name for m in created.municipalities} == {"Gent", "Kortrijk"}
    edit = client.get(f"/places/programmes/{created.id}/edit").data.decode()
    assert re.search(rf'<input checked [^>]*value="{world.gent.id}"', edit)
    assert re.search(rf'<input checked [^>]*value="{world.kortrijk.id}"', edit)
    response = client.post(
        f"/places/programmes/{created.id}/edit",
        data={**PROGRAMME, "coach_target": "1200", "municipality_ids": [str(world.gent.id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert created.coach_target == 1200
    assert [m.name for m in created.municipalities] == ["Gent"]
    page = client.get(f"/places/programmes/{created.id}").data.decode()
    assert "1,200" in page and "30,000" in page  # the admin reads English


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"name": ""}, {"name"}),
        ({"name": "Gent Digitaal"}, {"name"}),
        ({"ends_on": "2024-12-31"}, {"ends_on"}),
        ({"starts_on": ""}, {"starts_on"}),
        ({"starts_on": "31/02/2025"}, {"starts_on"}),
        ({"coach_target": "-1"}, {"coach_target"}),
        ({"citizen_target": "dertigduizend"}, {"citizen_target"}),
        ({"citizen_target": "99999999999"}, {"citizen_target"}),
        ({"description": "x" * 5001}, {"description"}),
        ({"municipality_ids": ["999999"]}, {"municipality_ids"}),
        ({"municipality_ids": ["abc"]}, {"municipality_ids"}),
    ],
)
def test_bad_programme_input_gives_field_errors_and_writes_nothing(client, world, changes, fields):
    sign_in(client, world.admin)
    before = snapshot()
    for url in ("/places/programmes/new", f"/places/programmes/{world.kortrijk_programme.id}/edit"):
        response = client.post(url, data={**PROGRAMME, **changes})
        assert response.status_code == 422, url
        assert field_errors(response.data) == fields, url
    assert snapshot() == before


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_a_form_without_its_csrf_token_changes_nothing(csrf_on, client, world):
    sign_in(client, world.coordinator_a)
    before = snapshot()
    location = world.gent_location.id
    assert client.post(f"/places/locations/{location}/deactivate").status_code == 400
    assert client.post(f"/places/locations/{location}/edit", data=LOCATION).status_code == 400
    assert snapshot() == before
    page = client.get(f"/places/locations/{location}/edit").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/places/locations/{location}/edit", data={**LOCATION, "csrf_token": token}
    )
    assert response.status_code == 302


def test_every_submission_of_the_access_tests_is_valid_for_an_admin(app, client, world):
    # Guards the IDOR tests: they would prove nothing if their submissions were refused anyway.
    sign_in(client, world.admin)
    response = client.post(
        f"/places/locations/{world.kortrijk_location.id}/edit",
        data=VALID_POSTS["places.edit_location"],
    )
    assert response.status_code == 302
    response = client.post(
        f"/places/programmes/{world.kortrijk_programme.id}/edit",
        data=VALID_POSTS["places.edit_programme"],
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/places/municipalities/new", {"name": "Gen\x07t", "nis_code": "11002"}, "name"),
        ("/places/programmes/new", {**PROGRAMME, "name": "Cross\x1bLearn"}, "name"),
        ("/places/programmes/new", {**PROGRAMME, "description": "a\x7fb"}, "description"),
    ],
)
def test_invisible_control_characters_are_a_field_error_not_a_server_error(
    client, world, url, data, field
):
    sign_in(client, world.admin)
    before = snapshot()
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert field_errors(response.data) == {field}
    assert snapshot() == before


def test_control_characters_in_places_forms_of_a_coordinator_are_refused(client, world):
    sign_in(client, world.coordinator_a)
    before = snapshot()
    response = client.post(
        f"/places/municipalities/{world.gent.id}/neighbourhoods", data={"name": "Mu\x07ide"}
    )
    assert response.status_code == 422
    for changes in ({"name": "De\x1bKrook"}, {"accessibility_notes": "lift\x07"}):
        response = client.post(
            f"/places/locations/{world.gent_location.id}/edit", data={**LOCATION, **changes}
        )
        assert response.status_code == 422
        assert field_errors(response.data) == set(changes)
    assert snapshot() == before


def test_a_nul_character_is_refused_at_the_door_and_changes_nothing(client, world):
    # PostgreSQL refuses NUL in text, so core refuses it before any view runs.
    sign_in(client, world.admin)
    before = snapshot()
    response = client.post(
        "/places/municipalities/new", data={"name": "Gen\x00t", "nis_code": "11002"}
    )
    assert response.status_code == 400
    assert snapshot() == before
