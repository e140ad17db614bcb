"""Enrolment: places, the waitlist, withdrawal and promotion, the deadline, the pipeline."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.errors import Conflict, PermissionDenied
from digicoach.extensions import db
from digicoach.training import rules
from digicoach.training.models import Cohort, Enrolment
from digicoach.training.services import cohorts
from digicoach.training.services import enrolment as enrolment_services
from tests.conftest import deliver_outbox
from tests.training.factories import enrol


def waitlist(cohort):
    return [
        (e.coach_id, e.waitlist_position)
        for e in db.session.scalars(
            select(Enrolment)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.status == rules.WAITLISTED)
            .order_by(Enrolment.waitlist_position)
        )
    ]


def test_an_approved_coach_enrols_and_moves_to_in_training(world):
    coach = world.coach()
    enrolment = enrol(world.cohort, coach)
    db.session.commit()
    assert enrolment.status == rules.ENROLLED
    assert world.cohort.enrolled_count == 1
    assert coach.status == CoachStatus.IN_TRAINING
    assert coach.history[-1].to_status == CoachStatus.IN_TRAINING


def test_a_coach_in_training_may_enrol_again_for_a_re_take(world):
    coach = world.coach(CoachStatus.IN_TRAINING)
    assert enrol(world.cohort, coach).status == rules.ENROLLED
    assert coach.status == CoachStatus.IN_TRAINING


@pytest.mark.parametrize("status", ["applied", "rejected", "certified", "active", "left"])
def test_other_coaches_cannot_enrol(world, status):
    coach = world.coach(status)
    with pytest.raises(Conflict) as refused:
        enrol(world.cohort, coach)
    assert refused.value.code == "enrolment.coach_status"
    assert world.cohort.enrolled_count == 0
    assert coach.status == status


def test_when_full_coaches_join_the_waitlist_in_order(world):
    coaches = [world.coach() for _ in range(5)]
    statuses = [enrol(world.cohort, coach).status for coach in coaches]
    assert statuses == ["enrolled"] * 3 + ["waitlisted"] * 2
    assert waitlist(world.cohort) == [(coaches[3].id, 1), (coaches[4].id, 2)]
    # A waitlisted coach holds no place, so they stay approved.
    assert coaches[3].status == CoachStatus.APPROVED


def test_a_withdrawal_promotes_exactly_the_first_waitlisted_coach_and_mails_them(
    app, world, mailbox
):
    coaches = [world.coach(language=language) for language in ("nl", "nl", "nl", "fr", "en")]
    enrolments = [enrol(world.cohort, coach) for coach in coaches]
    db.session.commit()

    with app.test_request_context("/", method="POST"):
        with unit_of_work():
            promoted = enrolment_services.withdraw(
                actor=coaches[0].user, enrolment=enrolments[0], now=clock.now()
            )
        deliver_outbox()

    assert promoted.coach_id == coaches[3].id
    assert promoted.status == rules.ENROLLED
    assert coaches[3].status == CoachStatus.IN_TRAINING
    assert waitlist(world.cohort) == [(coaches[4].id, 1)]
    assert db.session.get(Cohort, world.cohort.id).enrolled_count == 3
    [mail] = mailbox.to(coaches[3].user.email)
    assert "Gent voorjaar" in mail.get_body(("plain",)).get_content()
    # Rendered in the recipient's language (French), whatever the actor's.
    assert '<html lang="fr">' in mail.get_body(("html",)).get_content()
    assert not mailbox.to(coaches[4].user.email)


def test_a_waitlisted_coach_who_withdraws_closes_the_gap(world):
    coaches = [world.coach() for _ in range(7)]
    enrolments = [enrol(world.cohort, coach) for coach in coaches]
    enrolment_services.withdraw(actor=coaches[4].user, enrolment=enrolments[4], now=clock.now())
    assert waitlist(world.cohort) == [
        (coaches[3].id, 1),
        (coaches[5].id, 2),
        (coaches[6].id, 3),
    ]
    assert world.cohort.enrolled_count == 3


def test_a_higher_capacity_lets_the_waitlist_in(world):
    coaches = [world.coach() for _ in range(5)]
    for coach in coaches:
        enrol(world.cohort, coach)
    cohort = world.cohort
    cohorts.update_cohort(
        actor=world.coordinator,
        cohort=cohort,
        data=cohorts.CohortInput(
            programme_id=None,
            name=cohort.name,
            capacity=4,
            minimum=cohort.minimum,
            enrolment_deadline=cohorts.deadline_day(cohort.enrolment_deadline),
            municipality_ids=(world.gent.id,),
            trainer_id=cohort.trainer_id,
            online_link=cohort.online_link,
        ),
        now=clock.now(),
    )
    assert cohort.enrolled_count == 4
    assert waitlist(cohort) == [(coaches[4].id, 1)]


def test_enrolment_closes_at_the_deadline_with_a_clear_message(world):
    coach = world.coach()
    with pytest.raises(Conflict) as refused:
        enrolment_services.enrol(
            actor=coach.user,
            cohort=world.cohort,
            coach=coach,
            now=world.cohort.enrolment_deadline,
        )
    assert "deadline" in str(refused.value.message)
    assert world.cohort.enrolled_count == 0


def test_a_planned_cohort_takes_no_enrolments(world):
    world.cohort.status = rules.PLANNED
    coach = world.coach()
    with pytest.raises(Conflict) as refused:
        enrol(world.cohort, coach)
    assert refused.value.code == "enrolment.closed"
    assert world.cohort.enrolled_count == 0
    assert enrolment_services.active_enrolment(coach.id, world.cohort.id) is None


def test_enrolling_twice_is_refused(world):
    coach = world.coach()
    enrol(world.cohort, coach)
    with pytest.raises(Conflict) as refused:
        enrol(world.cohort, coach)
    assert refused.value.code == "enrolment.already_enrolled"
    assert world.cohort.enrolled_count == 1


def test_the_database_refuses_a_second_enrolment_row(world):
    coach = world.coach()
    enrol(world.cohort, coach)
    db.session.add(Enrolment(cohort_id=world.cohort.id, coach_id=coach.id, status="withdrawn"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_more_enrolled_than_the_capacity(world):
    world.cohort.enrolled_count = world.cohort.capacity + 1
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_coach_who_withdrew_may_enrol_again(world):
    coach = world.coach()
    enrolment = enrol(world.cohort, coach)
    enrolment_services.withdraw(actor=coach.user, enrolment=enrolment, now=clock.now())
    assert enrol(world.cohort, coach).id == enrolment.id
    assert enrolment.status == rules.ENROLLED


def test_a_coach_of_another_municipality_cannot_enrol(world):
    from tests.coaches.factories import make_coach

    coach = make_coach(world.kortrijk, status=CoachStatus.APPROVED)
    with pytest.raises(Conflict) as refused:
        enrol(world.cohort, coach)
    assert refused.value.code == "enrolment.other_municipality"
    assert world.cohort.enrolled_count == 0
    assert coach.status == CoachStatus.APPROVED


def test_a_coach_cannot_enrol_someone_else(world):
    coach, other = world.coach(), world.coach()
    with pytest.raises(PermissionDenied):
        enrolment_services.enrol(
            actor=other.user, cohort=world.cohort, coach=coach, now=clock.now()
        )


def test_a_coordinator_enrols_a_coach_of_their_municipality(world):
    coach = world.coach()
    enrolment = enrolment_services.enrol(
        actor=world.coordinator, cohort=world.cohort, coach=coach, now=clock.now()
    )
    assert enrolment.enrolled_by_id == world.coordinator.id
    assert coach.history[-1].changed_by_id == world.coordinator.id


def test_a_coordinator_of_another_municipality_cannot_enrol_anyone(world):
    with pytest.raises(PermissionDenied):
        enrolment_services.enrol(
            actor=world.other_coordinator,
            cohort=world.cohort,
            coach=world.coach(),
            now=clock.now(),
        )


def test_one_running_enrolment_at_a_time(world):
    from tests.training.factories import make_cohort

    coach = world.coach()
    enrol(world.cohort, coach)
    other = make_cohort(world.programme, [world.gent], deadline=clock.now() + timedelta(days=3))
    with pytest.raises(Conflict) as refused:
        enrol(other, coach)
    assert refused.value.code == "enrolment.enrolled_elsewhere"
    assert other.enrolled_count == 0
    assert enrolment_services.active_enrolment(coach.id, other.id) is None
