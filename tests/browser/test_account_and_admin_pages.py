"""axe-core finds no WCAG 2.1 A/AA violation on the account and admin pages (Chromium)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for

from digicoach.accounts import services, tokens, twofactor
from digicoach.accounts.models import Role
from digicoach.core import audit, clock
from digicoach.core.db import unit_of_work
from digicoach.extensions import db
from tests.browser.conftest import assert_accessible, sign_in_browser
from tests.factories import DEFAULT_PASSWORD, make_admin, make_municipality, make_user

pytestmark = pytest.mark.browser

STRONG_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _path(live_server, endpoint: str, **values) -> str:
    with live_server.app.test_request_context():
        return url_for(endpoint, **values)


def _check(page, path: str, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response.status}"
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_the_admin_pages_are_accessible(context, page, live_server):
    gent = make_municipality(name="Gent", nis_code="44021")
    admin = make_admin(email="admin@example.org")
    other = make_user(roles=(Role.DESK,), municipalities=[gent], name="Dirk Desk")
    audit.record(admin, "user.roles_change", other, ["roles"])
    db.session.commit()
    sign_in_browser(context, live_server, admin)
    for endpoint, values in (
        ("admin.users", {}),
        ("admin.invite", {}),
        ("admin.user", {"user_id": other.id}),
        ("admin.audit_log", {}),
        ("accounts.security", {}),
    ):
        _check(page, _path(live_server, endpoint, **values))
    # With errors showing, too.
    page.goto(_path(live_server, "admin.invite"))
    page.locator('main form [type="submit"]').click()
    assert page.locator(".error-summary").count() == 1
    assert_accessible(page)


def test_the_sign_in_steps_are_accessible(context, page, live_server):
    admin = make_admin(email="admin@example.org")
    admin.totp_secret = STRONG_SECRET
    db.session.commit()
    page.goto("/login")
    page.fill('input[name="email"]', "admin@example.org")
    page.fill('input[name="password"]', "not the password")
    page.locator('form:has(input[name="password"]) [type="submit"]').click()
    assert page.locator(".error-summary").count() == 1
    assert_accessible(page)

    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('form:has(input[name="password"]) [type="submit"]').click()
    page.wait_for_url("**/two-factor")
    assert_accessible(page)

    page.fill('input[name="code"]', twofactor.code_at(STRONG_SECRET, clock.now()))
    page.locator('form:has(input[name="code"]) [type="submit"]').click()
    page.wait_for_url(re.compile(r".*/work$"))
    page.goto("/account")
    page.fill('input[name="codes-password"]', DEFAULT_PASSWORD)
    page.locator('form:has(input[name="codes-password"]) [type="submit"]').click()
    assert page.locator("ol.codes li").count() == 10
    assert_accessible(page)


def test_the_pages_behind_e_mail_links_are_accessible(context, page, live_server):
    user = make_user(email="an@example.org", email_verified_at=None)
    invited = make_user(email="new@example.org", password=None)
    db.session.commit()
    with unit_of_work():
        hour = timedelta(hours=1)
        reset = tokens.issue(services.PASSWORD_RESET, user=user, lifetime=hour, now=clock.now())
        invitation = tokens.issue(services.INVITATION, user=invited, lifetime=hour, now=clock.now())
        verification = tokens.issue(
            services.EMAIL_VERIFICATION,
            user=user,
            lifetime=hour,
            now=clock.now(),
            payload=user.email_key,
        )
    _check(page, _path(live_server, "accounts.reset_password", token=reset))
    _check(page, _path(live_server, "accounts.accept_invitation", token=invitation))
    _check(page, _path(live_server, "accounts.verify_email", token=verification))
    page.locator('main form [type="submit"]').click()
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    _check(page, _path(live_server, "accounts.forgot_password"))
    _check(page, _path(live_server, "accounts.reset_password", token="used-or-unknown"), 404)
