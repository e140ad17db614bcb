"""The front desk books in one pass, in a real browser: topic first, a time from the table that
says what each help session takes, the slip, its print button and one printed page; axe finds
nothing on the desk's pages in Dutch, and they reflow at 320 px.

Set DIGICOACH_SCREENSHOTS=<folder> to keep screenshots of every page at 320 and 1280 px.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import current_app
from flask_babel import force_locale, gettext
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from digicoach.bookings.models import Appointment
from digicoach.extensions import db
from tests.bookings.conftest import build_world
from tests.bookings.factories import in_days, make_appointment, make_bookable_session
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("DIGICOACH_SCREENSHOTS")


@pytest.fixture
def desk(app, monkeypatch):
    """The booking world with three sessions at the desk's digipunt (e-mail in Dutch and
    French, banking in Dutch, one that takes anything) and one appointment today.

    The clock stands at 10:00 today (the live server runs in this process, so it shares it):
    today's late session at 23:00 is still to come whenever the suite runs."""
    morning = in_days(0, 10)
    monkeypatch.setattr("digicoach.core.clock.now", lambda: morning)
    with app.test_request_context("/"), force_locale("en"):
        built = build_world()
        built.desk.language = "nl"  # the signed-in user's language wins over the cookie
        email = make_bookable_session(
            built.location,
            [built.coach()],
            starts_at=in_days(2, 9),
            topics=("email", "smartphone_tablet"),
            languages=("nl", "fr"),
        )
        banking = make_bookable_session(
            built.location,
            [built.coach()],
            starts_at=in_days(3, 9),
            topics=("online_banking",),
            languages=("nl",),
        )
        make_bookable_session(
            built.location, [built.coach()], starts_at=in_days(4, 13), languages=()
        )
        later = make_bookable_session(built.location, [built.coach()], starts_at=in_days(0, 23))
        make_appointment(later, first_name="Mieke", channel="phone", actor=built.desk, consent=None)
        db.session.commit()
        yield built, email, banking


def _dutch(message: str) -> str:
    with current_app.test_request_context("/"), force_locale("nl"):
        return gettext(message)


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _reflows(page: Page, name: str) -> None:
    """No sideways scroll at 320 px, for the page and for every table on it."""
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    tables = page.evaluate("[...document.querySelectorAll('main table')].map(t => t.scrollWidth)")
    _shot(page, f"{name}-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    _shot(page, f"{name}-1280")
    assert width <= 320, f"{page.url} needs {width}px at 320px width"
    assert all(w <= 320 for w in tables), f"a table on {page.url} needs {tables}px"


def _check(page: Page, name: str) -> None:
    assert page.locator("html").get_attribute("lang") == "nl"
    assert_accessible(page)
    _reflows(page, name)


def test_the_desk_chooses_the_topic_first_and_books_in_one_pass(
    context: BrowserContext, page: Page, live_server: LiveServer, desk
):
    built, email, banking = desk
    sign_in_browser(context, live_server, built.desk)
    page.goto(f"/desk/book?location_id={built.location.id}")
    _check(page, "book")
    table = page.locator("table.slot-table")
    # Every session says what it takes; "alle onderwerpen" where it lists none.
    text = table.inner_text()
    assert _dutch("all topics") in text and _dutch("all languages") in text
    assert table.locator("tbody tr").count() == 4

    # Topic first: the table keeps only the sessions that take online banking.
    page.select_option("#filter-topic", "online_banking")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    _check(page, "book-filtered")
    assert table.locator("tbody tr").count() == 3  # banking, anything, today's late one
    assert f"{email.id}@" not in page.content()
    assert page.locator("#topic").input_value() == "online_banking"

    page.check(f'input[name="slot"][value="{banking.id}@{banking.starts_at.isoformat()}"]')
    page.fill("#first_name", "Fatima")
    page.fill("#phone", "0470 11 22 33")
    with page.expect_navigation():
        page.locator("form.desk-book button[type=submit]").click()

    # One pass: straight to the slip, no error on the way.
    assert re.search(r"/desk/appointments/\d+$", page.url), page.url
    assert "Fatima" in page.locator("main").inner_text()
    db.session.rollback()
    appointment = db.session.scalar(select(Appointment).where(Appointment.first_name == "Fatima"))
    assert appointment.topic == "online_banking"
    assert appointment.help_session_id == banking.id

    # The slip: a print button (shown by our script), and one page on paper.
    button = page.locator("button[data-print]")
    assert button.is_visible() and button.inner_text().strip()
    _check(page, "slip")
    page.emulate_media(media="print")
    _shot(page, "slip-print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("button[data-print]").is_visible()
    assert page.locator(".slip").is_visible()
    # page.pdf() prints with the print stylesheets unless screen is emulated.
    page.emulate_media(media="print")
    for paper in ("A4", "A5"):
        pdf = page.pdf(format=paper, print_background=False)
        if SHOTS:
            Path(f"{SHOTS}/slip-{paper}.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"the slip takes {pages} {paper} pages"


def test_no_phone_without_a_note_is_refused_next_to_the_note(
    context: BrowserContext, page: Page, live_server: LiveServer, desk
):
    built, email, _banking = desk
    sign_in_browser(context, live_server, built.desk)
    page.goto(f"/desk/book?location_id={built.location.id}&topic=email&language=fr")
    page.check(f'input[name="slot"][value="{email.id}@{email.starts_at.isoformat()}"]')
    page.fill("#first_name", "Jean")
    page.check("#no_phone")
    with page.expect_navigation():
        page.locator("form.desk-book button[type=submit]").click()

    assert "/desk/book" in page.url
    assert page.locator("#staff_note-error").is_visible()
    assert page.locator('.error-summary a[href="#staff_note"]').is_visible()
    _check(page, "book-refused")
    # The choice survives: the same time is still checked.
    assert page.locator(
        f'input[name="slot"][value="{email.id}@{email.starts_at.isoformat()}"]'
    ).is_checked()


def test_the_desk_today_page_passes_axe_and_reflows(
    context: BrowserContext, page: Page, live_server: LiveServer, desk
):
    built, _email, _banking = desk
    sign_in_browser(context, live_server, built.desk)
    page.goto(f"/desk?location_id={built.location.id}")
    assert "Mieke" in page.locator("main").inner_text()
    _check(page, "today")
    # Nothing free at the other digipunt: said in one sentence, with where it is free.
    page.goto(f"/desk/book?location_id={built.other_location.id}&topic=health_apps")
    assert page.locator("input[name=slot]").count() == 0
    assert page.locator(".free-elsewhere a").count() == 1
    _check(page, "book-nothing")
