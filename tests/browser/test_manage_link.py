"""The manage link in a real browser, at 375 px and with the keyboard alone: cancelling ends on a
page that says so (reference, a way to book again, nothing of a standing appointment), moving
announces the new time in words with a calendar link; axe finds no violation on those pages in
nl, fr and en."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page

from digicoach.bookings import services
from digicoach.bookings.models import Appointment, AppointmentStatus
from digicoach.core import clock
from digicoach.core.i18n import when
from digicoach.extensions import db
from digicoach.helpdesk.services import cancelling
from tests.bookings.conftest import build_world
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_booking_journeys import _press_enter, _reflows, _tab_to

pytestmark = pytest.mark.browser

# Links that only a standing appointment offers.
STANDING_LINKS = ", ".join(
    f'main a[href$="{end}"]' for end in ("/calendar.ics", "/print", "/move", "/cancel")
)
# The message that says what became of the appointment (base.html has its own, for flashes).
OUTCOME = "main .outcome[role=status]"


@pytest.fixture
def booked(app):
    """A booked appointment with two coaches' worth of slots: (world, session, Booking)."""
    with app.test_request_context("/"), force_locale("en"):
        world = build_world()
        session = make_bookable_session(world.location, [world.coach(), world.coach()])
        booking = make_appointment(session, email="maria@example.org")
        db.session.commit()
        yield world, session, booking


def _words(app, language: str, msgid: str, **values) -> str:
    """The text as the page shows it (English until the catalogues carry a new msgid)."""
    with app.test_request_context("/"), force_locale(language):
        return gettext(msgid, **values)


def _narrow(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})


def _assert_ended(page: Page, reference: str) -> None:
    main = page.locator("main")
    assert reference in main.inner_text()
    assert page.locator(OUTCOME).count() >= 1
    assert page.locator('main a[href="/book"]').count() == 1
    assert page.locator(STANDING_LINKS).count() == 0


def test_a_citizen_cancels_with_the_keyboard_at_375_px_and_sees_it_is_cancelled(
    app, page: Page, live_server: LiveServer, booked
):
    _world, _session, booking = booked
    reference = booking.appointment.reference
    _narrow(page)
    page.goto(f"/b/{booking.manage_token}")

    _tab_to(page, 'main a[href$="/cancel"]')
    _press_enter(page)
    _tab_to(page, 'main button[type="submit"]')
    _press_enter(page)

    assert page.url.startswith(live_server(f"/b/{booking.manage_token}"))
    heading = _words(app, "nl", "Your appointment is cancelled")
    assert page.locator("h1").inner_text() == heading
    _assert_ended(page, reference)
    assert _words(app, "nl", "What to bring") not in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    db.session.rollback()
    assert db.session.get(Appointment, booking.appointment.id).status == AppointmentStatus.CANCELLED

    # The way forward is reachable with the keyboard too.
    _tab_to(page, 'main a[href="/book"]')
    _press_enter(page)
    assert page.url == live_server("/book")


def test_a_citizen_moves_with_the_keyboard_and_hears_the_new_time(
    app, page: Page, live_server: LiveServer, booked
):
    _world, session, booking = booked
    new_start = session.starts_at + timedelta(minutes=60)
    _narrow(page)
    page.goto(f"/b/{booking.manage_token}")

    _tab_to(page, 'main a[href$="/move"]')
    _press_enter(page)
    _tab_to(page, 'input[name="slot"]')
    page.keyboard.press("Space")
    value = f"{session.id}@{new_start.isoformat()}"
    for _ in range(20):
        if page.evaluate(
            "v => document.querySelector(`input[name='slot'][value='${v}']`).checked", value
        ):
            break
        page.keyboard.press("ArrowDown")
    _tab_to(page, 'main button[type="submit"]')
    _press_enter(page)

    status = page.locator(OUTCOME)
    with app.test_request_context("/"), force_locale("nl"):
        words = when(new_start)
    assert words in status.inner_text()
    assert status.locator('a[href$="/calendar.ics"]').count() == 1
    _tab_to(page, f'{OUTCOME} a[href$="/calendar.ics"]')
    db.session.rollback()
    assert db.session.get(Appointment, booking.appointment.id).start == new_start


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_ended_and_moved_pages_pass_axe_and_reflow(
    app, page: Page, live_server: LiveServer, booked, language: str
):
    world, session, booking = booked
    token = booking.manage_token

    # Moved: the banner with the new time and its calendar link.
    with app.test_request_context("/"), force_locale("en"):
        services.move(
            actor=None,
            appointment=booking.appointment,
            help_session_id=session.id,
            start=session.starts_at + timedelta(minutes=30),
            now=clock.now(),
            manage_token=token,
        )
        db.session.commit()
    page.goto(f"/b/{token}?moved=1")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    assert page.locator(f'{OUTCOME} a[href$="/calendar.ics"]').count() == 1
    assert_accessible(page)
    _reflows(page)

    # Cancelled by the citizen: the page, and the print address that answers 410 with it.
    page.goto(f"/b/{token}/cancel")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    _assert_ended(page, booking.appointment.reference)
    assert_accessible(page)
    _reflows(page)
    gone = page.goto(f"/b/{token}/print")
    assert gone is not None and gone.status == 410
    _assert_ended(page, booking.appointment.reference)
    assert_accessible(page)

    # Cancelled by the organiser: says so, with the digipunt's phone to tap.
    with app.test_request_context("/"), force_locale("en"):
        other = make_bookable_session(
            world.location, [world.coach()], starts_at=session.starts_at + timedelta(days=1)
        )
        second = make_appointment(other, phone="0470 99 88 77")
        db.session.commit()
        cancelling.cancel_session(
            actor=world.coordinator, session=other, reason="Ziek", now=clock.now()
        )
        db.session.commit()
    page.goto(f"/b/{second.manage_token}")
    _assert_ended(page, second.appointment.reference)
    assert page.locator(f'{OUTCOME} a[href^="tel:"]').count() == 1
    assert_accessible(page)
    _reflows(page)
