"""The pages of issue 18 in a real browser: a citizen finds "Laptop lenen" on the neighbourhood
page at 320 px, axe finds no violation on every new page in nl, fr and en, and the
neighbourhood poster prints on one A4 page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from flask import url_for
from playwright.sync_api import Browser, BrowserContext, Page

from digicoach.extensions import db
from tests.browser.conftest import LiveServer, assert_accessible, new_context, sign_in_browser
from tests.factories import make_coordinator, make_location, make_municipality, make_neighbourhood
from tests.helpdesk.factories import make_help_session
from tests.partners.factories import make_offer, make_organisation, make_partner_staff

pytestmark = pytest.mark.browser


def _world(language: str = "nl") -> dict[str, Any]:
    gent = make_municipality(name="Gent", nis_code="44021")
    wijk = make_neighbourhood(gent, name="Sluizeken")
    krook = make_location(gent, name="Bibliotheek De Krook", neighbourhood_id=wijk.id)
    library = make_organisation(gent, name="Bibliotheek Gent", locations=[krook])
    ocmw = make_organisation(gent, name="OCMW Gent", kind="social_services")
    laptop = make_offer(
        library,
        title="Laptop lenen",
        location_id=krook.id,
        topics=("smartphone_tablet", "email"),
        languages=("nl", "fr"),
        hours=((day, time(9), time(17)) for day in range(1, 8)),
        description="Leen een laptop voor drie weken.",
    )
    make_offer(
        ocmw,
        title="Hulp bij het sociaal tarief voor internet",
        kind="social_tariff",
        how_to_get="call",
        free=False,
        price="Gratis met een attest",
        topics=("government_services",),
    )
    make_help_session(krook)
    coordinator = make_coordinator([gent], language=language)
    staff = make_partner_staff(library, language=language)
    db.session.commit()
    return {
        "gent": gent,
        "wijk": wijk,
        "library": library,
        "laptop": laptop,
        "coordinator": coordinator,
        "staff": staff,
    }


Visit = Callable[[dict[str, Any]], tuple[Any, str, dict[str, Any]]]
# name: (who signs in, endpoint, url values)
PAGES: dict[str, Callable[[dict[str, Any]], tuple[Any, str, dict[str, Any]]]] = {
    "nearby-index": lambda w: (None, "nearby.index", {}),
    "nearby-municipality": lambda w: (
        None,
        "nearby.municipality",
        {"municipality_id": w["gent"].id},
    ),
    "nearby-neighbourhood": lambda w: (
        None,
        "nearby.neighbourhood",
        {"neighbourhood_id": w["wijk"].id},
    ),
    "nearby-poster": lambda w: (None, "nearby.poster", {"neighbourhood_id": w["wijk"].id}),
    "organisations": lambda w: (w["coordinator"], "organisations.index", {}),
    "organisation-new": lambda w: (
        w["coordinator"],
        "organisations.new",
        {"municipality_id": w["gent"].id},
    ),
    "organisation-coordinator": lambda w: (
        w["coordinator"],
        "organisations.detail",
        {"organisation_id": w["library"].id},
    ),
    "organisation-edit": lambda w: (
        w["coordinator"],
        "organisations.edit",
        {"organisation_id": w["library"].id},
    ),
    "organisation-partner": lambda w: (
        w["staff"],
        "organisations.detail",
        {"organisation_id": w["library"].id},
    ),
    "offer-new": lambda w: (
        w["staff"],
        "organisations.new_offer",
        {"organisation_id": w["library"].id},
    ),
    "offer-edit": lambda w: (w["staff"], "organisations.edit_offer", {"offer_id": w["laptop"].id}),
}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_axe_finds_no_violation_on_the_new_pages(
    language: str, browser: Browser, live_server: LiveServer
) -> None:
    """Every page on one set of data, each in a fresh browser profile (signed in as its user)."""
    world = _world(language)
    for name, visit in PAGES.items():
        user, endpoint, values = visit(world)
        context = new_context(browser, live_server, language)
        try:
            if user is not None:
                sign_in_browser(context, live_server, user)
            with live_server.app.test_request_context():
                path = url_for(endpoint, **values)
            page = context.new_page()
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{name} {path}"
            assert page.locator("html").get_attribute("lang") == language, name
            assert page.locator("h1").count() == 1, name
            for width in (320, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                assert_accessible(page)
            page.set_viewport_size({"width": 320, "height": 640})
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        finally:
            context.close()


def test_a_citizen_finds_laptop_lenen_on_the_neighbourhood_page_at_320_px(
    context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    _world()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    page.get_by_role("link", name=re.compile("Alle digitale hulp")).click()
    page.get_by_role("link", name="Sluizeken").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Digitale hulp in Sluizeken"
    page.get_by_label("Waarmee wilt u hulp?").select_option("smartphone_tablet")
    page.get_by_role("button", name="Tonen").click()
    card = page.get_by_role("article", name="Laptop lenen")
    assert card.is_visible()
    assert "Bibliotheek De Krook" in card.inner_text()
    assert "Gratis" in card.inner_text()
    assert page.get_by_role("article", name=re.compile("sociaal tarief")).count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)


def test_the_poster_prints_on_one_a4_page(
    context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    world = _world()
    for number in range(12):  # more offers than the poster shows
        make_offer(world["library"], title=f"Extra aanbod met een vrij lange naam {number}")
    db.session.commit()
    page.goto(f"/help-nearby/neighbourhood/{world['wijk'].id}/poster")
    assert page.locator(".poster-qr-code").count() == 1
    pdf = page.pdf(format="A4", print_background=True)
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", pdf)
    assert len(pages) == 1, f"the poster printed on {len(pages)} pages"
