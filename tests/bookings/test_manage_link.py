"""The manage link /b/<token>: the server alone makes its secret, and cancel and move end with
a page that says plainly what became of the appointment (and the message that confirms it)."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from digicoach.bookings import queries, services
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.bookings.views.manage import (
    CANCELLED,
    CANCELLED_BY_ORGANISER,
    OVER,
    STANDING,
    manage_state,
)
from digicoach.core import clock, outbox
from digicoach.core.i18n import LANGUAGE_COOKIE, when
from digicoach.extensions import db
from digicoach.helpdesk.services import cancelling
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.bookings.test_pages import _confirm, _hidden, _walk_to_review
from tests.conftest import sign_in

CHOSEN = "chosen-by-the-browser-" + "x" * 21  # 43 characters, the shape of a real token
# What only a standing appointment shows (as link targets, and the list of what to bring).
STANDING_PARTS = ('/calendar.ics"', '/print"', '/move"', '/cancel"')


@pytest.fixture
def client(client):
    """A citizen who reads Dutch."""
    client.set_cookie(LANGUAGE_COOKIE, "nl")
    return client


def t(msgid: str, **values) -> str:
    """A text as the citizen reads it in Dutch (English until the catalogues carry it)."""
    with force_locale("nl"):
        return gettext(msgid, **values)


def _page(client, path: str):
    response = client.get(path)
    return response, response.get_data(as_text=True)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _sent(app, now=None) -> None:
    """Let the outbox send what the transaction queued (as the scheduler would)."""
    with app.app_context():
        outbox.dispatch_due(now or clock.now())


def _sms_bodies(app) -> list[str]:
    try:
        with open(app.instance_path + "/sms.log", encoding="utf-8") as log:
            return [line.rstrip("\n").split("\t")[-1] for line in log]
    except FileNotFoundError:
        return []


# --- item 8: the manage token is always made by the server -------------------------------------


def test_a_token_chosen_by_the_browser_never_becomes_a_manage_token(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    review = _walk_to_review(client, world, session)

    done = _confirm(client, review, token=CHOSEN)

    assert done.status_code == 303
    manage = done.headers["Location"].split("?")[0]
    assert manage.rsplit("/", 1)[-1] != CHOSEN
    assert client.get(manage).status_code == 200
    for path in ("", "/print", "/calendar.ics", "/cancel", "/move"):
        assert client.get(f"/b/{CHOSEN}{path}").status_code == 404
    db.session.rollback()
    appointment = db.session.scalar(select(Appointment))
    assert appointment.manage_token_hash != queries.hash_token(CHOSEN)
    assert queries.appointment_by_token(CHOSEN, now=clock.now()) is None


def test_a_double_submit_books_once_and_both_land_on_the_same_server_made_link(client, world):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    db.session.commit()
    review = _walk_to_review(client, world, session)
    form_token = _hidden(review.get_data(as_text=True), "token")

    first = _confirm(client, review)
    second = _confirm(client, review)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert f"/b/{form_token}" not in first.headers["Location"]
    assert client.get(second.headers["Location"]).status_code == 200
    db.session.rollback()
    assert len(db.session.scalars(select(Appointment)).all()) == 1


def test_every_door_makes_the_manage_token_on_the_server(app, client, world):
    session = make_bookable_session(world.location, [world.coach(), world.coach()], hours=3)
    # The wizard and the desk hand over a form token: the manage token is derived from it
    # under the server's secret, so a replay finds the same link, yet it is never the token.
    with_token = make_appointment(session, token=CHOSEN)
    assert with_token.manage_token == services.manage_token_for(CHOSEN) != CHOSEN
    assert queries.well_formed_token(with_token.manage_token)
    # Without the server's secret nobody can make it from the form token.
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another secret"
    try:
        assert services.manage_token_for(CHOSEN) != with_token.manage_token
    finally:
        app.config["SECRET_KEY"] = secret
    # The API and the demo data hand over none: a fresh random token, as before.
    without = make_appointment(
        session, session.starts_at + timedelta(minutes=30), phone="0470 99 88 77"
    )
    assert without.appointment.idempotency_key is None
    assert queries.well_formed_token(without.manage_token)
    db.session.commit()

    # The desk's hidden token is only its idempotency key too.
    sign_in(client, world.desk)
    slot = f"{session.id}@{(session.starts_at + timedelta(hours=1)).isoformat()}"
    response = client.post(
        "/desk/book",
        data={
            "token": "desk-chosen-" + "y" * 31,
            "location_id": str(world.location.id),
            "slot": slot,
            "topic": "email",
            "language": "nl",
            "first_name": "Ahmed",
            "phone": "0470 11 22 33",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.rollback()
    desk_booked = db.session.scalar(select(Appointment).where(Appointment.first_name == "Ahmed"))
    assert desk_booked.manage_token_hash != queries.hash_token("desk-chosen-" + "y" * 31)
    assert desk_booked.manage_token_hash == queries.hash_token(
        services.manage_token_for("desk-chosen-" + "y" * 31)
    )


def test_the_api_refuses_a_token_and_returns_a_random_manage_token_as_before(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    body = {
        "help_session_id": session.id,
        "start": session.starts_at.isoformat(),
        "first_name": "Maria",
        "phone": "0470 12 34 56",
        "topic": "email",
        "language": "nl",
        "consent": True,
    }
    refused = client.post("/api/v1/bookings", json={**body, "token": CHOSEN})
    assert refused.status_code == 422
    assert "token" in refused.get_json()["errors"]

    created = client.post("/api/v1/bookings", json=body)

    assert created.status_code == 201
    token = created.get_json()["manage_token"]
    assert queries.well_formed_token(token)
    assert client.get(f"/b/{token}").status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(Appointment.idempotency_key)) is None


# --- item 3: the page says what became of the appointment --------------------------------------


@pytest.mark.parametrize(
    ("status", "minutes_after_end", "state"),
    [
        (AppointmentStatus.BOOKED, -60, STANDING),
        (AppointmentStatus.BOOKED, 0, OVER),
        (AppointmentStatus.CANCELLED, -60, CANCELLED),
        (AppointmentStatus.CANCELLED_BY_ORGANISER, -60, CANCELLED_BY_ORGANISER),
        (AppointmentStatus.ATTENDED, -10, OVER),
        (AppointmentStatus.NO_SHOW, -10, OVER),
    ],
)
def test_the_manage_page_state_follows_the_status_and_the_end(status, minutes_after_end, state):
    end = clock.now()
    assert manage_state(status, end, end + timedelta(minutes=minutes_after_end)) == state


def _assert_not_standing(html: str) -> None:
    for part in (*STANDING_PARTS, t("What to bring")):
        assert part not in html, f"a page that no longer stands shows {part!r}"
    assert 'href="/book"' in html
    assert 'role="status"' in html


def test_cancelling_ends_on_a_page_that_says_so_and_a_message_confirms_it(
    app, client, world, mailbox
):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session, email="maria@example.org")
    token, reference = booking.manage_token, booking.appointment.reference
    db.session.commit()
    _sent(app)
    mailbox.clear()

    done = client.post(f"/b/{token}/cancel")

    assert done.status_code == 303
    response, html = _page(client, done.headers["Location"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(html)
    assert f"<h1>{t('Your appointment is cancelled')}</h1>" in html
    assert reference in text
    _assert_not_standing(html)
    # Said once, right after cancelling: a message confirms it.
    assert t("We also send you a message to confirm it.") in text
    _sent(app)
    [mail] = mailbox.to("maria@example.org")
    assert reference in mail.get_body(("plain",)).get_content()
    assert not [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert any(reference in body for body in _sms_bodies(app))

    # Later visits show the same page; nothing else offers the old time any more.
    _again, html = _page(client, f"/b/{token}")
    _assert_not_standing(html)
    for path in ("/print", "/calendar.ics"):
        gone, html = _page(client, f"/b/{token}{path}")
        assert gone.status_code == 410
        assert "text/html" in gone.headers["Content-Type"]
        assert reference in html
        _assert_not_standing(html)
    for path in ("/cancel", "/move"):
        again = client.get(f"/b/{token}{path}")
        assert again.status_code == 303
        assert again.headers["Location"].endswith(f"/b/{token}")
    # A second click on "cancel" lands on the same page, not on an error.
    second = client.post(f"/b/{token}/cancel")
    assert second.status_code == 303


def test_an_appointment_the_organiser_cancelled_says_who_and_gives_the_phone(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    db.session.commit()
    cancelling.cancel_session(
        actor=world.coordinator, session=session, reason="Ziek", now=clock.now()
    )
    db.session.commit()
    assert booking.appointment.status == AppointmentStatus.CANCELLED_BY_ORGANISER

    response, html = _page(client, f"/b/{booking.manage_token}")

    assert response.status_code == 200
    _assert_not_standing(html)
    assert booking.appointment.reference in html
    with force_locale("nl"):
        words = when(booking.appointment.start)
    assert t("We had to cancel your appointment of %(when)s. We are sorry.", when=words) in _text(
        html
    )
    # The digipunt's own number, tap to call, in the message itself.
    [box] = re.findall(r'<div class="[^"]*ended[^"]*" role="status">(.*?)</div>', html, re.S)
    assert re.search(r'href="tel:[+0-9]+"[^>]*>09 235 37 50</a>', box)


def test_an_appointment_that_is_over_says_so(client, world, monkeypatch):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    booking.appointment.status = AppointmentStatus.ATTENDED
    db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: booking.appointment.start + timedelta(minutes=5))

    response, html = _page(client, f"/b/{booking.manage_token}")

    assert response.status_code == 200
    assert f"<h1>{t('This appointment is over')}</h1>" in html
    _assert_not_standing(html)
    assert client.get(f"/b/{booking.manage_token}/calendar.ics").status_code == 410


def _calendar_event(client, token: str):
    response = client.get(f"/b/{token}/calendar.ics")
    assert response.status_code == 200
    [event] = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    return event


def test_moving_shows_the_new_time_in_words_and_a_calendar_file_that_replaces_the_old(
    app, client, world, mailbox
):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(
        session, session.starts_at + timedelta(hours=1), email="m@example.org"
    )
    token = booking.manage_token
    db.session.commit()
    _sent(app)
    mailbox.clear()
    before = _calendar_event(client, token)

    for new_start in (session.starts_at + timedelta(minutes=90), session.starts_at):
        done = client.post(
            f"/b/{token}/move", data={"slot": f"{session.id}@{new_start.isoformat()}"}
        )
        assert done.status_code == 303
        response, html = _page(client, done.headers["Location"])
        assert response.status_code == 200
        with app.test_request_context("/"), force_locale("nl"):
            words = when(new_start)  # "donderdag 10 december om 14.00 uur"
        assert f"<h1>{t('Your appointment has a new time')}</h1>" in html
        assert re.search(r'role="status"[^>]*>.*?' + re.escape(words), html, re.S)
        assert "om" in words and "uur" in words
        assert f'href="/b/{token}/calendar.ics"' in html
        after = _calendar_event(client, token)
        assert str(after["UID"]) == str(before["UID"])
        # Higher every time, also when the new time is earlier than the old one.
        assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
        assert after.decoded("DTSTART") == clock.local(new_start)
        before = after

    _sent(app)
    mails = mailbox.to("m@example.org")
    assert len(mails) == 2
    sequences = []
    for mail in mails:
        [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
        [event] = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
        assert str(event["UID"]) == str(before["UID"])
        sequences.append(int(event["SEQUENCE"]))
    assert sorted(sequences) == [1, 2]


def test_the_moved_page_is_only_a_banner_on_a_standing_appointment(client, world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    db.session.commit()
    _response, html = _page(client, f"/b/{booking.manage_token}?moved=1")
    assert 'role="status"' in html
    for part in STANDING_PARTS:
        assert part in html
    services.cancel(actor=None, appointment=booking.appointment, now=clock.now())
    db.session.commit()
    _response, html = _page(client, f"/b/{booking.manage_token}?moved=1&booked=1")
    _assert_not_standing(html)
    assert t("Put the new time in my calendar") not in html
    assert db.session.scalar(select(Appointment.status)) == AppointmentStatus.CANCELLED
