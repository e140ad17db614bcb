"""Booking through the service: places, validation, idempotency, limits, messages, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from digicoach.bookings import queries, rules, services
from digicoach.bookings.models import Appointment, AppointmentStatus, BookingChannel, Slot
from digicoach.core import clock, outbox
from digicoach.core.errors import PermissionDenied, ValidationFailed
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.helpdesk.models import ShiftStatus
from tests.bookings.factories import (
    booking_input,
    in_days,
    make_appointment,
    make_bookable_session,
)


def _count(model=Appointment) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_booking_takes_a_place_assigns_a_coach_and_stores_only_the_token_hash(world):
    coach = world.coach(languages=("nl",), topics=("email",))
    session = make_bookable_session(world.location, [coach])

    booking = make_appointment(session, phone="0470 12 34 56")

    appointment = booking.appointment
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.phone == "+32470123456"
    assert appointment.assigned_coach_id == coach.id
    assert appointment.citizen_key and len(appointment.citizen_key) == 64
    assert len(booking.manage_token) >= 43
    assert appointment.manage_token_hash == queries.hash_token(booking.manage_token)
    assert booking.manage_token not in (appointment.manage_token_hash, appointment.reference)
    slot = db.session.get(Slot, appointment.slot_id)
    assert (slot.taken, slot.capacity) == (1, 1)


def test_the_citizen_is_told_by_sms_and_e_mail_in_their_language(world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(
        session, phone="0470123456", email="maria@example.be", contact_language="fr"
    )
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.channel)).all()
    assert [r.channel for r in rows] == ["email", "sms"]
    assert all(r.language == "fr" for r in rows)
    assert rows[1].recipient == "+32470123456"
    assert booking.appointment.reference in rows[1].body_text
    assert booking.manage_token in rows[0].body_text


def test_the_confirmation_e_mail_carries_the_appointment_for_the_calendar_at_local_time(world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session, email="maria@example.be", contact_language="fr")
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).one()
    assert mail.attachment_name == f"appointment-{booking.appointment.reference}.ics"
    # The row holds the event's facts; the .ics is made as the message is sent.
    attachment = outbox.deliverable_attachment(mail)
    assert attachment.content_type == "text/calendar"
    calendar = Calendar.from_ical(attachment.data)
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == booking.appointment.start
    assert event.decoded("dtstart").tzinfo.key == "Europe/Brussels"
    assert booking.appointment.reference in str(event["summary"])


def test_a_reference_held_already_is_replaced_and_the_place_taken_once(world, monkeypatch):
    """The reference is not looked up before the insert: the unique index refuses a taken one
    and the booking tries again with another, in its savepoint."""
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    first = make_appointment(session, phone="0470 11 11 11").appointment
    fresh = "KKK-KKK"
    offered = iter([first.reference, fresh])
    monkeypatch.setattr(rules, "new_reference", lambda: next(offered))
    second = make_appointment(session, phone="0470 22 22 22").appointment
    assert second.reference == fresh
    assert db.session.get(Slot, second.slot_id).taken == 2
    assert _count() == 2


def test_a_reference_refused_every_time_fails_without_taking_a_place(world, monkeypatch):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    first = make_appointment(session, phone="0470 11 11 11").appointment
    db.session.commit()
    monkeypatch.setattr(rules, "new_reference", lambda: first.reference)
    with pytest.raises(IntegrityError):
        make_appointment(session, phone="0470 22 22 22")
    db.session.rollback()
    assert db.session.get(Slot, first.slot_id).taken == 1
    assert _count() == 1


def test_a_full_slot_refuses_the_next_booking_and_changes_nothing(world):
    session = make_bookable_session(world.location, [world.coach()])
    make_appointment(session, phone="0470111111")
    with pytest.raises(services.SlotFull):
        make_appointment(session, phone="0470222222")
    assert _count() == 1
    assert db.session.scalar(select(Slot.taken)) == 1


def test_when_coaches_leave_a_slot_takes_no_more_than_those_left_can_help(world):
    # Three coaches take three citizens a slot; two leave after two were booked: one coach
    # left, two booked, so the slot is full (the stored capacity of three no longer counts).
    session = make_bookable_session(world.location, [world.coach() for _ in range(3)])
    make_appointment(session, phone="0470111111")
    make_appointment(session, phone="0470222222")
    for shift in session.shifts[1:]:
        shift.status = ShiftStatus.CANCELLED
    db.session.flush()
    with pytest.raises(services.SlotFull):
        make_appointment(session, phone="0470333333")
    assert _count() == 2
    assert db.session.scalar(select(Slot.taken)) == 2


def test_a_session_without_coaches_has_no_place(world):
    session = make_bookable_session(world.location, [])
    with pytest.raises(services.SlotFull):
        make_appointment(session)


def test_the_same_form_submitted_twice_books_once(world):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    token = services.new_token()
    first = make_appointment(session, token=token)
    second = make_appointment(session, token=token)
    assert second.replayed and second.appointment.id == first.appointment.id
    # The replay reaches the same manage link, which the server made: never the form token.
    assert second.manage_token == first.manage_token != token
    assert _count() == 1
    assert db.session.get(Slot, first.appointment.slot_id).taken == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "x" * 61}, "first_name"),
        ({"phone": "12"}, "phone"),
        ({"phone": "", "email": ""}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"email": 42}, "email"),
        ({"topic": "cooking"}, "topic"),
        ({"language": ["nl"]}, "language"),
        ({"note": "x" * 501}, "note"),
        ({"consent": False}, "consent"),
        ({"help_session_id": 987654}, "help_session_id"),
        ({"help_session_id": "1"}, "help_session_id"),
        ({"start": "tomorrow"}, "start"),
    ],
)
def test_bad_input_is_refused_per_field_and_writes_nothing(world, values, field):
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        services.book(actor=None, data=booking_input(session, **values), now=clock.now())
    assert field in refused.value.errors
    assert _count() == 0


def test_a_time_that_is_not_a_slot_or_past_or_closing_is_refused(world):
    session = make_bookable_session(world.location, [world.coach()])
    soon = make_bookable_session(
        world.location, [world.coach()], starts_at=clock.now() + timedelta(hours=1)
    )
    for target, start in (
        (session, session.starts_at + timedelta(minutes=10)),
        (session, session.starts_at - timedelta(minutes=30)),
        (soon, soon.starts_at),
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.book(actor=None, data=booking_input(target, start), now=clock.now())
        assert "start" in refused.value.errors
    assert _count() == 0


def test_the_front_desk_books_a_caller_without_phone_until_the_slot_starts(world):
    session = make_bookable_session(
        world.location, [world.coach()], starts_at=clock.now() + timedelta(hours=1)
    )
    booking = make_appointment(
        session,
        actor=world.desk,
        channel=BookingChannel.PHONE,
        phone="",
        no_phone=True,
        consent=False,
        staff_note="Calls from the neighbour's phone",
    )
    assert booking.appointment.channel == "phone"
    assert booking.appointment.citizen_key is None
    assert booking.appointment.created_by_id == world.desk.id


def test_the_desk_of_another_municipality_cannot_book_here(world):
    session = make_bookable_session(world.location, [world.coach()])
    with pytest.raises(PermissionDenied):
        make_appointment(session, actor=world.other_desk, channel=BookingChannel.PHONE)


def test_a_citizen_holds_at_most_the_maximum_of_coming_appointments(world, app):
    app.config["BOOKING_MAX_ACTIVE_PER_CONTACT"] = 2
    session = make_bookable_session(world.location, [world.coach()])
    make_appointment(session, session.starts_at, phone="0470 12 34 56")
    make_appointment(session, session.starts_at + timedelta(minutes=30), phone="+32470123456")
    with pytest.raises(services.TooManyAppointments):
        make_appointment(session, session.starts_at + timedelta(minutes=60), phone="0470123456")


def test_cancelling_gives_the_place_back_and_tells_the_citizen(world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    services.cancel(actor=None, appointment=booking.appointment, now=clock.now(), manage_token="x")
    assert booking.appointment.status == AppointmentStatus.CANCELLED
    assert db.session.get(Slot, booking.appointment.slot_id).taken == 0
    again = make_appointment(session, phone="0470999999")
    assert again.appointment.slot_id == booking.appointment.slot_id
    with pytest.raises(services.NotChangeable):
        services.cancel(actor=world.desk, appointment=booking.appointment, now=clock.now())


def test_moving_takes_the_new_place_and_frees_the_old_one(world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    old_slot = booking.appointment.slot_id
    later = session.starts_at + timedelta(minutes=60)
    services.move(
        actor=world.desk,
        appointment=booking.appointment,
        help_session_id=session.id,
        start=later,
        now=clock.now(),
    )
    assert booking.appointment.start == later
    assert db.session.get(Slot, old_slot).taken == 0
    assert db.session.get(Slot, booking.appointment.slot_id).taken == 1


def test_moving_to_another_location_is_refused(world):
    here = make_bookable_session(world.location, [world.coach()])
    there = make_bookable_session(world.other_location, [world.coach()])
    booking = make_appointment(here)
    with pytest.raises(ValidationFailed):
        services.move(
            actor=world.desk,
            appointment=booking.appointment,
            help_session_id=there.id,
            start=there.starts_at,
            now=clock.now(),
        )


@pytest.mark.parametrize(
    ("values", "booked"),
    [({"topics": ["banking"]}, {"topic": "email"}), ({"languages": ["fr"]}, {"language": "nl"})],
    ids=["topic", "language"],
)
def test_moving_to_a_session_that_does_not_take_the_topic_or_language_changes_nothing(
    world, values, booked
):
    here = make_bookable_session(world.location, [world.coach()])
    elsewhere = make_bookable_session(
        world.location, [world.coach()], starts_at=in_days(4), **values
    )
    booking = make_appointment(here, **booked)
    with pytest.raises(ValidationFailed) as refused:
        services.move(
            actor=world.desk,
            appointment=booking.appointment,
            help_session_id=elsewhere.id,
            start=elsewhere.starts_at,
            now=clock.now(),
        )
    assert "help_session_id" in refused.value.errors
    assert booking.appointment.help_session_id == here.id
    assert db.session.get(Slot, booking.appointment.slot_id).taken == 1


def test_check_in_and_no_show_only_when_it_makes_sense(world):
    session = make_bookable_session(world.location, [world.coach()], starts_at=in_days(3))
    booking = make_appointment(session)
    with pytest.raises(services.NotChangeable):
        services.mark_no_show(actor=world.desk, appointment=booking.appointment, now=clock.now())
    services.check_in(actor=world.desk, appointment=booking.appointment, now=clock.now())
    assert booking.appointment.status == AppointmentStatus.ATTENDED


def test_a_no_show_is_marked_once_the_appointment_started_and_only_when_booked(world):
    session = make_bookable_session(world.location, [world.coach()], starts_at=in_days(3))
    booking = make_appointment(session)
    appointment = booking.appointment
    before = appointment.start - timedelta(minutes=1)
    with pytest.raises(services.NotChangeable):
        services.mark_no_show(actor=world.desk, appointment=appointment, now=before)
    assert appointment.status == AppointmentStatus.BOOKED

    services.mark_no_show(actor=world.desk, appointment=appointment, now=appointment.start)
    assert appointment.status == AppointmentStatus.NO_SHOW
    # Only a booked appointment: a second click is refused ...
    with pytest.raises(services.NotChangeable):
        services.mark_no_show(actor=world.desk, appointment=appointment, now=appointment.end)
    # ... and a hasty no-show is undone by the check-in when the citizen turns up late.
    services.check_in(actor=world.desk, appointment=appointment, now=appointment.end)
    assert appointment.status == AppointmentStatus.ATTENDED

    cancelled = make_appointment(session, start=appointment.end).appointment
    services.cancel(actor=world.desk, appointment=cancelled, now=clock.now())
    with pytest.raises(services.NotChangeable):
        services.mark_no_show(actor=world.desk, appointment=cancelled, now=cancelled.end)
    assert cancelled.status == AppointmentStatus.CANCELLED


def test_a_wrong_unknown_or_expired_manage_token_finds_nothing(world):
    session = make_bookable_session(world.location, [world.coach()])
    booking = make_appointment(session)
    now = clock.now()
    assert queries.appointment_by_token(booking.manage_token, now=now) is not None
    assert queries.appointment_by_token(_another_token(booking.manage_token), now=now) is None
    assert queries.appointment_by_token("short", now=now) is None
    assert queries.appointment_by_token(None, now=now) is None
    after = booking.appointment.end + timedelta(seconds=1)
    assert queries.appointment_by_token(booking.manage_token, now=after) is None


def test_one_citizen_gets_one_place_per_slot_and_the_database_holds_it_too(world):
    session = make_bookable_session(world.location, [world.coach(), world.coach()])
    make_appointment(session, phone="0470123456")
    with pytest.raises(services.AlreadyBooked):
        make_appointment(session, phone="+32 470 12 34 56")
    assert _count() == 1
    assert db.session.scalar(select(Slot.taken)) == 1

    duplicate = db.session.scalars(select(Appointment)).one()
    db.session.add(
        Appointment(
            **{
                column.name: getattr(duplicate, column.name)
                for column in Appointment.__table__.columns
                if column.name not in ("id", "reference", "manage_token_hash", "idempotency_key")
            },
            reference="ZZZ-ZZZ",
            manage_token_hash="f" * 64,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def _another_token(token: str) -> str:
    """The same token with its last character changed (never to the same character)."""
    return token[:-1] + ("B" if token[-1] != "B" else "C")
