"""Every training route refuses outsiders: a coordinator of another municipality gets 404 or
403 and changes nothing; coaches cannot record attendance; visitors are sent to sign in."""

import pytest
from sqlalchemy import func, select

from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from digicoach.training import rules
from tests.conftest import sign_in
from tests.training.factories import enrol


def training_urls(world, enrolment, coach):
    cohort, session = world.cohort, world.sessions[0]
    programme, module = world.programme, world.basics
    return [
        ("GET", f"/training/manage/{cohort.id}"),
        ("GET", f"/training/manage/{cohort.id}/edit"),
        ("POST", f"/training/manage/{cohort.id}/edit"),
        ("POST", f"/training/manage/{cohort.id}/status/cancelled"),
        ("POST", f"/training/manage/{cohort.id}/enrolments"),
        ("POST", f"/training/manage/{cohort.id}/enrolments/{enrolment.id}/withdraw"),
        ("POST", f"/training/manage/{cohort.id}/certify"),
        ("POST", f"/training/manage/{cohort.id}/certify/{coach.id}"),
        ("GET", f"/training/manage/{cohort.id}/sessions/new"),
        ("POST", f"/training/manage/{cohort.id}/sessions/new"),
        ("GET", f"/training/manage/{cohort.id}/sessions/series"),
        ("POST", f"/training/manage/{cohort.id}/sessions/series"),
        ("GET", f"/training/manage/{cohort.id}/sessions/{session.id}/edit"),
        ("POST", f"/training/manage/{cohort.id}/sessions/{session.id}/edit"),
        ("POST", f"/training/manage/{cohort.id}/sessions/{session.id}/cancel"),
        ("GET", f"/training/sessions/{session.id}/attendance"),
        ("POST", f"/training/sessions/{session.id}/attendance"),
        ("POST", f"/training/sessions/{session.id}/check-in-code"),
        ("GET", f"/training/programmes/{programme.id}/modules"),
        ("POST", f"/training/programmes/{programme.id}/modules"),
        ("POST", f"/training/programmes/{programme.id}/threshold"),
        ("GET", f"/training/programmes/{programme.id}/modules/{module.id}/edit"),
        ("POST", f"/training/programmes/{programme.id}/modules/{module.id}/edit"),
        ("POST", f"/training/programmes/{programme.id}/modules/{module.id}/remove"),
    ]


@pytest.fixture
def enrolled(world):
    coach = world.coach()
    enrolment = enrol(world.cohort, coach)
    db.session.commit()
    return enrolment, coach


def audit_count():
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_a_coordinator_of_another_municipality_gets_404_or_403_everywhere(client, world, enrolled):
    enrolment, coach = enrolled
    sign_in(client, world.other_coordinator)
    before = audit_count()
    for method, url in training_urls(world, enrolment, coach):
        response = client.open(url, method=method, data={"all_present": "1", "name": "X"})
        assert response.status_code in (403, 404), (method, url, response.status_code)
    db.session.rollback()
    assert audit_count() == before
    assert world.cohort.status == rules.OPEN
    assert db.session.get(type(enrolment), enrolment.id).status == rules.ENROLLED


def test_the_other_coordinator_does_not_see_the_cohort_in_the_list(client, world):
    sign_in(client, world.other_coordinator)
    response = client.get("/training/manage")
    assert response.status_code == 200
    assert world.cohort.name not in response.get_data(as_text=True)


def test_a_coach_cannot_record_attendance(client, world, enrolled):
    _enrolment, coach = enrolled
    session = world.sessions[0]
    sign_in(client, coach.user)
    assert client.get(f"/training/sessions/{session.id}/attendance").status_code == 404
    response = client.post(
        f"/training/sessions/{session.id}/attendance", data={f"mark-{coach.id}": "present"}
    )
    assert response.status_code == 404
    assert client.post(f"/training/sessions/{session.id}/check-in-code").status_code == 404
    assert db.session.get(type(session), session.id).status == rules.SCHEDULED


def test_coaches_and_desk_staff_do_not_reach_the_staff_pages(client, world, enrolled):
    _enrolment, coach = enrolled
    sign_in(client, coach.user)
    assert client.get("/training/manage").status_code == 403
    assert client.get(f"/training/manage/{world.cohort.id}").status_code == 403
    assert client.get("/training/programmes").status_code == 403


def test_coordinators_do_not_edit_the_curriculum(client, world):
    sign_in(client, world.coordinator)
    assert client.get(f"/training/programmes/{world.programme.id}/modules").status_code == 403


def test_visitors_are_sent_to_sign_in(client, world):
    for url in ("/training/manage", "/training/mine", "/training/cohorts", "/training/check-in"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/training/manage/987654",
        "/training/manage/987654/edit",
        "/training/manage/99999999999/edit",
        "/training/sessions/987654/attendance",
        "/training/certificates/987654",
        "/training/programmes/987654/modules",
    ],
)
def test_unknown_ids_answer_404(client, world, url):
    sign_in(client, world.admin)
    assert client.get(url).status_code == 404


def test_a_session_of_another_cohort_is_not_found_under_this_cohort(client, world):
    from tests.training.factories import make_cohort, make_session

    other = make_cohort(world.programme, [world.gent])
    foreign = make_session(other, modules=[world.basics])
    db.session.commit()
    sign_in(client, world.coordinator)
    url = f"/training/manage/{world.cohort.id}/sessions/{foreign.id}/edit"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"day": "2030-01-01"}).status_code == 404
