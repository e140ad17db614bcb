"""Certificates: the rule decides, the number is unique, twice gives one, /verify checks."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock
from digicoach.core.errors import Conflict
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from digicoach.training import rules
from digicoach.training.models import Certification
from digicoach.training.services import certification as certification_services
from digicoach.training.services import curriculum, enrolment
from tests.conftest import sign_in
from tests.training.factories import enrol, make_session, mark


@pytest.fixture
def trained(world):
    """Two coaches in the cohort; the three sessions held; Ada attended all, Bert missed one
    required module."""
    ada, bert = world.coach(first_name="Ada"), world.coach()
    for coach in (ada, bert):
        enrol(world.cohort, coach)
    for session in world.sessions:
        mark(session, ada, rules.PRESENT)
    mark(world.sessions[0], bert, rules.PRESENT)
    mark(world.sessions[1], bert, rules.ABSENT)
    mark(world.sessions[2], bert, rules.PRESENT)
    world.cohort.status = rules.RUNNING
    db.session.commit()
    return ada, bert


def count_certificates():
    return db.session.scalar(select(func.count()).select_from(Certification))


def certified_mails():
    return db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.kind == "training.certified")
    ).all()


def refusal(world, coach):
    """The Conflict's code and message (in English) when the coordinator certifies `coach`."""
    with force_locale("en"), pytest.raises(Conflict) as refused:
        certification_services.certify(
            actor=world.coordinator, cohort=world.cohort, coach=coach, now=clock.now()
        )
    return refused.value.code, str(refused.value.message)


def assert_nothing_issued(world, coach):
    """A refusal changes nothing: no certificate, same status and enrolment, no mail."""
    db.session.flush()
    assert count_certificates() == 0
    assert coach.status == CoachStatus.IN_TRAINING
    assert enrolment.active_enrolment(coach.id, world.cohort.id).status == rules.ENROLLED
    assert certified_mails() == []


def test_an_eligible_coach_is_certified_with_a_number_and_becomes_certified(world, trained):
    ada, _bert = trained
    certification = certification_services.certify(
        actor=world.coordinator, cohort=world.cohort, coach=ada, now=clock.now()
    )
    year = clock.local(clock.now()).year
    assert certification.number == f"DC-{year}-{certification.id:06d}"
    assert len(certification.verification_code) >= 20
    assert ada.status == CoachStatus.CERTIFIED
    assert enrolment.active_enrolment(ada.id, world.cohort.id).status == rules.COMPLETED


def test_certifying_twice_creates_one_certificate(world, trained):
    ada, _bert = trained
    first = certification_services.certify(
        actor=world.coordinator, cohort=world.cohort, coach=ada, now=clock.now()
    )
    second = certification_services.certify(
        actor=world.admin, cohort=world.cohort, coach=ada, now=clock.now() + timedelta(hours=1)
    )
    assert first.id == second.id
    assert count_certificates() == 1


def test_a_coach_missing_a_required_module_is_not_certified(world, trained):
    _ada, bert = trained
    assert refusal(world, bert) == (
        "certification.not_eligible",
        f"{bert.user.name} does not meet the rule yet.",
    )
    assert_nothing_issued(world, bert)


def test_a_coach_of_a_cancelled_cohort_is_not_certified(world, trained):
    ada, _bert = trained
    world.cohort.status = rules.CANCELLED
    db.session.commit()
    assert refusal(world, ada) == (
        "certification.cohort_cancelled",
        "This training group was cancelled.",
    )
    assert_nothing_issued(world, ada)


def test_a_coach_who_withdrew_is_not_certified(world, trained):
    ada, _bert = trained
    enrolment.active_enrolment(ada.id, world.cohort.id).status = rules.WITHDRAWN
    db.session.commit()
    assert refusal(world, ada) == (
        "certification.not_enrolled",
        "This digicoach is not enrolled in this training group.",
    )
    db.session.flush()
    assert count_certificates() == 0
    assert ada.status == CoachStatus.IN_TRAINING
    assert certified_mails() == []


def test_the_certified_coach_is_told(world, trained):
    ada, _bert = trained
    certification_services.certify(
        actor=world.coordinator, cohort=world.cohort, coach=ada, now=clock.now()
    )
    assert certified_mails() == [ada.user.email]


def test_a_deactivated_coach_gets_no_certificate_mail(world, trained):
    ada, _bert = trained
    ada.user.active = False
    db.session.commit()
    certification_services.certify(
        actor=world.coordinator, cohort=world.cohort, coach=ada, now=clock.now()
    )
    assert count_certificates() == 1
    assert certified_mails() == []


def test_certify_all_issues_only_to_the_eligible(world, trained):
    ada, bert = trained
    outcome = certification_services.certify_all(
        actor=world.coordinator, cohort=world.cohort, now=clock.now()
    )
    assert [c.coach_id for c in outcome.issued] == [ada.id]
    assert outcome.not_eligible == [bert]
    again = certification_services.certify_all(
        actor=world.coordinator, cohort=world.cohort, now=clock.now()
    )
    assert again.issued == []
    assert count_certificates() == 1


def test_the_programme_threshold_can_be_lowered(world, trained):
    _ada, bert = trained
    extra = make_session(world.cohort, modules=[world.safety], status=rules.HELD)
    mark(extra, bert, rules.PRESENT)
    # 3 of 4 held sessions: 75 %, below the default 80 %.
    assert refusal(world, bert) == (
        "certification.not_eligible",
        f"{bert.user.name} does not meet the rule yet.",
    )
    assert_nothing_issued(world, bert)
    curriculum.set_threshold(actor=world.admin, programme=world.programme, percent=75)
    assert certification_services.certify(
        actor=world.coordinator, cohort=world.cohort, coach=bert, now=clock.now()
    ).number


def test_verify_shows_name_and_date_for_a_valid_code(client, world, trained):
    ada, _bert = trained
    certification = certification_services.certify(
        actor=world.coordinator, cohort=world.cohort, coach=ada, now=clock.now()
    )
    db.session.commit()
    response = client.get(f"/verify/{certification.verification_code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ada.user.name in page
    assert ada.user.email not in page
    assert certification.number not in page


@pytest.mark.parametrize("code", ["unknown-code", "x" * 300, "DC-2026-000001"])
def test_verify_answers_404_for_an_unknown_code(client, world, code):
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404


def test_verify_never_fails_on_strange_input(client, world):
    assert client.get("/verify/%00").status_code in (400, 404)


def test_the_printable_certificate_is_for_the_coach_and_staff_in_scope(client, world, trained):
    ada, bert = trained
    certification = certification_services.certify(
        actor=world.coordinator, cohort=world.cohort, coach=ada, now=clock.now()
    )
    db.session.commit()
    url = f"/training/certificates/{certification.id}"
    sign_in(client, ada.user)
    response = client.get(url)
    assert response.status_code == 200
    assert certification.number in response.get_data(as_text=True)
    for outsider in (bert.user, world.other_coordinator):
        sign_in(client, outsider)
        assert client.get(url).status_code == 404
    sign_in(client, world.coordinator)
    assert client.get(url).status_code == 200


def test_certifying_through_the_page(client, world, trained):
    ada, bert = trained
    sign_in(client, world.coordinator)
    headers = {"Accept-Language": "en"}
    response = client.post(f"/training/manage/{world.cohort.id}/certify/{ada.id}", headers=headers)
    assert response.status_code == 302
    issued = db.session.scalars(select(Certification)).all()
    assert [(c.coach_id, c.cohort_id, c.issued_by_id) for c in issued] == [
        (ada.id, world.cohort.id, world.coordinator.id)
    ]
    assert issued[0].number
    page = client.get(response.headers["Location"], headers=headers).get_data(as_text=True)
    assert f"Certificate {issued[0].number} is issued." in page
    db.session.expire_all()
    assert ada.status == CoachStatus.CERTIFIED
    # Certify all: Ada holds hers already and Bert missed a required module, so none is issued.
    response = client.post(f"/training/manage/{world.cohort.id}/certify", headers=headers)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=headers).get_data(as_text=True)
    assert "0 certificates issued." in page
    assert db.session.scalars(select(Certification.coach_id)).all() == [ada.id]
    db.session.expire_all()
    assert bert.status == CoachStatus.IN_TRAINING
