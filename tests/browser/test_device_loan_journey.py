"""The desk lends a laptop and takes it back, in a real browser at 1280 and 320 px: two steps
(who and until when, then the loan agreement in the citizen's language), the loan's page, the
return with the condition; axe finds no violation on every loan page in Dutch and French.

Set DIGICOACH_SCREENSHOTS=<folder> to keep screenshots of every page at 320 and 1280 px.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.loans import services
from digicoach.loans.models import Device, Loan
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.loans.conftest import NOW, build_loans_world

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("DIGICOACH_SCREENSHOTS")


@pytest.fixture
def loans(app, monkeypatch):
    """Gent's digipunt with a laptop on the shelf and a tablet lent and overdue; the clock
    stands at NOW (the live server runs in this process, so it shares it)."""
    monkeypatch.setattr("digicoach.core.clock.now", lambda: NOW)
    with app.test_request_context("/"), force_locale("en"):
        world = build_loans_world()
        tablet = services.add_device(
            actor=world.desk,
            location=world.location,
            data=services.DeviceInput(kind="tablet", label="Tablet 1"),
        )
        late = services.lend(
            actor=world.desk,
            device=tablet,
            data=services.LoanInput(
                first_name="Rita",
                phone="0471 22 33 44",
                email="",
                language="nl",
                due_on=date(2026, 11, 20),
                agreement_method="on_paper",
                accepted=True,
            ),
            now=NOW - timedelta(days=30),
            max_days=90,
        )
        db.session.commit()
        yield world, late


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _check(page: Page, name: str, language: str = "nl") -> None:
    """axe at 1280 and at 320 px, and no sideways scrolling at 320 px."""
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    _shot(page, f"{name}-{language}-320")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    _shot(page, f"{name}-{language}-1280")
    assert width <= 320, f"{page.url} needs {width}px at 320px width"


@pytest.mark.parametrize("width", [1280, 320])
def test_the_desk_lends_a_laptop_and_takes_it_back(
    context: BrowserContext, page: Page, live_server: LiveServer, loans, width
):
    world, _late = loans
    world.desk.language = "nl"
    db.session.commit()
    sign_in_browser(context, live_server, world.desk)
    page.set_viewport_size({"width": width, "height": 900})

    # From the menu to the digipunt's devices.
    page.goto("/")
    if width == 320:
        page.locator(".nav-menu > summary").click()
    page.locator(".nav-item-desk summary").click()
    with page.expect_navigation():
        page.locator(".nav-item-desk").get_by_role("link", name="Uitleningen", exact=True).click()
    assert page.url.endswith("/loans")
    with page.expect_navigation():
        page.get_by_role("link", name="Uitlenen Laptop 1").click()

    # Step 1: who borrows, until when.
    page.fill("#first_name", "Marcel")
    page.fill("#phone", "0470 12 34 56")
    page.select_option("#language", "fr")
    page.fill("#due_on", (clock.local_today() + timedelta(days=21)).isoformat())
    with page.expect_navigation():
        page.locator("form.lend button[type=submit]").click()

    # Step 2: the agreement, in French (the citizen's language), accepted on screen.
    assert page.locator(".agreement h2").inner_text() == "Contrat de prêt"
    assert page.locator(".agreement h2").get_attribute("lang") == "fr"
    with page.expect_navigation():
        page.locator("form.lend-agreement button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()  # not accepted yet: nothing lent
    page.check('input[name="agreement_method"][value="on_screen"]')
    page.check("#accepted")
    with page.expect_navigation():
        page.locator("form.lend-agreement button[type=submit]").click()
    assert re.search(r"/loans/\d+$", page.url), page.url
    assert "Marcel" in page.locator("main").inner_text()
    db.session.rollback()
    loan = db.session.scalar(select(Loan).where(Loan.first_name == "Marcel"))
    assert loan.language == "fr" and loan.agreement_method == "on_screen"
    assert db.session.get(Device, world.laptop.id).status == "on_loan"

    # Take it back, worn but working: available again.
    page.check('input[name="condition"][value="worn"]')
    with page.expect_navigation():
        page.locator("form.take-back button[type=submit]").click()
    assert page.locator(".message").first.is_visible()
    db.session.rollback()
    assert db.session.get(Loan, loan.id).status == "returned"
    laptop = db.session.get(Device, world.laptop.id)
    assert (laptop.status, laptop.condition) == ("available", "worn")


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_axe_finds_no_violation_on_the_loan_pages(
    context: BrowserContext, page: Page, live_server: LiveServer, loans, language
):
    world, late = loans
    world.desk.language = language
    db.session.commit()
    sign_in_browser(context, live_server, world.desk)
    laptop = world.laptop.id
    for name, path in (
        ("index", "/loans"),
        ("overdue", "/loans/overdue"),
        ("device", f"/loans/devices/{laptop}"),
        ("device-edit", f"/loans/devices/{laptop}/edit"),
        ("device-new", f"/loans/locations/{world.location.id}/devices/new"),
        ("lend", f"/loans/devices/{laptop}/lend"),
        ("loan", f"/loans/{late.id}"),
        ("agreement-public", "/loan-agreement"),
    ):
        page.goto(path)
        _check(page, name, language)
    # The agreement step, and a form with errors.
    page.goto(f"/loans/devices/{laptop}/lend")
    page.fill("#first_name", "Marcel")
    page.fill("#phone", "0470 12 34 56")
    with page.expect_navigation():
        page.locator("form.lend button[type=submit]").click()
    _check(page, "agreement", language)
    page.goto(f"/loans/devices/{laptop}/lend")
    with page.expect_navigation():
        page.locator("form.lend button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    _check(page, "lend-errors", language)
    # The overdue list names Rita with her number to call.
    page.goto("/loans/overdue")
    assert page.locator('a[href="tel:+32471223344"]').is_visible()
