"""Figures are computed as of the start of a cache window and reused within it."""

from __future__ import annotations

from datetime import timedelta

from digicoach.extensions import cache, db
from digicoach.progress.queries import programme_figures
from tests.helpdesk.factories import make_working_coach
from tests.progress.factories import make_help_log

KEY = "c" * 64


def test_within_a_window_the_figures_come_from_the_cache_and_say_their_moment(
    app, world, frozen, count_statements
):
    app.config["PROGRESS_CACHE_SECONDS"] = 300
    cache.clear()
    with count_statements() as cold:
        first = programme_figures(world.programme.id, now=frozen)
    make_help_log(make_working_coach(world.gent), citizen_key=KEY)
    db.session.commit()

    with count_statements() as warm:
        again = programme_figures(world.programme.id, now=frozen + timedelta(minutes=2))

    assert again == first  # the new log waits for the next window
    assert again["as_of"] == "2026-06-15T12:00:00+02:00"
    assert warm.count < cold.count


def test_the_next_window_computes_afresh(app, world, frozen):
    app.config["PROGRESS_CACHE_SECONDS"] = 300
    cache.clear()
    programme_figures(world.programme.id, now=frozen)
    make_help_log(make_working_coach(world.gent), citizen_key=KEY)
    db.session.commit()

    later = programme_figures(world.programme.id, now=frozen + timedelta(minutes=6))

    assert later["citizens"]["supported"] == 1
    assert later["as_of"] == "2026-06-15T12:05:00+02:00"
