"""The demo places: Cross & Learn over Gent, Antwerpen and Kortrijk."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

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
