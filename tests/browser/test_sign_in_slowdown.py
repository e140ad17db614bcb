"""A slowed sign-in in a real browser: the admin's user page and the owner's unlock page pass
axe, and the unlock button leads back to signing in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for

from digicoach.accounts import tokens, unlock
from digicoach.accounts.models import LoginFailure
from digicoach.core import clock
from digicoach.extensions import db
from tests.browser.conftest import assert_accessible, sign_in_browser
from tests.factories import make_admin, make_user

pytestmark = pytest.mark.browser


def _path(live_server, endpoint: str, **values) -> str:
    with live_server.app.test_request_context():
        return url_for(endpoint, **values)


@pytest.fixture
def attacked(app):
    """An account that failed ten times from ten addresses a moment ago."""
    owner = make_user(email="an@example.org", name="An Owner")
    now = clock.now()
    db.session.add_all(
        LoginFailure(
            email_key=owner.email_key,
            ip_address=f"203.0.113.{number}",
            failed_at=now - timedelta(seconds=number),
        )
        for number in range(1, 11)
    )
    db.session.commit()
    return owner


def test_the_admin_sees_the_slowed_sign_in_on_an_accessible_user_page(
    context, page, live_server, attacked
):
    admin = make_admin(email="admin@example.org")
    db.session.commit()
    sign_in_browser(context, live_server, admin)
    page.goto(_path(live_server, "admin.user", user_id=attacked.id))
    assert page.locator("dd", has_text="10").count() >= 1
    assert_accessible(page)
    clear = _path(live_server, "admin.clear_sign_in_slowdown", user_id=attacked.id)
    with page.expect_navigation():
        page.locator(f"form[action='{clear}'] button").click()
    db.session.rollback()  # a fresh snapshot: ours began before the click
    assert unlock.slowdown(attacked, now=clock.now()) is None


def test_the_unlock_page_is_accessible_and_its_button_leads_to_signing_in(
    page, live_server, attacked
):
    token = tokens.issue(
        unlock.SIGN_IN_UNLOCK, user=attacked, lifetime=timedelta(hours=1), now=clock.now()
    )
    db.session.commit()
    page.goto(_path(live_server, "accounts.unlock_sign_in", token=token))
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    page.locator("button[value=sign_in]").click()
    page.wait_for_url("**/login")
    assert_accessible(page)
    db.session.rollback()
    assert db.session.query(LoginFailure).count() == 0
