"""What can still be booked, without HTTP: the topic rules, the first free slot per choice
(bookings.availability) and the ways forward when a combination has nothing free."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from digicoach.bookings import availability, queries, rules
from digicoach.core import clock
from digicoach.core.errors import ValidationFailed
from digicoach.extensions import db
from tests.bookings.factories import in_days, make_appointment, make_bookable_session
from tests.helpdesk.factories import make_help_session

WINDOW = {"closes_hours": 2, "weeks": 4}


def _found(*locations, **narrow):
    return availability.availability(
        [loc.id for loc in locations], now=clock.now(), **WINDOW, **narrow
    )


def test_a_session_that_lists_topics_takes_them_and_something_else():
    assert rules.takes_topic(["email"], "email")
    assert rules.takes_topic(["email"], "other")
    assert not rules.takes_topic(["email"], "online_banking")
    assert rules.takes_topic([], "online_banking")
    assert rules.takes_language([], "ar")
    assert not rules.takes_language(["nl"], "other")  # "other" is a topic, not a language
    assert rules.topics_taken(["email"], ["email", "job_search", "other"]) == ["email", "other"]


def test_nothing_is_offered_when_nothing_is_free(world):
    full = make_bookable_session(world.location, [world.coach()], hours=0.5)
    make_bookable_session(world.other_location, [])  # no coach: no place to book
    make_help_session(world.kortrijk_location, mode="walk_in")  # walk-in: no slots
    make_appointment(full)
    db.session.commit()
    found = _found(world.location, world.other_location, world.kortrijk_location)
    assert found.by_location == {}
    assert found.topics(world.location.id) == {}
    assert found.languages(world.location.id, "other") == {}
    assert found.places() == {}


def test_something_else_is_bookable_at_every_session_with_a_free_slot(world):
    session = make_bookable_session(
        world.location, [world.coach()], topics=("email",), languages=("fr",)
    )
    db.session.commit()
    found = _found(world.location)
    assert set(found.topics(world.location.id)) == {"email", "other"}
    offers = queries.free_slots(
        [world.location.id], now=clock.now(), **WINDOW, topic="other", language="fr"
    )
    assert offers and offers[0].session.id == session.id
    booking = make_appointment(session, topic="other", language="fr")
    assert booking.appointment.topic == "other"
    with pytest.raises(ValidationFailed) as refused:
        make_appointment(session, session.starts_at + timedelta(minutes=30), topic="job_search")
    assert "topic" in refused.value.errors


def test_first_free_per_digipunt_topic_and_language(world):
    coach = world.coach()
    early = make_bookable_session(
        world.location, [coach], starts_at=in_days(3), topics=("email",), languages=("fr",)
    )
    later = make_bookable_session(
        world.location, [world.coach()], starts_at=in_days(5), topics=(), languages=()
    )
    # The first slot of the early session is taken: its second slot is the first free one.
    make_appointment(early, topic="email", language="fr")
    db.session.commit()
    second = early.starts_at + timedelta(minutes=30)
    found = _found(world.location)
    assert found.first_free(world.location.id) == second
    topics = found.topics(world.location.id)
    assert topics["email"] == topics["other"] == second
    assert topics["online_banking"] == later.starts_at  # a session listing none takes any
    assert list(topics) == [code for code in availability.TOPIC_CODES if code in topics]
    languages = found.languages(world.location.id, "email")
    assert languages["fr"] == second
    assert languages["nl"] == languages["ar"] == later.starts_at
    assert found.first_free(world.location.id, "email", "nl") == later.starts_at
    assert found.first_free(world.location.id, None, "fr") == second
    assert found.first_free(world.location.id, "job_search", "fr") == later.starts_at
    # Every answer agrees with the slot search the slot step and the API use.
    for topic, moment in topics.items():
        offers = queries.free_slots([world.location.id], now=clock.now(), **WINDOW, topic=topic)
        assert offers[0].start == moment, topic
    for language, moment in languages.items():
        offers = queries.free_slots(
            [world.location.id], now=clock.now(), **WINDOW, topic="email", language=language
        )
        assert offers[0].start == moment, language


def test_the_window_and_the_online_closing_time_bound_what_is_offered(world):
    make_bookable_session(world.location, [world.coach()], starts_at=in_days(40))
    soon = clock.now() + timedelta(minutes=90)  # closes 2 hours before: too late online
    make_bookable_session(world.other_location, [world.coach()], starts_at=soon, hours=0.5)
    db.session.commit()
    assert _found(world.location, world.other_location).by_location == {}


def test_the_read_model_takes_a_fixed_number_of_statements(world):
    def statements_for_sessions(count: int) -> int:
        for day in range(count):
            make_bookable_session(
                world.location, [world.coach()], starts_at=in_days(2 + day), topics=("email",)
            )
        db.session.commit()
        ids = [world.location.id, world.other_location.id]
        seen: list[str] = []

        def count_it(*args):
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count_it)
        try:
            availability.availability(ids, now=clock.now(), **WINDOW)
        finally:
            event.remove(db.engine, "before_cursor_execute", count_it)
        return len(seen)

    assert statements_for_sessions(1) == statements_for_sessions(6) <= 4


def test_the_ways_forward_put_the_same_municipality_first_then_the_nearest(world):
    world.location.postcode, world.other_location.postcode = "9050", "9000"
    world.kortrijk_location.postcode = "8500"
    make_bookable_session(world.location, [world.coach()], topics=("online_banking",))
    rabot = make_bookable_session(
        world.other_location, [world.coach()], starts_at=in_days(6), topics=("email",)
    )
    kortrijk = make_bookable_session(
        world.kortrijk_location,
        [world.coach(municipality=world.kortrijk)],
        starts_at=in_days(2),
        topics=("email",),
    )
    open_door = make_help_session(world.location, mode="hybrid", starts_at=in_days(1))
    make_help_session(world.location, mode="walk_in", starts_at=in_days(2), topics=("job_search",))
    make_help_session(world.other_location, mode="walk_in", starts_at=in_days(2))
    db.session.commit()
    every = [world.location, world.other_location, world.kortrijk_location]
    ways = availability.ways_forward(
        world.location,
        every,
        now=clock.now(),
        **WINDOW,
        topic="email",
        language="nl",
        walk_in_at=[world.location.id],
    )
    assert [(p.location.id, p.first_free) for p in ways.places] == [
        (world.other_location.id, rabot.starts_at),
        (world.kortrijk_location.id, kortrijk.starts_at),
    ]
    assert [p.same_municipality for p in ways.places] == [True, False]
    # Walk-in hours here that take the topic (the job-search hours do not; Rabot is elsewhere).
    assert [s.id for s in ways.walk_ins] == [open_door.id]
    # A digipunt never proposes itself, nor a place without the language.
    ways = availability.ways_forward(
        world.other_location, every, now=clock.now(), **WINDOW, topic="email", language="ar"
    )
    assert ways.places == [] and ways.walk_ins == []


def test_the_first_free_per_digipunt_agrees_with_the_slot_search(world):
    """The column-level read for many digipunten answers what the full model answers, for
    overlapping sessions, full and closed slots, hybrid capacity and every filter."""
    gent = [world.location, world.other_location]
    long_one = make_bookable_session(
        world.location, [world.coach()], starts_at=in_days(2, 10), hours=6, topics=("email",)
    )
    for slot in range(4):  # its first four slots are taken
        make_appointment(
            long_one, long_one.starts_at + timedelta(minutes=30 * slot), phone=f"0470 12 34 5{slot}"
        )
    make_bookable_session(
        world.location, [world.coach()], starts_at=in_days(2, 11), hours=1, languages=("fr",)
    )
    make_bookable_session(
        world.other_location,
        [world.coach(), world.coach()],
        starts_at=in_days(1, 9),
        mode="hybrid",
        topics=("job_search",),
        languages=(),
    )
    make_bookable_session(world.other_location, [world.coach()], mode="hybrid")  # walk-ins only
    soon = clock.now() + timedelta(minutes=150)  # its first slot closes online before now + 2 h
    make_bookable_session(world.kortrijk_location, [world.coach()], starts_at=soon, hours=1)
    db.session.commit()
    every = [*gent, world.kortrijk_location]
    ids = [loc.id for loc in every]
    for topic in (None, "email", "job_search", "other", "video_calling"):
        for language in (None, "nl", "fr", "ar"):
            narrow = {"topic": topic, "language": language}
            fast = availability.first_free_by_location(ids, now=clock.now(), **WINDOW, **narrow)
            full = _found(*every).places(topic, language)
            assert fast == full, narrow
            for location_id, moment in fast.items():
                offers = queries.free_slots(
                    [location_id], now=clock.now(), **WINDOW, topic=topic, language=language
                )
                assert offers[0].start == moment, (narrow, location_id)
    assert availability.first_free_by_location(
        [world.location.id], now=clock.now(), **WINDOW, language="fr"
    ) == {world.location.id: in_days(2, 11)}
