"""The public texts: accessibility statement and privacy notice, published by admins in versions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from digicoach.accounts.models import Role
from digicoach.content.models import PageVersion
from digicoach.core.audit import AuditEvent
from digicoach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_admin, make_coordinator, make_municipality, make_user

SLUGS = ("accessibility", "privacy")


def versions(slug: str, language: str = "nl") -> list[tuple[int, str]]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(PageVersion.version, PageVersion.title)
            .where(PageVersion.slug == slug, PageVersion.language == language)
            .order_by(PageVersion.version)
        ).tuples()
    )


def page_count() -> int:
    return db.session.scalar(select(func.count(PageVersion.id)))


@pytest.mark.parametrize("slug", SLUGS)
def test_an_unpublished_text_says_so_and_gives_the_phone_number(client, slug):
    response = client.get(f"/{slug}")
    assert response.status_code == 200
    text = response.data.decode()
    assert "This text has not been published yet" in text
    assert "09 123 45 67" in text
    assert text.count("<h1") == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_an_admin_publishes_a_text_and_everyone_reads_it(client, app, slug):
    admin = make_admin()
    sign_in(client, admin)
    assert client.get(f"/{slug}/edit?language=nl").status_code == 200
    response = client.post(
        f"/{slug}/edit?language=nl",
        data={"title": "Toegankelijkheid", "body": "Eerste alinea.\n\nTweede <b>alinea</b>."},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{slug}"

    reader = app.test_client()  # a visitor without a language choice reads Dutch
    page = reader.get(f"/{slug}").data.decode()
    assert '<html lang="nl">' in page
    assert "<h1>Toegankelijkheid</h1>" in page
    assert "<p>Eerste alinea.</p>" in page
    assert "Tweede &lt;b&gt;alinea&lt;/b&gt;." in page  # the text is escaped, never HTML
    assert "Versie 1, gepubliceerd op" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "page.publish"))
    assert (event.actor_id, event.fields) == (admin.id, "body,title")


def test_a_new_version_is_added_and_earlier_versions_are_kept(client):
    sign_in(client, make_admin())
    for title in ("Privacy 2025", "Privacy 2026"):
        client.post("/privacy/edit?language=nl", data={"title": title, "body": "Tekst"})
    assert versions("privacy") == [(1, "Privacy 2025"), (2, "Privacy 2026")]
    page = client.get("/privacy").data.decode()
    assert "Privacy 2026" in page and "Version 2" in page
    # The edit form starts from the newest version.
    form = client.get("/privacy/edit?language=nl").data.decode()
    assert 'value="Privacy 2026"' in form


def test_each_language_has_its_own_versions_and_dutch_is_the_fallback(client, app):
    sign_in(client, make_admin())
    client.post("/accessibility/edit?language=nl", data={"title": "Toegankelijk", "body": "nl"})
    french = app.test_client()
    french.set_cookie("lang", "fr")
    page = french.get("/accessibility").data.decode()
    assert "Toegankelijk" in page
    assert 'lang="nl"' in page  # the Dutch text is marked as Dutch on a French page
    assert "Ce texte existe uniquement en néerlandais." in page
    client.post("/accessibility/edit?language=fr", data={"title": "Accessible", "body": "fr"})
    assert versions("accessibility", "fr") == [(1, "Accessible")]
    assert versions("accessibility", "nl") == [(1, "Toegankelijk")]
    assert "Accessible" in french.get("/accessibility").data.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "Tekst"}, "title"),
        ({"title": "Titel", "body": ""}, "body"),
        ({"title": "T" * 201, "body": "Tekst"}, "title"),
        ({"title": "Titel", "body": "x" * 50_001}, "body"),
    ],
)
def test_a_text_without_title_or_body_is_not_published(client, data, field):
    sign_in(client, make_admin())
    response = client.post("/privacy/edit?language=nl", data=data)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.data.decode()
    assert 'class="error-summary"' in response.data.decode()
    assert page_count() == 0


@pytest.mark.parametrize("role", ["coordinator", "desk", "coach"])
@pytest.mark.parametrize("slug", SLUGS)
def test_only_admins_may_edit_the_texts(client, role, slug):
    gent = make_municipality()
    user = (
        make_coordinator([gent])
        if role == "coordinator"
        else make_user(roles=(Role(role),), municipalities=[gent])
    )
    sign_in(client, user)
    assert client.get(f"/{slug}/edit").status_code == 403
    response = client.post(f"/{slug}/edit?language=nl", data={"title": "X", "body": "Y"})
    assert response.status_code == 403
    assert page_count() == 0


def test_anonymous_visitors_are_sent_to_sign_in_before_editing(client):
    response = client.post("/privacy/edit?language=nl", data={"title": "X", "body": "Y"})
    assert response.status_code in (302, 401)
    assert page_count() == 0


def test_unknown_languages_and_pages_are_not_found(client):
    sign_in(client, make_admin())
    assert client.get("/privacy/edit?language=de").status_code == 404
    assert (
        client.post("/privacy/edit?language=de", data={"title": "X", "body": "Y"}).status_code
        == 404
    )
    assert client.get("/cookies").status_code == 404
    assert client.get("/cookies/edit").status_code == 404
    assert page_count() == 0


def test_the_edit_link_shows_only_for_admins(client, app):
    assert "/privacy/edit" not in client.get("/privacy").data.decode()
    sign_in(client, make_admin(language="nl"))
    assert re.search(r'href="/privacy/edit\?language=nl"', client.get("/privacy").data.decode())


def test_every_page_links_to_both_texts_in_its_footer(client):
    page = client.get("/").data.decode()
    assert 'href="/accessibility"' in page and 'href="/privacy"' in page
