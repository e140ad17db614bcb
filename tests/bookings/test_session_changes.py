"""Changing a help session with appointments (helpdesk.services.editing, bookings.session_changes):
appointments move with the session, an edit that leaves some without a place is refused until
the coordinator chooses to move or cancel them, a coach is never put on two places at once,
and citizens, coaches and the reminders hear of it. On a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from digicoach.bookings.models import Appointment, AppointmentStatus, Slot
from digicoach.core import clock, outbox, timeslots
from digicoach.core.audit import AuditEvent
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.helpdesk import rules
from digicoach.helpdesk.services import editing, planning
from digicoach.helpdesk.services.common import AppointmentsAffected, CoachesBusy, NoRoomToMove
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday morning
DAY = date(2026, 3, 5)  # the Thursday after


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return timeslots.local_moment(day, time(hour, minute))


def edit(world, session, *, affected=None, **overrides):
    local = clock.local(session.starts_at)
    values = {
        "location_id": session.location_id,
        "day": local.date(),
        "start_time": local.time().replace(tzinfo=None),
        "end_time": clock.local(session.ends_at).time().replace(tzinfo=None),
        "mode": session.mode,
        "slot_minutes": session.slot_minutes,
        "citizens_per_slot": session.citizens_per_slot,
        "coaches_min": session.coaches_min,
        "coaches_max": session.coaches_max,
        "topics": tuple(session.topics),
        "languages": tuple(session.languages),
        "notes": session.notes,
    }
    values.update(overrides)
    return editing.update_session(
        actor=world.coordinator,
        session=session,
        data=planning.SessionInput(**values),
        now=NOW,
        affected=affected,
    )


def messages(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by("id"))
    )


def session_14_to_16(world, coaches=1, **values):
    return make_bookable_session(
        world.location, [world.coach() for _ in range(coaches)], starts_at=at(14), **values
    )


def test_moving_a_session_moves_its_appointments_and_tells_citizens_and_coaches(world):
    coach = world.coach(email="coach@example.org")
    session = make_bookable_session(world.location, [coach], starts_at=at(14))
    appointment = make_appointment(
        session, at(14, 30), email="maria@example.be", contact_language="fr"
    ).appointment
    shift_reminder = outbox.enqueue(
        dedupe_key=f"shift:{session.shifts[0].id}:reminder:old:email",
        kind="reminders.shift",
        channel=outbox.Channel.EMAIL,
        recipient="coach@example.org",
        body_text="Tomorrow",
        due_at=at(9),
    )
    db.session.commit()

    edit(world, session, day=date(2026, 3, 6), start_time=time(10), end_time=time(12))
    db.session.commit()

    tomorrow = date(2026, 3, 6)
    assert (appointment.start, appointment.end) == (at(10, 30, day=tomorrow), at(11, day=tomorrow))
    assert db.session.get(Slot, appointment.slot_id).start == at(10, 30, day=tomorrow)
    assert db.session.get(Slot, appointment.slot_id).taken == 1
    moved = messages("bookings.moved")
    assert sorted(m.channel for m in moved) == ["email", "sms"]
    assert {m.language for m in moved} == {"fr"}
    email = next(m for m in moved if m.channel == "email")
    assert email.attachment_name == f"appointment-{appointment.reference}.ics"
    assert b"SEQUENCE:1" in outbox.deliverable_attachment(email).data
    assert [m.recipient for m in messages("helpdesk.shift_moved")] == ["coach@example.org"]
    assert db.session.get(OutboxMessage, shift_reminder.id).status == "skipped"
    update = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "helpdesk.session.update")
    )
    assert {"starts_at", "ends_at"} <= set(update.fields.split(","))


def test_a_shorter_window_is_refused_until_the_coordinator_chooses_to_move(world):
    session = session_14_to_16(world)
    early = make_appointment(session, at(14)).appointment
    late = make_appointment(session, at(15, 30), phone="0470 99 88 77").appointment
    db.session.commit()

    with pytest.raises(AppointmentsAffected) as refused:
        edit(world, session, end_time=time(15))
    assert refused.value.code == "appointments_affected"
    assert refused.value.affected == 1
    assert "1 booked appointment has no place" in refused.value.errors["affected"][0]
    db.session.rollback()
    assert session.ends_at == at(16) and late.start == at(15, 30)
    assert messages("bookings.moved") == []

    edit(world, session, end_time=time(15), affected=rules.MOVE_AFFECTED)
    db.session.commit()
    assert early.start == at(14)
    assert (late.start, late.status) == (at(14, 30), AppointmentStatus.BOOKED)
    assert [m.recipient for m in messages("bookings.moved")] == ["+32470998877"]


def test_longer_slots_cancel_the_appointments_that_no_longer_start_a_slot_when_chosen(world):
    session = session_14_to_16(world)
    on_the_hour = make_appointment(session, at(15)).appointment
    half_past = make_appointment(session, at(14, 30), phone="0470 99 88 77").appointment
    db.session.commit()
    with pytest.raises(AppointmentsAffected):
        edit(world, session, slot_minutes=60)
    db.session.rollback()

    edit(world, session, slot_minutes=60, affected=rules.CANCEL_AFFECTED)
    db.session.commit()
    assert (on_the_hour.start, on_the_hour.end) == (at(15), at(16))
    assert half_past.status == AppointmentStatus.CANCELLED_BY_ORGANISER
    assert db.session.get(Slot, half_past.slot_id).taken == 0
    assert [m.recipient for m in messages("bookings.cancelled_by_organiser")] == ["+32470998877"]


def test_a_walk_in_only_session_has_no_room_to_move_appointments_to(world):
    session = session_14_to_16(world)
    appointment = make_appointment(session, at(14)).appointment
    db.session.commit()
    with pytest.raises(NoRoomToMove) as refused:
        edit(world, session, mode="walk_in", affected=rules.MOVE_AFFECTED)
    assert refused.value.code == "no_room"
    db.session.rollback()
    assert session.mode == "appointment" and appointment.status == AppointmentStatus.BOOKED

    edit(world, session, mode="walk_in", affected=rules.CANCEL_AFFECTED)
    db.session.commit()
    assert appointment.status == AppointmentStatus.CANCELLED_BY_ORGANISER


def test_fewer_booking_coaches_or_citizens_per_slot_squeeze_the_same_slot(world):
    # Two coaches by appointment take two citizens a slot; hybrid keeps one for walk-ins.
    session = session_14_to_16(world, coaches=2)
    first = make_appointment(session, at(14)).appointment
    second = make_appointment(session, at(14), phone="0470 99 88 77").appointment
    db.session.commit()
    with pytest.raises(AppointmentsAffected) as refused:
        edit(world, session, mode="hybrid")
    assert refused.value.affected == 1
    db.session.rollback()

    edit(world, session, mode="hybrid", affected=rules.MOVE_AFFECTED)
    db.session.commit()
    assert (first.start, second.start) == (at(14), at(14, 30))
    assert db.session.get(Slot, first.slot_id).taken == 1


def test_an_edit_that_keeps_every_place_asks_nothing_and_moves_nothing(world):
    session = session_14_to_16(world, coaches=2)
    appointment = make_appointment(session, at(15)).appointment
    db.session.commit()
    edit(world, session, coaches_max=3, notes="Sleutel aan het onthaal.", end_time=time(17))
    db.session.commit()
    assert appointment.start == at(15)
    assert messages("bookings.moved") == []


def test_a_move_that_gives_a_coach_two_places_at_once_is_refused(world):
    coach = world.coach()
    morning = make_help_session(world.location, starts_at=at(10), hours=2)
    make_shift(morning, coach)
    afternoon = make_bookable_session(world.location, [coach], starts_at=at(14))
    db.session.commit()
    with pytest.raises(CoachesBusy) as refused:
        edit(world, afternoon, start_time=time(11), end_time=time(13))
    assert refused.value.code == "coach_busy"
    assert coach.user.name in refused.value.errors["start_time"][0]
    db.session.rollback()
    assert afternoon.starts_at == at(14)
    # Touching ends are fine.
    edit(world, afternoon, start_time=time(12), end_time=time(14))
    assert afternoon.starts_at == at(12)


def test_the_edit_form_offers_the_choice_with_the_count_only_when_needed(client, world):
    session = session_14_to_16(world)
    make_appointment(session, at(15, 30))
    db.session.commit()
    sign_in(client, world.coordinator)
    url = f"/helpdesk/sessions/{session.id}/edit"
    headers = {"Accept-Language": "en"}
    assert 'name="affected"' not in client.get(url, headers=headers).get_data(as_text=True)
    form = {
        "day": DAY.isoformat(),
        "start_time": "14:00",
        "end_time": "15:00",
        "mode": "appointment",
        "slot_minutes": "30",
        "citizens_per_slot": "1",
        "coaches_min": "1",
        "coaches_max": "2",
        "languages": ["nl"],
    }
    refused = client.post(url, data=form, headers=headers)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'name="affected"' in page
    assert "1 booked appointment has no place at the new times" in page
    done = client.post(url, data={**form, "affected": "cancel"}, headers=headers)
    assert done.status_code == 302
    db.session.rollback()
    statuses = db.session.scalars(select(Appointment.status)).all()
    assert statuses == [AppointmentStatus.CANCELLED_BY_ORGANISER]
    assert db.session.get(type(session), session.id).ends_at == at(15)


def test_sessions_moved_together_do_not_count_against_each_other(world):
    """Following sessions of a series move one after the other; a coach on both is fine."""
    coach = world.coach()
    sessions = planning.create_series(
        actor=world.coordinator,
        data=planning.SessionInput(
            location_id=world.location.id,
            day=DAY,
            start_time=time(14),
            end_time=time(16),
            mode="appointment",
        ),
        repeat=planning.Repeat(weekdays=(4,), count=2),
        now=NOW,
    )
    for session in sessions:
        make_shift(session, coach)
    db.session.commit()
    changed = editing.update_session(
        actor=world.coordinator,
        session=sessions[0],
        data=planning.SessionInput(
            location_id=world.location.id,
            day=DAY,
            start_time=time(9),
            end_time=time(11),
            mode="appointment",
        ),
        now=NOW,
        following=True,
    )
    assert [s.starts_at for s in changed] == [at(9), at(9, day=DAY + timedelta(days=7))]
