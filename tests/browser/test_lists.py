"""Long lists in the browser: a coach pages through "find a shift" on a 320 px phone with a
filter that stays in the links, a coordinator pages the help logs on a wide screen; no page
scrolls sideways, axe finds no violation, and a first visit shows no filter error."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page

from digicoach.core import clock, timeslots
from digicoach.extensions import db
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import make_coordinator, make_location, make_municipality, make_neighbourhood
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.progress.factories import make_help_log

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url} is {width} px wide in a {viewport} px window"


def _no_filter_error(page: Page) -> None:
    assert page.locator(".field-error").count() == 0
    assert page.locator("[aria-invalid=true]").count() == 0
    assert page.locator(".filter-note").count() == 0


def test_a_coach_pages_through_find_a_shift_on_a_phone(
    context: BrowserContext, page: Page, live_server: LiveServer
):
    gent = make_municipality(name="Gent", nis_code="44021")
    ledeberg = make_neighbourhood(gent, name="Ledeberg")
    location = make_location(gent, name="Dienstencentrum Ledeberg", neighbourhood=ledeberg)
    coach = make_working_coach(gent, language="nl")
    for n in range(14):
        day = clock.local_today() + timedelta(days=1 + n)
        session = make_help_session(
            location,
            starts_at=timeslots.local_moment(day, time(9, 30)),
            mode="hybrid" if n % 3 == 0 else "walk_in",
            topics=("email",) if n % 2 else (),
        )
        if n % 4 == 0:
            make_shift(session, make_working_coach(gent))
    make_shift(session, coach)
    db.session.commit()
    sign_in_browser(context, live_server, coach.user)
    page.set_viewport_size({"width": 320, "height": 700})

    page.goto(live_server("/helpdesk/shifts"))
    _no_filter_error(page)
    _no_sideways_scroll(page)
    assert_accessible(page)
    assert page.locator("li.card").count() == 10

    page.select_option("#topic", "email")
    page.get_by_role("button", name="Tonen").click()
    assert "topic=email" in page.url
    navigation = page.get_by_role("navigation", name="Pagina's")
    assert navigation.get_by_text("Pagina 1 van 2").is_visible()
    navigation.get_by_role("link", name="Volgende pagina").click()
    assert "topic=email" in page.url and "page=2" in page.url
    assert page.locator("#topic").input_value() == "email"
    current = navigation.locator("[aria-current=page]")
    assert current.inner_text().strip().endswith("2")
    _no_sideways_scroll(page)
    assert_accessible(page)

    page.goto(live_server("/helpdesk/shifts?topic=astrologie"))
    assert page.locator(".filter-note").count() == 1
    assert page.locator(".field-error").count() == 0
    assert_accessible(page)

    page.goto(live_server("/helpdesk/my-shifts"))
    _no_filter_error(page)
    _no_sideways_scroll(page)
    assert_accessible(page)


@pytest.mark.parametrize("width", [320, 1280])
def test_a_coordinator_pages_the_help_logs(
    context: BrowserContext, page: Page, live_server: LiveServer, width: int
):
    gent = make_municipality(name="Gent", nis_code="44021")
    coordinator = make_coordinator([gent], name="Koen Claes", language="nl")
    coach = make_working_coach(gent)
    for n in range(30):
        make_help_log(coach, helped_on=clock.local_today() - timedelta(days=n))
    db.session.commit()
    sign_in_browser(context, live_server, coordinator)
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(live_server("/helplog/logs"))
    _no_filter_error(page)
    _no_sideways_scroll(page)
    assert_accessible(page)
    assert page.locator("tbody tr").count() == 25
    page.get_by_role("navigation", name="Pagina's").get_by_role(
        "link", name="Volgende pagina"
    ).click()
    assert page.locator("tbody tr").count() == 5
    _no_sideways_scroll(page)
    assert_accessible(page)

    for path in ("/coaches/queue", "/coaches"):
        page.goto(live_server(path))
        _no_filter_error(page)
        _no_sideways_scroll(page)
        assert_accessible(page)
