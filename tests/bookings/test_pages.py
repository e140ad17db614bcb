"""The booking wizard, the manage link and the front-desk console, through HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from digicoach.bookings.models import Appointment, AppointmentStatus, WalkIn
from digicoach.core import clock
from digicoach.extensions import db
from tests.bookings.factories import in_days, make_appointment, make_bookable_session
from tests.conftest import sign_in


def _count(model=Appointment) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no hidden {name}"
    return match.group(1)


def _step(client, response, step: str, **answers):
    html = response.get_data(as_text=True)
    data = {"state": _hidden(html, "state"), "step": step, **answers}
    return client.post("/book", data=data)


def _walk_to_review(client, world, session, **contact):
    page = client.get("/book")
    assert page.status_code == 200
    page = _step(client, page, "municipality", municipality=str(world.gent.id))
    page = _step(client, page, "location", location=str(world.location.id))
    page = _step(client, page, "topic", topic="email")
    page = _step(client, page, "language", language="nl")
    slot = f"{session.id}@{session.starts_at.isoformat()}"
    assert slot in page.get_data(as_text=True)
    page = _step(client, page, "slot", slot=slot)
    values = {"first_name": "Maria", "phone": "0470 12 34 56", "email": ""}
    values.update(contact)
    page = _step(client, page, "contact", **values)
    page = _step(client, page, "note", note="")
    assert page.status_code == 200
    return page


def _confirm(client, review, **extra):
    html = review.get_data(as_text=True)
    # The confirm form is the second one: its state follows the first.
    token = _hidden(html, "token")
    state = re.findall(r'name="state"[^>]*value="([^"]*)"', html) or re.findall(
        r'value="([^"]*)"[^>]*name="state"', html
    )
    data = {"state": state[-1], "step": "review", "token": token, "consent": "y", **extra}
    return client.post("/book/confirm", data=data)


def test_a_citizen_books_step_by_step_and_lands_on_the_confirmation(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    review = _walk_to_review(client, world, session)
    assert "Maria" in review.get_data(as_text=True)
    done = _confirm(client, review)
    assert done.status_code == 303
    confirmation = client.get(done.headers["Location"])
    text = confirmation.get_data(as_text=True)
    appointment = db.session.scalar(select(Appointment))
    assert appointment.reference in text
    assert confirmation.headers["Cache-Control"] == "no-store"
    for path in ("/print", "/calendar.ics", "/cancel", "/move"):
        assert client.get(done.headers["Location"].split("?")[0] + path).status_code == 200


def test_the_same_form_submitted_twice_books_once_and_shows_the_same_confirmation(client, world):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    db.session.commit()
    review = _walk_to_review(client, world, session)
    first = _confirm(client, review)
    second = _confirm(client, review)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count() == 1


def test_a_filled_honeypot_shows_a_neutral_page_and_books_nothing(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    review = _walk_to_review(client, world, session)
    response = _confirm(client, review, website="http://spam.example")
    assert response.status_code == 200
    assert _count() == 0


def test_each_step_refuses_bad_input_with_a_message_and_keeps_the_answers(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    page = client.get("/book")
    page = _step(client, page, "municipality", municipality="987654")
    assert page.status_code == 422
    page = _step(client, page, "municipality", municipality=str(world.gent.id))
    page = _step(client, page, "location", location=str(world.location.id))
    page = _step(client, page, "topic", topic="email")
    page = _step(client, page, "language", language="nl")
    page = _step(client, page, "slot", slot=f"{session.id}@2020-01-01T10:00:00+00:00")
    assert page.status_code == 422
    page = _step(client, page, "slot", slot=f"{session.id}@{session.starts_at.isoformat()}")
    bad = _step(client, page, "contact", first_name="Maria", phone="12", email="")
    assert bad.status_code == 422
    assert "0470 12 34 56" in bad.get_data(as_text=True)  # the example in the message
    none = _step(client, bad, "contact", first_name="Maria", phone="", email="")
    assert none.status_code == 422
    back = client.post(
        "/book",
        data={
            "state": _hidden(none.get_data(as_text=True), "state"),
            "step": "contact",
            "go": "back",
        },
    )
    assert back.status_code == 200
    topic_page = client.post(
        "/book",
        data={"state": _hidden(back.get_data(as_text=True), "state"), "go": "edit:topic"},
    ).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="email"', topic_page)
    assert _count() == 0


def test_a_tampered_state_starts_again(client, world):
    make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    response = client.post("/book", data={"state": "forged.state", "step": "note", "note": "x"})
    assert response.status_code == 200
    assert 'name="municipality"' in response.get_data(as_text=True)


def test_wrong_unknown_and_expired_manage_links_give_the_same_404(client, world, monkeypatch):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    db.session.commit()
    good = client.get(f"/b/{booking.manage_token}")
    assert good.status_code == 200
    wrong = client.get(f"/b/{booking.manage_token[:-2]}xy")
    unknown = client.get("/b/" + "A" * 43)
    junk = client.get("/b/x")
    later = booking.appointment.end + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    expired = client.get(f"/b/{booking.manage_token}")
    # The same page; only the language links repeat the address that was asked for.
    bodies = {
        re.sub(r"next=[^\"]*", "", r.get_data(as_text=True))
        for r in (wrong, unknown, junk, expired)
    }
    assert {r.status_code for r in (wrong, unknown, junk, expired)} == {404}
    assert len(bodies) == 1


def test_the_citizen_cancels_and_moves_through_the_link(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    token = booking.manage_token
    db.session.commit()
    later = session.starts_at + timedelta(minutes=30)
    moved = client.post(f"/b/{token}/move", data={"slot": f"{session.id}@{later.isoformat()}"})
    assert moved.status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(Appointment.start)) == later
    assert client.post(f"/b/{token}/move", data={"slot": "nonsense"}).status_code == 422
    assert client.post(f"/b/{token}/cancel").status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(Appointment.status)) == AppointmentStatus.CANCELLED


def test_the_desk_books_a_caller_on_one_page_and_checks_them_in(client, world, monkeypatch):
    morning = in_days(0, 9)
    monkeypatch.setattr(clock, "now", lambda: morning)
    session = make_bookable_session(world.location, [world.coach()], starts_at=in_days(0, 10))
    db.session.commit()
    sign_in(client, world.desk)
    page = client.get(f"/desk/book?location_id={world.location.id}")
    assert page.status_code == 200
    token = _hidden(page.get_data(as_text=True), "token")
    form = {
        "token": token,
        "location_id": str(world.location.id),
        "slot": f"{session.id}@{session.starts_at.isoformat()}",
        "topic": "eid_itsme",
        "language": "nl",
        "first_name": "Ahmed",
        "phone": "",
        "no_phone": "y",
        "staff_note": "Comes with his daughter",
    }
    done = client.post(f"/desk/book?location_id={world.location.id}", data=form)
    assert done.status_code == 303, done.get_data(as_text=True)
    again = client.post(f"/desk/book?location_id={world.location.id}", data=form)
    assert again.status_code == 303
    assert _count() == 1
    appointment = db.session.scalar(select(Appointment))
    assert appointment.channel == "phone"
    assert client.get(done.headers["Location"]).status_code == 200
    assert "Ahmed" in client.get(f"/desk?location_id={world.location.id}").get_data(as_text=True)
    assert client.post(f"/desk/appointments/{appointment.id}/check-in").status_code == 303
    db.session.rollback()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.ATTENDED


def test_the_desk_form_refuses_bad_input_and_books_nothing(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    sign_in(client, world.desk)
    base = {
        "location_id": str(world.location.id),
        "slot": f"{session.id}@{session.starts_at.isoformat()}",
        "topic": "email",
        "language": "nl",
        "first_name": "Jan",
        "phone": "",
    }
    for change in ({"phone": ""}, {"phone": "abc"}, {"slot": "1@x"}, {"first_name": ""}):
        response = client.post("/desk/book", data={**base, **change})
        assert response.status_code == 422
    assert _count() == 0


def test_the_desk_of_another_municipality_sees_404_for_our_appointments(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    db.session.commit()
    sign_in(client, world.other_desk)
    appointment_id = booking.appointment.id
    assert client.get(f"/desk/appointments/{appointment_id}").status_code == 404
    assert client.post(f"/desk/appointments/{appointment_id}/cancel").status_code == 404
    assert client.get(f"/desk/book?location_id={world.location.id}").status_code == 200
    response = client.post("/desk/book", data={"location_id": str(world.location.id)})
    assert response.status_code == 404


def test_walk_ins_get_queue_numbers_and_coaches_on_shift_see_them(client, world, app, monkeypatch):
    morning = in_days(0, 10)
    monkeypatch.setattr(clock, "now", lambda: morning)
    coach = world.coach()
    make_bookable_session(world.location, [coach], starts_at=in_days(0, 9), mode="walk_in")
    db.session.commit()
    sign_in(client, world.desk)
    for _ in range(2):
        response = client.post(
            "/desk/walk-ins",
            data={"location_id": str(world.location.id), "topic": "email", "language": "nl"},
        )
        assert response.status_code == 303
    assert [w.number for w in db.session.scalars(select(WalkIn).order_by(WalkIn.number))] == [1, 2]
    coach_client = app.test_client()
    sign_in(coach_client, coach.user)
    page = coach_client.get("/desk/walk-ins")
    assert page.status_code == 200
    assert world.location.name in page.get_data(as_text=True)
    assert coach_client.post("/desk/walk-ins", data={}).status_code == 403
    assert coach_client.get("/desk").status_code == 403


@pytest.mark.parametrize("path", ["/desk", "/desk/book", "/desk/walk-ins", "/desk/call-list"])
def test_desk_pages_answer_for_desk_staff(client, world, path):
    sign_in(client, world.desk)
    assert client.get(path).status_code == 200
