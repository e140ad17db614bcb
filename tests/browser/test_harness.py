"""The browser harness itself: the live server, the browser, sign-in and axe under our CSP."""

from __future__ import annotations

import pytest

from digicoach.extensions import db
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.factories import make_admin, make_user

pytestmark = pytest.mark.browser


def test_the_browser_sees_the_live_server_with_the_strict_csp(page, live_server):
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("html").get_attribute("lang") == "nl"


def test_axe_runs_on_a_page_that_forbids_inline_scripts(page, live_server):
    page.goto("/")
    blocked = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', () => resolve(true));
            const script = document.createElement('script');
            script.textContent = 'window.inlineRan = true';
            document.body.appendChild(script);
            setTimeout(() => resolve(!window.inlineRan), 500);
        })"""
    )
    assert blocked, "the page's CSP should block an inline script"
    assert isinstance(axe_violations(page), list)  # axe was injected and ran all the same


def test_a_browser_can_be_signed_in_without_typing_codes(context, page, live_server):
    admin = make_admin(name="Ada Beheer")
    sign_in_browser(context, live_server, admin)
    page.goto("/")
    assert "Ada Beheer" in page.locator("main").inner_text()


@pytest.mark.parametrize("language", ["fr"])
def test_the_language_fixture_sets_the_page_language(page, live_server, language):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"


def test_mail_sent_by_a_page_in_the_browser_reaches_the_mailbox_with_live_links(
    page, live_server, mailbox
):
    user = make_user(email="lost.password@example.org")
    db.session.commit()
    page.goto("/password/forgot")
    page.fill('input[name="email"]', user.email)
    page.locator('form:has(input[name="email"]) [type="submit"]').click()
    page.wait_for_load_state()
    (message,) = mailbox.to(user.email)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert live_server.url + "/" in body
