"""The browser harness: the test app served on a free port, driven by Debian's Chromium.

- `live_server` serves the `app` fixture's app (same database: the SQLite copy or PostgreSQL) from
  a background thread, so a test can create data with factories and then look at it in a page.
- `browser` is one Chromium per test process (Playwright's sync API, never a downloaded browser);
  `context` and `page` are fresh per test, with the Dutch language cookie unless told otherwise.
- `sign_in_browser(context, live_server, user)` opens a server-side session and gives the browser
  its cookie, so tests need not type passwords and TOTP codes.
- `assert_accessible(page)` runs axe-core (WCAG 2.1 A and AA) and fails listing every violation.
- `mailbox` (from tests/conftest.py) works here too: the app sends to the same SMTP sink.

Every test in this folder is marked `browser`; `make fast-test` leaves them out.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

from digicoach.accounts import sessions
from digicoach.accounts.models import User
from digicoach.core import clock
from digicoach.core.i18n import LANGUAGE_COOKIE
from digicoach.extensions import db
from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BROWSER_FOLDER = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything in tests/browser as `browser`, so a forgotten marker cannot slip by."""
    for item in items:
        if BROWSER_FOLDER in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask

    def __call__(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.url + path


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Links in mails must point at this server.
    app.config["PUBLIC_BASE_URL"] = url
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-dejavu-core)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture
def language() -> str:
    """The page language of a browser test; parametrise or override it per test."""
    return "nl"


def new_context(browser: Browser, live_server: LiveServer, language: str) -> BrowserContext:
    """A fresh browser profile on the live server, reading `language`; the caller closes it.

    Tests that check many pages on one set of data open one per page: a context costs
    milliseconds, a test's app, data and server much more."""
    browser_context = browser.new_context(
        base_url=live_server.url,
        locale={"nl": "nl-BE", "fr": "fr-BE", "en": "en-GB"}[language],
        timezone_id="Europe/Brussels",
        viewport={"width": 1280, "height": 900},
    )
    browser_context.set_default_timeout(10_000)
    browser_context.add_cookies(
        [{"name": LANGUAGE_COOKIE, "value": language, "url": live_server.url}]
    )
    return browser_context


@pytest.fixture
def context(browser: Browser, live_server: LiveServer, language: str) -> Iterator[BrowserContext]:
    browser_context = new_context(browser, live_server, language)
    yield browser_context
    browser_context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in_browser(context: BrowserContext, live_server: LiveServer, user: User) -> None:
    """Give the browser a signed-in session for `user`, as a completed sign-in does."""
    token = sessions.start_session(user, remember=False, now=clock.now())
    db.session.commit()
    app = live_server.app
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    cookie = serializer.dumps(
        {sessions.SESSION_KEY: token, "_user_id": str(user.id), "_fresh": True}
    )
    context.add_cookies(
        [
            {
                "name": app.config["SESSION_COOKIE_NAME"],
                "value": cookie,
                "url": live_server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now.

    Playwright's evaluate runs outside the page's CSP, so axe is injected despite
    `script-src 'self'`; the harness checks that with a page that forbids inline scripts.
    """
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
            f"    {violation.get('helpUrl', '')}\n"
            + "\n".join(f"    at {target}" for target in targets)
        )
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail, listing every violation (rule id, help, targets), when axe finds any."""
    violations = axe_violations(page)
    assert not violations, f"axe found violations on {page.url}:\n" + describe_violations(
        violations
    )
