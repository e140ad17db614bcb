"""The coach's side: the list of groups with an enrol button, my training, the calendar."""

from datetime import timedelta

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.training import rules
from tests.conftest import sign_in
from tests.training.factories import enrol, make_session, mark


def test_an_approved_coach_sees_the_open_group_and_enrols(client, world):
    coach = world.coach(language="en")
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/training/cohorts").get_data(as_text=True)
    assert world.cohort.name in page
    assert f"/training/cohorts/{world.cohort.id}/enrol" in page
    response = client.post(f"/training/cohorts/{world.cohort.id}/enrol")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/training/mine")
    page = client.get("/training/mine").get_data(as_text=True)
    assert "Enrolled" in page
    assert "No session has taken place yet." in page


def test_a_coach_of_another_municipality_does_not_see_or_reach_the_group(client, world):
    from digicoach.coaches.models import CoachStatus
    from tests.coaches.factories import make_coach

    coach = make_coach(world.kortrijk, status=CoachStatus.APPROVED)
    db.session.commit()
    sign_in(client, coach.user)
    assert world.cohort.name not in client.get("/training/cohorts").get_data(as_text=True)
    assert client.post(f"/training/cohorts/{world.cohort.id}/enrol").status_code == 404


def test_a_full_group_puts_the_coach_on_the_waitlist(client, world):
    for _ in range(world.cohort.capacity):
        enrol(world.cohort, world.coach())
    coach = world.coach(language="en")
    db.session.commit()
    sign_in(client, coach.user)
    assert "Join the waitlist" in client.get("/training/cohorts").get_data(as_text=True)
    client.post(f"/training/cohorts/{world.cohort.id}/enrol")
    assert "number 1 on the waitlist" in client.get("/training/mine").get_data(as_text=True)


def test_my_training_says_what_is_still_missing(client, world):
    coach = world.coach(language="en")
    enrol(world.cohort, coach)
    held = make_session(
        world.cohort, starts_at=clock.now() - timedelta(days=1), modules=[world.basics]
    )
    mark(held, coach, rules.PRESENT)
    other = make_session(
        world.cohort, starts_at=clock.now() - timedelta(days=2), modules=[world.extra]
    )
    mark(other, coach, rules.EXCUSED)
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/training/mine").get_data(as_text=True)
    assert "So far you attended 1 of 2 sessions." in page
    assert "that counts as not attended" in page
    assert "Attend a session about “Veilig online”." in page
    assert "Attend 3 more sessions." in page


def test_the_calendar_files(client, world):
    coach = world.coach()
    enrol(world.cohort, coach)
    db.session.commit()
    sign_in(client, coach.user)
    response = client.get("/training/mine/calendar.ics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/calendar")
    body = response.get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 3
    assert "TZID=Europe/Brussels" in body
    one = client.get(f"/training/mine/sessions/{world.sessions[0].id}.ics")
    assert one.status_code == 200
    assert one.get_data(as_text=True).count("BEGIN:VEVENT") == 1


def test_a_calendar_file_of_someone_elses_group_is_not_found(client, world):
    from tests.training.factories import make_cohort

    coach = world.coach()
    other = make_cohort(world.programme, [world.gent])
    foreign = make_session(other, modules=[world.basics])
    enrol(world.cohort, coach)
    db.session.commit()
    sign_in(client, coach.user)
    assert client.get(f"/training/mine/sessions/{foreign.id}.ics").status_code == 404


def test_a_coach_withdraws_from_the_page(client, world):
    coach = world.coach()
    enrol(world.cohort, coach)
    db.session.commit()
    sign_in(client, coach.user)
    assert client.post(f"/training/cohorts/{world.cohort.id}/withdraw").status_code == 302
    db.session.rollback()
    assert db.session.get(type(world.cohort), world.cohort.id).enrolled_count == 0


def test_a_staff_user_without_a_coach_profile_gets_404_on_coach_pages(client, world):
    from digicoach.accounts.models import Role
    from tests.factories import make_user

    user = make_user(roles=(Role.COACH,))
    db.session.commit()
    sign_in(client, user)
    assert client.get("/training/mine").status_code == 404
