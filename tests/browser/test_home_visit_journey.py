"""A coordinator books a home visit for a caller in a real browser, choosing the two digicoaches
who go (one alone is refused); axe finds no violation on the home-visit pages (the list, the
booking form with and without errors, the visit, changing it) in Dutch and French, and they
reflow at 320 px."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import func, select

from digicoach.extensions import db
from digicoach.homevisits.models import HomeVisit
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import make_coordinator, make_location, make_municipality
from tests.helpdesk.factories import make_working_coach
from tests.homevisits.conftest import visit_day

pytestmark = pytest.mark.browser


def _check(page: Page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 320, f"{page.url} needs {width}px at 320px width"


def test_a_coordinator_books_a_home_visit_for_a_caller(
    app, context: BrowserContext, page: Page, live_server: LiveServer
):
    with app.test_request_context("/"), force_locale("en"):
        gent = make_municipality(name="Gent", nis_code="44021")
        location = make_location(gent, name="Dienstencentrum Ledeberg")
        coordinator = make_coordinator([gent], name="Koen Gent", language="nl")
        anna = make_working_coach(gent, first_name="Anna", last_name="Peeters", home_visits=True)
        bart = make_working_coach(gent, first_name="Bart", last_name="Claes", home_visits=True)
        db.session.commit()
    sign_in_browser(context, live_server, coordinator)

    page.goto("/home-visits/new")
    _check(page, "nl")
    page.select_option('select[name="location_id"]', str(location.id))
    page.fill('input[name="day"]', visit_day().isoformat())
    page.fill('input[name="start_time"]', "10:00")
    page.fill('input[name="end_time"]', "11:30")
    page.fill('input[name="first_name"]', "Maria")
    page.fill('input[name="phone"]', "0470 12 34 56")
    page.fill('input[name="street"]', "Brusselsesteenweg 120")
    page.fill('input[name="postcode"]', "9050")
    page.fill('input[name="city"]', "Gent")
    page.fill('textarea[name="accessibility_notes"]', "Derde verdieping, geen lift.")
    page.select_option('select[name="topic"]', "eid_itsme")
    # One digicoach alone is refused: two people go.
    page.select_option('select[name="coach_id"]', str(anna.id))
    page.locator('form:has(input[name="street"]) [type="submit"]').click()
    page.wait_for_load_state()
    assert "kies een tweede digicoach, of ga zelf mee" in page.content()
    assert db.session.scalar(select(func.count()).select_from(HomeVisit)) == 0
    _check(page, "nl")
    page.select_option('select[name="second_id"]', str(bart.id))
    page.locator('form:has(input[name="street"]) [type="submit"]').click()
    page.wait_for_url(re.compile(r".*/home-visits/\d+$"))
    assert "Brusselsesteenweg 120" in page.content()
    _check(page, "nl")
    db.session.rollback()  # a fresh snapshot: the server booked it in its own thread
    visit = db.session.scalar(select(HomeVisit))
    assert visit is not None and visit.session.mode == "at_home"
    assert visit.created_by_id == coordinator.id
    assert {shift.coach_id for shift in visit.session.shifts if shift.is_active} == {
        anna.id,
        bart.id,
    }
    assert "Anna Peeters" in page.content() and "Bart Claes" in page.content()

    page.get_by_role("link", name="Huisbezoek wijzigen of annuleren").click()
    page.wait_for_url(re.compile(r".*/home-visits/\d+/change$"))
    _check(page, "nl")

    coordinator.language = "fr"
    db.session.commit()
    for path in (
        "/home-visits",
        "/home-visits/new",
        f"/home-visits/{visit.id}",
        f"/home-visits/{visit.id}/change",
    ):
        page.goto(path)
        _check(page, "fr")
