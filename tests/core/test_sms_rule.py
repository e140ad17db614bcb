"""A text message goes only to a mobile number: one rule (core.sms.can_receive_sms) for the
wizard, the API, the desk, the booking messages, the reminders and the coaches' choice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.bookings import services
from digicoach.bookings.models import Appointment, BookingChannel
from digicoach.coaches import rules as coach_rules
from digicoach.coaches.services import applications
from digicoach.core import clock
from digicoach.core.errors import ValidationFailed
from digicoach.core.outbox import OutboxMessage
from digicoach.core.sms import can_receive_sms
from digicoach.extensions import db
from digicoach.reminders import rules as reminder_rules
from digicoach.reminders.services import run as reminders
from tests.bookings.conftest import BookingWorld, build_world
from tests.bookings.factories import booking_input, make_appointment, make_bookable_session
from tests.coaches.factories import application

LANDLINE = "09 234 56 78"
MOBILE = "0470 12 34 56"


@pytest.fixture
def in_request(app: Any) -> Iterator[None]:
    with app.test_request_context("/"), force_locale("en"):
        yield


@pytest.fixture
def world(app: Any, in_request: None) -> BookingWorld:
    return build_world()


def _sms() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")))


def _appointments() -> int:
    return db.session.scalar(select(func.count()).select_from(Appointment))


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("0470 12 34 56", True),
        ("+32 499 12 34 56", True),
        ("+31 6 12345678", True),  # a Dutch mobile
        ("+1 202 555 0123", True),  # the US plan does not tell mobiles from landlines
        ("09 234 56 78", False),  # a landline in Gent
        ("+32 2 555 12 34", False),
        ("0800 12 345", False),  # a free service number
        ("078 15 15 15", False),
        ("0470", False),
        ("", False),
        (None, False),
    ],
)
def test_only_a_mobile_number_can_receive_a_text_message(number, expected):
    assert can_receive_sms(number) is expected


def test_the_service_refuses_a_landline_for_an_online_booking(world):
    session = make_bookable_session(world.location, [world.coach()])
    with pytest.raises(ValidationFailed) as refused:
        services.book(actor=None, data=booking_input(session, phone=LANDLINE), now=clock.now())
    (message,) = refused.value.errors["phone"]
    assert str(message) == (
        "This is not a mobile number. Fill in a mobile number, for example 0470 12 34 56."
    )
    assert _appointments() == 0
    assert not _sms()


def test_the_wizard_contact_step_says_it_is_no_mobile_number(world):
    errors = services.contact_errors("Maria", LANDLINE, "")
    assert [str(m) for m in errors["phone"]] == [
        "This is not a mobile number. Fill in a mobile number, for example 0470 12 34 56."
    ]
    assert services.contact_errors("Maria", MOBILE, "") == {}


def test_the_wizard_page_refuses_a_landline_next_to_the_field(app, world):
    """Through the real form: the contact step answers 422 with the message in Dutch."""
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    client = app.test_client()
    page = client.get("/book")
    answers = [
        ("municipality", {"municipality": str(world.gent.id)}),
        ("location", {"location": str(world.location.id)}),
        ("topic", {"topic": "email"}),
        ("language", {"language": "nl"}),
        ("slot", {"slot": f"{session.id}@{session.starts_at.isoformat()}"}),
    ]
    for _attempt in range(10):
        html = page.get_data(as_text=True)
        step = _hidden(html, "step")
        if step == "contact":
            break
        values = dict(answers)[step]
        page = client.post("/book", data={"state": _hidden(html, "state"), "step": step, **values})
    else:
        pytest.fail("the wizard never asked for a phone number")
    html = page.get_data(as_text=True)
    refused = client.post(
        "/book",
        data={
            "state": _hidden(html, "state"),
            "step": "contact",
            "first_name": "Maria",
            "phone": LANDLINE,
            "email": "",
        },
    )
    assert refused.status_code == 422
    assert "Dit is geen gsm-nummer" in refused.get_data(as_text=True) or (
        "This is not a mobile number" in refused.get_data(as_text=True)
    )
    assert _appointments() == 0


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no hidden {name}"
    return match.group(1)


def test_the_api_refuses_a_landline_with_a_field_error(app, world):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    body = {
        "help_session_id": session.id,
        "start": clock.local(session.starts_at).isoformat(),
        "first_name": "Fatima",
        "phone": LANDLINE,
        "topic": "email",
        "language": "nl",
        "consent": True,
    }
    client = app.test_client()
    response = client.post("/api/v1/bookings", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "This is not a mobile number" in str(response.json)
    db.session.rollback()
    assert _appointments() == 0
    accepted = client.post("/api/v1/bookings", json={**body, "phone": MOBILE})
    assert accepted.status_code == 201


def test_the_desk_may_book_a_landline_and_no_text_message_is_ever_queued_for_it(world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(
        session, phone=LANDLINE, actor=world.desk, channel=BookingChannel.PHONE
    )
    appointment = booking.appointment
    assert appointment.phone == "+3292345678"  # kept, so the desk can call
    assert not _sms()

    # Nor a reminder the day before or on the morning itself, even when the morning SMS is on.
    day_before = appointment.start - timedelta(days=1) + timedelta(minutes=5)
    reminders.queue_due(now=day_before, settings=reminders.Settings(same_morning_sms=True))
    morning = clock.local(appointment.start).replace(hour=8, minute=5)
    reminders.queue_due(now=morning, settings=reminders.Settings(same_morning_sms=True))
    assert not _sms()
    # Moving or cancelling tells nobody by SMS either.
    services.notify(appointment, "cancelled")
    assert not _sms()


def test_a_mobile_number_booked_at_the_desk_still_gets_its_text_message(world):
    session = make_bookable_session(world.location, [world.coach()])
    make_appointment(session, phone=MOBILE, actor=world.desk, channel=BookingChannel.PHONE)
    assert [m.recipient for m in _sms()] == ["+32470123456"]


def test_reminder_channels_never_choose_sms_for_a_landline():
    assert reminder_rules.citizen_channel("+3292345678", "maria@example.be") == "email"
    assert reminder_rules.citizen_channel("+3292345678", None) is None
    assert reminder_rules.citizen_channel("+32470123456", None) == "sms"
    assert reminder_rules.coach_channels(email=True, sms=True, phone="+3292345678") == ["email"]
    assert reminder_rules.coach_channels(email=False, sms=True, phone="+32470123456") == ["sms"]


def test_a_coach_with_a_landline_does_not_get_text_messages():
    assert coach_rules.may_receive_sms("+3292345678", True) is False
    assert coach_rules.may_receive_sms("+32470123456", True) is True
    assert coach_rules.may_receive_sms("+32470123456", False) is False


def test_a_coach_who_asks_for_text_messages_needs_a_mobile_number(world):
    with pytest.raises(ValidationFailed) as refused:
        applications.apply(application(world.gent, phone=LANDLINE), now=clock.now())
    (message,) = refused.value.errors["notify_sms"]
    assert str(message) == "Text messages need a mobile number, for example 0470 12 34 56."
    # A landline is fine when the coach only wants e-mails: the coordinator calls it.
    coach = applications.apply(
        application(world.gent, phone=LANDLINE, notify_sms=False), now=clock.now()
    )
    assert coach is not None and coach.phone == "+3292345678" and not coach.notify_sms
