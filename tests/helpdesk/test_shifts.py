"""Shifts: who may sign up, the coach maximum, shadows, overlaps, the cancel cut-off with a
frozen clock (also on the days the clocks change), and coordinators assigning and removing."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock, outbox, timeslots
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import Conflict, PermissionDenied
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession, Shift
from digicoach.helpdesk.services import common, shifts
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift


def sign_up(world, coach, session, **values):
    return shifts.sign_up(
        actor=coach.user, coach=coach, session=session, now=values.pop("now", clock.now()), **values
    )


def test_an_active_coach_signs_up_and_takes_a_place(world):
    session = make_help_session(world.location, coaches_max=2)
    coach = world.coach()
    shift = sign_up(world, coach, session)
    db.session.commit()
    assert shift.status == "signed_up"
    assert session.coaches_taken == 1
    assert (
        db.session.scalar(
            select(AuditEvent.actor_id).where(AuditEvent.action == "helpdesk.shift.sign_up")
        )
        == coach.user.id
    )


def test_signing_up_makes_a_dormant_coach_active_again_through_the_coaches_feature(world):
    session = make_help_session(world.location)
    coach = world.coach(status=CoachStatus.DORMANT)
    now = clock.now()
    sign_up(world, coach, session, now=now)
    db.session.commit()
    assert coach.status == "active"
    assert coach.last_shift_at == now


def refused(code, world, coach, session, **values) -> Conflict:
    """Sign up, expect the refusal `code`, and check no shift was taken by it."""
    before = _active_shifts(session)
    with pytest.raises(Conflict) as error:
        sign_up(world, coach, session, **values)
    assert error.value.code == code, error.value.message
    assert _active_shifts(session) == before
    return error.value


def _active_shifts(session) -> tuple[int, list[tuple[int, bool]]]:
    """The places taken and who is on the session (coach, as shadow)."""
    db.session.flush()
    taken = db.session.scalar(select(HelpSession.coaches_taken).where(HelpSession.id == session.id))
    rows = db.session.execute(
        select(Shift.coach_id, Shift.as_shadow).where(
            Shift.session_id == session.id, Shift.status == "signed_up"
        )
    ).all()
    return taken, sorted((row.coach_id, row.as_shadow) for row in rows)


def test_a_full_session_refuses_with_a_clean_full_answer(world):
    session = make_help_session(world.location, coaches_min=1, coaches_max=1)
    make_shift(session, world.coach())
    db.session.commit()
    error = refused("full", world, world.coach(), session)
    assert isinstance(error, common.SessionFull)


@pytest.mark.parametrize("status", ["applied", "approved", "left", "rejected"])
def test_coaches_who_are_not_certified_cannot_take_a_shift(world, status):
    session = make_help_session(world.location)
    error = refused("not_certified", world, world.coach(status=status), session)
    assert "certified and active" in error.message


def test_a_coach_in_training_joins_only_as_a_shadow_beside_a_mentor_and_takes_no_place(world):
    session = make_help_session(world.location, coaches_min=1, coaches_max=1)
    trainee = world.coach(status=CoachStatus.IN_TRAINING)
    assert "as a shadow" in refused("shadow_only", world, trainee, session).message
    error = refused("no_mentor", world, trainee, session, as_shadow=True)
    assert "certified digicoach" in error.message
    mentor = world.coach()
    sign_up(world, mentor, session)
    shadow = sign_up(world, trainee, session, as_shadow=True)
    db.session.commit()
    assert shadow.as_shadow and shadow.mentor_id == mentor.id
    assert session.coaches_taken == 1  # full, but the shadow came in beside it


def test_a_coach_cannot_sign_up_twice_or_for_another_municipality(world):
    session = make_help_session(world.location, coaches_max=3)
    coach = world.coach()
    sign_up(world, coach, session)
    assert "Already signed up" in refused("already_signed_up", world, coach, session).message
    far = make_help_session(world.kortrijk_location)
    assert "another municipality" in refused("other_municipality", world, coach, far).message


def test_no_sign_up_for_a_started_or_cancelled_session(world):
    started = make_help_session(world.location, starts_at=clock.now() - timedelta(minutes=5))
    assert "started already" in refused("started", world, world.coach(), started).message
    cancelled = make_help_session(world.location, status="cancelled")
    assert "is cancelled" in refused("cancelled", world, world.coach(), cancelled).message


def test_overlapping_shifts_are_refused_but_touching_ones_are_fine(world):
    day = clock.local_today() + timedelta(days=5)
    afternoon = make_help_session(
        world.location,
        starts_at=timeslots.local_moment(day, time(13)),
        ends_at=timeslots.local_moment(day, time(17)),
    )
    inside = make_help_session(
        world.other_location,
        starts_at=timeslots.local_moment(day, time(14)),
        ends_at=timeslots.local_moment(day, time(15)),
    )
    morning = make_help_session(
        world.other_location,
        starts_at=timeslots.local_moment(day, time(9)),
        ends_at=timeslots.local_moment(day, time(13)),
    )
    evening = make_help_session(
        world.other_location,
        starts_at=timeslots.local_moment(day, time(17)),
        ends_at=timeslots.local_moment(day, time(19)),
    )
    coach = world.coach()
    sign_up(world, coach, afternoon)
    assert "Dienstencentrum Ledeberg" in refused("overlap", world, coach, inside).message
    sign_up(world, coach, morning)
    sign_up(world, coach, evening)
    db.session.commit()
    assert db.session.scalar(select(Shift).where(Shift.session_id == inside.id)) is None


def _session_at(world, day: date, at: time) -> HelpSession:
    return make_help_session(
        world.location,
        starts_at=timeslots.local_moment(day, at),
        ends_at=timeslots.local_moment(day, time(at.hour + 2)),
        coaches_max=3,
    )


@pytest.mark.parametrize(
    ("day", "last_chance"),
    [
        # 24 real hours before Sunday 14:00 summer time is Saturday 13:00 winter time.
        (date(2026, 3, 29), datetime(2026, 3, 28, 13, 0)),
        # 24 real hours before Sunday 14:00 winter time is Saturday 15:00 summer time.
        (date(2026, 10, 25), datetime(2026, 10, 24, 15, 0)),
        (date(2026, 5, 10), datetime(2026, 5, 9, 14, 0)),
    ],
)
def test_a_coach_cancels_until_24_hours_before_and_then_is_told_whom_to_call(
    client, world, monkeypatch, day, last_chance
):
    session = _session_at(world, day, time(14))
    coach = world.coach()
    shift = make_shift(session, coach)
    db.session.commit()
    cutoff = last_chance.replace(tzinfo=clock.LOCAL_ZONE)
    sign_in(client, coach.user)

    monkeypatch.setattr(clock, "now", lambda: cutoff + timedelta(seconds=1))
    page = client.get("/helpdesk/my-shifts").get_data(as_text=True)
    assert "Cancel this shift" not in page
    assert "09 235 37 50" in page
    assert "Dienstencentrum Ledeberg" in page
    client.post(f"/helpdesk/my-shifts/{shift.id}/cancel")
    db.session.rollback()
    assert db.session.get(Shift, shift.id).status == "signed_up"

    monkeypatch.setattr(clock, "now", lambda: cutoff)
    assert "Cancel this shift" in client.get("/helpdesk/my-shifts").get_data(as_text=True)
    assert client.post(f"/helpdesk/my-shifts/{shift.id}/cancel").status_code == 302
    db.session.rollback()
    assert db.session.get(Shift, shift.id).status == "cancelled"
    assert db.session.get(HelpSession, session.id).coaches_taken == 0


def test_too_late_to_cancel_names_the_front_desk_phone(world):
    session = make_help_session(world.location, starts_at=clock.now() + timedelta(hours=3))
    coach = world.coach()
    shift = make_shift(session, coach)
    with pytest.raises(common.TooLateToCancel, match="09 235 37 50"):
        shifts.cancel_shift(actor=coach.user, shift=shift, now=clock.now())


def test_a_coordinator_removes_a_coach_after_the_cutoff_and_the_coach_is_told(world, mailbox):
    session = make_help_session(world.location, starts_at=clock.now() + timedelta(hours=3))
    coach = world.coach(email="ria@example.org")
    shift = make_shift(session, coach)
    db.session.commit()
    shifts.cancel_shift(actor=world.coordinator, shift=shift, now=clock.now())
    db.session.commit()
    outbox.dispatch_due()
    assert shift.status == "cancelled"
    assert session.coaches_taken == 0
    assert len(mailbox.to("ria@example.org")) == 1


def test_a_coordinator_assigns_a_coach_and_a_trainee_as_shadow(client, world):
    session = make_help_session(world.location, coaches_max=2)
    coach, trainee = world.coach(), world.coach(status=CoachStatus.IN_TRAINING)
    db.session.commit()
    sign_in(client, world.coordinator)
    page = client.get(f"/helpdesk/sessions/{session.id}").get_data(as_text=True)
    assert coach.user.name in page
    client.post(f"/helpdesk/sessions/{session.id}/assign", data={"coach_id": str(coach.id)})
    client.post(f"/helpdesk/sessions/{session.id}/assign", data={"coach_id": str(trainee.id)})
    db.session.rollback()
    by_coach = {s.coach_id: s for s in db.session.scalars(select(Shift))}
    assert not by_coach[coach.id].as_shadow
    assert by_coach[trainee.id].as_shadow and by_coach[trainee.id].mentor_id == coach.id
    assert db.session.get(HelpSession, session.id).coaches_taken == 1


def test_when_the_mentor_leaves_the_shadow_moves_to_another_mentor_or_loses_the_shift(world):
    session = make_help_session(world.location, coaches_max=3)
    first, second = world.coach(), world.coach()
    trainee = world.coach(status=CoachStatus.IN_TRAINING)
    make_shift(session, first)
    second_shift = make_shift(session, second)
    first_shift = db.session.scalar(select(Shift).where(Shift.coach_id == first.id))
    shadow = sign_up(world, trainee, session, as_shadow=True)
    assert shadow.mentor_id == first.id
    shifts.cancel_shift(actor=first.user, shift=first_shift, now=clock.now())
    assert shadow.mentor_id == second.id and shadow.status == "signed_up"
    shifts.cancel_shift(actor=second.user, shift=second_shift, now=clock.now())
    assert shadow.status == "cancelled"


def test_a_coach_changes_only_their_own_shifts(world, client):
    session = make_help_session(world.location, coaches_max=3)
    mine, theirs = world.coach(), world.coach()
    other_shift = make_shift(session, theirs)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        shifts.cancel_shift(actor=mine.user, shift=other_shift, now=clock.now())
    with pytest.raises(PermissionDenied):
        shifts.sign_up(actor=mine.user, coach=theirs, session=session, now=clock.now())
    sign_in(client, mine.user)
    assert client.post(f"/helpdesk/my-shifts/{other_shift.id}/cancel").status_code == 404
    assert client.get(f"/helpdesk/my-shifts/{other_shift.id}.ics").status_code == 404
    assert client.post(f"/helpdesk/shifts/{other_shift.id}/remove").status_code == 403
    db.session.rollback()
    assert db.session.get(Shift, other_shift.id).status == "signed_up"


def test_a_coach_signs_up_through_find_a_shift(client, world):
    session = make_help_session(world.location, topics=("email",))
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/helpdesk/shifts").get_data(as_text=True)
    assert "Dienstencentrum Ledeberg" in page
    assert (
        client.get(f"/helpdesk/shifts?neighbourhood_id={world.rabot.id}")
        .get_data(as_text=True)
        .count("Dienstencentrum Ledeberg")
        == 0
    )
    assert "Dienstencentrum Ledeberg" not in client.get(
        "/helpdesk/shifts?topic=job_search"
    ).get_data(as_text=True)
    assert client.post(f"/helpdesk/sessions/{session.id}/sign-up").status_code == 302
    db.session.rollback()
    assert db.session.get(HelpSession, session.id).coaches_taken == 1
    assert "You are signed up" in client.get("/helpdesk/shifts").get_data(as_text=True)
    page = client.get("/helpdesk/my-shifts").get_data(as_text=True)
    assert "Cancel this shift" in page


def test_find_a_shift_lists_sessions_that_need_coaches_first(client, world):
    soon_full = make_help_session(world.location, coaches_min=1, coaches_max=2)
    make_shift(soon_full, world.coach())
    later_empty = make_help_session(
        world.location, starts_at=soon_full.starts_at + timedelta(days=1)
    )
    coach = world.coach()
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get("/helpdesk/shifts").get_data(as_text=True)
    assert page.index(f'id="offer-{later_empty.id}"') < page.index(f'id="offer-{soon_full.id}"')
