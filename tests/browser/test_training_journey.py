"""A training from plan to certificate, in a real browser: a coordinator plans a cohort with a
weekly series, a coach enrols, the trainer records attendance, the coordinator certifies and
the public verification page confirms. axe finds no violation on the pages on the way.

Selectors use ids, names and form actions, not words, so the test holds in every language.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock
from digicoach.extensions import db
from digicoach.training.models import Certification, Cohort
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.coaches.factories import make_coach
from tests.factories import make_coordinator, make_location, make_municipality, make_programme
from tests.training.factories import make_module

pytestmark = pytest.mark.browser


def new_page(browser: Browser, live_server: LiveServer) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=live_server.url, locale="nl-BE")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def submit(page: Page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def test_a_cohort_from_plan_to_verified_certificate(
    browser: Browser, context: BrowserContext, page: Page, live_server: LiveServer, monkeypatch
):
    gent = make_municipality(name="Gent", nis_code="44021")
    programme = make_programme([gent], name="Digibank")
    make_module(programme, title="Basis")
    make_module(programme, title="Veilig")
    location = make_location(gent, name="De Krook")
    coordinator = make_coordinator([gent], name="Koen Claes")
    coach = make_coach(gent, status=CoachStatus.APPROVED, first_name="Ada", last_name="Peeters")
    db.session.commit()
    today = clock.local_today()
    first_day = today + timedelta(days=3)

    # The coordinator plans the cohort.
    sign_in_browser(context, live_server, coordinator)
    page.goto("/training/manage/new")
    assert_accessible(page)
    page.select_option("#programme_id", str(programme.id))
    page.fill("#name", "Gent voorjaar")
    page.check("#municipality_ids-0")
    page.select_option("#trainer_id", str(coordinator.id))
    page.fill("#capacity", "8")
    page.fill("#minimum", "1")
    page.fill("#enrolment_deadline", (today + timedelta(days=2)).isoformat())
    page.select_option("#location_id", str(location.id))
    submit(page, "main form")
    db.session.rollback()  # a fresh snapshot: the server committed in its own connection
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Gent voorjaar"))
    assert cohort is not None, page.content()
    cohort_url = f"/training/manage/{cohort.id}"
    assert page.url.endswith(cohort_url)

    # ... with a weekly series of three sessions covering both modules ...
    page.goto(f"{cohort_url}/sessions/series")
    assert_accessible(page)
    page.fill("#first_day", first_day.isoformat())
    page.check(f"#weekdays-{first_day.isoweekday() - 1}")
    page.fill("#start_time", "14:00")
    page.fill("#end_time", "16:00")
    page.fill("#count", "3")
    page.check("#module_ids-0")
    page.check("#module_ids-1")
    submit(page, "main form")
    db.session.rollback()
    assert len(db.session.get(Cohort, cohort.id).sessions) == 3

    # ... and opens enrolment.
    page.goto(cohort_url)
    submit(page, f"form[action='{cohort_url}/status/open']")
    assert_accessible(page)

    # The coach enrols.
    coach_context, coach_page = new_page(browser, live_server)
    db.session.rollback()  # a read snapshot cannot turn into a write on SQLite
    sign_in_browser(coach_context, live_server, coach.user)
    coach_page.goto("/training/cohorts")
    assert_accessible(coach_page)
    submit(coach_page, f"form[action='/training/cohorts/{cohort.id}/enrol']")
    assert coach_page.url.endswith("/training/mine")
    assert_accessible(coach_page)

    # Three weeks later the trainer (the coordinator here) records "everyone present".
    db.session.rollback()
    later = db.session.get(Cohort, cohort.id).sessions[-1].ends_at + timedelta(hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    db.session.rollback()
    sign_in_browser(context, live_server, coordinator)
    for session in db.session.get(Cohort, cohort.id).sessions:
        page.goto(f"/training/sessions/{session.id}/attendance")
        with page.expect_navigation():
            page.click("button[name=all_present]")
    assert_accessible(page)

    # The coordinator starts the training and certifies everyone who meets the rule.
    page.goto(cohort_url)
    submit(page, f"form[action='{cohort_url}/status/running']")
    submit(page, f"form[action='{cohort_url}/certify']")
    assert_accessible(page)
    db.session.rollback()
    certification = db.session.scalar(select(Certification))
    assert certification is not None and certification.coach_id == coach.id

    # The coach prints it; anyone checks it with the code.
    db.session.rollback()  # a read snapshot cannot turn into a write on SQLite
    sign_in_browser(coach_context, live_server, coach.user)
    coach_page.goto(f"/training/certificates/{certification.id}")
    assert certification.number in coach_page.content()
    assert_accessible(coach_page)
    visitor_context, visitor = new_page(browser, live_server)
    response = visitor.goto(f"/verify/{certification.verification_code}")
    assert response is not None and response.status == 200
    assert "Ada Peeters" in visitor.content()
    assert_accessible(visitor)
    assert visitor.goto("/verify/not-a-real-code").status == 404
    for extra in (coach_context, visitor_context):
        extra.close()
