"""Booking journeys in a real browser: a citizen books with the keyboard alone, sees the
confirmation and cancels through the manage link; a desk user books for a caller and checks
them in; axe finds no violation on every booking page in nl, fr and en, and the pages reflow
at 320 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.core import clock
from digicoach.extensions import db
from tests.bookings.conftest import build_world
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        built = build_world()
        coach = built.coach()
        session = make_bookable_session(built.location, [coach, built.coach()])
        db.session.commit()
        yield built, session


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _choose_radio(page: Page, name: str, value: str) -> None:
    """Reach a radio group with Tab, then move to the option with the arrow keys."""
    _tab_to(page, f'input[name="{name}"]')
    page.keyboard.press("Space")  # check the option that has the focus
    for _ in range(40):
        if page.evaluate(
            "([n, v]) => document.querySelector(`input[name='${n}'][value='${v}']`).checked",
            [name, value],
        ):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not choose {name}={value}")


def _press_enter(page: Page) -> None:
    """Enter on the focused control, waiting for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _next(page: Page) -> None:
    _tab_to(page, 'button[type="submit"]:not([name])')
    _press_enter(page)


def _reflows(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 320, f"{page.url} needs {width}px at 320px width"


def _check(page: Page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1, f"one h1 on {page.url}"
    assert_accessible(page)
    _reflows(page)


def test_a_citizen_books_with_the_keyboard_alone_and_cancels_through_the_link(
    page: Page, live_server: LiveServer, world
):
    built, session = world
    page.goto("/book")
    _choose_radio(page, "municipality", str(built.gent.id))
    _next(page)
    _choose_radio(page, "location", str(built.location.id))
    _next(page)
    _choose_radio(page, "topic", "email")
    _next(page)
    _choose_radio(page, "language", "nl")
    _next(page)
    _choose_radio(page, "slot", f"{session.id}@{session.starts_at.isoformat()}")
    _next(page)
    _tab_to(page, "#first_name")
    page.keyboard.type("Maria")
    _tab_to(page, "#phone")
    page.keyboard.type("0470 12 34 56")
    _next(page)
    _tab_to(page, "#note")
    page.keyboard.type("Ik wil itsme installeren.")
    _next(page)
    _tab_to(page, "#consent")
    page.keyboard.press("Space")
    _tab_to(page, 'form[action$="/book/confirm"] button[type="submit"]')
    _press_enter(page)
    assert "/b/" in page.url
    db.session.rollback()
    appointment = db.session.scalar(select(Appointment))
    assert appointment.reference in page.locator("main").inner_text()
    assert appointment.note == "Ik wil itsme installeren."

    _tab_to(page, 'a[href$="/cancel"]')
    _press_enter(page)
    _tab_to(page, 'main button[type="submit"]')
    _press_enter(page)
    assert "cancel" not in page.url
    db.session.rollback()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.CANCELLED


def test_a_desk_user_books_for_a_caller_and_checks_them_in(
    context: BrowserContext, page: Page, live_server: LiveServer, world, monkeypatch
):
    built, _session = world
    morning = clock.now().replace(hour=6, minute=0, second=0, microsecond=0)
    soon = make_bookable_session(
        built.location, [built.coach()], starts_at=morning + timedelta(hours=2)
    )
    db.session.commit()
    monkeypatch.setattr(clock, "now", lambda: morning)
    sign_in_browser(context, live_server, built.desk)
    page.goto(f"/desk/book?location_id={built.location.id}")
    page.check(f'input[name="slot"][value="{soon.id}@{soon.starts_at.isoformat()}"]')
    page.select_option("#topic", "eid_itsme")
    page.fill("#first_name", "Ahmed")
    page.fill("#phone", "0470 11 22 33")
    with page.expect_navigation():
        page.locator("form.desk-book button[type=submit]").click()
    assert "/desk/appointments/" in page.url
    assert "Ahmed" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("form[action$='/check-in'] button").click()
    db.session.rollback()
    appointment = db.session.scalar(select(Appointment).where(Appointment.first_name == "Ahmed"))
    assert appointment.status == AppointmentStatus.ATTENDED


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_booking_page_passes_axe_and_reflows_at_320_px(
    context: BrowserContext, page: Page, live_server: LiveServer, world, language: str
):
    built, session = world
    page.goto("/book")
    _check(page, language)
    steps = [
        ("municipality", str(built.gent.id)),
        ("location", str(built.location.id)),
        ("topic", "email"),
        ("language", "nl"),
        ("slot", f"{session.id}@{session.starts_at.isoformat()}"),
    ]
    # An empty answer first: the page with its error summary must pass too.
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([name])").click()
    _check(page, language)
    for name, value in steps:
        page.check(f'input[name="{name}"][value="{value}"]')
        with page.expect_navigation():
            page.locator("main form button[type=submit]:not([name])").click()
        _check(page, language)
    page.fill("#first_name", "Maria")
    page.fill("#phone", "0470 12 34 56")
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([name])").click()
    _check(page, language)
    with page.expect_navigation():
        page.locator("main form button[type=submit]:not([name])").click()
    _check(page, language)  # the review page
    page.check("#consent")
    with page.expect_navigation():
        page.locator("form[action$='/book/confirm'] button[type=submit]").click()
    _check(page, language)
    manage = page.url.split("?")[0]
    for path in ("/print", "/move", "/cancel"):
        page.goto(manage + path)
        _check(page, language)
    page.goto("/api/v1/docs")
    _check(page, language)

    db.session.rollback()  # end our read snapshot before writing
    other = make_bookable_session(built.location, [built.coach()])
    make_appointment(other, phone="0470 55 66 77")
    built.desk.language = language  # a signed-in user's own language wins over the cookie
    db.session.commit()
    sign_in_browser(context, live_server, built.desk)
    appointment_id = db.session.scalar(select(Appointment.id).order_by(Appointment.id))
    for path in (
        "/desk",
        f"/desk/book?location_id={built.location.id}",
        f"/desk/appointments/{appointment_id}",
        f"/desk/appointments/{appointment_id}/move",
        "/desk/walk-ins",
        "/desk/call-list",
    ):
        page.goto(path)
        _check(page, language)
