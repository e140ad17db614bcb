"""Admin pages: only admins; roles, scope and (de)activation with their rules; the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from digicoach.accounts import services
from digicoach.accounts.models import Role, User
from digicoach.core import audit, clock
from digicoach.core.audit import AuditEvent
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import (
    make_admin,
    make_coordinator,
    make_desk,
    make_municipality,
    make_user,
)


@pytest.fixture
def client(app):
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    return visitor


@pytest.fixture
def people(app):
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    built = {
        "gent": gent,
        "kortrijk": kortrijk,
        "admin": make_admin(email="admin@example.org", name="Ann Admin", language="en"),
        "coordinator": make_coordinator([gent], email="co@example.org", name="Cor Gent"),
        "desk": make_desk([kortrijk], email="desk@example.org", name="Dirk Desk"),
        "coach": make_user(email="coach@example.org", name="Cas Coach"),
    }
    db.session.commit()
    return built


def _admin_get_urls(app, user_id: int) -> list[str]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin.") and "GET" in rule.methods:
                values = {"user_id": user_id, "event_id": 1}
                urls.append(url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}))
    return urls


def _admin_post_urls(app, user_id: int) -> list[str]:
    with app.test_request_context():
        return [
            url_for(rule.endpoint, user_id=user_id)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and "POST" in rule.methods
        ]


@pytest.mark.parametrize("who", ["coordinator", "desk", "coach"])
def test_only_admins_reach_the_admin_pages(app, client, people, who):
    sign_in(client, people[who])
    target = people["coach"].id
    for url in _admin_get_urls(app, target):
        assert client.get(url).status_code == 403, url
    for url in _admin_post_urls(app, target):
        assert client.post(url, data={"roles": ["admin"]}).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(User, target).roles == {Role.COACH}


def test_visitors_are_sent_to_sign_in(app, client, people):
    for url in _admin_get_urls(app, people["coach"].id):
        assert client.get(url).headers["Location"].startswith("/login")


def test_an_unknown_user_answers_not_found(client, people):
    sign_in(client, people["admin"])
    assert client.get("/admin/users/987654").status_code == 404
    assert client.post("/admin/users/987654/deactivate").status_code == 404


# --- the list ----------------------------------------------------------------------------


def _names(client, query: str = "") -> set[str]:
    page = client.get(f"/admin/users{query}").get_data(as_text=True)
    return {
        name
        for name in ("Ann Admin", "Cor Gent", "Dirk Desk", "Cas Coach")
        if f">{name}</a>" in page
    }


def test_the_user_list_filters_by_role_municipality_status_and_search(client, people):
    sign_in(client, people["admin"])
    assert _names(client) == {"Ann Admin", "Cor Gent", "Dirk Desk", "Cas Coach"}
    assert _names(client, "?role=coordinator") == {"Cor Gent"}
    assert _names(client, f"?municipality={people['kortrijk'].id}") == {"Dirk Desk"}
    assert _names(client, "?q=COACH@") == {"Cas Coach"}
    assert _names(client, "?q=dirk") == {"Dirk Desk"}
    assert _names(client, "?q=%25") == set(), "a % is searched for, not a wildcard"
    with unit_of_work():
        services.set_active(
            actor=people["admin"], user=people["coach"], active=False, now=clock.now()
        )
    assert _names(client, "?active=no") == {"Cas Coach"}
    assert "Cas Coach" not in _names(client, "?active=yes")


def test_a_bad_filter_gets_an_error_and_no_list(client, people):
    sign_in(client, people["admin"])
    response = client.get("/admin/users?role=pope")
    assert response.status_code == 200
    assert b'class="error-summary"' in response.data
    assert b"Cas Coach" not in response.data


# --- roles and scope ---------------------------------------------------------------------


def test_an_admin_changes_roles_and_scope_and_the_audit_names_the_fields_only(client, people):
    sign_in(client, people["admin"])
    desk = people["desk"]
    response = client.post(
        f"/admin/users/{desk.id}",
        data={"roles": ["desk", "coach"], "municipalities": [str(people["gent"].id)]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, desk.id)
    assert changed.roles == {Role.DESK, Role.COACH}
    assert changed.municipality_ids == {people["gent"].id}
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.roles_change")
    ).one()
    assert event.fields == "municipalities,roles"
    assert event.object_id == str(desk.id)
    assert event.object_type == "User"


def test_scoped_roles_without_a_municipality_are_refused_and_nothing_changes(client, people):
    sign_in(client, people["admin"])
    coach = people["coach"]
    response = client.post(f"/admin/users/{coach.id}", data={"roles": ["coordinator"]})
    assert response.status_code == 200
    assert b"need at least one municipality" in response.data
    db.session.expire_all()
    assert db.session.get(User, coach.id).roles == {Role.COACH}
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("user.roles%"))) is None
    )


def test_no_role_at_all_is_refused(client, people):
    sign_in(client, people["admin"])
    response = client.post(f"/admin/users/{people['coach'].id}", data={})
    assert b"Choose at least one role." in response.data


def test_an_admin_cannot_demote_or_deactivate_themselves(client, people):
    admin = people["admin"]
    sign_in(client, admin)
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["coach"]})
    assert b"You cannot take the admin role from yourself." in response.data
    client.post(f"/admin/users/{admin.id}/deactivate")
    db.session.expire_all()
    me = db.session.get(User, admin.id)
    assert me.is_admin and me.active


def test_promoting_someone_without_two_factor_signs_them_out(app, client, people):
    coach = people["coach"]
    coach_client = app.test_client()
    sign_in(coach_client, coach)
    sign_in(client, people["admin"])
    client.post(
        f"/admin/users/{coach.id}",
        data={"roles": ["coordinator"], "municipalities": [str(people["gent"].id)]},
    )
    assert coach_client.get("/account").status_code == 302


def test_deactivating_and_reactivating_are_audited(app, client, people):
    coach = people["coach"]
    coach_client = app.test_client()
    sign_in(coach_client, coach)
    sign_in(client, people["admin"])

    client.post(f"/admin/users/{coach.id}/deactivate")
    assert coach_client.get("/account").status_code == 302
    client.post(f"/admin/users/{coach.id}/reactivate")

    db.session.expire_all()
    assert db.session.get(User, coach.id).active
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["user.deactivate", "user.reactivate"]


def test_the_user_page_shows_the_person_and_their_scope(client, people):
    sign_in(client, people["admin"])
    page = client.get(f"/admin/users/{people['coordinator'].id}").get_data(as_text=True)
    assert page.count("<h1>") == 1
    assert "Cor Gent" in page and "co@example.org" in page
    assert 'type="checkbox"' in page


# --- the audit log -----------------------------------------------------------------------


def _record(actor, action: str, when: datetime, obj=None) -> None:
    event = audit.record(actor, action, obj, ["name"])
    event.occurred_at = when


def test_the_audit_log_is_newest_first_and_filters(client, people, monkeypatch):
    admin, coach = people["admin"], people["coach"]
    base = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    _record(admin, "user.roles_change", base - timedelta(days=2), coach)
    _record(coach, "user.password_change", base - timedelta(days=1))
    _record(admin, "user.deactivate", base, coach)
    db.session.commit()
    sign_in(client, admin)
    first, second, third = (
        "Roles or municipalities changed",
        "Password changed",
        "Account deactivated",
    )

    page = client.get("/admin/audit").get_data(as_text=True)
    positions = [page.index(f"{label}</a>") for label in (third, second, first)]
    assert positions == sorted(positions)

    by_actor = client.get(f"/admin/audit?actor={coach.id}").get_data(as_text=True)
    assert f"{second}</a>" in by_actor and f"{third}</a>" not in by_actor

    by_action = client.get("/admin/audit?action=user.roles_change").get_data(as_text=True)
    assert f"{first}</a>" in by_action
    assert f"{third}</a>" not in by_action

    by_type = client.get("/admin/audit?object_type=User").get_data(as_text=True)
    assert f"{second}</a>" not in by_type

    one_day = client.get("/admin/audit?date_from=2026-03-01&date_to=2026-03-01").get_data(
        as_text=True
    )
    assert f"{second}</a>" in one_day
    assert f"{first}</a>" not in one_day
    assert f"{third}</a>" not in one_day


def test_a_date_range_the_wrong_way_round_is_ignored_with_a_note_not_an_error(client, people):
    # A GET filter is a view, not a question: never a field error (core.forms.read_filter_form).
    sign_in(client, people["admin"])
    response = client.get("/admin/audit?date_from=2026-03-05&date_to=2026-03-01")
    assert b"A filter was ignored" in response.data
    assert b'class="field-error"' not in response.data
    bad = client.get("/admin/audit?date_from=yesterday")
    assert bad.status_code == 200
    assert b'class="field-error"' not in bad.data


def test_control_characters_in_the_search_are_a_field_error(client, people):
    sign_in(client, people["admin"])
    response = client.get("/admin/users?q=an%01")
    assert response.status_code == 200
    assert b"Remove the invisible special characters." in response.data
