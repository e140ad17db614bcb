"""Planning cohorts and sessions: good input is saved, bad input gives a localised error next
to the field and changes nothing."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from digicoach.core import clock
from digicoach.core.errors import ValidationFailed
from digicoach.extensions import db
from digicoach.training import queries, rules
from digicoach.training.models import Cohort, TrainingSession
from digicoach.training.services import cohorts
from digicoach.training.services import sessions as sessions_services
from tests.conftest import sign_in
from tests.training.factories import enrol


def cohort_form(world, **overrides):
    data = {
        "programme_id": str(world.programme.id),
        "name": "Gent najaar",
        "municipality_ids": [str(world.gent.id)],
        "trainer_id": str(world.coordinator.id),
        "capacity": "12",
        "minimum": "6",
        "enrolment_deadline": (clock.local_today() + timedelta(days=20)).isoformat(),
        "location_id": str(world.location.id),
        "online_link": "",
    }
    data.update(overrides)
    return data


def count(model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_coordinator_plans_a_cohort(client, world):
    sign_in(client, world.coordinator)
    assert client.get("/training/manage/new").status_code == 200
    response = client.post("/training/manage/new", data=cohort_form(world))
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Gent najaar"))
    assert cohort.status == rules.PLANNED
    assert cohort.municipality_ids == {world.gent.id}
    assert cohorts.deadline_day(cohort.enrolment_deadline) == clock.local_today() + timedelta(
        days=20
    )
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name for the training group."),
        ({"capacity": "0"}, "capacity", "Enter a number from 1 to 500."),
        ({"capacity": "abc"}, "capacity", "Enter a number from 1 to 500."),
        ({"minimum": "20"}, "minimum", "The minimum cannot be higher than the capacity."),
        ({"enrolment_deadline": "2020-01-01"}, "enrolment_deadline", "Choose today or a day"),
        ({"enrolment_deadline": "not a date"}, "enrolment_deadline", "Not a valid date value."),
        ({"municipality_ids": [str(10**6)]}, "municipality_ids", "not a valid choice"),
        ({"location_id": "", "online_link": ""}, "location_id", "Choose a place"),
        ({"online_link": "javascript:alert(1)"}, "online_link", "Enter a full web address"),
        ({"trainer_id": "987654"}, "trainer_id", "Not a valid choice"),
    ],
)
def test_bad_cohort_input_is_refused_next_to_the_field(client, world, overrides, field, message):
    before = count(Cohort)
    sign_in(client, world.coordinator)
    response = client.post("/training/manage/new", data=cohort_form(world, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page or f'href="#{field}"' in page
    assert message.split("%")[0][:20] in page
    assert count(Cohort) == before


def test_a_coordinator_cannot_pick_another_municipality(client, world):
    sign_in(client, world.coordinator)
    response = client.post(
        "/training/manage/new", data=cohort_form(world, municipality_ids=[str(world.kortrijk.id)])
    )
    assert response.status_code == 422


def test_the_capacity_cannot_drop_below_the_number_enrolled(client, world):
    for _ in range(3):
        enrol(world.cohort, world.coach())
    db.session.commit()
    sign_in(client, world.coordinator)
    data = cohort_form(
        world,
        name=world.cohort.name,
        capacity="2",
        minimum="0",
        enrolment_deadline=cohorts.deadline_day(world.cohort.enrolment_deadline).isoformat(),
    )
    response = client.post(f"/training/manage/{world.cohort.id}/edit", data=data)
    assert response.status_code == 422
    assert "3 digicoaches are already enrolled" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Cohort, world.cohort.id).capacity == 3


def session_form(world, day, start="14:00", end="16:00", modules=None):
    return {
        "day": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "module_ids": [str(m.id) for m in (modules or [world.basics])],
    }


def test_a_session_is_added_in_local_time(client, world):
    sign_in(client, world.coordinator)
    day = date(2027, 3, 30)
    response = client.post(
        f"/training/manage/{world.cohort.id}/sessions/new", data=session_form(world, day)
    )
    assert response.status_code == 302
    session = db.session.scalar(
        select(TrainingSession).order_by(TrainingSession.id.desc()).limit(1)
    )
    assert clock.local(session.starts_at).strftime("%Y-%m-%d %H:%M") == "2027-03-30 14:00"
    assert session.module_ids == {world.basics.id}


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("end_before_start", "end_time"),
        ("past", "day"),
        ("no_modules", "module_ids"),
        ("foreign_module", "module_ids"),
        ("no_day", "day"),
    ],
)
def test_bad_session_input_is_refused(client, world, kind, field):
    from tests.factories import make_programme
    from tests.training.factories import make_module

    foreign = make_module(make_programme([world.kortrijk]))
    db.session.commit()
    day = clock.local_today() + timedelta(days=30)
    data = session_form(world, day)
    if kind == "end_before_start":
        data.update(start_time="16:00", end_time="14:00")
    elif kind == "past":
        data["day"] = (clock.local_today() - timedelta(days=1)).isoformat()
    elif kind == "no_modules":
        data["module_ids"] = []
    elif kind == "foreign_module":
        data["module_ids"] = [str(foreign.id)]
    elif kind == "no_day":
        data["day"] = ""
    before = count(TrainingSession)
    sign_in(client, world.coordinator)
    response = client.post(f"/training/manage/{world.cohort.id}/sessions/new", data=data)
    assert response.status_code == 422
    assert f'href="#{field}"' in response.get_data(as_text=True)
    assert count(TrainingSession) == before


def test_a_weekly_series_keeps_14_00_across_the_change_to_winter_time(world):
    first = date(2027, 10, 19)
    sessions = sessions_services.add_weekly_series(
        actor=world.coordinator,
        cohort=world.cohort,
        data=sessions_services.SeriesInput(
            first_day=first,
            weekdays=(2,),
            start_time=time(14, 0),
            end_time=time(16, 0),
            count=3,
            module_ids=(world.basics.id,),
        ),
        now=clock.now(),
    )
    assert [clock.local(s.starts_at).strftime("%d %H:%M") for s in sessions] == [
        "19 14:00",
        "26 14:00",
        "02 14:00",
    ]
    assert [clock.local(s.ends_at).hour for s in sessions] == [16, 16, 16]


def test_a_series_through_the_page(client, world):
    sign_in(client, world.coordinator)
    before = count(TrainingSession)
    response = client.post(
        f"/training/manage/{world.cohort.id}/sessions/series",
        data={
            "first_day": "2027-03-23",
            "weekdays": ["2", "4"],
            "start_time": "14:00",
            "end_time": "16:00",
            "every_weeks": "1",
            "count": "4",
            "until": "",
            "module_ids": [str(world.basics.id)],
        },
    )
    assert response.status_code == 302
    assert count(TrainingSession) == before + 4


def test_a_series_needs_a_count_or_a_last_day(world):
    with pytest.raises(ValidationFailed) as refused:
        sessions_services.add_weekly_series(
            actor=world.coordinator,
            cohort=world.cohort,
            data=sessions_services.SeriesInput(
                first_day=date(2027, 1, 5),
                weekdays=(2,),
                start_time=time(14, 0),
                end_time=time(16, 0),
                module_ids=(world.basics.id,),
            ),
            now=clock.now(),
        )
    assert "count" in refused.value.errors


def test_opening_needs_a_session_and_cancelling_cancels_the_sessions(client, world):
    sign_in(client, world.coordinator)
    response = client.post(f"/training/manage/{world.cohort.id}/status/cancelled")
    assert response.status_code == 302
    db.session.rollback()
    cohort = db.session.get(Cohort, world.cohort.id)
    assert cohort.status == rules.CANCELLED
    assert {s.status for s in cohort.sessions} == {rules.SESSION_CANCELLED}
    # Cancelled is final.
    client.post(f"/training/manage/{world.cohort.id}/status/open")
    db.session.rollback()
    assert db.session.get(Cohort, world.cohort.id).status == rules.CANCELLED


def test_a_curriculum_module_is_added_and_edited_by_an_admin(client, world):
    sign_in(client, world.admin)
    url = f"/training/programmes/{world.programme.id}/modules"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        data={
            "module-title": "E-mail",
            "module-description": "Mails sturen",
            "module-required": "y",
            "module-expected_hours": "1.5",
            "module-position": "5",
        },
    )
    assert response.status_code == 302
    modules = queries.modules_of(world.programme.id)
    added = next(m for m in modules if m.title == "E-mail")
    assert added.expected_minutes == 90
    response = client.post(
        url,
        data={"module-title": "E-mail", "module-expected_hours": "1", "module-position": "1"},
    )
    assert response.status_code == 422
    assert "already has a module with this title" in response.get_data(as_text=True)
    response = client.post(
        f"/training/programmes/{world.programme.id}/threshold", data={"threshold_percent": "75"}
    )
    assert response.status_code == 302
    assert queries.threshold_percent(world.programme.id) == 75
