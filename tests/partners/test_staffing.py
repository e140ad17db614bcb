"""Partner staff staff their organisation's help sessions: they put a digicoach who serves the
municipality on a session at their own digipunt, invite matching digicoaches and take one off
again, as a coordinator does. A session at another digipunt (another organisation's, the
municipality's own, another municipality's) answers 404, guessed ids too, and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from digicoach.core import clock
from digicoach.core.audit import AuditEvent
from digicoach.core.errors import PermissionDenied
from digicoach.extensions import db
from digicoach.helpdesk.models import Shift
from digicoach.helpdesk.permissions import can_assign_shift
from digicoach.helpdesk.services import shifts
from tests.conftest import sign_in
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach


def _shifts() -> list[tuple]:
    rows = db.session.execute(
        select(Shift.session_id, Shift.coach_id, Shift.status).order_by(Shift.id)
    ).all()
    db.session.rollback()
    return rows


@pytest.fixture
def coaches(world):
    gent_coach = make_working_coach(world.gent, first_name="Ria", last_name="Gentenaar")
    kortrijk_coach = make_working_coach(world.kortrijk, first_name="Kurt", last_name="Kortrijkzaan")
    db.session.commit()
    return gent_coach, kortrijk_coach


def test_partner_staff_put_a_digicoach_on_their_digipunts_session(client, world, coaches):
    gent_coach, kortrijk_coach = coaches
    own = make_help_session(world.krook)
    db.session.commit()
    sign_in(client, world.library_staff)
    page = client.get(f"/helpdesk/sessions/{own.id}").get_data(as_text=True)
    assert "Ria Gentenaar" in page and "Kurt Kortrijkzaan" not in page
    assigned = client.post(
        f"/helpdesk/sessions/{own.id}/assign", data={"coach_id": str(gent_coach.id)}
    )
    assert assigned.status_code == 302
    assert _shifts() == [(own.id, gent_coach.id, "signed_up")]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "helpdesk.shift.sign_up")
    ).one()
    assert event.actor_id == world.library_staff.id
    # A digicoach of another municipality is not on the list, and cannot be slipped in.
    client.post(f"/helpdesk/sessions/{own.id}/assign", data={"coach_id": str(kortrijk_coach.id)})
    assert len(_shifts()) == 1
    # They take the digicoach off again.
    shift_id = db.session.scalar(select(Shift.id))
    removed = client.post(f"/helpdesk/shifts/{shift_id}/remove")
    assert removed.status_code == 302
    assert _shifts() == [(own.id, gent_coach.id, "cancelled")]


def test_partner_staff_invite_matching_digicoaches_to_their_session(client, world, coaches):
    own = make_help_session(world.krook, topics=("email",))
    db.session.commit()
    sign_in(client, world.library_staff)
    invited = client.post(f"/helpdesk/sessions/{own.id}/invite", data={"back": "session"})
    assert invited.status_code == 302
    assert db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "helpdesk.session.invite")
    ).all() == ["helpdesk.session.invite"]


def test_partner_staff_get_404_on_every_other_session_and_change_nothing(client, world, coaches):
    gent_coach, kortrijk_coach = coaches
    elsewhere = make_help_session(world.other_location)  # the municipality's own digipunt
    kortrijk = make_help_session(world.kortrijk_location)  # another organisation, elsewhere
    taken = make_shift(elsewhere, gent_coach)
    db.session.commit()
    before = _shifts()
    sign_in(client, world.library_staff)
    for session_id in (elsewhere.id, kortrijk.id, 987654):
        for coach in (gent_coach, kortrijk_coach):
            response = client.post(
                f"/helpdesk/sessions/{session_id}/assign", data={"coach_id": str(coach.id)}
            )
            assert response.status_code == 404, session_id
        assert client.post(f"/helpdesk/sessions/{session_id}/invite").status_code == 404
    for shift_id in (taken.id, 987654):
        assert client.post(f"/helpdesk/shifts/{shift_id}/remove").status_code == 404
    assert _shifts() == before


def test_the_rule_partner_staff_assign_only_at_their_digipunten(world, coaches):
    gent_coach, kortrijk_coach = coaches
    own = make_help_session(world.krook)
    elsewhere = make_help_session(world.other_location)
    db.session.commit()
    assert can_assign_shift(world.library_staff, gent_coach, own)
    assert not can_assign_shift(world.library_staff, kortrijk_coach, own)
    assert not can_assign_shift(world.library_staff, gent_coach, elsewhere)
    assert not can_assign_shift(world.kortrijk_staff, gent_coach, own)
    assert not can_assign_shift(world.desk, gent_coach, own)
    with pytest.raises(PermissionDenied):
        shifts.sign_up(
            actor=world.library_staff, coach=gent_coach, session=elsewhere, now=clock.now()
        )
