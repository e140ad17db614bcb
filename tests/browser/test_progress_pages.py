"""The help log form on a 360 px phone, the dashboard and the impact page: axe finds nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock, timeslots
from digicoach.extensions import db
from digicoach.helplog.models import HelpLog
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import make_admin, make_location, make_municipality, make_programme
from tests.helpdesk.factories import make_help_session, make_shift, make_working_coach
from tests.progress.factories import make_help_log

pytestmark = pytest.mark.browser


def _started_today() -> datetime:
    """A start that has passed and is on today's local date, whatever the hour of the run."""
    now = clock.now()
    midnight = timeslots.local_moment(clock.local(now).date(), time(0))
    return max(now - timedelta(minutes=5), midnight)


def _one_h1(page: Page) -> None:
    assert page.locator("h1").count() == 1


def test_a_coach_logs_help_on_a_phone_of_360_pixels(
    context: BrowserContext, page: Page, live_server: LiveServer
):
    gent = make_municipality(name="Gent", nis_code="44021")
    location = make_location(gent, name="Bibliotheek Ledeberg")
    coach = make_working_coach(gent, status=CoachStatus.ACTIVE)
    session = make_help_session(location, starts_at=_started_today())
    shift = make_shift(session, coach)
    db.session.commit()
    sign_in_browser(context, live_server, coach.user)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto("/helplog/")
    _one_h1(page)
    assert_accessible(page)
    page.click(f'a[href$="shift={shift.id}"]')
    _one_h1(page)
    assert_accessible(page)
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Bad input first: no topic and a negative number of minutes.
    page.fill('input[name="other_minutes"]', "-20")
    page.check('input[name="outcome"][value="solved"]')
    page.click('.helplog-form button[type="submit"]')
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    db.session.rollback()
    assert db.session.scalar(select(HelpLog.id)) is None

    page.check('input[name="topics"][value="eid_itsme"]')
    page.fill('input[name="other_minutes"]', "")
    page.check('input[name="minutes"][value="30"]')
    page.check('input[name="did_it_themselves"]')
    page.click('.helplog-form button[type="submit"]')
    page.wait_for_url("**/helplog/")
    db.session.rollback()
    log = db.session.scalar(select(HelpLog))
    assert log is not None and log.minutes == 30 and log.topics == ["eid_itsme"]


def test_the_dashboard_and_the_impact_page_have_no_accessibility_violation(
    context: BrowserContext, page: Page, live_server: LiveServer
):
    gent = make_municipality(name="Gent", nis_code="44021")
    make_programme([gent], name="Digibank Gent", starts_on=date(2026, 1, 1))
    admin = make_admin()
    for n in range(6):
        coach = make_working_coach(gent, status=CoachStatus.CERTIFIED)
        make_help_log(coach, citizens=2, helped_on=clock.local_today() - timedelta(days=7 * n))
    db.session.commit()

    page.goto("/impact/")
    _one_h1(page)
    assert page.locator('svg[role="img"]').count() >= 1
    assert_accessible(page)

    sign_in_browser(context, live_server, admin)
    page.goto("/progress/")
    _one_h1(page)
    assert page.locator('svg[role="img"]').count() == 3
    assert_accessible(page)
