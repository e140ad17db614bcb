"""Attendance: the grid for the trainer and coordinators, "everyone present", self check-in."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from digicoach.core import clock
from digicoach.core.errors import Conflict, PermissionDenied, ValidationFailed
from digicoach.extensions import db
from digicoach.training import rules
from digicoach.training.models import Attendance, TrainingSession
from digicoach.training.services import attendance
from tests.conftest import sign_in
from tests.training.factories import enrol, make_session


@pytest.fixture
def lesson(world):
    """A session that started five minutes ago, with three enrolled coaches."""
    session = make_session(
        world.cohort,
        starts_at=clock.now() - timedelta(minutes=5),
        modules=[world.basics],
    )
    coaches = [world.coach() for _ in range(3)]
    for coach in coaches:
        enrol(world.cohort, coach)
    db.session.commit()
    return session, coaches


def marks(session):
    db.session.rollback()
    return {
        row.coach_id: row.mark
        for row in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))
    }


def test_the_trainer_records_attendance_with_radio_buttons(client, world, lesson):
    session, (a, b, c) = lesson
    sign_in(client, world.trainer)
    page = client.get(f"/training/sessions/{session.id}/attendance")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'name="mark-{a.id}" value="excused"' in html
    response = client.post(
        f"/training/sessions/{session.id}/attendance",
        data={f"mark-{a.id}": "present", f"mark-{b.id}": "excused", f"mark-{c.id}": "absent"},
    )
    assert response.status_code == 302
    assert marks(session) == {a.id: "present", b.id: "excused", c.id: "absent"}
    assert db.session.get(TrainingSession, session.id).status == rules.HELD


def test_everyone_present_in_one_click(client, world, lesson):
    session, coaches = lesson
    sign_in(client, world.coordinator)
    response = client.post(f"/training/sessions/{session.id}/attendance", data={"all_present": "1"})
    assert response.status_code == 302
    assert marks(session) == {coach.id: "present" for coach in coaches}


def test_an_unknown_mark_or_coach_changes_nothing(client, world, lesson):
    session, (a, _b, _c) = lesson
    outsider = world.coach()
    db.session.commit()
    sign_in(client, world.trainer)
    for data in (
        {f"mark-{a.id}": "sleeping"},
        {f"mark-{outsider.id}": "present"},
        {"mark-abc": "present"},
    ):
        response = client.post(f"/training/sessions/{session.id}/attendance", data=data)
        assert response.status_code == 422
    assert marks(session) == {}


def test_attendance_cannot_be_recorded_for_a_future_or_cancelled_session(world, lesson):
    _session, (a, _b, _c) = lesson
    future = world.sessions[0]
    with pytest.raises(Conflict) as too_early:
        attendance.record_attendance(
            actor=world.trainer, session=future, marks={a.id: "present"}, now=clock.now()
        )
    assert too_early.value.code == "attendance.not_started"
    future.status = rules.SESSION_CANCELLED
    with pytest.raises(Conflict) as cancelled:
        attendance.record_attendance(
            actor=world.trainer,
            session=future,
            marks={a.id: "present"},
            now=future.starts_at,
        )
    assert cancelled.value.code == "attendance.session_cancelled"
    assert marks(future) == {}


def test_a_coach_cannot_record_attendance_through_the_service(world, lesson):
    session, (a, _b, _c) = lesson
    with pytest.raises(PermissionDenied):
        attendance.record_attendance(
            actor=a.user, session=session, marks={a.id: "present"}, now=clock.now()
        )


def test_self_check_in_with_the_trainers_code(client, world, lesson):
    session, (a, b, _c) = lesson
    code = attendance.open_check_in(actor=world.trainer, session=session, now=clock.now())
    db.session.commit()
    assert len(code) == 6
    assert set(code) <= set(rules.CHECK_IN_ALPHABET)
    sign_in(client, a.user)
    assert client.get("/training/check-in").status_code == 200
    response = client.post("/training/check-in", data={"code": code.lower()})
    assert response.status_code == 302
    assert marks(session) == {a.id: "present"}
    # A wrong code: an error next to the field, nothing recorded.
    sign_in(client, b.user)
    response = client.post("/training/check-in", data={"code": "ZZZZZZ"})
    assert response.status_code == 422
    assert 'href="#code"' in response.get_data(as_text=True)
    assert marks(session) == {a.id: "present"}


def test_the_code_works_only_around_the_session(world, lesson):
    session, (a, _b, _c) = lesson
    code = attendance.open_check_in(actor=world.trainer, session=session, now=clock.now())
    too_late = session.ends_at + timedelta(minutes=31)
    with pytest.raises(ValidationFailed):
        attendance.check_in(actor=a.user, coach=a, code=code, now=too_late)
    just_in_time = session.ends_at + timedelta(minutes=30)
    assert attendance.check_in(actor=a.user, coach=a, code=code, now=just_in_time) == session


def test_a_coach_of_another_cohort_cannot_use_the_code(world, lesson):
    session, _coaches = lesson
    outsider = world.coach()
    code = attendance.open_check_in(actor=world.trainer, session=session, now=clock.now())
    with pytest.raises(ValidationFailed):
        attendance.check_in(actor=outsider.user, coach=outsider, code=code, now=clock.now())


def test_the_trainer_sees_their_groups(client, world, lesson):
    session, _coaches = lesson
    sign_in(client, world.trainer)
    page = client.get("/training/teaching").get_data(as_text=True)
    assert world.cohort.name in page
    assert f"/training/sessions/{session.id}/attendance" in page
