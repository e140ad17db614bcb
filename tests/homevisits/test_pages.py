"""The home-visit pages: staff book through the form, the coaches on a visit see the address,
nobody else does; citizens' pages and the public API never offer a visit; a coach opts in on
their profile."""

from __future__ import annotations

from sqlalchemy import func, select

from digicoach.coaches.services import applications
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.helpdesk.models import Shift
from digicoach.helpdesk.services import shifts
from digicoach.homevisits.models import HomeVisit
from tests.conftest import sign_in
from tests.homevisits.conftest import book, visit_day

FORM = {
    "day": "",
    "start_time": "10:00",
    "end_time": "11:30",
    "first_name": "Maria",
    "phone": "0470 12 34 56",
    "street": "Brusselsesteenweg 120",
    "postcode": "9050",
    "city": "Gent",
    "accessibility_notes": "Derde verdieping, geen lift.",
    "topic": "eid_itsme",
    "language": "nl",
}


def _form(world, **values):
    return {
        **FORM,
        "day": visit_day().isoformat(),
        "location_id": str(world.location.id),
        **values,
    }


def _visits() -> int:
    return db.session.scalar(select(func.count()).select_from(HomeVisit))


def _shifts() -> int:
    return db.session.scalar(select(func.count()).select_from(Shift))


def test_the_desk_books_a_visit_with_two_coaches_through_the_form_and_sees_it_listed(world, client):
    first = world.coach(first_name="Anna", last_name="Peeters")
    second = world.coach(first_name="Bart", last_name="Claes")
    stays = world.coach(first_name="Carla", last_name="Thuis", home_visits=False)
    db.session.commit()
    sign_in(client, world.desk)
    page = client.get("/home-visits/new").get_data(as_text=True)
    assert first.user.name in page and second.user.name in page
    assert stays.user.name not in page  # only coaches who do home visits are offered
    assert "I go along myself (Dirk Desk)" in page
    data = _form(world, coach_id=str(first.id), second_id=str(second.id))
    refused = client.post("/home-visits/new", data={**data, "postcode": "12"})
    assert refused.status_code == 422
    assert _visits() == 0

    done = client.post("/home-visits/new", data=data)
    assert done.status_code == 303
    visit = db.session.scalar(select(HomeVisit))
    assert done.headers["Location"].endswith(f"/home-visits/{visit.id}")
    detail = client.get(f"/home-visits/{visit.id}").get_data(as_text=True)
    assert "Brusselsesteenweg 120" in detail
    assert first.user.name in detail and second.user.name in detail
    assert "Maria" not in client.get("/home-visits").get_data(as_text=True)


def test_a_home_visit_cannot_be_booked_with_one_coach_through_the_form(world, client):
    coach = world.coach()
    db.session.commit()
    sign_in(client, world.desk)

    refused = client.post("/home-visits/new", data=_form(world, coach_id=str(coach.id)))

    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "choose a second digicoach, or go along yourself" in page
    assert (_visits(), _shifts()) == (0, 0)


def test_the_same_coach_twice_or_none_is_refused_through_the_form(world, client):
    coach = world.coach()
    db.session.commit()
    sign_in(client, world.desk)
    twice = client.post(
        "/home-visits/new", data=_form(world, coach_id=str(coach.id), second_id=str(coach.id))
    )
    assert twice.status_code == 422
    assert "Choose two different digicoaches." in twice.get_data(as_text=True)
    nobody = client.post("/home-visits/new", data=_form(world, second_id="self"))
    assert nobody.status_code == 422
    assert "Choose the digicoach who goes." in nobody.get_data(as_text=True)
    assert (_visits(), _shifts()) == (0, 0)


def test_one_coach_and_i_go_along_myself_books_the_visit(world, client):
    coach = world.coach()
    db.session.commit()
    sign_in(client, world.coordinator)
    done = client.post(
        "/home-visits/new", data=_form(world, coach_id=str(coach.id), second_id="self")
    )
    assert done.status_code == 303
    visit = db.session.scalar(select(HomeVisit))
    assert visit.companion_id == world.coordinator.id
    assert _shifts() == 1


def test_coaches_see_a_visit_only_when_they_are_on_it(world, client):
    visit = book(world, companion=True)
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    assert client.get("/home-visits").status_code == 403
    assert client.get("/home-visits/new").status_code == 403
    assert client.get(f"/home-visits/{visit.id}").status_code == 404
    shifts.sign_up(actor=coach.user, coach=coach, session=visit.session, now=clock.now())
    db.session.commit()
    page = client.get(f"/home-visits/{visit.id}")
    assert page.status_code == 200
    assert "Derde verdieping, geen lift." in page.get_data(as_text=True)


def test_staff_of_another_municipality_get_not_found(world, client):
    visit = book(world)
    sign_in(client, world.kortrijk_desk)
    assert client.get(f"/home-visits/{visit.id}").status_code == 404
    assert client.get("/home-visits/99999999").status_code == 404


def test_the_public_pages_and_the_api_never_offer_a_visit(world, client):
    visit = book(world)
    digipunt = client.get(f"/digipunten/{world.location.id}").get_data(as_text=True)
    assert "Help at home" not in digipunt and "Hulp aan huis" not in digipunt
    assert client.get(f"/digipunten/sessions/{visit.session.id}.ics").status_code == 404
    slots = client.get(f"/api/v1/slots?location_id={world.location.id}").json
    assert all(slot["help_session_id"] != visit.session.id for slot in slots)
    refused = client.post(
        "/api/v1/bookings",
        json={
            "help_session_id": visit.session.id,
            "start": clock.local(visit.session.starts_at).isoformat(),
            "first_name": "Ali",
            "phone": "0470 99 99 99",
            "topic": "email",
            "language": "nl",
            "consent": True,
        },
    )
    assert refused.status_code == 422
    assert "help_session_id" in refused.json["errors"]


def test_a_coach_opts_in_to_home_visits_on_their_profile(world):
    coach = world.coach(home_visits=False)
    data = applications.ProfileInput(
        first_name=coach.first_name,
        last_name=coach.last_name,
        phone="0470 11 22 33",
        municipality_id=coach.municipality_id,
        languages=["nl"],
        home_visits=True,
    )
    applications.update_profile(actor=coach.user, coach=coach, data=data, now=clock.now())
    assert coach.home_visits is True
    # A form without the field (an application, another door) leaves the choice as it is.
    applications.update_profile(
        actor=coach.user,
        coach=coach,
        data=applications.ProfileInput(**{**data.__dict__, "home_visits": None}),
        now=clock.now(),
    )
    assert coach.home_visits is True


def test_the_profile_page_offers_the_opt_in(world, client):
    coach = world.coach(home_visits=False)
    sign_in(client, coach.user)
    assert 'name="home_visits"' in client.get("/me/profile").get_data(as_text=True)
