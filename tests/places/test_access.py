"""Who reaches the /places pages at all: admins and coordinators, nobody else."""

from __future__ import annotations

import pytest

from tests.conftest import sign_in
from tests.places.conftest import VALID_POSTS, ids_in, places_rules, places_urls, snapshot


def test_every_places_route_declares_who_may_reach_it(app):
    for rule in places_rules(app):
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "access_rule", None), rule.rule


def test_every_post_route_has_a_valid_submission_in_the_access_tests(app):
    posting = {rule.endpoint for rule in places_rules(app) if "POST" in rule.methods}
    assert posting == set(VALID_POSTS)


@pytest.mark.parametrize("role", ["desk", "coach"])
def test_desk_staff_and_coaches_get_403_on_every_places_route(app, client, world, role):
    sign_in(client, getattr(world, role))
    before = snapshot()
    for endpoint, method, url in places_urls(app, ids_in(world, "a")):
        response = client.open(url, method=method, data=VALID_POSTS.get(endpoint, {}))
        assert response.status_code == 403, (method, url)
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(app, client, world):
    before = snapshot()
    for endpoint, method, url in places_urls(app, ids_in(world, "a")):
        response = client.open(url, method=method, data=VALID_POSTS.get(endpoint, {}))
        assert response.status_code in (302, 401), (method, url)
    assert snapshot() == before


def test_admins_and_coordinators_reach_the_overview(client, world):
    for user in (world.admin, world.coordinator_a):
        sign_in(client, user)
        assert client.get("/places/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/places/municipalities/new",
        "/places/programmes/new",
    ],
)
def test_coordinators_cannot_open_admin_only_forms(client, world, path):
    sign_in(client, world.coordinator_a)
    assert client.get(path).status_code == 403


def test_coordinators_cannot_edit_even_their_own_municipality_or_programme(client, world):
    sign_in(client, world.coordinator_a)
    before = snapshot()
    gent, programme = world.gent.id, world.gent_programme.id
    assert client.get(f"/places/municipalities/{gent}/edit").status_code == 403
    assert (
        client.post(
            f"/places/municipalities/{gent}/edit", data=VALID_POSTS["places.edit_municipality"]
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/places/programmes/{programme}/edit", data=VALID_POSTS["places.edit_programme"]
        ).status_code
        == 403
    )
    assert snapshot() == before


def test_the_menu_shows_places_only_to_those_who_may_manage_them(client, world):
    sign_in(client, world.coordinator_a)
    assert b'href="/places/"' in client.get("/").data
    sign_in(client, world.desk)
    assert b'href="/places/"' not in client.get("/").data
