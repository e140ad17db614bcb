"""The main menu in a real browser: on a phone (320 px) and a desktop (1280 px), with JavaScript
and without it, by keyboard; the header never scrolls sideways; axe finds nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from digicoach.admin.services import IdentityChange, change_identity
from digicoach.core import clock
from digicoach.core.db import unit_of_work
from digicoach.core.i18n import LANGUAGE_COOKIE
from digicoach.extensions import db
from tests.admin.test_installation_settings import a_png
from tests.browser.conftest import LiveServer, assert_accessible, sign_in_browser
from tests.factories import make_admin, make_coordinator, make_municipality

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


@pytest.fixture
def coordinator(app):
    user = make_coordinator(
        [make_municipality(name="Gent", nis_code="44021")], name="Cor Gent", language="nl"
    )
    db.session.commit()
    return user


def _page(browser: Browser, live_server: LiveServer, user, *, width: int, js: bool) -> Page:
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-BE",
        viewport={"width": width, "height": 800},
        java_script_enabled=js,
    )
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "nl", "url": live_server.url}])
    sign_in_browser(context, live_server, user)
    return context.new_page()


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["width"] <= width


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [320, 1280])
def test_the_menu_opens_by_keyboard_and_marks_where_you_are(
    browser, live_server, coordinator, width, js
):
    page = _page(browser, live_server, coordinator, width=width, js=js)
    page.goto("/")
    menu_button = page.locator(".nav-menu > summary")
    applications = page.get_by_role("link", name="Kandidaturen")
    group = page.locator(".nav-group > summary", has_text="Digicoaches")
    if width == 320:
        # A phone: one "Menu" button; the entries show only once it is opened.
        expect(menu_button).to_be_visible()
        expect(group).to_be_hidden()
        menu_button.focus()
        page.keyboard.press("Enter")
    else:
        # A desktop: the entries in one row, no "Menu" button.
        expect(menu_button).to_be_hidden()
        box = page.locator(".nav-list").bounding_box()
        assert box is not None and box["height"] < 60, "the menu wraps onto a second row"
    expect(group).to_be_visible()
    expect(applications).to_be_hidden()
    group.focus()
    page.keyboard.press("Enter")
    expect(applications).to_be_visible()
    _no_sideways_scroll(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"menu-{width}-{'js' if js else 'no-js'}.png"))
    applications.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/coaches/queue"))
    # On the new page: the link is the current page, and its group is underlined.
    current = page.locator('.main-nav [aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_text("Kandidaturen")
    expect(page.locator(".nav-item.is-current > .nav-group > summary")).to_have_text("Digicoaches")
    # Content starts below the header with room to breathe, and in line with the menu.
    header_bottom = page.locator(".site-header").bounding_box()
    main = page.locator("main").bounding_box()
    assert header_bottom is not None and main is not None
    assert main["y"] >= header_bottom["y"] + header_bottom["height"] + 8
    _no_sideways_scroll(page)
    page.context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_menu_is_accessible_open_and_closed(browser, live_server, coordinator, width):
    page = _page(browser, live_server, coordinator, width=width, js=True)
    page.goto("/")
    assert_accessible(page)
    if width == 320:
        page.locator(".nav-menu > summary").click()
    page.locator(".nav-group > summary", has_text="Digicoaches").click()
    assert_accessible(page)
    page.context.close()


def test_with_javascript_one_group_is_open_at_a_time_and_escape_closes_it(
    browser, live_server, coordinator
):
    page = _page(browser, live_server, coordinator, width=1280, js=True)
    page.goto("/")
    coaches = page.locator(".nav-group", has=page.locator("summary", has_text="Digicoaches"))
    desk = page.locator(".nav-group", has=page.locator("summary", has_text="Onthaal"))
    coaches.locator("summary").click()
    expect(coaches).to_have_attribute("open", "")
    desk.locator("summary").click()
    expect(desk).to_have_attribute("open", "")
    expect(coaches).not_to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(desk).not_to_have_attribute("open", "")
    expect(desk.locator("summary")).to_be_focused()
    # A click elsewhere closes an open group too.
    desk.locator("summary").click()
    page.mouse.click(640, 700)
    expect(desk).not_to_have_attribute("open", "")
    page.context.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_header_shows_the_installation_name_logo_and_colour(browser, live_server, width):
    admin = make_admin(name="Ann Admin", language="nl")
    db.session.commit()
    with unit_of_work():
        change_identity(
            actor=admin,
            change=IdentityChange(
                name="Digibank Regio Zuid-West-Vlaanderen", colour="#6b1f7c", logo=a_png()
            ),
            now=clock.now(),
        )
    page = _page(browser, live_server, admin, width=width, js=True)
    page.goto("/")
    expect(page.locator(".brand-name")).to_have_text("Digibank Regio Zuid-West-Vlaanderen")
    logo = page.locator("img.brand-logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("image => image.naturalWidth") == 32
    assert page.title().endswith("Digibank Regio Zuid-West-Vlaanderen")
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert colour == "rgb(107, 31, 124)"
    _no_sideways_scroll(page)
    assert_accessible(page)
    page.goto("/admin/settings")
    assert_accessible(page)
    page.context.close()
