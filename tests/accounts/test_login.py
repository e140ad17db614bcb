"""Signing in and out: server-side sessions, fixation, safe redirects, time-outs, no enumeration."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from digicoach import create_app
from digicoach.accounts import services, sessions
from digicoach.accounts.models import Role, User, UserSession
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from tests.accounts.conftest import (
    audit_actions,
    count,
    current_code,
    english_client,
    is_signed_in,
    log_in,
    with_strong_secret,
)
from tests.factories import DEFAULT_PASSWORD, make_desk, make_municipality, make_user

REFUSED = b"The e-mail address or the password is not right."


def test_a_coach_signs_in_with_e_mail_and_password(client):
    coach = make_user(email="an@example.org")
    db.session.commit()
    response = log_in(client, "an@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/work"
    assert is_signed_in(client)
    assert count(UserSession) == 1
    db.session.refresh(coach)
    assert coach.last_login_at is not None


def test_the_address_is_matched_whatever_its_case_and_spaces(client):
    make_user(email="An.Peeters@example.org")
    db.session.commit()
    assert log_in(client, "  an.peeters@EXAMPLE.org ").status_code == 302


def test_the_sign_in_page_shows_the_form_with_labels(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label class="label" for="email">' in page
    assert '<label class="label" for="password">' in page
    assert 'name="remember"' in page
    assert "/password/forgot" in page


def test_signing_in_starts_a_fresh_flask_session(app, client):
    """Session fixation: whatever the visitor's session held before, none of it survives."""
    make_user(email="an@example.org")
    db.session.commit()
    with client.session_transaction() as cookie:
        cookie["planted"] = "by an attacker"
        cookie[sessions.SESSION_KEY] = "a token the attacker knows"
    log_in(client, "an@example.org")
    with client.session_transaction() as cookie:
        assert "planted" not in cookie
        assert cookie[sessions.SESSION_KEY] != "a token the attacker knows"


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("/account", "/account"),
        ("/admin/users?page=2", "/admin/users?page=2"),
        ("https://evil.example/", "/work"),
        ("//evil.example/", "/work"),
        ("/\\evil.example", "/work"),
        ("javascript:alert(1)", "/work"),
    ],
)
def test_after_signing_in_only_same_site_paths_are_followed(client, next_path, expected):
    make_user(email="an@example.org")
    db.session.commit()
    response = log_in(client, "an@example.org", next_path=next_path)
    assert response.headers["Location"] == expected


def test_the_next_path_travels_from_the_link_to_the_form(client):
    page = client.get("/login?next=/account").get_data(as_text=True)
    assert '<input id="next" name="next" type="hidden" value="/account">' in page
    page = client.get("/login?next=https://evil.example").get_data(as_text=True)
    assert '<input id="next" name="next" type="hidden" value="">' in page


def test_logging_out_ends_the_session_so_a_copied_cookie_stops_working(app, client):
    make_user(email="an@example.org")
    db.session.commit()
    log_in(client, "an@example.org")
    copy = english_client(app)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
    assert is_signed_in(copy)

    response = client.post("/logout")

    assert response.status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(copy)
    db.session.expire_all()
    assert db.session.scalar(select(UserSession.ended_at)) is not None


def test_login_and_logout_are_audited_without_values(client):
    make_user(email="an@example.org")
    db.session.commit()
    log_in(client, "an@example.org")
    client.post("/logout")
    assert audit_actions()[-2:] == ["user.login", "user.logout"]


def test_logging_out_without_a_session_is_harmless(client):
    assert client.post("/logout").status_code == 302


def test_deactivating_a_user_ends_all_their_sessions(app, client):
    coach = make_user(email="an@example.org")
    admin = make_user(roles=(Role.ADMIN,), two_factor=True)
    db.session.commit()
    log_in(client, "an@example.org")
    phone = english_client(app)
    log_in(phone, "an@example.org")
    assert is_signed_in(client) and is_signed_in(phone)

    with unit_of_work():
        services.set_active(actor=admin, user=coach, active=False, now=clock.now())

    assert not is_signed_in(client)
    assert not is_signed_in(phone)
    assert db.session.scalar(select(UserSession).where(UserSession.ended_at.is_(None))) is None


def test_staff_are_signed_out_after_30_idle_minutes(client, frozen_clock):
    with_strong_secret(make_desk([make_municipality()], email="desk@example.org"))
    log_in(client, "desk@example.org")
    client.post("/two-factor", data={"code": current_code()})
    frozen_clock.advance(minutes=29)
    assert is_signed_in(client), "activity within 30 minutes keeps the session alive"
    frozen_clock.advance(minutes=29)
    assert is_signed_in(client), "the idle time counts from the last request"
    frozen_clock.advance(minutes=31)
    assert not is_signed_in(client)


def test_coaches_have_no_idle_timeout_but_a_12_hour_limit(client, frozen_clock):
    make_user(email="coach@example.org")
    db.session.commit()
    log_in(client, "coach@example.org")
    frozen_clock.advance(hours=3)
    assert is_signed_in(client)
    frozen_clock.advance(hours=9)
    assert not is_signed_in(client)


def test_remember_me_keeps_a_session_for_14_days_and_no_longer(app, client, frozen_clock):
    make_user(email="coach@example.org")
    db.session.commit()
    log_in(client, "coach@example.org", remember=True)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie.expires is not None, "remembered: the cookie outlives the browser"
    frozen_clock.advance(days=13, hours=23)
    assert is_signed_in(client)
    frozen_clock.advance(hours=2)
    assert not is_signed_in(client)


def test_without_remember_me_the_cookie_ends_with_the_browser(app, client):
    make_user(email="coach@example.org")
    db.session.commit()
    log_in(client, "coach@example.org")
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]).expires is None


def test_an_outdated_password_hash_is_upgraded_at_sign_in(app, client):
    weak = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1).hash(DEFAULT_PASSWORD)
    user = make_user(email="an@example.org")
    user.password_hash = weak
    db.session.commit()
    log_in(client, "an@example.org")
    db.session.expire_all()
    upgraded = db.session.get(User, user.id).password_hash
    assert upgraded != weak
    assert "t=1" in upgraded


def test_unknown_address_and_wrong_password_get_the_same_answer(client):
    make_user(email="an@example.org")
    db.session.commit()
    wrong_password = log_in(client, "an@example.org", "not the right password")
    unknown = log_in(client, "nobody@example.org", "not the right password")
    assert wrong_password.status_code == unknown.status_code == 200
    assert REFUSED in wrong_password.data
    assert wrong_password.get_data(as_text=True).replace("an@example.org", "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@example.org", "X")


def test_deactivated_and_invited_users_get_the_same_answer_as_a_wrong_password(client):
    make_user(email="gone@example.org", active=False)
    make_user(email="invited@example.org", password=None)
    db.session.commit()
    for email in ("gone@example.org", "invited@example.org"):
        response = log_in(client, email)
        assert REFUSED in response.data
        assert not is_signed_in(client)


def test_empty_fields_get_errors_next_to_them_and_nothing_is_written(client):
    response = log_in(client, "", "")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert "Enter your e-mail address." in page
    assert "Enter your password." in page
    assert count(UserSession) == 0
    assert audit_actions() == []


def test_a_signed_in_user_who_opens_the_sign_in_page_goes_home(client):
    make_user(email="an@example.org")
    db.session.commit()
    log_in(client, "an@example.org")
    assert client.get("/login").status_code == 302


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"email": "an\x01@example.org", "password": "whatever it is"}),
        ("/password/forgot", {"email": "an\x1b@example.org"}),
    ],
)
def test_invisible_control_characters_are_a_field_error_not_a_server_error(client, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 200
    assert b"Remove the invisible special characters." in response.data


def test_a_mangled_link_answers_not_found(client):
    for path in ("/password/reset/abc%01def", "/invitation/abc%20", "/verify-email/%C3%A9"):
        assert client.get(path).status_code == 404


def test_with_csrf_on_the_form_carries_its_token_and_a_forged_post_is_refused(
    app_config, monkeypatch, tmp_path
):
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "instance"))
    app_config["WTF_CSRF_ENABLED"] = True
    application = create_app("testing", **app_config)
    with application.app_context():
        make_user(email="an@example.org")
        db.session.commit()
        visitor = application.test_client()
        forged = visitor.post("/login", data={"email": "an@example.org", "password": "x" * 12})
        assert forged.status_code == 400
        page = visitor.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = visitor.post(
            "/login",
            data={"email": "an@example.org", "password": DEFAULT_PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302
        db.session.remove()
        db.engine.dispose()
