"""Invitations: a user without a password, a single-use link, and no enumeration."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from digicoach.accounts import services
from digicoach.accounts.models import Role, User
from digicoach.core import clock, outbox
from digicoach.core.db import unit_of_work
from digicoach.core.errors import PermissionDenied, ValidationFailed
from digicoach.extensions import db
from tests.accounts.conftest import audit_actions, count, log_in
from tests.conftest import sign_in
from tests.factories import make_admin, make_municipality, make_user

INVITATION_LINK = re.compile(r"http://localhost(/invitation/[A-Za-z0-9_-]+)")
PASSWORD = "my own long sentence here"


@pytest.fixture
def admin(app):
    user = make_admin(email="admin@example.org", name="Ann Admin", language="en")
    db.session.commit()
    return user


@pytest.fixture
def gent(app):
    municipality = make_municipality(name="Gent", nis_code="44021")
    db.session.commit()
    return municipality


def _invite(client, **overrides):
    data = {
        "email": "new@example.org",
        "name": "Nina Nieuw",
        "language": "nl",
        "roles": ["coordinator"],
        "municipalities": [],
    }
    data.update(overrides)
    return client.post("/admin/users/invite", data=data)


def _invitation_path(mailbox, address: str) -> str:
    body = mailbox.to(address)[-1].get_body(("plain",)).get_content()
    match = INVITATION_LINK.search(body)
    assert match
    return match.group(1)


def test_an_admin_invites_a_coordinator_who_chooses_a_password_and_sets_up_two_factor(
    client, admin, gent, mailbox
):
    sign_in(client, admin)
    response = _invite(client, municipalities=[str(gent.id)])
    assert response.status_code == 302
    invited = services.find_by_email("new@example.org")
    assert invited.password_hash is None
    assert invited.roles == {Role.COORDINATOR}
    assert invited.municipality_ids == {gent.id}
    assert audit_actions()[-2:] == ["user.create", "user.invite"]

    client.post("/logout")
    path = _invitation_path(mailbox, "new@example.org")
    assert client.get(path).status_code == 200
    response = client.post(path, data={"name": "Nina", "password": PASSWORD, "confirm": PASSWORD})
    assert response.headers["Location"] == "/login"
    assert log_in(client, "new@example.org", PASSWORD).headers["Location"] == "/two-factor/setup"
    db.session.expire_all()
    assert db.session.get(User, invited.id).email_verified_at is not None


def test_an_invitation_link_works_once(client, admin, gent, mailbox):
    sign_in(client, admin)
    _invite(client, municipalities=[str(gent.id)])
    client.post("/logout")
    path = _invitation_path(mailbox, "new@example.org")
    client.post(path, data={"name": "Nina", "password": PASSWORD, "confirm": PASSWORD})
    assert client.get(path).status_code == 404
    again = client.post(path, data={"name": "X", "password": "x" * 20, "confirm": "x" * 20})
    assert again.status_code == 404


def test_an_invitation_link_expires_after_seven_days(client, admin, gent, mailbox, frozen_clock):
    sign_in(client, admin)
    _invite(client, municipalities=[str(gent.id)])
    path = _invitation_path(mailbox, "new@example.org")
    frozen_clock.advance(days=7)
    assert client.get(path).status_code == 404


def test_inviting_an_existing_address_creates_nothing_and_mails_its_owner(
    client, admin, gent, mailbox
):
    make_user(email="known@example.org")
    db.session.commit()
    sign_in(client, admin)
    users_before = count(User)

    new = _invite(client, email="fresh@example.org", municipalities=[str(gent.id)])
    fresh_page = client.get(new.headers["Location"]).get_data(as_text=True)
    known = _invite(client, email="known@example.org", municipalities=[str(gent.id)])
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)

    assert new.status_code == known.status_code == 302
    assert new.headers["Location"] == known.headers["Location"]
    assert "The invitation to fresh@example.org is on its way." in fresh_page
    assert "The invitation to known@example.org is on its way." in known_page
    assert count(User) == users_before + 1
    note = mailbox.to("known@example.org")[-1]
    assert "already have an account" in note.get_body(("plain",)).get_content()
    assert INVITATION_LINK.search(note.get_body(("plain",)).get_content()) is None


def test_coordinators_and_desk_staff_need_a_municipality_and_nothing_is_written(
    client, admin, mailbox
):
    sign_in(client, admin)
    users_before, events_before = count(User), len(audit_actions())
    for role in ("coordinator", "desk"):
        response = _invite(client, roles=[role], municipalities=[])
        assert response.status_code == 200
        assert b"need at least one municipality" in response.data
        assert b'class="error-summary"' in response.data
    assert count(User) == users_before
    assert len(audit_actions()) == events_before
    assert mailbox.messages == []


def test_admins_need_no_municipality(client, admin, mailbox):
    sign_in(client, admin)
    assert _invite(client, roles=["admin"]).status_code == 302


def test_bad_invitation_input_gets_field_errors(client, admin):
    sign_in(client, admin)
    response = _invite(client, email="not-an-address", name="", roles=[], municipalities=["999"])
    page = response.get_data(as_text=True)
    assert "Enter an e-mail address like name@example.be." in page
    assert "Enter a name." in page
    assert "Choose municipalities from the list." in page
    assert count(User) == 1


def test_only_admins_may_invite(app, in_english, gent):
    coordinator = make_user(roles=(Role.COORDINATOR,), municipalities=[gent])
    db.session.commit()
    with pytest.raises(PermissionDenied), unit_of_work():
        services.invite_user(
            actor=coordinator,
            email="x@example.org",
            name="X",
            roles=[Role.DESK],
            municipality_ids=[gent.id],
            language="nl",
            now=clock.now(),
        )


def test_resending_an_invitation_spends_the_earlier_link(client, admin, gent, mailbox):
    sign_in(client, admin)
    _invite(client, municipalities=[str(gent.id)])
    first = _invitation_path(mailbox, "new@example.org")
    invited = services.find_by_email("new@example.org")
    client.post(f"/admin/users/{invited.id}/resend-invitation")
    second = _invitation_path(mailbox, "new@example.org")
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_weak_password_on_the_invitation_page_keeps_the_link(client, admin, gent, mailbox):
    sign_in(client, admin)
    _invite(client, municipalities=[str(gent.id)])
    client.post("/logout")
    path = _invitation_path(mailbox, "new@example.org")
    response = client.post(path, data={"name": "Nina", "password": "short", "confirm": "short"})
    assert b"Use at least 12 characters." in response.data
    assert client.get(path).status_code == 200
    assert db.session.scalar(select(User.password_hash).where(User.name == "Nina")) is None


def test_the_service_refuses_roles_without_scope(app, in_english, admin):
    with pytest.raises(ValidationFailed) as refused, unit_of_work():
        services.invite_user(
            actor=admin,
            email="x@example.org",
            name="X",
            roles=[Role.DESK],
            municipality_ids=[],
            language="nl",
            now=clock.now(),
        )
    assert "municipalities" in refused.value.errors


def test_inviting_the_address_of_a_deactivated_account_mails_nobody(app, in_english, admin, gent):
    # A deactivated account gets no more mail from any feature (core.messages.reachable).
    make_user(email="gone@example.org", active=False)
    db.session.commit()
    with unit_of_work():
        services.invite_user(
            actor=admin,
            email="gone@example.org",
            name="Gone",
            roles=[Role.DESK],
            municipality_ids=[gent.id],
            language="nl",
            now=clock.now(),
        )
    queued = db.session.scalars(
        select(outbox.OutboxMessage.kind).where(
            outbox.OutboxMessage.recipient == "gone@example.org"
        )
    ).all()
    assert queued == []
