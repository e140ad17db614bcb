"""The workspace home of each role, in Dutch, at 320 and 1280 pixels: axe finds nothing, one
h1, and nothing wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from digicoach.core import clock, heartbeat
from digicoach.extensions import db
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.workspace.conftest import build_world
from tests.workspace.test_statements import add_a_round

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["coordinator", "desk", "coach", "admin"])
def test_the_home_of_each_role_is_accessible_and_fits_a_phone(
    app, context: BrowserContext, page: Page, live_server: LiveServer, role: str
):
    with app.test_request_context("/"):
        world = build_world()
        heartbeat.beat(clock.now())
        add_a_round(world, 0)
    db.session.commit()
    user = {
        "coordinator": world.coordinator,
        "desk": world.desk,
        "coach": world.coach.user,
        "admin": world.admin,
    }[role]
    sign_in_browser(context, live_server, user)

    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/work")
        assert page.locator("h1").count() == 1
        assert page.locator(".work-item").count() > 0, f"{role}: an empty home"
        assert_accessible(page)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{role}: the home needs {scroll}px at {width}px"
