"""Moving coaches through the pipeline: each transition, each refusal, screening and intake."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import select

from digicoach.accounts.models import Role
from digicoach.coaches import services
from digicoach.coaches.models import CoachStatus
from digicoach.coaches.services import applications, screening
from digicoach.core import clock, outbox
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import Conflict, PermissionDenied, ValidationFailed
from digicoach.extensions import db
from tests.coaches.factories import make_coach
from tests.factories import make_admin, make_coordinator, make_location, make_user

# Refusals carry translated messages, rendered in a request's language.
pytestmark = pytest.mark.usefixtures("in_request")

STEPS = [
    (CoachStatus.APPROVED, CoachStatus.IN_TRAINING, services.start_training),
    (CoachStatus.IN_TRAINING, CoachStatus.CERTIFIED, services.certify_on_certificate),
]


def _messages(kind: str) -> list[outbox.OutboxMessage]:
    return list(
        db.session.scalars(select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == kind))
    )


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_approving_a_screened_applicant_records_history_audit_and_a_welcome_mail(
    gent, coordinator, in_request
):
    coach = make_coach(gent, screened=True, language="fr")
    now = clock.now()
    change = services.approve(actor=coordinator, coach=coach, now=now)
    assert coach.status == CoachStatus.APPROVED
    assert (change.from_status, change.to_status, change.changed_by_id) == (
        "applied",
        "approved",
        coordinator.id,
    )
    assert coach.status_changed_at == now
    assert _audit("coach.status.approved")[0].actor_id == coordinator.id
    [welcome] = _messages("coaches.approved")
    assert welcome.recipient == coach.user.email and welcome.language == "fr"


def test_approval_needs_a_complete_screening(gent, coordinator, in_request):
    coach = make_coach(gent)
    with pytest.raises(Conflict) as refused, force_locale("en"):
        services.approve(actor=coordinator, coach=coach, now=clock.now())
    assert "Screening is not complete" in str(refused.value.message)
    assert refused.value.field == "status"
    assert coach.status == CoachStatus.APPLIED
    assert _messages("coaches.approved") == []


def test_declining_needs_a_reason(gent, coordinator, in_request):
    coach = make_coach(gent)
    with pytest.raises(ValidationFailed) as refused:
        services.reject(actor=coordinator, coach=coach, reason="  ", now=clock.now())
    assert "reason" in refused.value.errors
    assert coach.status == CoachStatus.APPLIED


def test_declining_sends_the_reason_kindly_in_the_applicant_language(gent, coordinator, in_request):
    coach = make_coach(gent, language="en")
    services.reject(
        actor=coordinator, coach=coach, reason="We have enough coaches in Rabot.", now=clock.now()
    )
    assert coach.status == CoachStatus.REJECTED
    assert coach.history[-1].reason == "We have enough coaches in Rabot."
    [mail] = _messages("coaches.rejected")
    assert "We have enough coaches in Rabot." in mail.body_text
    assert mail.subject == "About your application as a digicoach"


@pytest.mark.parametrize(("start", "target", "step"), STEPS)
def test_each_later_step_moves_the_coach(gent, coordinator, start, target, step):
    coach = make_coach(gent, status=start)
    change = step(actor=coordinator, coach=coach, now=clock.now())
    assert coach.status == target and change.to_status == target
    assert _audit(f"coach.status.{target}")


def test_activation_restarts_the_dormancy_clock(gent, coordinator):
    coach = make_coach(gent, status=CoachStatus.CERTIFIED)
    now = clock.now()
    services.record_shift_activity(coach, now)
    assert coach.status == CoachStatus.ACTIVE
    assert coach.activated_at == now


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (CoachStatus.APPLIED, CoachStatus.ACTIVE),
        (CoachStatus.APPLIED, CoachStatus.IN_TRAINING),
        (CoachStatus.APPROVED, CoachStatus.CERTIFIED),
        (CoachStatus.REJECTED, CoachStatus.APPROVED),
        (CoachStatus.LEFT, CoachStatus.ACTIVE),
        (CoachStatus.ACTIVE, CoachStatus.APPLIED),
        (CoachStatus.DORMANT, CoachStatus.CERTIFIED),
    ],
)
def test_an_illegal_transition_is_refused_with_a_clear_message(gent, coordinator, start, target):
    coach = make_coach(gent, status=start)
    with pytest.raises(Conflict) as refused, force_locale("en"):
        # The system path, so the table itself refuses (not the system-only rule).
        services.change_status(
            actor=coordinator, coach=coach, target=target, now=clock.now(), by_system=True
        )
    assert "cannot become" in str(refused.value.message)
    assert coach.status == start
    assert len(coach.history) == 1


def test_an_approved_coach_cannot_be_approved_again(gent, coordinator, in_request):
    coach = make_coach(gent, status=CoachStatus.APPROVED, screened=True)
    history = len(coach.history)
    with pytest.raises(Conflict) as refused:
        services.approve(actor=coordinator, coach=coach, now=clock.now())
    assert refused.value.code == "coaches.status.not_allowed"
    assert len(coach.history) == history


def test_a_coordinator_of_another_municipality_cannot_move_a_coach(gent, kortrijk, in_request):
    stranger = make_coordinator([kortrijk])
    coach = make_coach(gent, screened=True)
    with pytest.raises(PermissionDenied):
        services.approve(actor=stranger, coach=coach, now=clock.now())
    with pytest.raises(PermissionDenied):
        services.change_status(actor=stranger, coach=coach, target="left", now=clock.now())


def test_desk_staff_and_coaches_cannot_approve(gent, in_request):
    coach = make_coach(gent, screened=True)
    desk = make_user(roles=(Role.DESK,), municipalities=[gent])
    for actor in (desk, make_coach(gent).user):
        with pytest.raises(PermissionDenied):
            services.approve(actor=actor, coach=coach, now=clock.now())


def test_a_coach_may_leave_but_not_promote_themselves(gent):
    coach = make_coach(gent, status=CoachStatus.CERTIFIED)
    with pytest.raises(PermissionDenied):
        services.change_status(actor=coach.user, coach=coach, target="active", now=clock.now())
    services.leave(actor=coach.user, coach=coach, now=clock.now())
    assert coach.status == CoachStatus.LEFT


def test_an_admin_acts_in_every_municipality(gent, in_request):
    coach = make_coach(gent, screened=True)
    services.approve(actor=make_admin(), coach=coach, now=clock.now())
    assert coach.status == CoachStatus.APPROVED


def test_move_dispatches_to_the_decisions_with_their_mails(gent, coordinator, in_request):
    coach = make_coach(gent)
    services.move(actor=coordinator, coach=coach, target="rejected", reason="Vol.", now=clock.now())
    assert _messages("coaches.rejected")
    with pytest.raises(ValidationFailed):
        services.move(actor=coordinator, coach=coach, target="banana", now=clock.now())


def test_bulk_approval_checks_each_applicant_and_reports_failures(
    gent, kortrijk, coordinator, in_request
):
    ready = [make_coach(gent, screened=True) for _ in range(2)]
    unscreened = make_coach(gent)
    elsewhere = make_coach(kortrijk, screened=True)
    outcome = services.bulk_approve(
        actor=coordinator,
        coach_ids=[c.id for c in [*ready, unscreened, elsewhere]] + [999_999],
        now=clock.now(),
    )
    assert sorted(c.id for c in outcome.approved) == sorted(c.id for c in ready)
    failed = {coach_id: (name, reason) for coach_id, name, reason in outcome.failed}
    assert set(failed) == {unscreened.id, elsewhere.id, 999_999}
    assert failed[unscreened.id][0] == unscreened.user.name
    # Another municipality's applicant is "not found", and their name is not revealed.
    assert failed[elsewhere.id][0] is None
    assert unscreened.status == elsewhere.status == CoachStatus.APPLIED
    assert all(c.status == CoachStatus.APPROVED for c in ready)
    assert len(_messages("coaches.approved")) == 2


def test_screening_keeps_the_fact_the_day_and_who_checked(gent, coordinator):
    coach = make_coach(gent)
    today = clock.local_today()
    changed = screening.record_screening(
        actor=coordinator,
        coach=coach,
        checks={"intake_held": today, "identity_seen": today, "good_conduct_seen": None},
        insurance_reference="Ethias 45.123.456",
        today=today,
        now=clock.now(),
    )
    assert sorted(changed) == ["identity_seen", "insurance_reference", "intake_held"]
    check = coach.screening("identity_seen")
    assert (check.checked_on, check.checked_by_id) == (today, coordinator.id)
    assert coach.screening("good_conduct_seen") is None
    assert coach.insurance_reference == "Ethias 45.123.456"
    [event] = _audit("coach.screening")
    assert "Ethias" not in event.fields


def test_a_screening_date_in_the_future_is_refused(gent, coordinator):
    coach = make_coach(gent)
    today = clock.local_today()
    with pytest.raises(ValidationFailed) as refused:
        screening.record_screening(
            actor=coordinator,
            coach=coach,
            checks={"good_conduct_seen": today + timedelta(days=1)},
            insurance_reference=None,
            today=today,
            now=clock.now(),
        )
    assert "good_conduct_seen" in refused.value.errors
    assert coach.screening_checks == []


def test_notes_are_appended_with_author_and_time(gent, coordinator):
    coach = make_coach(gent)
    now = clock.now()
    screening.add_note(actor=coordinator, coach=coach, body="Gebeld, komt dinsdag.", now=now)
    screening.add_note(actor=coordinator, coach=coach, body="Correctie: woensdag.", now=now)
    assert [n.body for n in coach.notes] == ["Gebeld, komt dinsdag.", "Correctie: woensdag."]
    assert coach.notes[0].author_id == coordinator.id
    with pytest.raises(ValidationFailed):
        screening.add_note(actor=coordinator, coach=coach, body="   ", now=now)


def test_planning_an_intake_mails_an_invitation_with_a_calendar_file(gent, coordinator, in_request):
    coach = make_coach(gent, language="fr")
    library = make_location(gent, name="Bibliotheek De Krook")
    starts = clock.now().replace(microsecond=0) + timedelta(days=3)
    intake = screening.plan_intake(
        actor=coordinator,
        coach=coach,
        starts_at=starts,
        minutes=45,
        location_id=library.id,
        place="",
        now=clock.now(),
    )
    assert intake.ends_at - intake.starts_at == timedelta(minutes=45)
    [mail] = _messages("coaches.intake")
    assert mail.language == "fr" and mail.attachment_name == "intake.ics"
    assert "Bibliotheek De Krook" in mail.body_text
    event = next(iter(Calendar.from_ical(mail.attachment).walk("VEVENT")))
    assert event.decoded("DTSTART") == starts
    assert "Bibliotheek De Krook" in str(event["LOCATION"])


def test_an_intake_in_the_past_or_at_a_foreign_digipunt_is_refused(
    gent, kortrijk, coordinator, in_request
):
    coach = make_coach(gent)
    foreign = make_location(kortrijk)
    with pytest.raises(ValidationFailed) as refused:
        screening.plan_intake(
            actor=coordinator,
            coach=coach,
            starts_at=clock.now() - timedelta(hours=1),
            minutes=45,
            location_id=foreign.id,
            place="",
            now=clock.now(),
        )
    assert {"starts_at", "location"} <= set(refused.value.errors)
    assert _messages("coaches.intake") == []


def test_the_screening_never_stores_a_document_number_field():
    from digicoach.coaches.models import ScreeningCheck

    assert set(ScreeningCheck.__table__.columns.keys()) == {
        "id",
        "coach_id",
        "item",
        "checked_on",
        "checked_by_id",
        "recorded_at",
    }


def test_a_profile_edit_keeps_the_municipality_and_revalidates(gent, kortrijk):
    coach = make_coach(gent)
    data = applications.ProfileInput(
        first_name="Nieuwe",
        last_name="Naam",
        phone="0470 99 88 77",
        municipality_id=kortrijk.id,
        neighbourhood_ids=[gent.neighbourhoods[1].id],
        languages=["nl", "tr"],
        topics=["job_search"],
        availability={(2, "evening")},
        notify_sms=True,
    )
    applications.update_profile(actor=coach.user, coach=coach, data=data, now=clock.now())
    db.session.commit()
    assert coach.municipality_id == gent.id
    assert coach.user.name == "Nieuwe Naam"
    assert coach.phone == "+32470998877"
    assert coach.languages == ["nl", "tr"]
    assert coach.availability == {(2, "evening")}
    assert coach.neighbourhood_ids == [gent.neighbourhoods[1].id]
    # Same rows again: nothing to change, nothing breaks.
    applications.update_profile(actor=coach.user, coach=coach, data=data, now=clock.now())
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        applications.update_profile(
            actor=coach.user,
            coach=coach,
            data=applications.ProfileInput(
                first_name="X",
                last_name="Y",
                phone="0470 99 88 77",
                municipality_id=gent.id,
                neighbourhood_ids=[kortrijk.neighbourhoods[0].id],
                languages=["nl"],
            ),
            now=clock.now(),
        )
    assert "neighbourhoods" in refused.value.errors


def test_nobody_else_edits_a_coach_profile(gent, coordinator):
    coach = make_coach(gent)
    data = applications.ProfileInput(
        first_name="X",
        last_name="Y",
        phone="0470 99 88 77",
        municipality_id=gent.id,
        languages=["nl"],
    )
    with pytest.raises(PermissionDenied):
        applications.update_profile(actor=coordinator, coach=coach, data=data, now=clock.now())


def test_the_screening_dates_are_plain_days():
    assert isinstance(clock.local_today(), date)
