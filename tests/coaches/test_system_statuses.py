"""Certified, active and dormant are the system's alone (issue 20 item 1).

A person choosing them would make the programme's figures say what did not happen: a
certified coach without a certificate. Each door a coordinator has (the service, the coach
page with a forged value) is refused with nothing changed; each system path still works.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from digicoach.coaches import rules, services
from digicoach.coaches.models import CoachStatus, CoachStatusChange
from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from tests.coaches.factories import make_coach
from tests.conftest import sign_in
from tests.factories import make_admin

# For each system target, a status from which the table allows it.
SYSTEM_MOVES = [
    (CoachStatus.IN_TRAINING, CoachStatus.CERTIFIED),
    (CoachStatus.CERTIFIED, CoachStatus.ACTIVE),
    (CoachStatus.DORMANT, CoachStatus.ACTIVE),
    (CoachStatus.ACTIVE, CoachStatus.DORMANT),
]


@pytest.fixture
def signed_in_coordinator(client, coordinator):
    sign_in(client, coordinator)
    return coordinator


def _history_count(coach) -> int:
    return db.session.scalar(
        select(db.func.count())
        .select_from(CoachStatusChange)
        .where(CoachStatusChange.coach_id == coach.id)
    )


def _status_audits() -> int:
    return db.session.scalar(
        select(db.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.like("coach.status.%"))
    )


def test_the_rules_offer_people_no_system_target():
    for status in rules.STATUSES:
        offered = rules.next_statuses(status)
        assert not set(offered) & rules.SYSTEM_TARGETS
        assert set(offered) <= set(rules.next_statuses(status, by_system=True))
    assert rules.next_statuses(CoachStatus.IN_TRAINING) == ["left"]
    assert rules.next_statuses(CoachStatus.IN_TRAINING, by_system=True) == ["certified", "left"]
    assert {"certified", "active", "dormant"} == rules.SYSTEM_TARGETS


@pytest.mark.parametrize(("start", "target"), SYSTEM_MOVES)
@pytest.mark.parametrize("entry", ["change_status", "move"])
def test_the_service_refuses_a_system_target_to_a_coordinator(
    gent, coordinator, in_request, start, target, entry
):
    coach = make_coach(gent, status=start)
    db.session.commit()
    before = (_history_count(coach), _status_audits())
    step = getattr(services, entry)
    with pytest.raises(services.SystemOnlyStatus) as refused, force_locale("en"):
        step(actor=coordinator, coach=coach, target=target, now=clock.now())
    assert refused.value.code == "coaches.status.system_only"
    assert refused.value.field == "status"
    assert "Only the system" in str(refused.value.message)
    db.session.rollback()
    assert coach.status == start
    assert (_history_count(coach), _status_audits()) == before


@pytest.mark.parametrize(("start", "target"), SYSTEM_MOVES)
def test_an_admin_is_refused_too(gent, in_request, start, target):
    coach = make_coach(gent, status=start)
    with pytest.raises(services.SystemOnlyStatus):
        services.move(actor=make_admin(), coach=coach, target=target, now=clock.now())
    assert coach.status == start


@pytest.mark.parametrize(("start", "target"), SYSTEM_MOVES)
def test_the_coach_page_refuses_a_forged_system_target(
    client, gent, signed_in_coordinator, start, target
):
    coach = make_coach(gent, status=start)
    db.session.commit()
    page = client.get(f"/coaches/{coach.id}")
    assert f'value="{target}"' not in page.get_data(as_text=True)
    response = client.post(
        f"/coaches/{coach.id}/status",
        data={"status-status": target},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200  # the page again, with the error
    db.session.expire_all()
    assert coach.status == start
    assert _history_count(coach) == 1


@pytest.mark.parametrize(
    "start",
    [
        CoachStatus.APPLIED,
        CoachStatus.APPROVED,
        CoachStatus.IN_TRAINING,
        CoachStatus.CERTIFIED,
        CoachStatus.ACTIVE,
        CoachStatus.DORMANT,
    ],
)
def test_a_coordinator_may_still_let_a_coach_leave_from_each_status(
    client, gent, signed_in_coordinator, start
):
    coach = make_coach(gent, status=start)
    db.session.commit()
    response = client.post(f"/coaches/{coach.id}/status", data={"status-status": "left"})
    assert response.status_code == 302
    db.session.expire_all()
    assert coach.status == CoachStatus.LEFT


def test_certification_reaches_certified_through_the_system_path(gent, coordinator, in_request):
    coach = make_coach(gent, status=CoachStatus.IN_TRAINING)
    change = services.certify_on_certificate(actor=coordinator, coach=coach, now=clock.now())
    assert coach.status == CoachStatus.CERTIFIED
    assert change.changed_by_id == coordinator.id


def test_a_first_shift_makes_a_certified_coach_active(gent):
    coach = make_coach(gent, status=CoachStatus.CERTIFIED)
    now = clock.now()
    services.record_shift_activity(coach, now)
    assert coach.status == CoachStatus.ACTIVE
    assert coach.activated_at == now
    assert coach.history[-1].changed_by_id is None


def test_the_dormancy_job_reaches_dormant_through_the_system_path(gent):
    now = clock.now()
    coach = make_coach(gent, status=CoachStatus.ACTIVE, last_shift_at=now - timedelta(days=200))
    assert services.mark_dormant(now=now, after_days=90) == 1
    assert coach.status == CoachStatus.DORMANT
