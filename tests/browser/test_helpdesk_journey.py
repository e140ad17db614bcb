"""A coordinator plans a weekly series, a coach signs up, the board shows the session as
staffed; axe finds no violation on the pages on the way, in Dutch and in French."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from digicoach.coaches.models import CoachStatus
from digicoach.core import clock
from digicoach.core.i18n import LANGUAGE_COOKIE
from digicoach.extensions import db
from digicoach.helpdesk.models import HelpSession
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import make_coordinator, make_location, make_municipality, make_neighbourhood
from tests.helpdesk.factories import make_working_coach

pytestmark = pytest.mark.browser

# The board says how a session is staffed in words, in the reader's language.
NOBODY_YET = {"nl": "Nog geen digicoach", "fr": "Pas encore de digicoach"}
FULLY_STAFFED = {"nl": "Volledig bezet", "fr": "Effectif complet"}


def _switch_user(context: BrowserContext, live_server: LiveServer, user, language: str) -> None:
    db.session.rollback()  # end our read snapshot before writing the new session
    context.clear_cookies()
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server.url}])
    sign_in_browser(context, live_server, user)


def _check(page: Page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1, "a page has exactly one h1"
    assert_accessible(page)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_plan_a_series_sign_up_and_see_it_staffed(
    context: BrowserContext, page: Page, live_server: LiveServer, language: str
):
    gent = make_municipality(name="Gent", nis_code="44021")
    ledeberg = make_neighbourhood(gent, name="Ledeberg")
    location = make_location(gent, name="Dienstencentrum Ledeberg", neighbourhood=ledeberg)
    coordinator = make_coordinator([gent], name="Koen Claes", language=language)
    coach = make_working_coach(gent, status=CoachStatus.ACTIVE, language=language)
    db.session.commit()

    first_day = clock.local_today() + timedelta(days=1)
    while first_day.isoweekday() != 2:
        first_day += timedelta(days=1)
    # The board shows a week at a time from today; on a Tuesday the first one is in week 1.
    board = (
        "/helpdesk/board"
        if (first_day - clock.local_today()).days < 7
        else "/helpdesk/board?week=1"
    )

    # The coordinator plans a weekly series of four Tuesday afternoons.
    _switch_user(context, live_server, coordinator, language)
    page.goto("/helpdesk/sessions/new")
    _check(page, language)
    page.select_option('select[name="location_id"]', str(location.id))
    page.fill('input[name="day"]', first_day.isoformat())
    page.fill('input[name="start_time"]', "14:00")
    page.fill('input[name="end_time"]', "16:00")
    page.check('input[name="mode"][value="walk_in"]')
    page.fill('input[name="coaches_min"]', "1")
    page.fill('input[name="coaches_max"]', "1")
    page.check('input[name="repeat"][value="1"]')
    page.check('input[name="weekdays"][value="2"]')
    page.fill('input[name="count"]', "4")
    page.locator("main form [type=submit]").last.click()
    page.wait_for_url("**/helpdesk/sessions/*")
    _check(page, language)
    db.session.rollback()
    sessions = db.session.scalars(select(HelpSession).order_by(HelpSession.starts_at)).all()
    assert len(sessions) == 4
    first_id = sessions[0].id
    db.session.rollback()

    for path in (f"/helpdesk/sessions/{first_id}/edit", f"/helpdesk/sessions/{first_id}/cancel"):
        page.goto(path)
        _check(page, language)
    page.goto(board)
    _check(page, language)
    assert NOBODY_YET[language] in page.locator(f"#session-{first_id}").inner_text()

    # The coach finds the first session and signs up.
    _switch_user(context, live_server, coach.user, language)
    page.goto("/helpdesk/shifts")
    _check(page, language)
    page.locator(f'form[action="/helpdesk/sessions/{first_id}/sign-up"] button').click()
    page.wait_for_url("**/helpdesk/my-shifts")
    _check(page, language)
    assert "Dienstencentrum Ledeberg" in page.locator("main").inner_text()

    # The board now shows the session as staffed, in words.
    _switch_user(context, live_server, coordinator, language)
    page.goto(board)
    row = page.locator(f"#session-{first_id}").inner_text()
    assert FULLY_STAFFED[language] in row
    _check(page, language)

    # And citizens see the coming hours on the public page.
    context.clear_cookies()
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server.url}])
    page.goto(f"/digipunten/{location.id}")
    _check(page, language)
    day_name = {"nl": "dinsdag", "fr": "mardi"}[language]
    assert day_name in page.locator("main").inner_text()
    page.goto("/digipunten")
    _check(page, language)
