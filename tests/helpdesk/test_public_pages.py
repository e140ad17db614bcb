"""The public digipunt pages: no sign-in, active locations by municipality, and the coming
help moments of one digipunt in words, with its front-desk phone."""

from datetime import date, time, timedelta

from digicoach.core import clock, timeslots
from digicoach.extensions import db
from tests.factories import make_location
from tests.helpdesk.factories import make_help_session


def test_the_list_shows_active_digipunten_by_municipality_to_anyone(client, world):
    make_location(world.gent, name="Gesloten buurthuis", active=False)
    db.session.commit()
    page = client.get("/digipunten").get_data(as_text=True)
    assert page.index("Gent") < page.index("Dienstencentrum Ledeberg") < page.index("Kortrijk")
    assert "Bib Kortrijk" in page
    assert "Gesloten buurthuis" not in page


def _next(weekday: int) -> date:
    day = clock.local_today() + timedelta(days=1)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return day


def test_a_digipunt_page_says_the_coming_hours_in_words_in_dutch(client, world):
    day = _next(2)
    make_help_session(
        world.location,
        starts_at=timeslots.local_moment(day, time(14)),
        ends_at=timeslots.local_moment(day, time(16)),
        topics=("email",),
    )
    make_help_session(world.location, status="cancelled", starts_at=clock.now() + timedelta(days=2))
    make_help_session(world.location, starts_at=clock.now() + timedelta(weeks=6))
    world.location.opening_notes = "Open op dinsdag."
    world.location.accessibility_notes = "Drempelvrij."
    db.session.commit()
    client.set_cookie("lang", "nl")
    page = client.get(f"/digipunten/{world.location.id}").get_data(as_text=True)
    assert "dinsdag" in page
    assert "14.00" in page and "16.00" in page
    assert "kom langs, zonder afspraak." in page
    assert page.count("<strong>") == 1  # one coming session: not the cancelled or far one
    assert "09 235 37 50" in page
    assert "Open op dinsdag." in page and "Drempelvrij." in page


def test_a_digipunt_page_in_french_uses_french_day_names(client, world):
    day = _next(4)
    make_help_session(
        world.location,
        starts_at=timeslots.local_moment(day, time(9, 30)),
        ends_at=timeslots.local_moment(day, time(12)),
    )
    db.session.commit()
    client.set_cookie("lang", "fr")
    page = client.get(f"/digipunten/{world.location.id}").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "jeudi" in page and "09 h 30" in page


def test_an_inactive_or_unknown_digipunt_is_not_found(client, world):
    closed = make_location(world.gent, name="Dicht", active=False)
    db.session.commit()
    assert client.get(f"/digipunten/{closed.id}").status_code == 404
    assert client.get("/digipunten/987654").status_code == 404
    assert client.get(f"/feeds/location/{closed.id}.ics").status_code == 404
