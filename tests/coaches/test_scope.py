"""Scope: coordinators see and change only their municipalities; coaches see only themselves."""

from __future__ import annotations

import pytest
from flask import Flask

from digicoach.accounts.models import Role
from digicoach.coaches.models import CoachStatus
from digicoach.extensions import db
from tests.coaches.factories import make_coach
from tests.conftest import sign_in
from tests.factories import make_coordinator, make_user

COACH_ROUTES = [
    ("get", "/coaches/{id}"),
    ("post", "/coaches/{id}/notes"),
    ("post", "/coaches/{id}/intake"),
    ("post", "/coaches/{id}/screening"),
    ("post", "/coaches/{id}/status"),
    ("get", "/coaches/{id}/export.json"),
    ("get", "/coaches/{id}/export.xlsx"),
    ("get", "/coaches/{id}/export.csv"),
    ("get", "/coaches/{id}/erase"),
    ("post", "/coaches/{id}/erase"),
]
LIST_ROUTES = ["/coaches/queue", "/coaches", "/coaches/export.csv"]


def test_every_coaches_route_is_covered_here(app: Flask):
    rules = {
        rule.rule
        for rule in app.url_map.iter_rules()
        # The exports of everything held about a coach live in digicoach/rights.
        if rule.endpoint.startswith(("coaches.", "rights.")) and "<int:coach_id>" in rule.rule
    }
    fmt = "<any(json, xlsx, csv):fmt>"
    concrete = {
        rule.replace(fmt, ending)
        for rule in rules
        for ending in (("json", "xlsx", "csv") if fmt in rule else (fmt,))
    }
    assert concrete == {path.replace("{id}", "<int:coach_id>") for _m, path in COACH_ROUTES}


def test_every_coaches_route_declares_its_access_rule(app: Flask):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("coaches.", "rights.")):
            assert getattr(app.view_functions[rule.endpoint], "access_rule", None), rule.rule


@pytest.mark.parametrize(("method", "path"), COACH_ROUTES)
def test_a_coordinator_of_another_municipality_gets_not_found(client, gent, kortrijk, method, path):
    coach = make_coach(gent, first_name="Geheime", last_name="Gentenaar", screened=True)
    stranger = make_coordinator([kortrijk])
    db.session.commit()
    sign_in(client, stranger)
    response = getattr(client, method)(
        path.format(id=coach.id), data={"status-status": "approved", "note-body": "x"}
    )
    assert response.status_code == 404
    assert b"Gentenaar" not in response.data
    db.session.expire_all()
    assert coach.status == CoachStatus.APPLIED and coach.notes == [] and coach.erased_at is None


@pytest.mark.parametrize("path", LIST_ROUTES)
def test_lists_of_a_coordinator_hold_only_their_municipalities(client, gent, kortrijk, path):
    make_coach(gent, first_name="Geheime", last_name="Gentenaar")
    make_coach(kortrijk, first_name="Kortrijkse", last_name="Coach", status=CoachStatus.APPLIED)
    stranger = make_coordinator([kortrijk])
    db.session.commit()
    sign_in(client, stranger)
    response = client.get(path)
    assert response.status_code == 200
    assert b"Gentenaar" not in response.data
    assert b"Kortrijkse" in response.data


def test_filtering_on_a_foreign_municipality_shows_nothing(client, gent, kortrijk):
    make_coach(gent, last_name="Gentenaar")
    stranger = make_coordinator([kortrijk])
    db.session.commit()
    sign_in(client, stranger)
    response = client.get(f"/coaches/queue?municipality={gent.id}&status=applied")
    assert b"Gentenaar" not in response.data


@pytest.mark.parametrize(
    ("method", "path"), [("get", p) for p in LIST_ROUTES] + [("post", "/coaches/queue/approve")]
)
def test_a_coach_cannot_see_the_queue_or_the_directory(client, gent, method, path):
    coach = make_coach(gent)
    db.session.commit()
    sign_in(client, coach.user)
    assert getattr(client, method)(path).status_code == 403


@pytest.mark.parametrize(("method", "path"), COACH_ROUTES)
def test_a_coach_cannot_open_any_file_not_even_their_own(client, gent, method, path):
    coach = make_coach(gent)
    db.session.commit()
    sign_in(client, coach.user)
    assert getattr(client, method)(path.format(id=coach.id)).status_code == 403


def test_desk_staff_do_not_screen_volunteers(client, gent):
    desk = make_user(roles=(Role.DESK,), municipalities=[gent])
    db.session.commit()
    sign_in(client, desk)
    assert client.get("/coaches/queue").status_code == 403


@pytest.mark.parametrize(
    "path",
    ["/me", "/me/profile", "/me/municipalities", "/me/export.json", "/me/export.csv", "/me/erase"],
)
def test_the_coach_space_needs_a_signed_in_coach(client, gent, coordinator, path):
    assert client.get(path).status_code in (302, 401)
    sign_in(client, coordinator)
    assert client.get(path).status_code == 403


def test_bulk_approval_of_a_foreign_applicant_changes_nothing(client, gent, kortrijk):
    coach = make_coach(gent, screened=True)
    stranger = make_coordinator([kortrijk])
    db.session.commit()
    sign_in(client, stranger)
    client.post("/coaches/queue/approve", data={"coach_ids": [str(coach.id)]})
    db.session.expire_all()
    assert coach.status == CoachStatus.APPLIED


def test_unknown_ids_answer_not_found(client, coordinator):
    sign_in(client, coordinator)
    assert client.get("/coaches/999999").status_code == 404
    assert client.get("/coaches/abc").status_code == 404
