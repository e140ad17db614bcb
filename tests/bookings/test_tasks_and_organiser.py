"""The organiser cancels a help session; nightly no-shows and the retention purge."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from digicoach.bookings import queries, services, tasks
from digicoach.bookings.models import AppointmentStatus, BookingChannel
from digicoach.core import clock
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.helpdesk.services import cancelling
from tests.bookings.factories import make_appointment, make_bookable_session


def test_a_cancelled_session_cancels_its_appointments_tells_citizens_and_fills_the_call_list(
    world,
):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    by_mail = make_appointment(session, phone="", email="maria@example.be").appointment
    by_phone = make_appointment(session, phone="0470 11 22 33").appointment
    cancelling.cancel_session(
        actor=world.coordinator, session=session, reason="Flooded", now=clock.now()
    )
    assert by_mail.status == by_phone.status == AppointmentStatus.CANCELLED_BY_ORGANISER
    kinds = db.session.scalars(
        select(OutboxMessage.channel).where(OutboxMessage.kind == "bookings.cancelled_by_organiser")
    ).all()
    assert sorted(kinds) == ["email", "sms"]
    assert queries.call_list(world.desk, now=clock.now()) == [by_phone]
    assert queries.call_list(world.other_desk, now=clock.now()) == []


def test_no_shows_are_marked_after_the_session_unless_switched_off(world, app):
    session = make_bookable_session(world.location, [world.coach()])
    appointment = make_appointment(session).appointment
    db.session.commit()
    after = session.ends_at + timedelta(minutes=1)
    app.config["MARK_NO_SHOWS_AUTOMATICALLY"] = False
    assert tasks.mark_no_shows(session.starts_at) == 0
    app.config["MARK_NO_SHOWS_AUTOMATICALLY"] = True
    assert tasks.mark_no_shows(session.starts_at) == 0
    assert tasks.mark_no_shows(after) == 1
    db.session.refresh(appointment)
    assert appointment.status == AppointmentStatus.NO_SHOW


def test_contact_data_is_erased_after_the_retention_period_the_key_stays(world, app):
    session = make_bookable_session(world.location, [world.coach()])
    appointment = make_appointment(
        session, email="maria@example.be", note="itsme op nieuwe gsm"
    ).appointment
    key = appointment.citizen_key
    db.session.commit()
    days = app.config["APPOINTMENT_RETENTION_DAYS"]
    assert tasks.purge_contact_data(appointment.end + timedelta(days=days - 1)) == 0
    assert tasks.purge_contact_data(appointment.end + timedelta(days=days)) == 1
    db.session.refresh(appointment)
    assert (appointment.first_name, appointment.phone, appointment.email, appointment.note) == (
        "",
        None,
        None,
        "",
    )
    assert appointment.citizen_key == key
    for message in db.session.scalars(select(OutboxMessage)):
        assert message.recipient == "" and message.body_text == "" and message.body_html is None
    assert tasks.purge_contact_data(appointment.end + timedelta(days=days + 1)) == 0


def test_the_desk_booking_channel_is_phone(world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session, actor=world.desk, channel=BookingChannel.PHONE)
    assert booking.appointment.channel == "phone"
    assert services.closes_hours() == 2
