"""IDOR: a coordinator of Gent can neither read nor change anything of Kortrijk.

Every places route is tried with Kortrijk's ids (GET and POST, with a valid submission, so a
hole would really write); the answers are 404 (or 403 for admin-only routes) and the database
is unchanged. Lists never show Kortrijk's names.
"""

from __future__ import annotations

import pytest

from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_municipality
from tests.places.conftest import VALID_POSTS, ids_in, places_urls, snapshot

ADMIN_ONLY = {"places.edit_municipality", "places.edit_programme"}
ID_ARGUMENTS = ("municipality_id", "neighbourhood_id", "location_id", "programme_id")


def test_every_route_with_another_municipalitys_ids_answers_404_and_changes_nothing(
    app, client, world
):
    sign_in(client, world.coordinator_a)
    before = snapshot()
    tried = 0
    for endpoint, method, url in places_urls(app, ids_in(world, "b")):
        rule_has_id = any(
            argument in rule.arguments
            for rule in app.url_map.iter_rules(endpoint)
            for argument in ID_ARGUMENTS
        )
        if not rule_has_id:
            continue
        response = client.open(url, method=method, data=VALID_POSTS.get(endpoint, {}))
        expected = {403, 404} if endpoint in ADMIN_ONLY else {404}
        assert response.status_code in expected, (method, url, response.status_code)
        assert b"Kortrijk" not in response.data and b"Overleie" not in response.data
        tried += 1
    assert tried >= 15
    assert snapshot() == before


def test_the_same_routes_work_for_the_coordinators_own_municipality(app, client, world):
    sign_in(client, world.coordinator_a)
    for endpoint, method, url in places_urls(app, ids_in(world, "a")):
        if method != "GET" or endpoint in ADMIN_ONLY | {"places.new_municipality"}:
            continue
        if endpoint == "places.new_programme":
            continue
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("bad_id", ["999999", "2147483648", "99999999999999999999", "0"])
def test_unknown_and_impossible_ids_answer_404_for_reads_and_writes(client, world, bad_id):
    sign_in(client, world.admin)
    before = snapshot()
    for path in (
        f"/places/municipalities/{bad_id}",
        f"/places/municipalities/{bad_id}/edit",
        f"/places/municipalities/{bad_id}/locations/new",
        f"/places/neighbourhoods/{bad_id}/edit",
        f"/places/neighbourhoods/{bad_id}/delete",
        f"/places/locations/{bad_id}/edit",
        f"/places/programmes/{bad_id}",
        f"/places/programmes/{bad_id}/edit",
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, data={"name": "x"}).status_code == 404, path
    for path in (
        f"/places/municipalities/{bad_id}/neighbourhoods",
        f"/places/locations/{bad_id}/deactivate",
        f"/places/locations/{bad_id}/activate",
    ):
        assert client.post(path, data={"name": "x"}).status_code == 404, path
    assert snapshot() == before


def test_the_lists_show_only_the_coordinators_municipalities(client, world):
    sign_in(client, world.coordinator_a)
    for path in ("/places/", "/places/locations?show=all", "/places/programmes"):
        page = client.get(path).data
        assert b"Gent" in page, path
        assert b"Kortrijk" not in page, path


def test_a_shared_programme_shows_a_coordinator_only_their_municipalities(client, world):
    antwerpen = make_municipality(name="Antwerpen", nis_code="11002")
    world.gent_programme.municipalities.extend([world.kortrijk, antwerpen])
    db.session.commit()
    sign_in(client, world.coordinator_a)
    for path in ("/places/programmes", f"/places/programmes/{world.gent_programme.id}"):
        page = client.get(path).data
        assert b"Gent Digitaal" in page
        assert b"Kortrijk" not in page and b"Antwerpen" not in page, path


def test_a_location_cannot_be_moved_into_a_neighbourhood_of_another_municipality(client, world):
    sign_in(client, world.coordinator_a)
    before = snapshot()
    data = {
        **VALID_POSTS["places.edit_location"],
        "postcode": "9000",
        "neighbourhood_id": str(world.kortrijk_neighbourhood.id),
    }
    response = client.post(f"/places/locations/{world.gent_location.id}/edit", data=data)
    assert response.status_code == 422
    assert b'id="neighbourhood_id-error"' in response.data
    assert b"Overleie" not in response.data
    response = client.post(f"/places/municipalities/{world.gent.id}/locations/new", data=data)
    assert response.status_code == 422
    assert snapshot() == before
