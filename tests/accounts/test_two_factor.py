"""Two-step verification: required for every staff role, no replay, recovery codes."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from digicoach.accounts.models import RecoveryCode, Role, User, UserSession
from digicoach.extensions import db
from tests.accounts.conftest import (
    STRONG_SECRET,
    audit_actions,
    count,
    current_code,
    is_signed_in,
    log_in,
    with_strong_secret,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    make_admin,
    make_desk,
    make_municipality,
    make_user,
)

CODE_SHAPE = re.compile(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>")


def _secret_of(user: User) -> str:
    db.session.expire_all()
    secret = db.session.get(User, user.id).totp_secret
    assert secret
    return secret


@pytest.fixture
def new_admin(app):
    user = make_user(roles=(Role.ADMIN,), email="admin@example.org")
    db.session.commit()
    return user


@pytest.fixture
def admin(app):
    return with_strong_secret(make_admin(email="admin@example.org"))


# --- set-up at the first sign-in ---------------------------------------------------------


def test_an_admin_without_two_factor_is_sent_to_set_up_and_is_not_signed_in(client, new_admin):
    response = log_in(client, "admin@example.org")
    assert response.headers["Location"] == "/two-factor/setup"
    assert count(UserSession) == 0
    for path in ("/account", "/admin/users", "/admin/audit"):
        reply = client.get(path)
        assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")


def test_a_coordinator_also_has_to_set_it_up(client):
    make_user(
        roles=(Role.COORDINATOR,), municipalities=[make_municipality()], email="co@example.org"
    )
    db.session.commit()
    assert log_in(client, "co@example.org").headers["Location"] == "/two-factor/setup"


def test_front_desk_staff_also_have_to_set_it_up(client):
    desk = make_desk([make_municipality()], email="desk@example.org", two_factor=False)
    db.session.commit()
    assert desk.needs_two_factor
    assert log_in(client, "desk@example.org").headers["Location"] == "/two-factor/setup"
    assert count(UserSession) == 0


def test_coaches_sign_in_without_a_second_step(client):
    make_user(email="coach@example.org")
    db.session.commit()
    assert log_in(client, "coach@example.org").headers["Location"] == "/work"


def test_an_installation_may_relax_it_for_the_front_desk_only(app, client):
    app.config["DESK_TWO_FACTOR_REQUIRED"] = False
    make_desk([make_municipality()], email="desk@example.org", two_factor=False)
    make_user(
        roles=(Role.COORDINATOR,), municipalities=[make_municipality()], email="co@example.org"
    )
    db.session.commit()
    assert log_in(client, "desk@example.org").headers["Location"] == "/work"
    client.post("/logout")
    assert log_in(client, "co@example.org").headers["Location"] == "/two-factor/setup"


def test_the_set_up_page_shows_the_key_in_groups_and_an_inline_qr_code(client, new_admin):
    log_in(client, "admin@example.org")
    response = client.get("/two-factor/setup")
    page = response.get_data(as_text=True)
    secret = _secret_of(new_admin)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    assert "<svg" in page and "<title>" in page
    assert "<img" not in page and "<script" not in page and "style=" not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_reloading_the_set_up_page_keeps_the_key_already_scanned(client, new_admin):
    log_in(client, "admin@example.org")
    client.get("/two-factor/setup")
    first = _secret_of(new_admin)
    client.get("/two-factor/setup")
    assert _secret_of(new_admin) == first


def test_confirming_with_a_code_signs_in_and_shows_ten_recovery_codes_once(client, new_admin):
    log_in(client, "admin@example.org", next_path="/admin/users")
    client.get("/two-factor/setup")
    code = current_code(_secret_of(new_admin))

    response = client.post("/two-factor/setup", data={"code": code})

    page = response.get_data(as_text=True)
    codes = CODE_SHAPE.findall(page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/admin/users"' in page
    assert response.headers["Cache-Control"] == "no-store"
    assert is_signed_in(client)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored), "codes are stored hashed"
    assert "user.two_factor_enable" in audit_actions()


def test_a_wrong_set_up_code_is_refused_next_to_the_field(client, new_admin):
    log_in(client, "admin@example.org")
    client.get("/two-factor/setup")
    response = client.post("/two-factor/setup", data={"code": "000000"})
    assert b'class="field-error"' in response.data
    assert b"This code is not right." in response.data
    db.session.expire_all()
    assert db.session.get(User, new_admin.id).totp_enabled_at is None
    assert count(UserSession) == 0


def test_the_half_finished_sign_in_expires_after_ten_minutes(client, new_admin, frozen_clock):
    log_in(client, "admin@example.org")
    client.get("/two-factor/setup")
    secret = _secret_of(new_admin)
    frozen_clock.advance(minutes=10, seconds=1)
    response = client.post("/two-factor/setup", data={"code": current_code(secret)})
    assert response.headers["Location"] == "/login"
    assert count(UserSession) == 0


# --- the second step at every sign-in ----------------------------------------------------


def test_an_admin_with_two_factor_enters_a_code_to_finish_signing_in(client, admin):
    response = log_in(client, "admin@example.org", next_path="/admin/audit")
    assert response.headers["Location"] == "/two-factor"
    assert not is_signed_in(client)
    response = client.post("/two-factor", data={"code": current_code()})
    assert response.headers["Location"] == "/admin/audit"
    assert is_signed_in(client)


def test_the_second_step_gets_a_fresh_flask_session_too(client, admin):
    log_in(client, "admin@example.org")
    client.post("/two-factor", data={"code": current_code()})
    with client.session_transaction() as cookie:
        assert "pending_sign_in" not in cookie


def test_the_same_code_cannot_be_used_twice(app, client, admin, frozen_clock):
    code = current_code()
    log_in(client, "admin@example.org")
    client.post("/two-factor", data={"code": code})
    client.post("/logout")
    frozen_clock.advance(seconds=5)

    log_in(client, "admin@example.org")
    response = client.post("/two-factor", data={"code": code})

    assert b"This code is not right." in response.data
    assert not is_signed_in(client)


def test_the_next_code_works_after_one_was_used(client, admin, frozen_clock):
    log_in(client, "admin@example.org")
    client.post("/two-factor", data={"code": current_code()})
    client.post("/logout")
    frozen_clock.advance(seconds=30)
    log_in(client, "admin@example.org")
    assert client.post("/two-factor", data={"code": current_code()}).status_code == 302


def test_a_code_from_the_previous_step_is_accepted_for_clock_drift(client, admin, frozen_clock):
    earlier = pyotp.TOTP(STRONG_SECRET).at(frozen_clock.moment.timestamp() - 30)
    log_in(client, "admin@example.org")
    assert client.post("/two-factor", data={"code": earlier}).status_code == 302


def test_a_recovery_code_works_once(app, client, admin):
    codes = _enable_recovery_codes(client, admin)
    client.post("/logout")

    log_in(client, "admin@example.org")
    assert client.post("/two-factor", data={"code": codes[0].upper()}).status_code == 302
    client.post("/logout")

    log_in(client, "admin@example.org")
    response = client.post("/two-factor", data={"code": codes[0]})
    assert b"This code is not right." in response.data
    assert "user.recovery_code_use" in audit_actions()


def _enable_recovery_codes(client, admin) -> list[str]:
    """The factory admin has TOTP but no recovery codes: make them from the account page."""
    log_in(client, "admin@example.org")
    client.post("/two-factor", data={"code": current_code()})
    response = client.post("/account/recovery-codes", data={"codes-password": DEFAULT_PASSWORD})
    codes = CODE_SHAPE.findall(response.get_data(as_text=True))
    assert len(codes) == 10
    return codes


def test_wrong_codes_are_throttled_like_wrong_passwords(client, admin):
    log_in(client, "admin@example.org")
    for _ in range(5):
        client.post("/two-factor", data={"code": "000000"})
    response = client.post("/two-factor", data={"code": current_code()})
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
    assert not is_signed_in(client)


def test_the_code_page_without_a_password_first_goes_to_sign_in(client):
    assert client.get("/two-factor").headers["Location"] == "/login"
    assert client.post("/two-factor", data={"code": "123456"}).headers["Location"] == "/login"


# --- from one's account ------------------------------------------------------------------


def test_where_relaxed_desk_staff_may_turn_two_factor_on_and_off(app, client, frozen_clock):
    app.config["DESK_TWO_FACTOR_REQUIRED"] = False
    desk = make_desk(
        [make_municipality()], email="desk@example.org", language="en", two_factor=False
    )
    db.session.commit()
    log_in(client, "desk@example.org")
    client.get("/two-factor/setup")
    response = client.post("/two-factor/setup", data={"code": current_code(_secret_of(desk))})
    assert len(CODE_SHAPE.findall(response.get_data(as_text=True))) == 10

    client.post("/logout")
    assert log_in(client, "desk@example.org").headers["Location"] == "/two-factor"
    frozen_clock.advance(seconds=30)
    client.post("/two-factor", data={"code": current_code(_secret_of(desk))})

    client.post("/account/two-factor/disable", data={"disable-password": DEFAULT_PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, desk.id).totp_enabled_at is None


def test_desk_staff_cannot_turn_two_factor_off_by_default(client, frozen_clock):
    with_strong_secret(make_desk([make_municipality()], email="desk@example.org"))
    log_in(client, "desk@example.org")
    client.post("/two-factor", data={"code": current_code()})
    response = client.post(
        "/account/two-factor/disable", data={"disable-password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403


def test_admins_cannot_turn_two_factor_off(client, admin):
    log_in(client, "admin@example.org")
    client.post("/two-factor", data={"code": current_code()})
    response = client.post(
        "/account/two-factor/disable", data={"disable-password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).totp_enabled_at is not None
