"""Scope: a coordinator of another municipality gets 404 or 403 on every helpdesk route for
Gent's sessions and shifts, also by guessing ids, and changes nothing. Coaches stay out of the
staff pages and only reach sessions of their own municipality."""

import pytest
from sqlalchemy import func, select

from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, Shift
from tests.conftest import sign_in
from tests.factories import make_desk
from tests.helpdesk.factories import make_help_session, make_shift


@pytest.fixture
def gent_data(world):
    session = make_help_session(world.location)
    coach = world.coach()
    shift = make_shift(session, coach)
    db.session.commit()
    return session, shift, coach


def staff_routes(session_id: int, shift_id: int) -> list[tuple[str, str, dict]]:
    return [
        ("GET", f"/helpdesk/sessions/{session_id}", {}),
        ("GET", f"/helpdesk/sessions/{session_id}/edit", {}),
        ("POST", f"/helpdesk/sessions/{session_id}/edit", {"day": "2030-01-01"}),
        ("GET", f"/helpdesk/sessions/{session_id}/cancel", {}),
        ("POST", f"/helpdesk/sessions/{session_id}/cancel", {"reason": "weg"}),
        ("POST", f"/helpdesk/sessions/{session_id}/invite", {}),
        ("POST", f"/helpdesk/sessions/{session_id}/assign", {"coach_id": "1"}),
        ("POST", f"/helpdesk/shifts/{shift_id}/remove", {}),
    ]


def _snapshot():
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        [(s.status, s.coaches_taken, s.revision) for s in db.session.scalars(select(HelpSession))],
        [s.status for s in db.session.scalars(select(Shift))],
    )


def test_a_coordinator_of_another_municipality_gets_404_everywhere_and_changes_nothing(
    client, world, gent_data
):
    session, shift, _coach = gent_data
    sign_in(client, world.other_coordinator)
    before = _snapshot()
    for method, path, data in staff_routes(session.id, shift.id) + staff_routes(987654, 987654):
        response = client.open(path, method=method, data=data)
        assert response.status_code == 404, f"{method} {path}: {response.status_code}"
    assert _snapshot() == before
    board = client.get("/helpdesk/board").get_data(as_text=True)
    assert "Dienstencentrum Ledeberg" not in board
    new_form = client.get("/helpdesk/sessions/new").get_data(as_text=True)
    assert "Dienstencentrum Ledeberg" not in new_form


def test_coaches_and_desk_staff_get_403_on_the_staff_pages(client, world, gent_data):
    session, shift, coach = gent_data
    desk = make_desk([world.gent])
    db.session.commit()
    before = _snapshot()
    for user in (coach.user, desk):
        sign_in(client, user)
        for method, path, data in [
            ("GET", "/helpdesk/board", {}),
            ("GET", "/helpdesk/sessions/new", {}),
            *staff_routes(session.id, shift.id),
        ]:
            response = client.open(path, method=method, data=data)
            assert response.status_code == 403, f"{method} {path}: {response.status_code}"
    assert _snapshot() == before


def test_staff_without_a_coach_role_get_403_on_the_coach_pages(client, world, gent_data):
    session, shift, _coach = gent_data
    sign_in(client, world.coordinator)
    for method, path in [
        ("GET", "/helpdesk/shifts"),
        ("GET", "/helpdesk/my-shifts"),
        ("POST", f"/helpdesk/sessions/{session.id}/sign-up"),
        ("POST", f"/helpdesk/my-shifts/{shift.id}/cancel"),
        ("GET", f"/helpdesk/my-shifts/{shift.id}.ics"),
    ]:
        assert client.open(path, method=method).status_code == 403, path


def test_a_coach_of_another_municipality_cannot_sign_up_for_gent(client, world, gent_data):
    session, _shift, _coach = gent_data
    stranger = world.coach(municipality=world.kortrijk)
    db.session.commit()
    sign_in(client, stranger.user)
    assert client.post(f"/helpdesk/sessions/{session.id}/sign-up").status_code == 404
    assert client.post("/helpdesk/sessions/987654/sign-up").status_code == 404
    assert "Dienstencentrum Ledeberg" not in client.get("/helpdesk/shifts").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(HelpSession, session.id).coaches_taken == 1


def test_the_coordinator_of_gent_and_the_admin_reach_the_session(client, world, gent_data):
    session, _shift, _coach = gent_data
    for user in (world.coordinator, world.admin):
        sign_in(client, user)
        assert client.get(f"/helpdesk/sessions/{session.id}").status_code == 200
        assert client.get(f"/helpdesk/sessions/{session.id}/edit").status_code == 200
        assert client.get(f"/helpdesk/sessions/{session.id}/cancel").status_code == 200
        assert "Dienstencentrum Ledeberg" in client.get("/helpdesk/board").get_data(as_text=True)
