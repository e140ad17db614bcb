"""axe-core finds no WCAG 2.1 A/AA violation on the main pages, in Dutch and in French.

Each page is reached the way a person reaches it: signed in where it needs a sign-in, and the
two-step set-up page through the real sign-in form. Pages also reflow at 320 CSS pixels.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import url_for
from playwright.sync_api import BrowserContext, Page

from digicoach.accounts.models import Role
from digicoach.extensions import db
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.coaches.factories import make_coach
from tests.factories import (
    DEFAULT_PASSWORD,
    make_admin,
    make_municipality,
    make_programme,
    make_user,
)

pytestmark = pytest.mark.browser

# A visit gets the browser context, the page, the server and the page language.
Visit = Callable[[BrowserContext, Page, LiveServer, str], None]


def _open(path: str, status: int = 200) -> Visit:
    def visit(_context: BrowserContext, page: Page, _server: LiveServer, _language: str) -> None:
        response = page.goto(path)
        assert response is not None and response.status == status, f"{path}: {response.status}"

    return visit


def _as_admin(endpoint: str, **values_from_data: Callable[[], object]) -> Visit:
    """Sign an admin in, make the data the page needs, then open `endpoint`."""

    def visit(context: BrowserContext, page: Page, server: LiveServer, language: str) -> None:
        values = {name: make() for name, make in values_from_data.items()}
        # A signed-in user's saved language wins over the cookie.
        sign_in_browser(context, server, make_admin(language=language))
        with server.app.test_request_context():
            path = url_for(endpoint, **values)
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response.status}"

    return visit


def _municipality_id() -> int:
    municipality = make_municipality(name="Gent", nis_code="44021")
    db.session.commit()
    return municipality.id


def _two_factor_setup(
    _context: BrowserContext, page: Page, _server: LiveServer, language: str
) -> None:
    """An admin without two-step verification signs in and lands on its set-up page."""
    user = make_user(
        roles=(Role.ADMIN,), email="new.admin@example.org", two_factor=False, language=language
    )
    db.session.commit()
    page.goto("/login")
    page.fill('input[name="email"]', user.email)
    page.fill('input[name="password"]', DEFAULT_PASSWORD)
    page.locator('form:has(input[name="password"]) [type="submit"]').click()
    page.wait_for_url("**/two-factor/setup")


def _coach_of_the_pool(
    context: BrowserContext, page: Page, server: LiveServer, language: str
) -> None:
    """A coach of a programme over Gent and Kortrijk chooses to help in Kortrijk too, then
    opens the page again with the choice ticked."""
    gent = make_municipality(name="Gent", nis_code="44021")
    kortrijk = make_municipality(name="Kortrijk", nis_code="34022")
    make_programme([gent, kortrijk])
    coach = make_coach(gent, status="active", language=language)
    db.session.commit()
    sign_in_browser(context, server, coach.user)
    response = page.goto("/me/municipalities")
    assert response is not None and response.status == 200
    page.locator("input[name=municipalities]").check()
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/me")
    page.goto("/me/municipalities")


PAGES: dict[str, Visit] = {
    "home": _open("/"),
    "login": _open("/login"),
    "forgot-password": _open("/password/forgot"),
    "two-factor-setup": _two_factor_setup,
    "admin-users": _as_admin("admin.users"),
    "new-location": _as_admin("places.new_location", municipality_id=_municipality_id),
    "accessibility": _open("/accessibility"),
    "privacy": _open("/privacy"),
    "not-found": _open("/this-page-does-not-exist", status=404),
    "coach-pool": _coach_of_the_pool,
}


@pytest.mark.parametrize("language", ["nl", "fr"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violation(name, language, context, page, live_server):
    PAGES[name](context, page, live_server, language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1, "a page has exactly one h1"
    assert_accessible(page)


@pytest.mark.parametrize("name", ["home", "login"])
def test_the_page_reflows_at_320_pixels_without_horizontal_scrolling(
    name, context, page, live_server
):
    page.set_viewport_size({"width": 320, "height": 640})
    PAGES[name](context, page, live_server, "nl")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{name} is {width}px wide at a 320px viewport"
