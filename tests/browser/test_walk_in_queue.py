"""The walk-in queue in a browser: the desk registers and calls, the waiting display in the room
shows the called number and its station (no personal data) on a big screen and on tablets,
and the coach logs the help from the queue. axe finds no violation, in nl, fr and en.

The display reloads itself with `<meta http-equiv="refresh" content="10">`. axe's
`meta-refresh` rule (WCAG 2.2.1) flags any delayed refresh; the page answers it with a link that
stops the updating (`?refresh=off`), and that version must be free of every violation. On the
updating version `meta-refresh` is the one finding allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from digicoach.bookings import walk_ins
from digicoach.bookings.models import WalkIn, WalkInStatus
from digicoach.coaches.models import CoachStatus
from digicoach.core import clock
from digicoach.extensions import db
from tests.bookings.factories import in_days
from tests.browser.conftest import LiveServer, assert_accessible, axe_violations, sign_in_browser
from tests.factories import make_desk, make_location, make_municipality
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach

pytestmark = pytest.mark.browser

SCREENS = {"tv": (1920, 1080), "tablet": (1024, 768), "tablet-portrait": (768, 1024)}
SHOTS = Path("/tmp/h5-shots")
# Numbers 1 to 4: topic and language. The coach (e-mail, Dutch) fits 1, 3 ("other") and 4.
WALK_INS = (("email", "nl"), ("eid_itsme", "ar"), ("other", "nl"), ("email", "nl"))


def _queue(language: str):
    gent = make_municipality(name="Gent", nis_code="44021")
    location = make_location(gent, name="Bibliotheek De Krook")
    desk = make_desk([gent], name="Dirk Desk", language=language)
    coach = make_working_coach(
        gent, status=CoachStatus.ACTIVE, topics=("email",), languages=("nl",), language=language
    )
    session = make_help_session(location, starts_at=in_days(0, 0, 1), hours=23.9)
    make_shift(session, coach)
    db.session.flush()
    now = clock.now()
    numbers = [
        walk_ins.register_walk_in(
            actor=desk, location=location, topic=topic, language=spoken, now=now, first_visit=True
        )
        for topic, spoken in WALK_INS
    ]
    walk_ins.call(actor=desk, walk_in=numbers[0], station="tafel 2", now=now)
    db.session.commit()
    return location, desk, coach


def _only_meta_refresh(page: Page) -> None:
    found = {violation["id"] for violation in axe_violations(page)}
    assert found <= {"meta-refresh"}, found


def _fits(page: Page) -> None:
    """Nothing wider than the screen: no horizontal scrolling on a wall screen or a tablet."""
    wider = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.table-scroll'))
            .map(e => e.tagName + '.' + e.className)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), wider


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_waiting_display_shows_the_called_number_on_a_screen_and_a_tablet(
    context: BrowserContext, page: Page, live_server: LiveServer, language: str
):
    location, _desk, _coach = _queue(language)
    SHOTS.mkdir(exist_ok=True)
    for name, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(f"/digipunten/{location.id}/wachtscherm")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("h1").inner_text() == "Bibliotheek De Krook"
        latest = page.locator(".queue-latest")
        assert latest.locator(".queue-number").inner_text() == "1"
        assert latest.locator(".queue-station").inner_text() == "tafel 2"
        assert latest.is_visible()
        box = latest.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height  # seen without scrolling
        assert page.locator(".queue-waiting-list li").all_inner_texts() == ["2", "3", "4"]
        text = page.locator("body").inner_text()
        for private in ("Dirk Desk", "E-mail", "eID", "Arabic", "Arabisch"):
            assert private not in text
        _fits(page)
        page.screenshot(path=str(SHOTS / f"display-{language}-{name}.png"))
        _only_meta_refresh(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/digipunten/{location.id}/wachtscherm?refresh=off")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    assert_accessible(page)


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_desk_calls_next_and_the_coach_logs_the_help(
    context: BrowserContext, page: Page, live_server: LiveServer, language: str
):
    location, desk, coach = _queue(language)
    SHOTS.mkdir(exist_ok=True)
    sign_in_browser(context, live_server, desk)
    page.goto(f"/desk/walk-ins?location_id={location.id}")
    assert_accessible(page)
    # Without a station the call is refused with a message; with one it goes through.
    page.locator("main .queue-form button.button").first.click()
    page.wait_for_load_state()
    assert page.locator("main .message-error").count() == 1
    assert_accessible(page)
    page.locator("main .queue-form input[name=station]").fill("onthaal")
    page.locator("main .queue-form button.button").first.click()
    page.wait_for_load_state()
    assert page.locator("main .message-success").count() == 1
    assert page.locator("main .queue-form input[name=station]").input_value() == "onthaal"
    page.screenshot(path=str(SHOTS / f"desk-{language}.png"), full_page=True)
    assert_accessible(page)
    # Reflow at 320 CSS pixels: the queue table scrolls inside its box, the page does not.
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(f"/desk/walk-ins?location_id={location.id}")
    _fits(page)
    page.screenshot(path=str(SHOTS / f"desk-{language}-320.png"), full_page=True)
    display = context.new_page()
    display.goto(f"/digipunten/{location.id}/wachtscherm")
    assert display.locator(".queue-latest .queue-number").inner_text() == "2"

    db.session.rollback()
    context.clear_cookies()
    context.add_cookies([{"name": "lang", "value": language, "url": live_server.url}])
    sign_in_browser(context, live_server, coach.user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/desk/walk-ins")
    assert_accessible(page)
    page.locator("main .queue-form input[name=station]").fill("tafel 5")
    page.locator("main .queue-form button.button").first.click()  # the coach's call next
    page.wait_for_load_state()
    # 1 and 2 are called by now; 3 ("other", Dutch) is the first who fits the coach.
    db.session.rollback()
    third = db.session.scalar(select(WalkIn).where(WalkIn.number == 3))
    assert (third.status, third.station) == (WalkInStatus.CALLED, "tafel 5")
    page.screenshot(path=str(SHOTS / f"coach-{language}.png"), full_page=True)
    page.goto("/helplog/")
    assert_accessible(page)
    page.locator("main a[href*='walk_in=']").first.click()
    page.wait_for_load_state()
    assert page.locator("input[name=topics][value=other]").is_checked()
    assert page.locator("input[name=visit][value=first]").is_checked()
    page.screenshot(path=str(SHOTS / f"helplog-{language}.png"), full_page=True)
    assert_accessible(page)
