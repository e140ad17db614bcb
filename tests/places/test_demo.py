"""The demo places: Cross & Learn over Gent, Antwerpen and Kortrijk."""

from __future__ import annotations

import random
from datetime import datetime, time

import pytest
from sqlalchemy import func, select

from digicoach.core import clock
from digicoach.extensions import db
from digicoach.places import demo, rules
from digicoach.places.demo import seed_places
from digicoach.places.models import Municipality


def test_the_demo_has_cross_and_learn_with_its_targets_and_three_municipalities(app):
    seeded = seed_places(rng=random.Random(7))
    db.session.commit()
    programme = seeded["programme"]
    assert (programme.name, programme.coach_target, programme.citizen_target) == (
        "Cross & Learn",
        1000,
        30000,
    )
    assert (programme.starts_on.isoformat(), programme.ends_on.isoformat()) == (
        "2025-01-01",
        "2027-12-31",
    )
    codes = {name: m.nis_code for name, m in seeded["municipalities"].items()}
    assert codes == {"Gent": "44021", "Antwerpen": "11002", "Kortrijk": "34022"}
    assert {m.name for m in programme.municipalities} == set(codes)


def test_each_demo_municipality_has_four_to_six_neighbourhoods_and_two_or_three_locations(app):
    seeded = seed_places(rng=random.Random(7))
    for municipality in seeded["municipalities"].values():
        assert 4 <= len(municipality.neighbourhoods) <= 6
        assert 2 <= len(municipality.locations) <= 3


def test_demo_locations_pass_the_same_rules_as_typed_input(app):
    for location in seed_places(rng=random.Random(7))["locations"]:
        assert rules.normalise_phone(location.front_desk_phone) == location.front_desk_phone
        assert rules.normalise_postcode(location.postcode) == location.postcode
        assert location.neighbourhood.municipality_id == location.municipality_id
        assert location.active


def test_the_demo_does_not_depend_on_the_seed(app):
    rng = random.Random(99)
    names = [location.name for location in seed_places(rng=rng)["locations"]]
    assert names == [spec["name"] for m in demo.MUNICIPALITIES.values() for spec in m["locations"]]
    assert rng.random() == random.Random(99).random()  # our stream is left for the others


def test_seeding_twice_is_refused(app):
    seed_places(rng=random.Random(1))
    with pytest.raises(RuntimeError):
        seed_places(rng=random.Random(1))
    assert db.session.scalar(select(func.count(Municipality.id))) == 3


def test_opening_notes_are_written_from_the_weekly_hours():
    hours = [
        demo.Hours((3,), time(9, 0), 180, demo.APPOINTMENT),
        demo.Hours((1, 2, 3, 4, 5), time(10, 0), 120, demo.HYBRID),
        demo.Hours((2, 4), time(21, 0), 180, demo.WALK_IN),
    ]
    assert demo.opening_notes(hours) == (
        "Met of zonder afspraak elke werkdag van 10.00 tot 12.00 uur. "
        "Zonder afspraak op dinsdag en donderdag van 21.00 tot 24.00 uur. "
        "Op afspraak op woensdag van 9.00 tot 12.00 uur."
    )


def test_today_keeps_a_usual_hybrid_block_that_covers_now_else_gets_its_own():
    usual = [demo.Hours((2, 4), time(9, 30), 180, demo.HYBRID)]
    tuesday_morning = datetime(2026, 12, 8, 10, 15, tzinfo=clock.LOCAL_ZONE)
    assert demo.weekly_hours(usual, now=tuesday_morning, index=0) == usual
    tuesday_evening = datetime(2026, 12, 8, 22, 30, tzinfo=clock.LOCAL_ZONE)
    hours = demo.weekly_hours(usual, now=tuesday_evening, index=0)
    assert hours[0].weekdays == (4,)  # Tuesday moved to today's block
    assert (hours[1].weekdays, hours[1].start, hours[1].minutes) == ((2,), time(21, 0), 180)
