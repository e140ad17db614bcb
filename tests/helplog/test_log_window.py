"""Help logs belong to the shift: a coach logs help for their own shift or the appointments
assigned to them, from the start of the shift until HELP_LOG_WINDOW_DAYS days after it; desk
staff and coordinators of the municipality log it for a coach at their request, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from digicoach.app import create_app
from digicoach.bookings import walk_ins
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import PermissionDenied, ValidationFailed
from digicoach.extensions import db
from digicoach.helplog import rules, services
from digicoach.helplog.models import HelpLog
from tests.conftest import sign_in
from tests.factories import make_coordinator, make_desk
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.helplog.factories import make_booked_appointment
from tests.helplog.test_help_log import details

SECOND = timedelta(seconds=1)


def _count() -> int:
    return db.session.scalar(select(func.count(HelpLog.id))) or 0


def _log(actor, now, **source):
    return services.record_help(
        actor=actor, data=services.HelpInput(details=details(), **source), now=now
    )


@pytest.fixture
def shift(world, frozen):
    """A shift from 09:00 to 12:00 local (07:00 to 10:00 UTC) on Monday 15 June 2026."""
    coach = make_working_coach(world.gent)
    session = make_help_session(
        world.location, starts_at=datetime(2026, 6, 15, 7, 0, tzinfo=UTC), hours=3
    )
    made = make_shift(session, coach)
    db.session.commit()
    return made


# --- the pure rule ----------------------------------------------------------------------------


def test_the_window_opens_at_the_start_and_closes_n_days_after_the_end_both_included():
    start = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    window = rules.log_window(opens_at=start, shift_ends_at=start + timedelta(hours=3), days=7)
    assert rules.log_timing(window, start - SECOND) == rules.TOO_EARLY
    assert rules.log_timing(window, start) is None
    assert rules.log_timing(window, window.closes_at) is None
    assert window.closes_at == start + timedelta(hours=3, days=7)  # elapsed days, across DST
    assert rules.log_timing(window, window.closes_at + SECOND) == rules.TOO_LATE


# --- the window on a shift --------------------------------------------------------------------


def test_before_the_shift_starts_the_help_cannot_be_logged(world, shift, in_request):
    with pytest.raises(ValidationFailed) as refused:
        _log(shift.coach.user, shift.session.starts_at - SECOND, shift_id=shift.id)
    assert refused.value.errors["shift"] == [
        "You can log this help from the start of the shift on: Monday 15 June at 09:00."
    ]
    db.session.rollback()
    assert _count() == 0


def test_from_the_start_of_the_shift_the_help_is_logged(world, shift, in_request):
    log = _log(shift.coach.user, shift.session.starts_at, shift_id=shift.id)
    assert log.coach_id == shift.coach_id


def test_seven_days_after_the_end_is_the_last_moment(world, shift, in_request):
    last = shift.session.ends_at + timedelta(days=7)
    assert _log(shift.coach.user, last, shift_id=shift.id).id is not None


def test_later_than_seven_days_after_the_end_is_refused(world, shift, in_request):
    with pytest.raises(ValidationFailed) as refused:
        _log(
            shift.coach.user, shift.session.ends_at + timedelta(days=7) + SECOND, shift_id=shift.id
        )
    assert "Ask a coordinator to log it for you." in refused.value.errors["shift"][0]
    db.session.rollback()
    assert _count() == 0


def test_the_window_is_a_setting(app, world, shift, in_request):
    app.config["HELP_LOG_WINDOW_DAYS"] = 2
    three_days_later = shift.session.ends_at + timedelta(days=3)
    with pytest.raises(ValidationFailed):
        _log(shift.coach.user, three_days_later, shift_id=shift.id)
    app.config["HELP_LOG_WINDOW_DAYS"] = 10
    assert _log(shift.coach.user, three_days_later, shift_id=shift.id).id is not None


# --- appointments -----------------------------------------------------------------------------


def test_an_appointment_assigned_to_another_coach_is_refused_even_on_the_same_session(
    world, shift, in_request
):
    """The report: at 08:45 a coach logged help for an 11:00 appointment of a colleague."""
    colleague = make_working_coach(world.gent)
    make_shift(shift.session, colleague)
    eleven = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    theirs = make_booked_appointment(shift.session, start=eleven, assigned_coach_id=colleague.id)
    db.session.commit()
    for moment in (shift.session.starts_at - timedelta(minutes=15), eleven + timedelta(hours=1)):
        with pytest.raises(ValidationFailed) as refused:
            _log(shift.coach.user, moment, appointment_id=theirs.id)
        assert refused.value.errors["appointment"] == [
            "This appointment is assigned to another digicoach."
        ]
    db.session.rollback()
    assert _count() == 0
    # The colleague logs it, once their shift has started.
    assert _log(colleague.user, eleven, appointment_id=theirs.id).coach_id == colleague.id


def test_an_own_appointment_is_not_logged_before_the_shift_starts(world, shift, in_request):
    mine = make_booked_appointment(shift.session, assigned_coach_id=shift.coach_id)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        _log(
            shift.coach.user,
            shift.session.starts_at - timedelta(minutes=15),
            appointment_id=mine.id,
        )
    assert "from the start of the shift on" in refused.value.errors["appointment"][0]


# --- on behalf of a coach ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["desk", "coordinator"])
def test_desk_staff_and_coordinators_log_for_a_coach_and_the_audit_says_so(
    world, shift, in_request, role
):
    staff = (make_desk if role == "desk" else make_coordinator)([world.gent], language="en")
    db.session.commit()
    log = _log(staff, shift.session.ends_at + timedelta(days=2), shift_id=shift.id)
    db.session.commit()
    assert log.coach_id == shift.coach_id and log.logged_by_id == staff.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "HelpLog")).one()
    assert (event.action, event.actor_id, event.fields) == (
        "help_log.create_for_coach",
        staff.id,
        "coach_id",
    )


def test_staff_of_another_municipality_cannot_log_for_the_coach(world, shift, in_request):
    elsewhere = make_coordinator([world.kortrijk], language="en")
    desk = make_desk([world.kortrijk], language="en")
    db.session.commit()
    for actor in (elsewhere, desk):
        with pytest.raises(PermissionDenied):
            _log(actor, shift.session.ends_at, shift_id=shift.id)
    db.session.rollback()
    assert _count() == 0


def test_staff_log_for_a_coach_only_inside_the_window_too(world, shift, in_request):
    desk = make_desk([world.gent], language="en")
    db.session.commit()
    with pytest.raises(ValidationFailed):
        _log(desk, shift.session.starts_at - SECOND, shift_id=shift.id)


# --- the pages go through the same rule -------------------------------------------------------


def test_the_walk_in_prefill_refuses_a_coach_who_was_not_on_shift(client, world, frozen, shift):
    desk = make_desk([world.gent], name="Dirk Desk", language="en")
    with client.application.test_request_context("/"):
        walk_in = walk_ins.register_walk_in(
            actor=desk,
            location=world.location,
            topic="email",
            language="nl",
            first_visit=True,
            now=frozen - timedelta(minutes=20),
        )
        walk_ins.call_next(actor=shift.coach.user, location=world.location, station="1", now=frozen)
    stranger = make_working_coach(world.gent)
    db.session.commit()

    sign_in(client, stranger.user)
    refused = client.get(f"/helplog/new?walk_in={walk_in.id}")
    assert refused.status_code == 403
    assert "This walk-in was not called at one of your shifts." in refused.get_data(as_text=True)
    client.post("/logout")

    sign_in(client, desk)
    page = client.get(f"/helplog/new?walk_in={walk_in.id}")
    assert page.status_code == 200
    assert "You log this help for" in page.get_data(as_text=True)


def test_the_form_refuses_before_the_shift_with_a_clear_error_and_writes_nothing(
    client, world, frozen
):
    coach = make_working_coach(world.gent)
    later = make_help_session(world.location, starts_at=frozen + timedelta(hours=1))
    own = make_shift(later, coach)
    db.session.commit()
    sign_in(client, coach.user)
    page = client.get(f"/helplog/new?shift={own.id}")
    assert page.status_code == 403
    assert "from the start of the shift on" in page.get_data(as_text=True)
    assert _count() == 0


def test_the_window_is_read_from_the_environment(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "instance"))
    assert create_app("testing", **app_config).config["HELP_LOG_WINDOW_DAYS"] == 7
    monkeypatch.setenv("DIGICOACH_HELP_LOG_WINDOW_DAYS", "10")
    assert create_app("testing", **app_config).config["HELP_LOG_WINDOW_DAYS"] == 10
