"""The wizard offers only what can be had, in a real browser, with the keyboard alone, on a
375 px wide screen, in nl, fr and en: every topic offered at a digipunt leads to a free time;
a combination whose last place went while the citizen chose shows the ways forward and no
dead "Next"; axe finds no violation on the changed steps."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from playwright.sync_api import Page

from digicoach.extensions import db
from tests.bookings.conftest import build_world
from tests.bookings.factories import in_days, make_appointment, make_bookable_session
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_booking_journeys import _choose_radio, _next, _press_enter, _tab_to
from tests.helpdesk.factories import make_help_session

pytestmark = pytest.mark.browser

NEXT = 'main form button[type="submit"]:not([name])'


@pytest.fixture
def world(app):
    """Ledeberg: e-mail and online banking in Dutch (one place), job search in French; a
    hybrid session with one coach (walk-ins only). Rabot: e-mail in Dutch later on."""
    with app.test_request_context("/"), force_locale("en"):
        built = build_world()
        built.location.postcode, built.other_location.postcode = "9050", "9000"
        last_place = make_bookable_session(
            built.location,
            [built.coach()],
            starts_at=in_days(2),
            hours=0.5,
            topics=("email", "online_banking"),
            languages=("nl",),
        )
        make_bookable_session(
            built.location,
            [built.coach()],
            starts_at=in_days(4),
            topics=("job_search",),
            languages=("fr",),
        )
        make_help_session(built.location, mode="hybrid", starts_at=in_days(1, 9))
        make_bookable_session(
            built.other_location,
            [built.coach()],
            starts_at=in_days(6),
            topics=("email",),
            languages=("nl",),
        )
        db.session.commit()
        yield built, last_place


def _values(page: Page, name: str) -> list[str]:
    return page.eval_on_selector_all(f'input[name="{name}"]', "els => els.map(e => e.value)")


def _check(page: Page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url
    assert_accessible(page)


def _go(page: Page, value: str) -> None:
    """Press a named button of the step's form (Back, a way forward) with the keyboard."""
    _tab_to(page, f'main form button[name="go"][value="{value}"]')
    _press_enter(page)


def _to_topics(page: Page, built, language: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/book")
    _check(page, language)
    # Only Gent has free times: Kortrijk is not offered.
    assert _values(page, "municipality") == [str(built.gent.id)]
    _choose_radio(page, "municipality", str(built.gent.id))
    _next(page)
    _check(page, language)
    assert set(_values(page, "location")) == {str(built.location.id), str(built.other_location.id)}
    _choose_radio(page, "location", str(built.location.id))
    _next(page)
    _check(page, language)


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_topic_offered_leads_to_a_free_time(
    page: Page, live_server: LiveServer, world, language: str
):
    built, _last_place = world
    _to_topics(page, built, language)
    offered = _values(page, "topic")
    assert offered == ["online_banking", "email", "job_search", "other"]
    for topic in offered:
        _choose_radio(page, "topic", topic)
        _next(page)
        # The language is asked unless the one chosen before has free times for this topic.
        languages = _values(page, "language")
        if languages:
            _choose_radio(page, "language", languages[0])
            _next(page)
        assert page.locator('input[name="slot"]').count() > 0, (topic, languages[0])
        assert page.locator("#nothing-free").count() == 0
        if topic == "email":
            _check(page, language)  # the language and slot steps pass axe too
        _go(page, "back")
        _go(page, "back")
        assert _values(page, "topic") == offered


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_combination_with_nothing_free_shows_the_ways_forward_and_no_dead_next(
    page: Page, live_server: LiveServer, world, language: str
):
    built, last_place = world
    _to_topics(page, built, language)
    _choose_radio(page, "topic", "email")
    _next(page)
    _check(page, language)
    assert _values(page, "language") == ["nl"]
    _choose_radio(page, "language", "nl")
    # Someone else takes the last place at Ledeberg while this citizen chooses.
    make_appointment(last_place, topic="email", language="nl")
    db.session.commit()
    _next(page)
    _check(page, language)
    main = page.locator("main")
    assert page.locator("#nothing-free").count() == 1
    assert page.locator(NEXT).count() == 0, "a Next that can only fail"
    assert page.locator('input[name="slot"]').count() == 0
    assert main.locator('a[href^="tel:"]').count() >= 1
    assert main.locator(".ways-walk-ins li").count() == 1  # the hybrid session
    assert built.other_location.name in main.inner_text()
    _go(page, f"place:{built.other_location.id}")
    # The same topic and language at Rabot: its free times, and a Next that works.
    _check(page, language)
    assert page.locator('input[name="slot"]').count() > 0
    assert built.other_location.name in page.locator("main").inner_text()
    assert page.locator(NEXT).count() == 1
