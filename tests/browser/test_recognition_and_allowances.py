"""A coach downloads their certificate and hours statement from /me in a real browser; axe
finds no violation on the new pages (allowances, caps, insurance, recognition, verification,
the volunteer note with the insurance) in Dutch and in French.

The clock stands at 15 June 2026 (tests/recognition/conftest.py), so the shifts and the
certificate are in the past whenever the suite runs.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from digicoach.allowances import services
from digicoach.core import clock
from digicoach.extensions import db
from tests.allowances.conftest import set_caps
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.recognition.conftest import CODE, NOW, build_world
from tests.recognition.test_pdfs import pdf_text

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    built = build_world(app)
    built.coach.user.language = "nl"
    with app.test_request_context("/"):
        set_caps(built.admin)
        services.record(
            actor=built.coordinator,
            coach=built.coach,
            data=services.AllowanceInput(kind="flat", day=NOW.date(), amount="12,50"),
            now=NOW,
        )
        db.session.commit()
    return built


def download(page: Page, selector: str) -> bytes:
    with page.expect_download() as caught:
        page.click(selector)
    path = caught.value.path()
    with open(path, "rb") as body:
        return body.read()


def test_a_coach_downloads_the_certificate_and_the_hours_statement(
    world, context: BrowserContext, page: Page, live_server: LiveServer
):
    sign_in_browser(context, live_server, world.coach.user)
    page.goto("/me")
    page.click("a[href='/me/recognition']")
    assert page.url.endswith("/me/recognition")
    assert_accessible(page)

    certificate = download(page, f"a[href$='/certificates/{world.certification.id}.pdf']")
    text = pdf_text(certificate)
    assert "Sara Peeters" in text and "Digibank Oost-Vlaanderen" in text and CODE in text
    assert "Attest van digicoach" in text  # the coach reads Dutch

    statement = download(page, f"a[href$='/hours/{NOW.year}.pdf']")
    assert "Sara Peeters" in pdf_text(statement)
    assert "De Krook" in pdf_text(statement)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_new_pages_have_no_axe_violation(
    world, context: BrowserContext, page: Page, live_server: LiveServer, language: str
):
    for user in (world.coach.user, world.coordinator, world.admin):
        user.language = language
    db.session.commit()
    page.goto(f"/verify/{CODE}")
    assert_accessible(page)
    page.goto("/volunteer-note")
    assert_accessible(page)

    sign_in_browser(context, live_server, world.coach.user)
    page.goto("/me/recognition")
    assert_accessible(page)

    sign_in_browser(context, live_server, world.coordinator)
    for path in ("/allowances/", f"/allowances/coaches/{world.coach.id}"):
        page.goto(path)
        assert_accessible(page)
    # A refused entry shows its error next to the field and in the summary.
    page.goto(f"/allowances/coaches/{world.coach.id}")
    page.fill("#day", NOW.date().isoformat())
    page.fill("#amount", "41,48")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.locator(".error-summary").count() == 1
    assert_accessible(page)

    sign_in_browser(context, live_server, world.admin)
    for path in ("/allowances/caps", "/allowances/insurance"):
        page.goto(path)
        assert_accessible(page)
    programme_id = world.certification.programme_id
    page.goto(f"/allowances/insurance/{programme_id}")
    assert_accessible(page)
