"""The language switcher: a plain link that sets a cookie and goes back, only on our own site."""

from __future__ import annotations

import pytest

from digicoach.accounts.models import User
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_admin


def test_the_site_speaks_dutch_by_default_and_offers_french_and_english(app):
    visitor = app.test_client()  # no language cookie, no Accept-Language, nobody signed in
    page = visitor.get("/").data.decode()
    assert '<html lang="nl">' in page
    assert 'href="/language/fr?next=/?"' in page
    assert 'href="/language/en?next=/?"' in page


@pytest.mark.parametrize("code", ["fr", "en", "nl"])
def test_choosing_a_language_sets_a_lasting_cookie_and_returns_to_the_page(client, code):
    response = client.get(f"/language/{code}", query_string={"next": "/privacy?x=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy?x=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"lang={code};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert f'<html lang="{code}">' in client.get("/privacy").data.decode()


def test_the_cookie_beats_the_browsers_language(client):
    client.get("/language/fr")
    page = client.get("/", headers={"Accept-Language": "en"}).data.decode()
    assert '<html lang="fr">' in page


def test_without_a_cookie_the_browsers_language_is_used(app):
    visitor = app.test_client()  # no language cookie
    page = visitor.get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9"}).data.decode()
    assert '<html lang="fr">' in page


def test_an_unknown_language_is_not_found_and_sets_nothing(client):
    response = client.get("/language/de", query_string={"next": "/privacy"})
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example",
        "///evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "privacy",
        "",
    ],
)
def test_the_switcher_never_sends_anyone_to_another_site(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/", location


def test_a_backslash_path_stays_on_our_site(client):
    # Browsers read "/\\evil.example" as "//evil.example"; it must arrive escaped, as a path.
    response = client.get("/language/en", query_string={"next": "/\\evil.example"})
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))


def test_a_signed_in_user_keeps_the_chosen_language_in_their_account(client):
    admin = make_admin(language="nl")
    sign_in(client, admin)
    client.get("/language/en", query_string={"next": "/"})
    assert db.session.get(User, admin.id, populate_existing=True).language == "en"
    # The saved preference wins over a cookie, so it follows the user to another browser.
    other = client.application.test_client()
    sign_in(other, admin)
    other.set_cookie("lang", "fr")
    assert '<html lang="en">' in other.get("/").data.decode()
