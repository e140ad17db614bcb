"""After a failed submit far down a long page, the browser lands on the error summary: first
in <main>, focused (static/js/error-summary.js), read out as an alert, and still accessible."""

from __future__ import annotations

import pytest

from digicoach.extensions import db
from tests.browser.conftest import assert_accessible, sign_in_browser
from tests.coaches.factories import make_coach
from tests.factories import make_coordinator, make_municipality

pytestmark = pytest.mark.browser


def test_approving_with_incomplete_screening_focuses_the_summary_at_the_top(
    context, page, live_server
):
    gent = make_municipality(name="Gent", nis_code="44021")
    coordinator = make_coordinator([gent], language="en")
    applicant = make_coach(gent)
    db.session.commit()
    sign_in_browser(context, live_server, coordinator)
    page.goto(f"/coaches/{applicant.id}")

    page.select_option('select[name="status-status"]', "approved")
    page.locator('form:has(select[name="status-status"]) [type="submit"]').click()
    page.wait_for_load_state()

    summary = page.locator("main > .error-summary")
    assert summary.count() == 1
    assert "Screening is not complete" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    # First in <main>, so on screen without scrolling.
    assert page.evaluate(
        "document.querySelector('main').firstElementChild.matches('[data-error-summary]')"
    )
    assert page.evaluate(
        "document.querySelector('[data-error-summary]')"
        ".getBoundingClientRect().top < window.innerHeight"
    )
    assert_accessible(page)
