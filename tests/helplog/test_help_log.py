"""Logging help: from today's shift or an appointment, bad input refused, corrections audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import Conflict, PermissionDenied, ValidationFailed
from digicoach.extensions import db
from digicoach.helplog import services
from digicoach.helplog.models import HelpLog
from digicoach.helplog.rules import HelpDetails
from digicoach.progress.queries import programme_figures
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.helplog.factories import make_booked_appointment


def details(**overrides) -> HelpDetails:
    values = {
        "topics": ("email", "eid_itsme"),
        "minutes": 30,
        "first_visit": True,
        "outcome": "solved",
        "referred_to": None,
        "did_it_themselves": True,
        "follow_up": False,
        "citizens": 1,
        "language": "nl",
    }
    values.update(overrides)
    return HelpDetails(**values)


@pytest.fixture
def shift_today(world, frozen):
    coach = make_working_coach(world.gent)
    session = make_help_session(world.location, starts_at=frozen - timedelta(hours=1))
    shift = make_shift(session, coach)
    db.session.commit()
    return shift


def _log_count() -> int:
    return db.session.scalar(select(func.count(HelpLog.id))) or 0


def test_a_coach_logs_help_on_their_shift_of_today(world, frozen, shift_today, in_request):
    log = services.record_help(
        actor=shift_today.coach.user,
        data=services.HelpInput(details=details(), shift_id=shift_today.id),
        now=frozen,
    )
    db.session.commit()
    assert log.municipality_id == world.gent.id
    assert log.neighbourhood_id == world.ledeberg.id
    assert log.helped_on == clock.local(frozen).date()
    assert sorted(log.topics) == ["eid_itsme", "email"]
    assert log.citizen_key is None


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("minutes", {"minutes": -5}),
        ("minutes", {"minutes": 0}),
        ("minutes", {"minutes": 6000}),
        ("minutes", {"minutes": None}),
        ("topics", {"topics": ("email", "astrology")}),
        ("topics", {"topics": ()}),
        ("outcome", {"outcome": "magic"}),
        ("referred_to", {"outcome": "referred", "referred_to": None}),
        ("citizens", {"citizens": 0}),
        ("citizens", {"citizens": 500}),
        ("language", {"language": "klingon"}),
    ],
)
def test_bad_details_are_refused_per_field_and_nothing_is_written(
    world, frozen, shift_today, in_request, field, overrides
):
    with pytest.raises(ValidationFailed) as refused:
        services.record_help(
            actor=shift_today.coach.user,
            data=services.HelpInput(details=details(**overrides), shift_id=shift_today.id),
            now=frozen,
        )
    db.session.rollback()
    assert field in refused.value.errors
    assert _log_count() == 0


def test_a_log_for_someone_elses_shift_is_refused(world, frozen, shift_today, in_request):
    other = make_working_coach(world.gent)
    with pytest.raises(ValidationFailed) as refused:
        services.record_help(
            actor=other.user,
            data=services.HelpInput(details=details(), shift_id=shift_today.id),
            now=frozen,
        )
    assert "shift" in refused.value.errors
    db.session.rollback()
    assert _log_count() == 0


def test_a_shift_in_the_future_cannot_be_logged_yet(world, frozen, in_request):
    coach = make_working_coach(world.gent)
    session = make_help_session(world.location, starts_at=frozen + timedelta(days=2))
    shift = make_shift(session, coach)
    with pytest.raises(ValidationFailed) as refused:
        services.record_help(
            actor=coach.user,
            data=services.HelpInput(details=details(), shift_id=shift.id),
            now=frozen,
        )
    assert "shift" in refused.value.errors


def test_a_referral_is_kept_only_for_a_referred_citizen(world, frozen, shift_today, in_request):
    log = services.record_help(
        actor=shift_today.coach.user,
        data=services.HelpInput(
            details=details(outcome="solved", referred_to="bank"), shift_id=shift_today.id
        ),
        now=frozen,
    )
    assert log.referred_to is None


def test_a_log_from_an_appointment_takes_its_citizen_key_and_counts_once(
    world, frozen, shift_today, in_request
):
    appointment = make_booked_appointment(shift_today.session, citizen_key="k" * 64)
    second = make_booked_appointment(shift_today.session, citizen_key="k" * 64)
    for booked in (appointment, second):
        services.record_help(
            actor=shift_today.coach.user,
            data=services.HelpInput(details=details(citizens=4), appointment_id=booked.id),
            now=frozen,
        )
    db.session.commit()
    logs = db.session.scalars(select(HelpLog)).all()
    assert {log.citizen_key for log in logs} == {"k" * 64}
    assert {log.citizens for log in logs} == {1}
    figures = programme_figures(world.programme.id, now=frozen)
    assert figures["citizens"]["supported"] == 1
    assert figures["citizens"]["contacts"] == 2


def test_an_appointment_is_logged_once(world, frozen, shift_today, in_request):
    appointment = make_booked_appointment(shift_today.session)
    data = services.HelpInput(details=details(), appointment_id=appointment.id)
    services.record_help(actor=shift_today.coach.user, data=data, now=frozen)
    with pytest.raises(Conflict) as refused:
        services.record_help(actor=shift_today.coach.user, data=data, now=frozen)
    assert refused.value.code == "help_log.logged_already"
    logged = (
        select(func.count()).select_from(HelpLog).where(HelpLog.appointment_id == appointment.id)
    )
    assert db.session.scalar(logged) == 1


def test_an_appointment_of_another_session_is_not_the_coachs(
    world, frozen, shift_today, in_request
):
    elsewhere = make_help_session(world.kortrijk_location, starts_at=frozen - timedelta(hours=1))
    appointment = make_booked_appointment(elsewhere)
    with pytest.raises(ValidationFailed) as refused:
        services.record_help(
            actor=shift_today.coach.user,
            data=services.HelpInput(details=details(), appointment_id=appointment.id),
            now=frozen,
        )
    assert "appointment" in refused.value.errors


def test_a_coordinator_corrects_a_log_in_scope_and_the_audit_keeps_field_names(
    world, frozen, shift_today, in_request
):
    log = services.record_help(
        actor=shift_today.coach.user,
        data=services.HelpInput(details=details(), shift_id=shift_today.id),
        now=frozen,
    )
    changed = services.correct_help_log(
        actor=world.coordinator, log=log, details=details(minutes=45, citizens=2), now=frozen
    )
    db.session.commit()
    assert changed == ["citizens", "minutes"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "help_log.correct"))
    assert event is not None and event.fields == "citizens,minutes"
    with pytest.raises(PermissionDenied):
        services.correct_help_log(
            actor=world.other_coordinator, log=log, details=details(minutes=60), now=frozen
        )


def test_the_log_form_saves_from_todays_shift(client, world, frozen, shift_today):
    sign_in(client, shift_today.coach.user)
    page = client.get(f"/helplog/new?shift={shift_today.id}")
    assert page.status_code == 200
    response = client.post(
        f"/helplog/new?shift={shift_today.id}",
        data={
            "topics": ["email"],
            "minutes": "15",
            "visit": "first",
            "citizens": "3",
            "outcome": "referred",
            "referred_to": "ocmw",
            "language": "nl",
        },
    )
    assert response.status_code == 302
    log = db.session.scalar(select(HelpLog))
    assert (log.minutes, log.citizens, log.referred_to) == (15, 3, "ocmw")
    assert client.get("/helplog/").status_code == 200


def test_the_form_shows_errors_next_to_the_fields_and_writes_nothing(
    client, world, frozen, shift_today
):
    sign_in(client, shift_today.coach.user)
    response = client.post(
        f"/helplog/new?shift={shift_today.id}",
        data={"topics": ["nope"], "other_minutes": "-10", "outcome": "solved", "language": "nl"},
        headers={"Accept-Language": "nl"},
    )
    assert response.status_code == 422
    assert b"error-summary" in response.data
    assert _log_count() == 0


def test_a_shift_of_someone_else_is_refused_on_the_form_with_a_reason(
    client, world, frozen, shift_today
):
    other = make_working_coach(world.gent)
    db.session.commit()
    sign_in(client, other.user)
    response = client.get(f"/helplog/new?shift={shift_today.id}")
    assert response.status_code == 403
    assert "Choose one of your own shifts." in response.get_data(as_text=True)
    assert client.get("/helplog/new?shift=abc").status_code == 404


def test_coordinators_see_and_correct_only_logs_of_their_municipalities(
    client, world, frozen, shift_today, in_request
):
    log = services.record_help(
        actor=shift_today.coach.user,
        data=services.HelpInput(details=details(), shift_id=shift_today.id),
        now=frozen,
    )
    db.session.commit()
    sign_in(client, world.other_coordinator)
    assert client.get(f"/helplog/logs/{log.id}/edit").status_code == 404
    client2 = client.application.test_client()
    sign_in(client2, world.coordinator)
    assert client2.get("/helplog/logs").status_code == 200
    assert client2.get(f"/helplog/logs/{log.id}/edit").status_code == 200
    response = client2.post(
        f"/helplog/logs/{log.id}/edit",
        data={
            "topics": ["email"],
            "minutes": "60",
            "visit": "first",
            "citizens": "1",
            "outcome": "partly",
            "language": "nl",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(HelpLog, log.id).minutes == 60
