"""The wizard's steps through HTTP: only choices that lead to a free slot, each with its first
free day; a combination with nothing free shows the ways forward and no "Next" that can only
fail."""

from __future__ import annotations

import re

from flask_babel import force_locale
from sqlalchemy import select

from digicoach.bookings.models import Appointment
from digicoach.core.i18n import long_day
from digicoach.extensions import db
from tests.bookings.factories import in_days, make_appointment, make_bookable_session
from tests.bookings.test_pages import _confirm, _hidden, _step
from tests.helpdesk.factories import make_help_session

# The "Next" button is the step form's only submit button without a name.
NEXT = re.compile(r'<button type="submit" class="button">')


def _values(response, name: str) -> list[str]:
    return re.findall(rf'name="{name}"[^>]*value="([^"]*)"', response.get_data(as_text=True))


def _text(response) -> str:
    return response.get_data(as_text=True)


def _ledeberg_and_rabot(world):
    """Ledeberg: one place for e-mail in Dutch and a hybrid session (walk-ins only); Rabot:
    e-mail in Dutch later."""
    last_place = make_bookable_session(
        world.location,
        [world.coach()],
        starts_at=in_days(2),
        hours=0.5,
        topics=("email",),
        languages=("nl",),
    )
    rabot = make_bookable_session(
        world.other_location, [world.coach()], starts_at=in_days(6), topics=("email",)
    )
    make_help_session(world.location, mode="hybrid", starts_at=in_days(1, 9))
    db.session.commit()
    return last_place, rabot


def test_each_step_lists_only_what_leads_to_a_free_slot_with_its_first_free_day(client, world):
    last_place, _rabot = _ledeberg_and_rabot(world)
    page = client.get("/book")
    assert _values(page, "municipality") == [str(world.gent.id)]  # not Kortrijk
    with force_locale("en"):
        assert f"First free time: {long_day(last_place.starts_at)}" in _text(page)
    page = _step(client, page, "municipality", municipality=str(world.gent.id))
    assert sorted(_values(page, "location")) == sorted(
        [str(world.location.id), str(world.other_location.id)]
    )
    page = _step(client, page, "location", location=str(world.location.id))
    assert _values(page, "topic") == ["email", "other"]
    page = _step(client, page, "topic", topic="other")
    assert _values(page, "language") == ["nl"]
    page = _step(client, page, "language", language="nl")
    assert _values(page, "slot") == [f"{last_place.id}@{last_place.starts_at.isoformat()}"]
    assert "These times are still free" in _text(page)
    assert NEXT.search(_text(page))


def test_something_else_is_booked_at_a_session_that_lists_topics(client, world):
    last_place, _rabot = _ledeberg_and_rabot(world)
    page = client.get("/book")
    page = _step(client, page, "municipality", municipality=str(world.gent.id))
    page = _step(client, page, "location", location=str(world.location.id))
    page = _step(client, page, "topic", topic="other")
    page = _step(client, page, "language", language="nl")
    page = _step(client, page, "slot", slot=f"{last_place.id}@{last_place.starts_at.isoformat()}")
    page = _step(client, page, "contact", first_name="Maria", phone="0470 12 34 56", email="")
    review = _step(client, page, "note", note="")
    assert _confirm(client, review).status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(Appointment.topic)) == "other"


def test_a_combination_with_nothing_free_shows_the_ways_forward_and_no_next(client, world):
    last_place, rabot = _ledeberg_and_rabot(world)
    page = client.get("/book")
    page = _step(client, page, "municipality", municipality=str(world.gent.id))
    page = _step(client, page, "location", location=str(world.location.id))
    page = _step(client, page, "topic", topic="email")
    # The last place goes while the citizen chooses the language.
    make_appointment(last_place, topic="email", language="nl")
    db.session.commit()
    page = _step(client, page, "language", language="nl")
    text = _text(page)
    assert page.status_code == 200
    assert "Dienstencentrum Ledeberg has no free time for “E-mail” in Dutch" in text
    assert "These times are still free" not in text
    assert not NEXT.search(text), "a Next that can only fail"
    assert _values(page, "slot") == []
    assert f'value="place:{world.other_location.id}"' in text  # the same help at Rabot
    with force_locale("en"):
        assert f"First free time: {long_day(rabot.starts_at)}" in text
    assert "without an appointment" in text and "9:00 to 11:00" in text  # the hybrid hours
    assert 'href="tel:' in text
    assert 'value="back"' in text
    # Taking the way forward keeps the topic and language and shows Rabot's times.
    moved = client.post(
        "/book",
        data={
            "state": _hidden(text, "state"),
            "step": "slot",
            "go": f"place:{world.other_location.id}",
        },
    )
    assert _values(moved, "slot")[0] == f"{rabot.id}@{rabot.starts_at.isoformat()}"
    assert NEXT.search(_text(moved))
    # A forged way forward changes nothing and breaks nothing.
    for bogus in ("place:abc", "place:99999", "place:"):
        response = client.post(
            "/book", data={"state": _hidden(text, "state"), "step": "slot", "go": bogus}
        )
        assert response.status_code == 200


def test_with_nothing_free_anywhere_the_first_step_says_so_and_gives_the_phone(client, world):
    page = client.get("/book")
    text = _text(page)
    assert "There is no free time at any digital help point" in text
    assert 'href="tel:' in text
    assert _values(page, "municipality") == []
    assert not NEXT.search(text)


def test_a_language_without_free_times_for_a_new_topic_is_asked_again(client, world):
    make_bookable_session(world.location, [world.coach()], topics=("email",), languages=("fr",))
    make_bookable_session(
        world.location, [world.coach()], starts_at=in_days(5), topics=("job_search",)
    )
    db.session.commit()
    page = client.get("/book")
    page = _step(client, page, "municipality", municipality=str(world.gent.id))
    page = _step(client, page, "location", location=str(world.location.id))
    page = _step(client, page, "topic", topic="email")
    page = _step(client, page, "language", language="fr")
    assert _values(page, "slot")
    topic_page = client.post(
        "/book", data={"state": _hidden(_text(page), "state"), "go": "edit:topic"}
    )
    page = _step(client, topic_page, "topic", topic="job_search")
    assert _values(page, "language") == ["nl"]  # French has nothing for job search here


def test_a_place_gone_at_the_confirmation_shows_the_ways_forward(client, world):
    last_place, _rabot = _ledeberg_and_rabot(world)
    page = client.get("/book")
    page = _step(client, page, "municipality", municipality=str(world.gent.id))
    page = _step(client, page, "location", location=str(world.location.id))
    page = _step(client, page, "topic", topic="email")
    page = _step(client, page, "language", language="nl")
    page = _step(client, page, "slot", slot=f"{last_place.id}@{last_place.starts_at.isoformat()}")
    page = _step(client, page, "contact", first_name="Maria", phone="0470 12 34 56", email="")
    review = _step(client, page, "note", note="")
    make_appointment(last_place, topic="email", language="nl", phone="0470 99 88 77")
    db.session.commit()
    refused = _confirm(client, review)
    text = _text(refused)
    assert refused.status_code == 422
    assert 'href="#slot"' in text and 'id="slot"' in text  # the summary's link has a target
    assert f'value="place:{world.other_location.id}"' in text
    assert not NEXT.search(text)
