"""A volunteer's road in a real browser: apply, confirm the address from the real mail, and a
coordinator screens and approves. axe checks the application form, /me, the queue and the
file page, in Dutch and in French."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from digicoach.coaches.demo import publish_default_texts
from digicoach.coaches.models import Coach, CoachStatus
from digicoach.core import clock
from digicoach.extensions import db
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import (
    DEFAULT_PASSWORD,
    make_coordinator,
    make_municipality,
    make_neighbourhood,
)

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/verify-email/\S+")


def _plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _fill_application(page: Page, email: str) -> None:
    page.fill('input[name="first_name"]', "Zerlinde")
    page.fill('input[name="last_name"]', "Vanhoorebeke")
    page.fill('input[name="email"]', email)
    page.fill('input[name="phone"]', "0470 12 34 56")
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.check('input[name="neighbourhoods"] >> nth=0')
    page.check('input[name="languages"][value="nl"]')
    page.check('input[name="languages"][value="ar"]')
    page.check('input[name="topics"][value="eid_itsme"]')
    page.check("#availability-2-morning")
    page.check("#availability-4-evening")
    page.fill('textarea[name="motivation"]', "Ik help mijn buren graag met hun gsm.")
    page.select_option('select[name="heard_from"]', "library")
    page.check('input[name="accepts_privacy"]')
    page.check('input[name="acknowledges_volunteer_note"]')


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_apply_confirm_and_get_approved(
    browser: Browser, page: Page, live_server: LiveServer, mailbox, language: str
):
    gent = make_municipality(name="Gent", nis_code="44021")
    make_neighbourhood(gent, name="Ledeberg")
    coordinator = make_coordinator([gent], name="Cora Coördinator", language=language)
    publish_default_texts()
    db.session.commit()
    email = f"zerlinde.{language}@example.org"

    # The volunteer applies.
    page.goto("/coach/apply")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    _fill_application(page, email)
    page.locator("form.application button[type=submit]").click()
    page.wait_for_url("**/coach/apply/sent")
    assert_accessible(page)

    # ... confirms the address with the link in the real mail.
    (verification,) = mailbox.to(email)
    link = LINK.search(_plain(verification)).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    db.session.rollback()
    coach = db.session.scalars(select(Coach)).one()
    assert coach.user.email_verified_at is not None
    assert coach.user.language == language

    # ... and follows the application at /me.
    sign_in_browser(page.context, live_server, coach.user)
    page.goto("/me")
    assert "Zerlinde Vanhoorebeke" in page.locator("main").inner_text()
    assert_accessible(page)

    # A coordinator, in their own browser, screens and approves.
    with browser.new_context(base_url=live_server.url, locale="nl-BE") as staff:
        staff.add_cookies([{"name": "lang", "value": language, "url": live_server.url}])
        sign_in_browser(staff, live_server, coordinator)
        office = staff.new_page()
        office.goto("/coaches/queue")
        assert_accessible(office)
        office.get_by_role("link", name="Zerlinde Vanhoorebeke").click()
        office.wait_for_url(f"**/coaches/{coach.id}")
        assert_accessible(office)
        today = clock.local_today().isoformat()
        for item in ("intake_held", "identity_seen", "good_conduct_seen"):
            office.fill(f"#screening-{item}", today)
        office.locator("form:has(#screening-intake_held) button[type=submit]").click()
        office.wait_for_url(f"**/coaches/{coach.id}*")
        office.select_option("#status-status", "approved")
        office.locator("form:has(#status-status) button[type=submit]").click()
        office.wait_for_url(f"**/coaches/{coach.id}*")
        assert_accessible(office)

    db.session.rollback()  # end the test's read transaction to see the server's writes
    assert coach.status == CoachStatus.APPROVED
    assert len(mailbox.to(email)) == 2  # the verification, then the welcome
