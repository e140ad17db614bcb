"""One's own account: name and language, password change, recovery codes."""

from __future__ import annotations

import pytest

from digicoach.accounts.models import User
from digicoach.extensions import db
from tests.accounts.conftest import audit_actions, english_client, is_signed_in, log_in
from tests.factories import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "another long sentence of mine"


@pytest.fixture
def coach(app):
    user = make_user(email="coach@example.org", language="en", name="Cas")
    db.session.commit()
    return user


def test_the_account_page_shows_name_language_password_and_two_factor(client, coach):
    log_in(client, "coach@example.org")
    page = client.get("/account").get_data(as_text=True)
    assert page.count("<h1>") == 1
    for text in ("Name and language", "Change your password", "Two-step verification"):
        assert text in page


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(app, client, coach):
    phone = english_client(app)
    log_in(phone, "coach@example.org")
    log_in(client, "coach@example.org")

    wrong = client.post(
        "/account/password",
        data={
            "current_password": "not it at all",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert b"This is not your current password." in wrong.data
    assert is_signed_in(phone)

    right = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert right.status_code == 302
    assert is_signed_in(client), "this device stays signed in"
    assert not is_signed_in(phone), "other devices are signed out"
    assert "user.password_change" in audit_actions()
    client.post("/logout")
    assert log_in(client, "coach@example.org", NEW_PASSWORD).status_code == 302


def test_a_common_new_password_is_refused_and_nothing_changes(client, coach):
    log_in(client, "coach@example.org")
    old_hash = coach.password_hash
    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "wachtwoord123",
            "confirm": "wachtwoord123",
        },
    )
    assert b"Many people use this password." in response.data
    db.session.expire_all()
    assert db.session.get(User, coach.id).password_hash == old_hash


def test_name_and_language_are_saved_and_audited_by_field(client, coach):
    log_in(client, "coach@example.org")
    response = client.post("/account/profile", data={"name": "Cas Coach", "language": "fr"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, coach.id)
    assert (saved.name, saved.language) == ("Cas Coach", "fr")
    assert "user.profile_update" in audit_actions()
    # The confirmation already speaks the chosen language.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vos données sont enregistrées." in page


def test_an_empty_name_or_unknown_language_is_refused(client, coach):
    log_in(client, "coach@example.org")
    response = client.post("/account/profile", data={"name": "", "language": "de"})
    assert b"Enter your name." in response.data
    db.session.expire_all()
    assert db.session.get(User, coach.id).name == "Cas"


def test_the_account_page_needs_a_sign_in(client):
    assert client.get("/account").headers["Location"].startswith("/login")
    assert client.post("/account/password").headers["Location"].startswith("/login")
