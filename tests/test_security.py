"""Security headers, cookies, CSRF and the production settings."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask, session
from sqlalchemy import func, select

from digicoach import create_app
from digicoach.accounts.models import LoginFailure, UserSession
from digicoach.content.models import PageVersion
from digicoach.core.permissions import public
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD, make_admin, make_user

CSRF_HEADING = b"This form has expired"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def english(client):
    """Read pages in the source language, so assertions do not depend on the catalogues.

    A signed-in user's saved language wins over the cookie: sign in users with language="en".
    """
    client.set_cookie("lang", "en")
    return client


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    script_sources = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in script_sources
    assert "'unsafe-eval'" not in script_sources


def test_pages_carry_the_other_security_headers(client):
    for path in ("/", "/login", "/does-not-exist"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
        assert headers["X-Frame-Options"] == "DENY"


def _probe_app(app: Flask) -> Flask:
    """Give an app a route that writes the session, to read its Set-Cookie header."""

    @public
    def probe() -> str:
        session["probe"] = "1"
        return "ok"

    app.add_url_rule("/_probe_session", "probe_session", probe)
    return app


def _session_cookie(app: Flask) -> str:
    response = app.test_client().get("/_probe_session")
    cookies = [
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith(app.config["SESSION_COOKIE_NAME"] + "=")
    ]
    assert len(cookies) == 1
    return cookies[0]


def test_the_session_cookie_is_http_only_and_same_site_lax(app):
    cookie = _session_cookie(_probe_app(app))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.fixture
def production_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment for building a production app: no stray DIGICOACH_ settings."""
    for name in list(os.environ):
        if name.startswith("DIGICOACH_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("DIGICOACH_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path


def _production_app(directory: Path, **overrides) -> Flask:
    settings = {
        "SECRET_KEY": "a-long-production-secret-for-this-test-only",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'production.sqlite3'}",
        "CITIZEN_KEY_SECRET": "a-long-citizen-key-secret-for-this-test-only",
        "PUBLIC_BASE_URL": "https://digicoach.gent.be",
    }
    settings.update(overrides)
    return create_app("production", **settings)


def test_under_the_production_settings_the_session_cookie_is_secure(production_env):
    app = _probe_app(_production_app(production_env))
    cookie = _session_cookie(app)
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_sends_strict_transport_security(production_env):
    response = _production_app(production_env).test_client().get("/healthz")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_production_refuses_to_start_without_a_secret_key(production_env):
    with pytest.raises(RuntimeError, match="DIGICOACH_SECRET_KEY"):
        _production_app(production_env, SECRET_KEY=None)


def test_production_refuses_to_start_without_a_database(production_env):
    with pytest.raises(RuntimeError, match="DIGICOACH_SQLALCHEMY_DATABASE_URI"):
        _production_app(production_env, SQLALCHEMY_DATABASE_URI=None)


@pytest.fixture
def csrf_enabled(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_a_sign_in_without_csrf_token_is_refused_and_signs_nobody_in(csrf_enabled, app, english):
    user = make_user(email="ann@example.org")
    db.session.commit()
    response = english.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 400
    assert CSRF_HEADING in response.data
    assert _count(UserSession) == 0
    assert _count(LoginFailure) == 0


def test_signing_out_without_csrf_token_is_refused_and_keeps_the_session(
    csrf_enabled, app, english
):
    user = make_user(language="en")
    sign_in(english, user)
    response = english.post("/logout")
    assert response.status_code == 400
    assert CSRF_HEADING in response.data
    live = db.session.scalars(select(UserSession).where(UserSession.ended_at.is_(None))).all()
    assert len(live) == 1


def test_editing_a_page_without_csrf_token_is_refused_and_publishes_nothing(
    csrf_enabled, app, english
):
    admin = make_admin(language="en")
    sign_in(english, admin)
    response = english.post(
        "/privacy/edit?language=en", data={"title": "Privacy", "body": "Changed"}
    )
    assert response.status_code == 400
    assert CSRF_HEADING in response.data
    assert _count(PageVersion) == 0


def test_a_form_with_its_csrf_token_is_accepted(csrf_enabled, app, english):
    admin = make_admin(language="en")
    sign_in(english, admin)
    page = english.get("/privacy/edit?language=en")
    assert page.status_code == 200
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.data)
    assert token is not None
    response = english.post(
        "/privacy/edit?language=en",
        data={"title": "Privacy", "body": "Our notice", "csrf_token": token.group(1).decode()},
    )
    assert response.status_code == 302
    assert _count(PageVersion) == 1


def test_changing_ones_language_without_csrf_token_is_refused_and_changes_nothing(
    csrf_enabled, app, english
):
    user = make_user(name="Ann", language="en")
    sign_in(english, user)
    response = english.post("/account/profile", data={"name": "Changed", "language": "fr"})
    assert response.status_code == 400
    assert CSRF_HEADING in response.data
    db.session.expire_all()
    assert (user.name, user.language) == ("Ann", "en")


def test_production_refuses_to_start_without_a_citizen_key_secret(production_env):
    with pytest.raises(RuntimeError, match="DIGICOACH_CITIZEN_KEY_SECRET"):
        _production_app(production_env, CITIZEN_KEY_SECRET=None)
