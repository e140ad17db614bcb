"""A coordinator adds an existing account (a digicoach's) as staff of a partner organisation of
their municipality. Audited; an account with another staff role, staff of another organisation,
or an address without an active account is refused with a localised error and nothing changes;
a coordinator of another municipality gets 404, desk and partner staff 403."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from digicoach.accounts.models import UserOrganisation, UserRole
from digicoach.core.audit import AuditEvent
from digicoach.core.outbox import OutboxMessage
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_user
from tests.helpdesk.factories import make_working_coach


def _rights() -> tuple:
    roles = db.session.execute(
        select(UserRole.user_id, UserRole.role).order_by(UserRole.user_id, UserRole.role)
    ).all()
    organisations = db.session.execute(
        select(UserOrganisation.user_id, UserOrganisation.organisation_id).order_by(
            UserOrganisation.user_id
        )
    ).all()
    db.session.rollback()
    return roles, organisations


def _link(client, organisation_id: int, email: str):
    return client.post(f"/organisations/{organisation_id}/staff/link", data={"link-email": email})


def test_a_coordinator_adds_a_digicoach_as_staff_of_the_library(client, world):
    coach = make_working_coach(world.gent, first_name="Ria", last_name="Bib")
    db.session.commit()
    sign_in(client, world.coordinator)
    page = client.get(f"/organisations/{world.library.id}")
    assert b'name="link-email"' in page.data
    response = _link(client, world.library.id, coach.user.email.upper())
    assert response.status_code == 302
    user = db.session.get(type(coach.user), coach.user.id)
    db.session.refresh(user)
    assert {"coach", "partner"} == {role.value for role in user.roles}
    assert user.organisation_ids == {world.library.id}
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"organisation.link_staff", "user.roles_change"} <= actions
    # The person learns it by e-mail, in their own language, with the organisation's name.
    note = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "accounts.organisation_link")
    ).one()
    assert note.recipient == coach.user.email
    assert world.library.name in note.subject
    assert world.library.name in note.body_text
    assert b"Ria Bib" in client.get(f"/organisations/{world.library.id}").data
    # As partner staff they now reach their organisation's pages and referrals.
    sign_in(client, user)
    assert client.get(f"/organisations/{world.library.id}").status_code == 200
    assert client.get("/partners/referrals").status_code == 200


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("desk", b"already has another staff role"),
        ("kortrijk_coordinator", b"already has another staff role"),
        ("admin", b"already has another staff role"),
        ("kortrijk_staff", b"already works for another partner organisation"),
        ("library_staff", b"already works for this organisation"),
    ],
)
def test_accounts_with_another_staff_role_or_organisation_are_refused(client, world, who, message):
    before = _rights()
    sign_in(client, world.coordinator)
    response = _link(client, world.library.id, getattr(world, who).email)
    assert response.status_code == 422 and message in response.data
    assert _rights() == before


def test_an_address_without_an_active_account_is_refused(client, world):
    gone = make_user(email="weg@example.org", active=False)
    db.session.commit()
    before = _rights()
    sign_in(client, world.coordinator)
    for address in ("niemand@example.org", gone.email, ""):
        response = _link(client, world.library.id, address)
        assert response.status_code == 422
    assert (
        b"No active account uses this address"
        in _link(client, world.library.id, "niemand@example.org").data
    )
    assert _rights() == before


def test_the_refusal_speaks_the_coordinators_language(client, world):
    world.coordinator.language = "fr"
    db.session.commit()
    sign_in(client, world.coordinator)
    response = _link(client, world.library.id, world.desk.email)
    assert response.status_code == 422
    assert "déjà un autre rôle" in response.get_data(as_text=True)


def test_only_a_coordinator_of_the_organisations_municipality_links(client, world):
    coach = make_working_coach(world.gent)
    db.session.commit()
    before = _rights()
    sign_in(client, world.kortrijk_coordinator)
    for organisation_id in (world.library.id, 987654):
        assert _link(client, organisation_id, coach.user.email).status_code == 404
    for who in ("desk", "library_staff"):
        sign_in(client, getattr(world, who))
        assert _link(client, world.library.id, coach.user.email).status_code == 403
    assert _rights() == before
