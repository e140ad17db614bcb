"""The audit log and the outbox in Chromium, in Dutch, at 320 and 1280 px: words instead of
codes, no sideways scrolling (rows stack on a phone), the detail pages, the "What this user did"
link for a user without events, and axe finds no violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from digicoach.core import audit, outbox
from digicoach.core.outbox import Status
from digicoach.extensions import db
from tests.bookings.factories import make_appointment, make_bookable_session
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import make_admin, make_desk, make_location, make_municipality
from tests.helpdesk.factories import make_working_coach

pytestmark = pytest.mark.browser


@pytest.fixture
def language() -> str:
    return "nl"


def _fits(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} needs {scroll} px at {width} px"


def _world():
    gent = make_municipality(name="Gent", nis_code="44021")
    place = make_location(gent, name="Lokaal dienstencentrum Ledeberg")
    coach = make_working_coach(gent, first_name="Cas", last_name="Vandenbroucke")
    session = make_bookable_session(place, [coach], hours=3)
    admin = make_admin(email="admin@example.org", name="Ann Admin", language="nl")
    for n in range(4):
        make_appointment(
            session,
            start=session.starts_at + n * (session.ends_at - session.starts_at) / 6,
            first_name="Maria",
            phone=f"04701234{n:02d}",
            email="maria.peeters@example.org",
        )
    audit.record(admin, "coach.status.approved", coach, ["status"])
    failed = db.session.scalars(db.select(outbox.OutboxMessage)).first()
    failed.status, failed.attempts = Status.FAILED, 5
    failed.last_error = "SMTPRecipientsRefused: mailbox full"
    desk = make_desk([gent], email="desk@example.org", name="Dirk Desk")
    db.session.commit()
    return admin, desk, failed


def test_the_audit_log_and_the_outbox_read_in_dutch_and_reflow(
    context: BrowserContext, page: Page, live_server: LiveServer
):
    admin, desk, failed = _world()
    sign_in_browser(context, live_server, admin)

    page.goto(live_server("/admin/audit"))
    text = page.locator("main").inner_text()
    assert "bookings.appointment.book" not in text and "coach.status" not in text
    assert "Maria" not in text and "maria.peeters" not in text
    assert "Cas Vandenbroucke" in text
    for width in (320, 1280):
        _fits(page, width)
    assert_accessible(page)
    page.locator("main table a").first.click()
    assert page.locator("main code").count() >= 3  # the codes live on the detail page
    _fits(page, 320)
    assert_accessible(page)

    # "What this user did" for someone without events: an empty result, no error.
    page.goto(live_server(f"/admin/users/{desk.id}"))
    page.locator(f"a[href*='actor={desk.id}']").click()
    assert page.locator(".field-error").count() == 0
    assert page.locator(".filter-note").count() == 0
    assert page.locator(".empty-result").count() == 1
    assert_accessible(page)

    page.goto(live_server("/admin/outbox/"))
    text = page.locator("main").inner_text()
    assert "bookings.booked" not in text and "Maria" not in text
    assert "maria.peeters" not in text
    for width in (320, 1280):
        _fits(page, width)
    assert_accessible(page)
    page.goto(live_server(f"/admin/outbox/{failed.id}"))
    assert page.locator("main code").count() >= 2
    _fits(page, 320)
    assert_accessible(page)
