"""Public pages anyone not signed in sees alike are kept per language and dropped on change
(core/page_cache.py, issue 17 item 5): the wizard's first step, a digipunt's page, the impact
page. Nothing personal is ever kept: no signed-in page, no flashed message, no form token."""

from __future__ import annotations

import re
from typing import Any

import pytest

from digicoach.core import clock
from digicoach.core.page_cache import CSRF_PLACEHOLDER, GENERATION_KEY
from digicoach.extensions import cache, db
from digicoach.places.models import Location, Municipality
from tests.api.test_statement_count import counting
from tests.bookings.factories import in_days, make_bookable_session
from tests.conftest import sign_in

TOKEN = re.compile(r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">')


@pytest.fixture
def app_config(app_config: dict) -> dict:
    # Form tokens on, as in production: they must never be kept.
    return {**app_config, "PUBLIC_PAGE_CACHE_SECONDS": 60, "WTF_CSRF_ENABLED": True}


def _kept_bodies(app: Any) -> list[bytes]:
    """Every page body in the cache (SimpleCache in the tests)."""
    store = cache.cache._cache  # SimpleCache's dict of key -> (expiry, pickled value)
    return [cache.get(key)[0] for key in list(store) if key.startswith("page:")]


def _token(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the form has its token"
    return found.group(1)


def test_the_first_step_is_rendered_once_and_each_visitor_gets_a_token_of_their_own(
    app: Any, client: Any, world: Any
) -> None:
    make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    first = client.get("/book")
    other = app.test_client()
    other.set_cookie("lang", "en")
    with counting() as statements:
        again = other.get("/book")
    assert statements == []
    assert again.status_code == 200 and "Gent" in again.get_data(as_text=True)
    assert again.headers["Cache-Control"] == "no-store"
    mine, theirs = _token(first.get_data(as_text=True)), _token(again.get_data(as_text=True))
    assert mine != theirs
    assert TOKEN.sub("", first.get_data(as_text=True)) == TOKEN.sub(
        "", again.get_data(as_text=True)
    )
    # The token sent from the kept page is good for that visitor's next step.
    state = re.search(r'name="state" type="hidden" value="([^"]*)"', again.get_data(as_text=True))
    answered = other.post(
        "/book",
        data={
            "csrf_token": theirs,
            "state": state.group(1) if state else "",
            "step": "municipality",
            "municipality": str(world.gent.id),
        },
    )
    assert answered.status_code == 200
    assert "Dienstencentrum Ledeberg" in answered.get_data(as_text=True)
    # No visitor's token is in the cache, only the placeholder.
    bodies = _kept_bodies(app)
    assert bodies and all(CSRF_PLACEHOLDER in body for body in bodies)
    assert not any(token.encode() in body for body in bodies for token in (mine, theirs))


def test_each_language_has_its_own_page(client: Any, world: Any) -> None:
    english = client.get("/book").get_data(as_text=True)
    client.set_cookie("lang", "fr")
    french = client.get("/book").get_data(as_text=True)
    client.set_cookie("lang", "nl")
    dutch = client.get("/book").get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="fr"' in french and 'lang="nl"' in dutch


def test_a_saved_place_or_help_session_shows_at_the_next_request(client: Any, world: Any) -> None:
    path = f"/digipunten/{world.location.id}"
    before = client.get(path).get_data()
    with counting() as statements:
        assert client.get(path).get_data() == before
    assert statements == []

    make_bookable_session(world.location, [world.coach()], starts_at=in_days(2))
    db.session.commit()
    planned = client.get(path).get_data()
    assert planned != before

    db.session.get(Location, world.location.id).name = "Buurthuis Ledeberg"
    db.session.commit()
    assert "Buurthuis Ledeberg" in client.get(path).get_data(as_text=True)

    client.get("/book")
    db.session.get(Municipality, world.gent.id).name = "Stad Gent"
    db.session.commit()
    assert "Stad Gent" in client.get("/book").get_data(as_text=True)


def test_a_change_rolled_back_keeps_the_pages(client: Any, world: Any) -> None:
    client.get("/book")
    generation = cache.get(GENERATION_KEY)
    db.session.get(Location, world.location.id).name = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert cache.get(GENERATION_KEY) == generation
    with counting() as statements:
        client.get("/book")
    assert statements == []


def test_signed_in_pages_are_never_kept_nor_served_from_the_cache(
    app: Any, client: Any, world: Any
) -> None:
    path = f"/digipunten/{world.location.id}"
    anonymous = client.get(path).get_data(as_text=True)
    staff = app.test_client()
    staff.set_cookie("lang", "en")
    sign_in(staff, world.admin)
    seen = staff.get(path)
    assert "Anna Admin" in seen.get_data(as_text=True)
    assert seen.headers["Cache-Control"] == "no-store"
    assert "Anna Admin" not in anonymous
    assert client.get(path).get_data(as_text=True) == anonymous
    assert not any(b"Anna Admin" in body for body in _kept_bodies(app))


def test_a_page_with_a_flashed_message_is_not_kept(app: Any, client: Any, world: Any) -> None:
    path = f"/digipunten/{world.location.id}"
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your appointment is cancelled.")]
    shown = client.get(path).get_data(as_text=True)
    assert "Your appointment is cancelled." in shown
    assert not any(b"Your appointment is cancelled." in body for body in _kept_bodies(app))
    assert "Your appointment is cancelled." not in client.get(path).get_data(as_text=True)


def test_unknown_query_parameters_are_not_kept(app: Any, client: Any, world: Any) -> None:
    client.get("/book?made-up=1")
    client.get("/book?made-up=2")
    assert _kept_bodies(app) == []


def test_impact_is_kept_per_programme_and_municipality(client: Any, world: Any) -> None:
    client.get("/impact/")
    with counting() as statements:
        assert client.get("/impact/").status_code == 200
    assert statements == []


def test_a_booking_leaves_the_pages_kept_for_at_most_the_minute(client: Any, world: Any) -> None:
    """Free places are not watched (the staleness allowed in core/page_cache.py): booking checks
    capacity itself, and dropping the pages on every booking would keep nothing under load."""
    session = make_bookable_session(world.location, [world.coach()])
    db.session.commit()
    client.get("/book")
    generation = cache.get(GENERATION_KEY)
    booked = client.post(
        "/api/v1/bookings",
        json={
            "help_session_id": session.id,
            "start": clock.local(session.starts_at).isoformat(),
            "first_name": "Fatima",
            "phone": "0470 12 34 56",
            "topic": "email",
            "language": "nl",
            "consent": True,
        },
    )
    assert booked.status_code == 201, booked.json
    assert cache.get(GENERATION_KEY) == generation
    assert not any(b"Fatima" in body for body in _kept_bodies(client.application))
