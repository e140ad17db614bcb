"""One front-desk number per digipunt, the same everywhere, and every number tap-to-call.

The digipunt's own number where set, else its programme's, else FRONT_DESK_PHONE; pages,
e-mails, SMS, calendar files and the desk's slip all show that one number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from digicoach.bookings.models import BookingChannel
from digicoach.core import clock, phones
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.places import phones as place_phones
from digicoach.places.models import Programme
from tests.bookings.conftest import BookingWorld, build_world
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.conftest import sign_in
from tests.factories import make_coordinator, make_programme

CENTRAL = "09 123 45 67"  # FRONT_DESK_PHONE in config.py
PROGRAMME = "09 323 68 00"
OWN = "09 235 37 50"  # the Ledeberg digipunt of the booking world

# A Belgian phone number as people write it: 09 323 68 00, 0470 12 34 56, +32 9 323 68 00,
# 093236800. Times (14.00), dates and references (ABC-123) do not match.
PHONE = re.compile(r"(?<![\w+])(?:\+32[\s.]?|0)[1-9](?:[\s./]?\d){7,8}(?!\d)")
TEL_LINK = re.compile(r'<a\b[^>]*href="tel:(\+\d{8,15})"[^>]*>(.*?)</a>', re.S)


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    with app.test_request_context("/"), force_locale("en"):
        yield


@pytest.fixture
def world(app: Any, in_request: None) -> BookingWorld:
    return build_world()


def _programme(world: BookingWorld, phone: str = PROGRAMME, **values: Any) -> Programme:
    today = clock.local_today()
    values.setdefault("starts_on", today - timedelta(days=30))
    values.setdefault("ends_on", today + timedelta(days=300))
    return make_programme([world.gent], front_desk_phone=phone, **values)


def _numbers(text: str) -> set[str]:
    return {re.sub(r"\D", "", n.replace("+32", "0")) for n in PHONE.findall(text)}


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


# --- the resolver -----------------------------------------------------------------------------


def test_a_digipunt_without_its_own_number_shows_its_programme_s_then_the_central_one(world):
    location = world.other_location  # Bibliotheek Rabot: no number of its own
    location.front_desk_phone = ""
    assert place_phones.front_desk_phone(location) == CENTRAL
    _programme(world)
    assert place_phones.front_desk_phone(location) == PROGRAMME
    assert place_phones.front_desk_phone(world.location) == OWN
    # Kortrijk has no programme with a number: the central one.
    world.kortrijk_location.front_desk_phone = ""
    assert place_phones.front_desk_phone(world.kortrijk_location) == CENTRAL
    # core.phones asks places for every feature below it.
    assert phones.front_desk_phone(location) == PROGRAMME


def test_the_programme_running_today_wins_else_the_first_by_id(world):
    today = clock.local_today()
    past = _programme(world, "09 111 11 11", name="Voorbij", ends_on=today - timedelta(days=1))
    _programme(world, "09 222 22 22", name="Nu")
    assert place_phones.programme_phone(world.gent.id) == "09 222 22 22"
    later = today + timedelta(days=400)
    # Next year nothing runs: the first by id.
    assert place_phones.programme_phone(world.gent.id, today=later) == "09 111 11 11"
    assert past.id < db.session.scalar(select(Programme.id).where(Programme.name == "Nu"))
    # Without a digipunt (the page footer): the default programme among all programmes.
    assert place_phones.front_desk_phone(None) == "09 222 22 22"
    assert place_phones.programme_phone(None, today=date(2000, 1, 1)) == "09 111 11 11"


def test_a_programme_without_a_number_is_skipped(world):
    _programme(world, "", name="Zonder nummer")
    world.other_location.front_desk_phone = ""
    assert place_phones.front_desk_phone(world.other_location) == CENTRAL


# --- the same number everywhere ---------------------------------------------------------------


def test_one_number_per_digipunt_on_its_pages_messages_calendar_and_slip(app, world, mailbox):
    location = world.other_location
    location.front_desk_phone = ""
    _programme(world)
    session = make_bookable_session(location, [world.coach()])
    booking = make_appointment(
        session, phone="0470 12 34 56", email="maria@example.be", contact_language="nl"
    )
    desk_booking = make_appointment(
        session,
        start=session.starts_at + timedelta(minutes=30),
        phone="0470 99 88 77",
        actor=world.desk,
        channel=BookingChannel.PHONE,
    )
    db.session.commit()
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.channel for m in messages} == {"sms", "email"}

    client = app.test_client()
    texts: dict[str, str] = {}
    for message in messages:
        texts[f"{message.channel} {message.recipient}"] = " ".join(
            part for part in (message.body_text, message.body_html) if part
        )
    token = booking.manage_token
    for path in (
        f"/digipunten/{location.id}",
        f"/b/{token}",
        f"/b/{token}/print",
        f"/b/{token}/calendar.ics",
        f"/feeds/location/{location.id}.ics",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        texts[path] = response.get_data(as_text=True)
    desk = app.test_client()
    sign_in(desk, world.desk)
    slip = desk.get(f"/desk/appointments/{desk_booking.appointment.id}")
    assert slip.status_code == 200
    texts["slip"] = slip.get_data(as_text=True)

    citizen_numbers = {_digits("0470 12 34 56"), _digits("0470 99 88 77")}
    for where, text in texts.items():
        found = _numbers(text) - citizen_numbers
        if where.startswith("sms") or where.endswith("/calendar.ics"):
            # The booking's SMS and its calendar file name no number; if they did, this one.
            assert found <= {_digits(PROGRAMME)}, f"{where} shows {found}"
        else:
            assert found == {_digits(PROGRAMME)}, f"{where} shows {found}"


def test_the_footer_shows_the_programme_s_number_and_a_digipunt_page_its_own(app, world):
    _programme(world)
    db.session.commit()
    client = app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert _numbers(home) == {_digits(PROGRAMME)}
    page = client.get(f"/digipunten/{world.location.id}").get_data(as_text=True)
    assert _numbers(page) == {_digits(OWN)}


# --- tap to call --------------------------------------------------------------------------------


def test_the_tel_filter_links_e164_and_shows_the_belgian_way(app):
    assert str(phones.tel_link("+3293236800")) == (
        '<a class="tel" href="tel:+3293236800">09 323 68 00</a>'
    )
    assert str(phones.tel_link("0470123456")) == (
        '<a class="tel" href="tel:+32470123456">0470 12 34 56</a>'
    )
    assert "tel:+31612345678" in phones.tel_link("+31 6 12345678")
    assert phones.tel_link("") == ""
    assert str(phones.tel_link("<b>bel ons</b>")) == "&lt;b&gt;bel ons&lt;/b&gt;"


def _unlinked_numbers(html: str) -> list[str]:
    """Phone numbers in the page's text that are not the text of a tel: link."""
    for target, text in TEL_LINK.findall(html):
        assert phones.e164(text) == target, (target, text)
    without_links = TEL_LINK.sub(" ", html)
    text = re.sub(r"<[^>]+>", " ", without_links)
    return PHONE.findall(text)


def test_every_phone_number_on_citizen_pages_is_a_tel_link(app, world, mailbox):
    _programme(world)
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session, phone="0470 12 34 56", email="maria@example.be")
    db.session.commit()
    client = app.test_client()
    token = booking.manage_token
    paths = [
        "/",
        "/book",
        "/digipunten",
        f"/digipunten/{world.location.id}",
        f"/digipunten/{world.other_location.id}",
        f"/b/{token}",
        f"/b/{token}/print",
        f"/b/{token}/cancel",
        f"/b/{token}/move",
        "/this-page-does-not-exist",
        "/accounts/login",
    ]
    linked = 0
    for language in ("nl", "fr", "en"):
        for path in paths:
            response = client.get(path, headers={"Accept-Language": language})
            assert response.status_code in (200, 404), path
            html = response.get_data(as_text=True)
            assert _unlinked_numbers(html) == [], f"{path} ({language})"
            linked += len(TEL_LINK.findall(html))
    assert linked >= len(paths) * 3  # at least the footer's number on every page
    # The messages' HTML bodies link too; their text bodies and SMS stay plain.
    for message in db.session.scalars(select(OutboxMessage)):
        if message.body_html:
            assert _unlinked_numbers(message.body_html) == []
        assert "tel:" not in message.body_text


# --- coordinators set the programme's number ------------------------------------------------------


def test_a_coordinator_sets_the_programme_s_number_validated_like_a_digipunt_s(app, world):
    programme = _programme(world, "")
    coordinator = make_coordinator([world.gent], name="Greet Gent")
    db.session.commit()
    client = app.test_client()
    sign_in(client, coordinator)
    path = f"/places/programmes/{programme.id}/phone"
    assert client.get(path).status_code == 200
    bad = client.post(path, data={"front_desk_phone": "09 123"})
    assert bad.status_code == 422
    assert "09 210 10 10" in bad.get_data(as_text=True)
    good = client.post(path, data={"front_desk_phone": "+32 9 323 68 00"})
    assert good.status_code == 302
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).front_desk_phone == PROGRAMME
    assert PROGRAMME in client.get(f"/places/programmes/{programme.id}").get_data(as_text=True)


def test_a_coordinator_of_only_part_of_the_programme_may_not_set_its_number(app, world):
    programme = make_programme([world.gent, world.kortrijk], front_desk_phone="")
    coordinator = make_coordinator([world.gent], name="Greet Gent")
    db.session.commit()
    client = app.test_client()
    sign_in(client, coordinator)
    path = f"/places/programmes/{programme.id}/phone"
    assert client.get(path).status_code == 403
    assert client.post(path, data={"front_desk_phone": PROGRAMME}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).front_desk_phone == ""


def test_the_admin_s_programme_form_has_the_number_too(app, world):
    programme = _programme(world, "")
    db.session.commit()
    client = app.test_client()
    sign_in(client, world.admin)
    form = {
        "name": programme.name,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "coach_target": "10",
        "citizen_target": "100",
        "municipality_ids": [str(world.gent.id)],
    }
    bad = client.post(
        f"/places/programmes/{programme.id}/edit", data={**form, "front_desk_phone": "12"}
    )
    assert bad.status_code == 422
    good = client.post(
        f"/places/programmes/{programme.id}/edit", data={**form, "front_desk_phone": "093236800"}
    )
    assert good.status_code == 302
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).front_desk_phone == PROGRAMME
