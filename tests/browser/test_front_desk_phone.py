"""axe finds no violation on the pages that show or set a front-desk phone, in nl and fr, and
the programme's phone form reflows at 320 px (also with its error shown)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places.models import Municipality
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import make_coordinator, make_location, make_municipality, make_programme

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/h3_shots")


def _gent_with_programme() -> tuple[int, int, int]:
    gent = make_municipality(name="Gent", nis_code="44021")
    today = clock.local_today()
    programme = make_programme(
        [gent],
        name="Gent Digitaal",
        front_desk_phone="09 323 68 00",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=300),
    )
    location = make_location(gent, name="Bibliotheek De Krook", front_desk_phone="")
    db.session.commit()
    return gent.id, programme.id, location.id


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_programme_and_its_phone_form_pass_axe(
    language: str, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    gent_id, programme_id, _location_id = _gent_with_programme()
    user = make_coordinator([db.session.get(Municipality, gent_id)], language=language)
    db.session.commit()
    sign_in_browser(context, live_server, user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/places/programmes/{programme_id}")
    assert page.locator('a[href="tel:+3293236800"]').count() >= 1
    assert_accessible(page)
    _shot(page, f"programme-{language}")
    page.goto(f"/places/programmes/{programme_id}/phone")
    assert_accessible(page)
    page.fill('input[name="front_desk_phone"]', "09 12")
    page.locator('main form [type="submit"]').click()
    page.wait_for_load_state()
    assert page.locator(".error-summary, [role=alert]").count() >= 1
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 700})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the form scrolls sideways at 320 px ({width} px)"
    _shot(page, f"programme-phone-error-320-{language}")


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_digipunt_page_shows_its_programme_s_number_as_a_link_and_passes_axe(
    language: str, page: Page, live_server: LiveServer
) -> None:
    _gent_id, _programme_id, location_id = _gent_with_programme()
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/digipunten/{location_id}")
        links = page.locator('a[href="tel:+3293236800"]')
        assert links.count() >= 2  # the page and its footer
        assert links.first.inner_text() == "09 323 68 00"
        assert_accessible(page)
        _shot(page, f"digipunt-{width}-{language}")
    page.goto("/")
    assert page.locator('footer a[href="tel:+3293236800"]').count() == 1
    assert_accessible(page)
