"""A warm referral in a real browser: the coach refers the citizen from their help log to the
OCMW's social tariff help; the OCMW's staff member accepts and closes it; the coach sees it
closed. axe finds no violation on the referral pages in Dutch, French and English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from digicoach.extensions import db
from digicoach.referrals.models import Referral
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.referrals.conftest import build_world, refer

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app):
    with app.test_request_context("/"):
        return build_world()


def test_a_coach_refers_and_the_ocmw_accepts_and_closes(
    context: BrowserContext, page: Page, live_server: LiveServer, world
):
    for user in (world.coach.user, world.ocmw_staff):
        user.language = "nl"
    db.session.commit()
    sign_in_browser(context, live_server, world.coach.user)
    page.goto("/helplog/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Doorverwijzen")).click()
    page.select_option("#target", f"offer:{world.tariff.id}")
    page.fill("#reason", "Sociaal tarief internet aanvragen")
    page.fill("#first_name", "Marcel")
    page.fill("#phone", "0470 12 34 56")
    page.check("#consent")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/referrals/mine")
    assert "Verstuurd" in page.locator("main table").inner_text()

    db.session.rollback()  # a fresh snapshot: the server wrote since this session last read
    sign_in_browser(context, live_server, world.ocmw_staff)
    page.goto("/partners/referrals")
    with page.expect_navigation():
        page.get_by_role("link", name="Marcel").click()
    assert page.locator('a[href="tel:+32470123456"]').is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Aanvaarden").click()
    page.check('input[name="outcome"][value="helped"]')
    with page.expect_navigation():
        page.get_by_role("button", name="Afsluiten").click()
    db.session.rollback()
    referral = db.session.scalar(select(Referral))
    assert (referral.status, referral.outcome) == ("closed", "helped")

    sign_in_browser(context, live_server, world.coach.user)
    page.goto("/referrals/mine")
    assert "Afgesloten: Geholpen" in page.locator("main table").inner_text()


def _check(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 320, f"{path} needs {width}px at 320px width"


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_axe_finds_no_violation_on_the_referral_pages(
    context: BrowserContext, page: Page, live_server: LiveServer, world, language
):
    for user in (world.coach.user, world.ocmw_staff):
        user.language = language
    db.session.commit()
    with live_server.app.test_request_context("/"):
        referral = refer(world)
    sign_in_browser(context, live_server, world.coach.user)
    for path in (f"/referrals/new?help_log={world.log.id}", "/referrals/mine"):
        _check(page, path)
    # The form with its errors.
    page.goto(f"/referrals/new?help_log={world.log.id}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    db.session.rollback()
    sign_in_browser(context, live_server, world.ocmw_staff)
    for path in ("/partners/referrals", f"/partners/referrals/{referral.id}", "/work"):
        _check(page, path)


def test_a_referral_to_the_municipalitys_own_digipunt_goes_to_its_desk(
    context: BrowserContext, page: Page, live_server: LiveServer, world
):
    """Digipunt Dampoort has no partner organisation: the desk of Gent accepts and closes the
    referral; the coach sees it closed."""
    for user in (world.coach.user, world.desk):
        user.language = "nl"
    db.session.commit()
    sign_in_browser(context, live_server, world.coach.user)
    page.goto(f"/referrals/new?help_log={world.log.id}")
    page.select_option("#target", f"location:{world.dampoort.id}")
    page.fill("#reason", "Wil hulp bij itsme")
    page.fill("#first_name", "Jeannine")
    page.fill("#phone", "0478 12 34 56")
    page.check("#consent")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "Digipunt Dampoort" in page.locator("main table").inner_text()

    db.session.rollback()
    sign_in_browser(context, live_server, world.desk)
    page.goto("/work")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("doorverwijzing wacht")).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Jeannine").click()
    assert page.locator('a[href="tel:+32478123456"]').is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Aanvaarden").click()
    page.check('input[name="outcome"][value="helped"]')
    with page.expect_navigation():
        page.get_by_role("button", name="Afsluiten").click()
    db.session.rollback()
    referral = db.session.scalar(select(Referral))
    assert (referral.organisation_id, referral.status, referral.outcome) == (
        None,
        "closed",
        "helped",
    )

    sign_in_browser(context, live_server, world.coach.user)
    page.goto("/referrals/mine")
    assert "Afgesloten: Geholpen" in page.locator("main table").inner_text()


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_axe_finds_no_violation_on_the_desks_referral_pages_and_the_staff_form(
    context: BrowserContext, page: Page, live_server: LiveServer, world, language
):
    for user in (world.desk, world.coordinator):
        user.language = language
    db.session.commit()
    with live_server.app.test_request_context("/"):
        referral = refer(world, target=f"location:{world.dampoort.id}")
    sign_in_browser(context, live_server, world.desk)
    for path in ("/partners/referrals", f"/partners/referrals/{referral.id}", "/work"):
        _check(page, path)
    db.session.rollback()
    sign_in_browser(context, live_server, world.coordinator)
    _check(page, f"/organisations/{world.library.id}")
    # The "add an existing account" form with its error (the desk has another staff role).
    page.fill("#link-email", world.desk.email)
    with page.expect_navigation():
        page.locator("form[action$='/staff/link'] button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
