"""The dashboard and /impact at 320 and 1280 px, in Dutch and French: axe finds nothing, each
burn-up draws its projection, no chart text is cut off (every SVG text lies inside its
drawing), chart text is at least 12 px on screen, each chart keeps its table, and numbers are
written the reader's way."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser

from digicoach.coaches.models import CoachStatus, CoachStatusChange
from digicoach.core import clock
from digicoach.core.i18n import LANGUAGE_COOKIE
from digicoach.extensions import db
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import make_admin, make_location, make_municipality, make_programme
from tests.helpdesk.factories import make_working_coach
from tests.progress.factories import certify, make_help_log

pytestmark = pytest.mark.browser

# Every chart on the page: its width on screen, the smallest text in px, the texts outside
# the drawing, and whether it draws a projection.
MEASURE = """() => Array.from(document.querySelectorAll('svg.chart-svg')).map(svg => {
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const texts = Array.from(svg.querySelectorAll('text'));
  return {
    smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
    cut: texts.filter(t => {
      const b = t.getBoundingClientRect();
      return b.left < box.left - 0.5 || b.right > box.right + 0.5
        || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5;
    }).map(t => t.textContent),
    projection: svg.querySelectorAll('.chart-projection').length,
    table: !!svg.closest('figure').nextElementSibling
      && svg.closest('figure').nextElementSibling.matches('details.chart-table'),
  };
})"""


def _programme_with_progress() -> None:
    """Gent and a long-named municipality, 60 citizens over 20 weeks (47 minutes of help
    each), 12 coaches certified over 12 weeks; targets far away, so a projection is drawn."""
    gent = make_municipality(name="Gent", nis_code="44021")
    long_name = make_municipality(name="Sint-Martens-Latem-aan-de-Leie", nis_code="44034")
    make_location(gent, name="Bibliotheek Ledeberg")
    programme = make_programme(
        [gent, long_name],
        name="Digibank Leie-Schelde",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        coach_target=10000,
        citizen_target=30000,
    )
    today = clock.local_today()
    coaches = [make_working_coach(gent, status=CoachStatus.CERTIFIED) for _ in range(12)]
    for n, coach in enumerate(coaches):
        db.session.add(
            CoachStatusChange(
                coach_id=coach.id,
                from_status=CoachStatus.IN_TRAINING,
                to_status=CoachStatus.CERTIFIED,
                changed_at=clock.now() - timedelta(days=100 - 7 * n),
            )
        )
        certify(coach, programme, issued_at=clock.now() - timedelta(days=100 - 7 * n))
    for n in range(60):
        make_help_log(
            coaches[n % 12],
            citizen_key=f"{n}".rjust(64, "0"),
            helped_on=today - timedelta(days=140 - 2 * n),
            minutes=47,
            topics=("government",),
            municipality_id=long_name.id if n % 3 else gent.id,
        )
    db.session.commit()


@pytest.mark.parametrize("language", ["nl", "fr"])
@pytest.mark.parametrize("width", [320, 1280])
def test_charts_are_legible_whole_and_projected_on_a_phone_and_a_desktop(
    browser: Browser, live_server: LiveServer, language: str, width: int
):
    _programme_with_progress()
    admin = make_admin(name="Anna Admin", language=language)
    db.session.commit()
    context = browser.new_context(
        base_url=live_server.url,
        locale={"nl": "nl-BE", "fr": "fr-BE"}[language],
        timezone_id="Europe/Brussels",
        viewport={"width": width, "height": 900},
    )
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": live_server.url}])
    try:
        page = context.new_page()
        page.goto("/impact/")
        assert page.locator("html").get_attribute("lang") == language
        _check_charts(page.evaluate(MEASURE), expected=2)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)

        sign_in_browser(context, live_server, admin)
        page.goto("/progress/")
        charts = page.evaluate(MEASURE)
        _check_charts(charts[:2], expected=2)
        _check_charts(charts[2:], expected=1, projected=False)  # the topic bars
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # 60 times 47 minutes = 47 hours; the hours per month (e.g. 11,8) have a decimal comma.
        hours = page.locator(".figure-number").nth(3).inner_text()
        assert hours == "47", hours
        decimal = re.compile(r"^\d+,\d$")
        assert page.locator("table.stacked td[data-label]").filter(has_text=decimal).count()
        assert_accessible(page)
    finally:
        context.close()


def _check_charts(charts: list[dict], *, expected: int, projected: bool = True) -> None:
    assert len(charts) == expected, charts
    for chart in charts:
        assert chart["cut"] == [], chart
        assert chart["smallest"] >= 12, chart
        assert chart["table"] or not projected, chart
        if projected:
            assert chart["projection"] == 1, chart
