"""Demo data: about 60 coaches in every status, and version 1 of the public texts."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import func, select

from digicoach.coaches import rules
from digicoach.coaches.demo import publish_default_texts, seed_coaches
from digicoach.coaches.models import Coach
from digicoach.content.models import PageVersion
from digicoach.extensions import db
from digicoach.places import demo as places_demo


def test_default_texts_are_published_once_in_three_languages(app):
    first = publish_default_texts()
    assert {(v.slug, v.language) for v in first} == {
        (slug, language)
        for slug in ("privacy", "volunteer-note", "accessibility")
        for language in ("nl", "fr", "en")
    }
    assert all(v.version == 1 and len(v.body) > 500 for v in first)
    assert publish_default_texts() == []
    # Three texts in three languages (and the loan agreement in three: loans/demo.py).
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(PageVersion)
            .where(PageVersion.slug != "loan-agreement")
        )
        == 9
    )


def test_demo_coaches_cover_every_status_with_a_consistent_history(app):
    places = places_demo.seed_places(rng=random.Random(1))
    coaches = seed_coaches(rng=random.Random(1), places=places)
    db.session.commit()
    assert 55 <= len(coaches) <= 65
    assert set(Counter(c.status for c in coaches)) == set(rules.STATUSES)
    municipalities = {m.id for m in places["municipalities"].values()}
    for coach in coaches:
        assert coach.municipality_id in municipalities
        assert rules.normalise_phone(coach.phone) == coach.phone
        steps = [(c.from_status, c.to_status) for c in coach.history]
        assert steps[0] == (None, "applied")
        assert all(rules.may_transition(a, b) for a, b in steps[1:])
        assert steps[-1][1] == coach.status
        assert all(n.municipality_id == coach.municipality_id for n in coach.neighbourhoods)


def test_the_same_seed_gives_the_same_coaches(app):
    places = places_demo.seed_places(rng=random.Random(3))
    names = [c.user.name for c in seed_coaches(rng=random.Random(7), places=places)]
    db.session.rollback()
    places = places_demo.seed_places(rng=random.Random(3))
    again = [c.user.name for c in seed_coaches(rng=random.Random(7), places=places)]
    assert names == again


def test_the_seed_demo_command_adds_coaches_and_texts(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Coach)) >= 56
    demo_coach = db.session.scalars(
        select(Coach).join(Coach.user).where(Coach.user.has(email="coach@demo.digicoach.be"))
    ).one()
    assert demo_coach.status == "active"
    # Three texts in three languages (and the loan agreement in three: loans/demo.py).
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(PageVersion)
            .where(PageVersion.slug != "loan-agreement")
        )
        == 9
    )
